package bot

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// HeuristicRewriter is the offline Rewriter: it needs no model. When a
// follow-up looks incomplete on its own ("and when?", "what did he say
// about it?", "who else?"), it prepends the salient words of the previous
// question (names, then other content words) so the search still finds the
// topic; a question that looks standalone is returned unchanged.
//
// It is deliberately conservative: the words it adds are the user's own,
// and a retrieval query with a few extra topic words does little harm.
type HeuristicRewriter struct{}

// fuMaxSalient caps the words carried over from earlier turns.
const fuMaxSalient = 8

// Standalone implements Rewriter.
func (HeuristicRewriter) Standalone(_ context.Context, question string, history []Turn) (string, error) {
	q := strings.TrimSpace(question)
	if q == "" || len(history) == 0 || !fuIsFollowUp(q) {
		return q, nil
	}
	have := map[string]bool{}
	for _, w := range fuWords(q) {
		have[strings.ToLower(w)] = true
	}
	// The most recent question that has salient words: a chain of
	// follow-ups ("and when?" then "who else?") keeps the original topic.
	for i := len(history) - 1; i >= 0 && i >= len(history)-3; i-- {
		var add []string
		for _, w := range fuSalient(history[i].Question) {
			if lw := strings.ToLower(w); !have[lw] {
				have[lw] = true
				add = append(add, w)
			}
		}
		if len(add) > 0 {
			return strings.Join(add, " ") + " " + q, nil
		}
	}
	return q, nil
}

// fuIsFollowUp reports whether q seems to lean on earlier turns: it is short,
// ends in an ellipsis, starts with a connective, or uses a pronoun or deictic
// word that needs an antecedent.
func fuIsFollowUp(q string) bool {
	ws := fuWords(q)
	if len(ws) <= 3 {
		return true
	}
	t := strings.TrimRight(q, " ?!")
	if strings.HasSuffix(t, "...") || strings.HasSuffix(t, "…") {
		return true
	}
	first := strings.ToLower(ws[0])
	if first == "and" || first == "but" || first == "also" || first == "so" || first == "then" {
		return true
	}
	if len(ws) > 1 && (first == "what" || first == "how") && strings.ToLower(ws[1]) == "about" {
		return true
	}
	for _, w := range ws {
		if fuAnaphora[strings.ToLower(w)] {
			return true
		}
	}
	return false
}

// fuSalient returns the content words of q in order: capitalised words
// (names; a capital at the start of the question counts only when the word
// is not a stop word), numbers, and other words of four or more letters
// that are not stop words, at most fuMaxSalient of them.
func fuSalient(q string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range fuWords(q) {
		lw := strings.ToLower(w)
		if fuStopwords[lw] || fuAnaphora[lw] || seen[lw] {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsUpper(r) || unicode.IsDigit(r) || utf8.RuneCountInString(w) >= 4 {
			seen[lw] = true
			out = append(out, w)
			if len(out) == fuMaxSalient {
				break
			}
		}
	}
	return out
}

// fuWords splits s into words of letters, digits, marks and inner
// apostrophes or hyphens ("Kharkiv's", "co-operation").
func fuWords(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '\'' || r == '’' || r == '-')
	}) {
		f = strings.Trim(f, "'’-")
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// fuAnaphora are words whose meaning comes from an earlier turn.
var fuAnaphora = fuSet(`he him his she her hers it its they them their theirs
	this that these those there then such same other else former latter`)

// fuStopwords holds function words and question words (English).
var fuStopwords = fuSet(`a about above after again against all am an and any are as at be because been before
	being below between both but by can could did do does doing down during each few for from further had
	has have having here how i if in into is just me more most my no nor not now of off on once only or our
	ours out over own said say says should so some than the to too under until up very was we were what
	when where which while who whom whose why will with would you your yours also tell told know show
	give many much did didn't doesn't isn't wasn't weren't aren't don't happen happened happening`)

func fuSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
