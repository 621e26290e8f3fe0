package llm

import (
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/newsdesk/newsdesk/bot"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigFromEnv(t *testing.T) {
	cases := []struct {
		env       map[string]string
		wantErr   string
		wantBase  string
		wantModel string
	}{
		{map[string]string{"OPENAI_API_KEY": "k"}, "", DefaultBaseURL, DefaultModel},
		{map[string]string{}, "OPENAI_API_KEY is not set", "", ""},
		{map[string]string{"OPENAI_BASE_URL": "https://r.openai.azure.com/openai/v1/", "NEWSDESK_CHAT_MODEL": "gpt-4o"}, "OPENAI_API_KEY is not set", "", ""},
		{map[string]string{"OPENAI_BASE_URL": "http://localhost:11434", "NEWSDESK_CHAT_MODEL": "llama3.2"}, "", "http://localhost:11434/v1", "llama3.2"},
		{map[string]string{"OPENAI_BASE_URL": "http://localhost:8000/v1"}, "NEWSDESK_CHAT_MODEL is not set", "", ""},
		{map[string]string{"OPENAI_BASE_URL": "ftp://x"}, "http(s) URL", "", ""},
	}
	for _, c := range cases {
		cfg, err := ConfigFromEnv(env(c.env))
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%v: err = %v, want %q", c.env, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c.env, err)
			continue
		}
		if cfg.BaseURL != c.wantBase || cfg.Model != c.wantModel || cfg.Budget != DefaultBudget || cfg.Timeout != DefaultTimeout || cfg.Passages != DefaultPassages {
			t.Errorf("%v: cfg = %+v", c.env, cfg)
		}
	}
}

func TestTemperature(t *testing.T) {
	if r := withTemperature(openai.ChatCompletionRequest{Model: "llama3.2"}); r.Temperature != NearZeroTemperature {
		t.Errorf("llama3.2: temperature %v", r.Temperature)
	}
	// go-openai rejects a non-default temperature for reasoning models.
	for _, m := range []string{"o3-mini", "gpt-5-mini"} {
		if r := withTemperature(openai.ChatCompletionRequest{Model: m}); r.Temperature != 0 {
			t.Errorf("%s: temperature %v, want none sent", m, r.Temperature)
		}
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{BaseURL: "http://localhost:1/v1", Model: "m"}, nil, nil, botLinker(), nil); err == nil {
		t.Error("nil searcher accepted")
	}
	a, err := New(Config{BaseURL: "http://localhost:1/v1", Model: "m", Budget: time.Second}, newSearcher(), nil, botLinker(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.cfg.Budget != time.Second || a.cfg.Timeout != DefaultTimeout || a.cfg.Passages != DefaultPassages {
		t.Errorf("cfg = %+v", a.cfg)
	}
}

func botLinker() bot.Linker { return bot.Linker{} }
