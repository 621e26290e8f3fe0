package extractive

import "testing"

func TestSpeakerOf(t *testing.T) {
	cases := []struct {
		s    string
		prev []string
		want string
	}{
		{"“We will rebuild the bridge,” Mayor Anna Lindqvist said on Tuesday.", nil, "Mayor Anna Lindqvist"},
		{"“Prices will rise,” said Tomas Berg, an economist.", nil, "Tomas Berg"},
		{"“It will be like an avalanche,” he said, predicting a fallback.", []string{"Oleksii Reznikov, the defence minister, spoke to television."}, "Oleksii Reznikov"},
		{"“I have travelled here today,” she said.", []string{"Earlier on Saturday, German foreign minister Annalena Baerbock, who was visiting, said Berlin would help."}, "Annalena Baerbock"},
		{"Al Jazeera’s Gabriel Elizondo, reporting from Kyiv, stated that the city was “a key strongpoint”.", nil, "Gabriel Elizondo"},
		{"The council voted to expand the tram network.", nil, ""},
		{"“I will not negotiate through the newspapers,” she said.", []string{"Mayor Anna Lindqvist spoke first.", "Lindqvist told reporters she would meet union leader Tomas Berg on Thursday."}, "Mayor Anna Lindqvist"},
		{"MARLOW, Ore. — Officials said the bridge would reopen.", nil, ""},
		{"“Cases will keep climbing,” said Dr. Priya Raman, the district's health director.", nil, "Dr. Priya Raman"},
		{"“Paris is lovely,” he said.", []string{"the weather was fine."}, ""},
	}
	for _, c := range cases {
		if got := speakerOf(c.s, c.prev); got != c.want {
			t.Errorf("speakerOf(%q) = %q, want %q", c.s, got, c.want)
		}
	}
}
