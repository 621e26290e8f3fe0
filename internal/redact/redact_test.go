package redact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"testing"
)

const secret = "azure-3f9c2b7e11d04a6b"

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

func TestString(t *testing.T) {
	r := New(secret, "", "x", "  xoxb-1234567890-abcdef  ")
	for in, want := range map[string]string{
		"bad key " + secret + "!":             "bad key [redacted]!",
		"Incorrect API key: sk-proj-ab**cdEF": "Incorrect API key: [redacted]",
		"token xoxb-1234567890-abcdef used":   "token [redacted] used",
		"x marks the spot":                    "x marks the spot", // too short to be a secret
		"nothing here":                        "nothing here",
	} {
		if got := r.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
	var nilR *Redactor
	if got := nilR.String("sk-abcdefghij"); got != Mask {
		t.Errorf("nil Redactor String = %q", got)
	}
}

func TestError(t *testing.T) {
	r := New(secret)
	base := fmt.Errorf("embed: %w", fs.ErrPermission)
	err := r.Error(fmt.Errorf("server said %q: %w", secret, base))
	if strings.Contains(err.Error(), secret) || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Error = %v (Is ErrPermission: %v)", err, errors.Is(err, fs.ErrPermission))
	}
	if r.Error(nil) != nil || r.Error(base) != base {
		t.Error("Error changed an error without secrets")
	}
}

func TestHandler(t *testing.T) {
	var b bytes.Buffer
	r := New(secret)
	log := slog.New(r.Handler(slog.NewTextHandler(&b, nil)))
	wrapped := fmt.Errorf("llm: %w", errors.New("401: invalid key "+secret))
	log.With("cfg", "key="+secret).WithGroup("g").Warn("failed with "+secret,
		"err", wrapped, "s", stringer{secret}, "v", struct{ K string }{secret},
		slog.Group("inner", "k", secret), "n", 3)
	log.Info("no secrets", "n", 4)
	out := b.String()
	if strings.Contains(out, secret) || strings.Contains(out, "3f9c2b7e") {
		t.Errorf("log output leaks the secret:\n%s", out)
	}
	if strings.Count(out, Mask) != 6 || !strings.Contains(out, "g.n=3") || !strings.Contains(out, "no secrets") {
		t.Errorf("log output = %s", out)
	}
	if !r.Handler(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelWarn})).Enabled(context.Background(), slog.LevelWarn) {
		t.Error("Enabled not passed through")
	}
}
