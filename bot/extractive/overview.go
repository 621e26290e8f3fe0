package extractive

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// Overview questions ("give me a summary of the izyum story", "what's
// going on in kharkiv", "what are outlets saying about X") ask for no one
// fact: they are answered by the most central sentences of the coverage,
// those that several outlets carry and that lead their reports, one per
// article.

var reOverview = regexp.MustCompile(`\b(?:summary|summarise|summarize|summarising|summarizing|sum up|overview|rundown|run-down|recap|gist|tl;?dr|catch me up|up to speed|brief me|` +
	`what(?:'?s| is) (?:going on|happening|the story|new)\b|what(?:'?s| is) the latest(?: on| with| in| about|\s*\??$)|what are (?:outlets|people|media|the papers|papers|reports|others|they|the reports|sources) saying|` +
	`what do (?:we|you) (?:have|know)|the latest on|where (?:do|are) things|where are we on|state of play|big picture|main points|key points|headline facts)\b`)

// overviewWords frame an overview request without being its subject.
var overviewWords = map[string]bool{"summary": true, "summarise": true, "summarize": true, "sum": true, "overview": true,
	"rundown": true, "recap": true, "gist": true, "tldr": true, "tl": true, "dr": true, "catch": true, "speed": true, "brief": true,
	"going": true, "happening": true, "latest": true, "story": true, "stories": true, "coverage": true, "outlets": true,
	"saying": true, "say": true, "reports": true, "media": true, "papers": true, "news": true, "things": true, "stand": true,
	"state": true, "play": true, "big": true, "picture": true, "main": true, "key": true, "points": true, "headline": true,
	"facts": true, "sources": true, "new": true, "give": true, "run": true, "people": true}

// isOverview reports whether a lower-cased question asks for an overview.
// overviewLedeBonus raises an article's first sentence in an overview
// above any other sentence that covers the subject: news writes its
// summary first. Measured (BenchmarkAbstentionSweep at 0.45, calibration
// sets): 0.3 273/360, 0.45 274, 0.6 275, 0.8 and above 276; held out 70/132
// throughout.
const overviewLedeBonus = 1.0

func isOverview(lq string) bool { return reOverview.MatchString(lq) }

// overview answers an overview question.
func (e *Extractive) overview(ctx context.Context, ans *bot.Answer, qa *query) (*bot.Answer, error) {
	var subject []qterm
	for _, t := range qa.terms {
		if !overviewWords[t.word] && !t.unseen {
			subject = append(subject, t)
		}
	}
	var cands []*candidate
	if len(subject) == 0 {
		// "Summarise the coverage": the lead of every article.
		for _, a := range e.search.Articles() {
			if c := e.leadOf(a); c != nil {
				cands = append(cands, c)
			}
		}
	} else {
		sub := *qa
		sub.terms = subject
		hits, err := e.retrieve(ctx, &sub)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		cands = e.candidates(hits, &sub)
		cands = slices.DeleteFunc(cands, func(c *candidate) bool { return c.coverage < minCoverage })
	}
	if len(cands) == 0 {
		return e.abstain(ans, "I can't find that"), nil
	}
	// Centrality: a sentence whose words other articles' sentences share
	// states what the coverage agrees on; reports put it first.
	for _, c := range cands {
		others := map[string]float64{}
		for _, o := range cands {
			if o.art.ID == c.art.ID {
				continue
			}
			if j := jaccardSorted(c.sorted, o.sorted); j > others[o.art.ID] {
				others[o.art.ID] = j
			}
		}
		central := 0.0
		for _, j := range others {
			central += j
		}
		lead := 0.0
		switch {
		case c.sent.Para == 0 && c.sent.Start == 0:
			lead = overviewLedeBonus // the lede: the report's own summary
		case c.sent.Para <= 1:
			lead = 0.3
		}
		c.score = c.coverage + central + lead
	}
	slices.SortStableFunc(cands, func(a, b *candidate) int { return cmp.Compare(b.score, a.score) })
	perArticle := map[string]bool{}
	var picked []*candidate
	for _, c := range cands {
		if perArticle[c.art.ID] || len(picked) >= e.MaxQuotes {
			continue
		}
		dup := false
		for _, p := range picked {
			if jaccardSorted(p.sorted, c.sorted) >= dupJaccard {
				p.also = append(p.also, c)
				dup = true
				break
			}
		}
		perArticle[c.art.ID] = true
		if !dup {
			picked = append(picked, c)
		}
	}
	e.cite(ans, picked)
	outlets := map[string]bool{}
	for _, c := range cands {
		outlets[c.art.SourceName()] = true
	}
	what := "the coverage"
	if len(subject) > 0 {
		var words []string
		for _, t := range subject {
			words = append(words, t.word)
		}
		what = strings.Join(words, " ")
	}
	ans.Lead = fmt.Sprintf("Overview of %s: the points most reports share, from %d %s:\n%s", what,
		len(outlets), plural(len(outlets), "outlet", "outlets"), lead(ans.Citations))
	ans.Text = bot.PlainText(ans)
	return ans, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// leadOf is an article's first sentence of substance, as a candidate.
func (e *Extractive) leadOf(a *corpus.Article) *candidate {
	an := e.analysis(a)
	for i, s := range an.sents {
		if s.Para > 2 {
			break
		}
		if len(s.Text) < 60 {
			continue
		}
		in := an.at(i)
		return &candidate{art: a, sent: s, abs: an.abs[i], speaker: in.speaker,
			terms: in.terms, sorted: in.sorted, sigs: in.sigs, qty: in.qty, coverage: 1, namesOK: true}
	}
	return nil
}

var _ = retrieval.Term
