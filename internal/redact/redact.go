// Package redact keeps secrets out of log lines and error messages.
//
// A Redactor knows the secret values configured for the process (API keys,
// bot tokens, signing secrets) and replaces every occurrence of them,
// whatever their shape, with "[redacted]". It also masks strings shaped
// like well-known keys and tokens (sk-…, key-…, Slack xox…- and xapp-…)
// that it was not told about, such as a key echoed back by a server.
// Handler applies it to every message and attribute of a slog.Handler.
package redact

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
)

// Mask replaces a secret.
const Mask = "[redacted]"

// MinSecretLen is the shortest value treated as a secret; shorter values
// (a placeholder key such as "x" for a local server) would mask ordinary
// text everywhere.
const MinSecretLen = 4

// keyLike matches strings shaped like API keys and Slack tokens, possibly
// partly masked with '*' by the server that echoes them.
var keyLike = regexp.MustCompile(`\b(?:sk|key|xox[abpors]|xapp)-[A-Za-z0-9_*\-]{6,}`)

// Redactor masks registered secret values. The zero value and nil mask
// only key-shaped strings.
type Redactor struct {
	secrets []string // longest first, so a secret containing another is masked whole
}

// New returns a Redactor for the given secret values; empty values and
// values shorter than MinSecretLen are ignored.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		s = strings.TrimSpace(s)
		if len(s) >= MinSecretLen && !slices.Contains(r.secrets, s) {
			r.secrets = append(r.secrets, s)
		}
	}
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
	return r
}

// FromEnv returns a Redactor for the values of the named environment
// variables, read with getenv.
func FromEnv(getenv func(string) string, names ...string) *Redactor {
	vals := make([]string, 0, len(names))
	for _, n := range names {
		vals = append(vals, getenv(n))
	}
	return New(vals...)
}

// String returns s with every secret and key-shaped string masked.
func (r *Redactor) String(s string) string {
	if r != nil {
		for _, sec := range r.secrets {
			if strings.Contains(s, sec) {
				s = strings.ReplaceAll(s, sec, Mask)
			}
		}
	}
	if keyLike.MatchString(s) {
		s = keyLike.ReplaceAllString(s, Mask)
	}
	return s
}

// Error returns err with its message masked, or err itself when there is
// nothing to mask. The result unwraps to err, so errors.Is and errors.As
// still see through it.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if m := r.String(msg); m != msg {
		return &redactedError{msg: m, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Handler returns a slog.Handler that masks secrets in the message and in
// every attribute value (strings, errors, Stringers and any other value
// as formatted, inside groups too) before passing records to h.
func (r *Redactor) Handler(h slog.Handler) slog.Handler {
	return &handler{r: r, h: h}
}

type handler struct {
	r *Redactor
	h slog.Handler
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.r.attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = h.r.attr(a)
	}
	return &handler{r: h.r, h: h.h.WithAttrs(red)}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{r: h.r, h: h.h.WithGroup(name)}
}

// attr masks one attribute's value.
func (r *Redactor) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, r.String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, ga := range g {
			red[i] = r.attr(ga)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		var s string
		switch x := v.Any().(type) {
		case error:
			s = x.Error()
		case fmt.Stringer:
			s = x.String()
		default:
			s = fmt.Sprintf("%+v", x)
		}
		if m := r.String(s); m != s {
			return slog.String(a.Key, m)
		}
		return slog.Attr{Key: a.Key, Value: v}
	default:
		return slog.Attr{Key: a.Key, Value: v}
	}
}
