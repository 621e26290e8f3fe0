// Package openaicfg holds what the chat client (bot/llm) and the embedding
// client (retrieval/openaiemb) agree on about an OpenAI-compatible server:
// how OPENAI_BASE_URL is written and which servers need OPENAI_API_KEY. One
// place, so that both report the same error for the same environment.
package openaicfg

import (
	"fmt"
	"net/url"
	"strings"
)

// DefaultBaseURL is OpenAI's API, used when OPENAI_BASE_URL is empty.
const DefaultBaseURL = "https://api.openai.com/v1"

// BaseURL returns base (DefaultBaseURL when empty) without a trailing
// slash, query or fragment, with /v1 appended when it has no path at all
// (go-openai expects the version in the base URL), and rejects anything
// but an absolute http(s) URL.
func BaseURL(base string) (string, error) {
	if base == "" {
		return DefaultBaseURL, nil
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("OPENAI_BASE_URL %q: want an http(s) URL such as https://api.openai.com/v1 or http://localhost:11434/v1", base)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	if u.Path == "" {
		u.Path = "/v1"
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// Host is the lower-cased host name of base, or "" when it does not parse.
func Host(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// IsOpenAI reports whether base is OpenAI's own API.
func IsOpenAI(base string) bool { return Host(base) == "api.openai.com" }

// NeedsKey reports whether the server at base is known to require an API
// key (OpenAI and Azure); local servers such as Ollama usually do not.
func NeedsKey(base string) bool {
	h := Host(base)
	return h == "api.openai.com" || strings.HasSuffix(h, ".openai.azure.com") ||
		strings.HasSuffix(h, ".cognitiveservices.azure.com") || strings.HasSuffix(h, ".services.ai.azure.com")
}

// CheckKey returns a clear error when base needs a key and key is empty.
func CheckKey(base, key string) error {
	if key == "" && NeedsKey(base) {
		return fmt.Errorf("OPENAI_API_KEY is not set; %s requires one (or set OPENAI_BASE_URL to a local server such as http://localhost:11434/v1)", base)
	}
	return nil
}
