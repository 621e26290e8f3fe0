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

func TestAttributes(t *testing.T) {
	novak := []string{"novak"}
	cases := []struct {
		s, speaker string
		want       bool
	}{
		{"“We will rebuild,” she said.", "Katarzyna Novak", true},
		{"Novak told reporters the budget would pass.", "", true},
		{"Katarzyna Novak, the finance minister, later said the budget would pass.", "", true},
		{"The budget would pass, according to Novak.", "", true},
		{"Novak declined to comment.", "", true},
		{"Novak did not respond to a request for comment.", "", true},
		{"Dr. Novak warned of delays.", "", true},
		{"Novak’s budget was rejected by parliament.", "", false},
		{"Critics said Novak had misled parliament.", "", false},
		{"“Novak has failed,” said Tomas Berg.", "Tomas Berg", false},
		{"The minister met Novak on Tuesday.", "", false},
	}
	for _, c := range cases {
		if got := attributes(c.s, c.speaker, novak); got != c.want {
			t.Errorf("attributes(%q, %q) = %v, want %v", c.s, c.speaker, got, c.want)
		}
	}
}

func TestAttributesMisspeltName(t *testing.T) {
	if !attributes("Katarzyna Novak told reporters the budget would pass.", "", []string{"katarzina", sigPrefix + sigOf("Katarzina")}) {
		t.Error("a misspelt first name should still find its speaker")
	}
}
