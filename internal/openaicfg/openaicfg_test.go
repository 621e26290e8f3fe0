package openaicfg

import (
	"strings"
	"testing"
)

func TestBaseURL(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"", DefaultBaseURL, ""},
		{"http://localhost:11434", "http://localhost:11434/v1", ""},
		{"http://localhost:11434/v1/", "http://localhost:11434/v1", ""},
		{"https://x.openai.azure.com/openai/deployments/d?api-version=1#f", "https://x.openai.azure.com/openai/deployments/d", ""},
		{"localhost:11434", "", "want an http(s) URL"},
		{"ftp://host/v1", "", "want an http(s) URL"},
		{"http://", "", "want an http(s) URL"},
	} {
		got, err := BaseURL(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("BaseURL(%q) err = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("BaseURL(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestKeys(t *testing.T) {
	for base, need := range map[string]bool{
		"https://api.openai.com/v1":                  true,
		"https://API.OpenAI.com/v1":                  true,
		"https://res.openai.azure.com/openai":        true,
		"https://res.cognitiveservices.azure.com/x":  true,
		"http://localhost:11434/v1":                  false,
		"http://vllm.internal:8000/v1":               false,
		"https://api.openai.com.attacker.example/v1": false,
	} {
		if NeedsKey(base) != need {
			t.Errorf("NeedsKey(%q) = %v", base, !need)
		}
		err := CheckKey(base, "")
		if (err != nil) != need {
			t.Errorf("CheckKey(%q, \"\") = %v", base, err)
		}
		if err := CheckKey(base, "sk-test"); err != nil {
			t.Errorf("CheckKey with a key: %v", err)
		}
	}
	if !IsOpenAI("https://api.openai.com/v1") || IsOpenAI("http://localhost/v1") {
		t.Error("IsOpenAI")
	}
}
