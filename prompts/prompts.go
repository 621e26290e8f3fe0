// Package prompts holds the LLM prompt templates, embedded in the binary so
// a build always carries the prompts it was tested with.
//
// There is one file per prompt, <name>.tmpl, in text/template syntax. Its
// first line is a version comment, {{/* version: answer-system-v1 */}},
// which Version reports and callers log beside every LLM answer: when a
// prompt changes, its version changes, and answers can be traced to it.
//
// System prompts take no data, so nothing retrieved from the archive can
// ever reach the system message; article text goes in user prompts only,
// between explicit delimiters (<passage …>…</passage>) that the helper
// functions keep article text from forging.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"sync"
	"text/template"
)

// Names of the embedded prompts.
const (
	AnswerSystem   = "answer_system"   // data: nil
	AnswerUser     = "answer_user"     // data: AnswerData
	FollowupSystem = "followup_system" // data: nil
	FollowupUser   = "followup_user"   // data: FollowupData
)

// Passage is one numbered passage shown to the model.
type Passage struct {
	N      int
	Outlet string
	Date   string // YYYY-MM-DD, "" when unknown
	Title  string
	Text   string
}

// AnswerData is the data of the answer_user prompt.
type AnswerData struct {
	Question string
	Passages []Passage
}

// Turn is one earlier exchange of a conversation.
type Turn struct {
	Question string
	Answer   string
}

// FollowupData is the data of the followup_user prompt.
type FollowupData struct {
	Question string
	History  []Turn
}

//go:embed *.tmpl
var files embed.FS

type prompt struct {
	version string
	tmpl    *template.Template
}

var versionLine = regexp.MustCompile(`^\{\{-?\s*/\*\s*version:\s*([A-Za-z0-9._-]+)\s*\*/\s*-?\}\}`)

var funcs = template.FuncMap{
	"attr": attr,
	"body": body,
	"line": line,
}

// load parses every embedded template once.
var load = sync.OnceValues(func() (map[string]prompt, error) {
	paths, err := fs.Glob(files, "*.tmpl")
	if err != nil {
		return nil, err
	}
	out := make(map[string]prompt, len(paths))
	for _, p := range paths {
		src, err := files.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("prompt %s: %w", p, err)
		}
		m := versionLine.FindSubmatch(src)
		if m == nil {
			return nil, fmt.Errorf("prompt %s: first line must be {{/* version: name-vN */}}", p)
		}
		name := strings.TrimSuffix(p, ".tmpl")
		t, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("prompt %s: %w", p, err)
		}
		out[name] = prompt{version: string(m[1]), tmpl: t}
	}
	return out, nil
})

// Render executes the named prompt with data.
func Render(name string, data any) (string, error) {
	all, err := load()
	if err != nil {
		return "", err
	}
	p, ok := all[name]
	if !ok {
		return "", fmt.Errorf("prompt %q: no such prompt", name)
	}
	var b bytes.Buffer
	if err := p.tmpl.Execute(&b, data); err != nil {
		return "", fmt.Errorf("prompt %q: %w", name, err)
	}
	return strings.TrimSpace(b.String()) + "\n", nil
}

// Version returns the version line of the named prompt, "" if unknown.
func Version(name string) string {
	all, err := load()
	if err != nil {
		return ""
	}
	return all[name].version
}

// Names lists the embedded prompts.
func Names() []string {
	all, _ := load()
	out := make([]string, 0, len(all))
	for n := range all {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// delimiter matches anything that could open or close one of the tags the
// user prompts use to fence data, in any case and spacing.
var delimiter = regexp.MustCompile(`(?i)<\s*/?\s*(passages?|conversation)\b`)

// body prepares article text for a passage: the text is kept verbatim
// (quotes are checked against it) except that look-alikes of the fencing
// tags are defused, so an article cannot close its passage early and speak
// outside it. A quote spanning such a spot fails verification, which is
// the safe outcome.
func body(s string) string {
	return delimiter.ReplaceAllStringFunc(s, func(m string) string {
		return "‹" + m[1:]
	})
}

// line is body flattened to one line, for questions and earlier turns.
func line(s string) string {
	return strings.Join(strings.Fields(body(s)), " ")
}

// attr makes s safe inside a double-quoted tag attribute on one line.
func attr(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer(`"`, "'", "<", "‹", ">", "›").Replace(s)
}
