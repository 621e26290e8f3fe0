package bot

import (
	"strings"
	"testing"
)

func TestLinkIgnoresNonWebURLs(t *testing.T) {
	l := Linker{}
	for _, u := range []string{
		"javascript:alert(1)",
		"JavaScript:alert(document.cookie)//https://x",
		"data:text/html,<script>alert(1)</script>",
		"file:///etc/passwd",
		"/relative/path",
		"https://ex ample.com/a",
		"https://example.com/\x1b]52;c;SGVsbG8=\a",
		"http://",
	} {
		got := l.Link(u, "a1", 2, "some quote")
		if got != "newsdesk:a1#p2" {
			t.Errorf("Link(%q) = %q; want the newsdesk: reference", u, got)
		}
	}
	if got := l.Link("https://example.com/story#top", "a1", 0, "one two"); !strings.HasPrefix(got, "https://example.com/story#:~:text=") {
		t.Errorf("Link(https) = %q", got)
	}
}
