package extractive

import (
	"cmp"
	"context"
	"fmt"
	"golang.org/x/sync/singleflight"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/bot/timeq"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// Extractive answers with sentences quoted verbatim from retrieved passages.
// It needs no network and is the offline default. It scores every sentence
// of the retrieved chunks by how much of the question it covers (terms
// weighted by rarity, with the quoted speaker and the sentence before it as
// context), by the kind of answer the question wants (a number, a name, a
// quotation, a reason) and by retrieval rank; it abstains when nothing
// covers enough of the question or the question names someone the corpus
// never mentions.
type Extractive struct {
	search retrieval.Searcher
	links  bot.Linker
	// Passages is how many chunks are read per question (default 24).
	Passages int
	// MaxQuotes caps the quotes in an answer (default 4).
	MaxQuotes int

	mu     sync.Mutex
	cache  map[*corpus.Article]*analysis // keyed by pointer: an index update makes new articles
	flight singleflight.Group
}

// New returns an extractive answerer over s.
func New(s retrieval.Searcher, links bot.Linker) *Extractive {
	return &Extractive{search: s, links: links, Passages: 24, MaxQuotes: 4}
}

// minCoverage is the abstention threshold: a best sentence covering less
// of the question's weighted terms means the archive does not answer it.
// It is a variable so that the calibration sweep (TestCalibrate) can
// move it; see the README for the trade-off measured.
var minCoverage = 0.45

// Thresholds, found on invented questions and checked on the dev set: a
// best sentence covering less than minCoverage of the question's weighted
// terms means the corpus does not answer it; quotes scoring below
// relCutoff of the best are noise.
const (
	relCutoff  = 0.55
	dupJaccard = 0.6
)

type candidate struct {
	art      *corpus.Article
	sent     corpus.Sentence
	abs      int // byte offset in art.Text()
	speaker  string
	prev     string // the sentence before, in the same or the previous paragraph
	terms    map[string]bool
	sorted   []string // terms, sorted, for fast overlap
	sigs     map[string]bool
	qty      quantities
	coverage float64
	namesOK  bool // names every name of the question (here or just before)
	score    float64
	rank     float64
	also     []*candidate
}

// Answer implements Answerer.
func (e *Extractive) Answer(ctx context.Context, req bot.Request) (*bot.Answer, error) {
	q := strings.TrimSpace(req.Question)
	if q == "" {
		return nil, bot.ErrEmptyQuestion
	}
	stats, _ := e.search.(retrieval.TermStats)
	asOf := req.AsOf
	if asOf.IsZero() {
		asOf = time.Now()
	}
	when := timeq.Read(stripChat(q), asOf) // "seeing friday in one story" is chat, not a date
	qa := analyze(blankSpans(q, when.Spans), stats)
	qa.text = q
	if when.Latest {
		qa.recent = true
	}
	ans := &bot.Answer{Question: q, Mode: bot.ModeExtractive, Citations: []bot.Citation{}}
	if len(qa.unknown) > 0 {
		return e.abstain(ans, fmt.Sprintf("I can't find anything about %s", strings.Join(qa.unknown, " "))), nil
	}
	if len(qa.terms) == 0 {
		return e.abstain(ans, "I can't tell what to look for in that question"), nil
	}
	if qa.overview {
		return e.overview(ctx, ans, &qa)
	}
	if unseen := qa.unseenWords(); len(unseen)*2 > len(qa.terms) {
		// Most of what the question is about never occurs in the
		// archive, in any spelling or paraphrase: it is about something
		// else ("the best recipe for banana bread").
		return e.abstain(ans, fmt.Sprintf("I can't find anything about %s", strings.Join(unseen, " "))), nil
	}
	hits, err := e.retrieve(ctx, &qa)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	promoteNames(&qa, hits)
	cands := e.candidates(hits, &qa)
	if name := qa.speakerName(); len(name) > 0 && !slices.ContainsFunc(cands, func(c *candidate) bool {
		return attributes(c.sent.Text, c.speaker, name) && qa.onTopic(c)
	}) {
		// "What did Novak say about the budget": the archive mentions
		// Novak, but no passage found quotes Novak or reports what Novak
		// said, or only what Novak said about something else; a sentence
		// that only mentions Novak does not answer.
		return e.abstain(ans, "I can't find that"), nil
	}
	artTerms := map[*corpus.Article]map[string]bool{}
	termsOf := func(a *corpus.Article) map[string]bool {
		if artTerms[a] == nil {
			artTerms[a] = termSet(a.Text())
		}
		return artTerms[a]
	}
	if head, names := qa.speakerTitle(); len(head) > 0 && !slices.ContainsFunc(cands, func(c *candidate) bool {
		return describesSpeaker(c, head, names, termsOf)
	}) {
		// "What did the mayor of Chalhuanca say": no passage found
		// quotes someone it calls a mayor, with Chalhuanca named.
		return e.abstain(ans, "I can't find that"), nil
	}
	var periodNote string
	if when.HasPeriod() {
		// "this week", "in 2016": reports from that period answer; when
		// there are none, the others are shown, saying so, rather than
		// sending the reporter away from a story the archive has.
		if day := weekdayOf(when.Phrase); day != "" {
			// "On friday": the news calls the day by its name
			// ("cancelled 1,840 flights on Friday"), whatever the
			// report's date; a passage that names it is preferred.
			for _, c := range cands {
				if strings.Contains(c.sent.Text, day) {
					c.score += weekdayBonus
				}
			}
			slices.SortStableFunc(cands, func(a, b *candidate) int { return cmp.Compare(b.score, a.score) })
		}
		in := slices.DeleteFunc(slices.Clone(cands), func(c *candidate) bool { return !when.Contains(c.art.Published) })
		switch {
		case len(in) > 0 && bestCoverage(in) >= minCoverage:
			cands = in
		case e.beforeArchive(when):
			// A period before the archive begins ("back in 2009"): only
			// a passage that names one of its years looks back to it;
			// the archive's own news is about something later.
			cands = slices.DeleteFunc(cands, func(c *candidate) bool { return !namesYearOf(c.sent.Text, when) })
			if len(cands) == 0 {
				return e.abstain(ans, fmt.Sprintf("I can't find anything from %s", when.Phrase)), nil
			}
		default:
			periodNote = fmt.Sprintf("Nothing in the archive from %s answers this; these are the closest reports from other dates.", when.Phrase)
		}
	}
	if qa.kind == qNumber {
		// A question for a figure is answered only by sentences that
		// give one: "at 7 p.m." is no answer to "how many attended".
		cands = slices.DeleteFunc(cands, func(c *candidate) bool {
			// A typed form ("61-year-old" for "how old") is its own
			// evidence; other figures must stand near the question's words.
			return len(c.qty.nums) == 0 || qa.atype == aAny && !c.qty.near(&qa) || qa.money && !reMoney.MatchString(c.sent.Text)
		})
	}
	if len(qa.counted) > 0 {
		// "How many homes burned": a passage that never speaks of
		// homes, only of hectares, counts something else.
		cands = slices.DeleteFunc(cands, func(c *candidate) bool { return !c.mentions(qa.counted) })
		if !qa.money && qa.atype == aAny {
			// "How many records were leaked": "700 gigabytes of data,
			// including patient records" measures the data; a passage
			// whose every figure is a measure, none counting what was
			// asked, does not count it.
			cands = slices.DeleteFunc(cands, func(c *candidate) bool {
				return c.qty.counting(qa.counted) < 0 && c.qty.measuresOnly(c.sent.Text)
			})
		}
	}
	if qa.atype != aAny {
		cands = slices.DeleteFunc(cands, func(c *candidate) bool { return !hasForm(c.sent.Text, qa.atype) })
	}
	if qa.kind == qWhere {
		// "Where are they based": a passage that names no place (a
		// preposition before a capitalised name, a compass direction)
		// does not say where.
		cands = slices.DeleteFunc(cands, func(c *candidate) bool { return !reSomePlace.MatchString(c.sent.Text) })
	}
	if qa.rate != "" {
		// "How many cars a day": only a rate per day answers it, not a
		// total or another figure near the question's words.
		cands = slices.DeleteFunc(cands, func(c *candidate) bool { return !hasRate(c.sent.Text, qa.rate) })
	}
	if qa.role != "" {
		// "Who is the mayor of X" is answered only by a sentence that
		// names a mayor.
		roles := append([]string{qa.role}, paraphraseTerms(qa.role)...)
		cands = slices.DeleteFunc(cands, func(c *candidate) bool {
			for _, r := range roles {
				if c.terms[r] {
					return false
				}
			}
			return true
		})
	}
	if len(cands) == 0 || bestCoverage(cands) < minCoverage {
		return e.abstain(ans, "I can't find that"), nil
	}
	if len(qa.event) > 0 && !slices.ContainsFunc(cands, func(c *candidate) bool {
		return c.coverage >= minCoverage && c.mentions(qa.event)
	}) {
		// "When will the mine reopen": the passages date other things
		// (the collapse, the rescue), never the reopening.
		return e.abstain(ans, "I can't find that"), nil
	}
	picked := pick(cands, e.MaxQuotes)
	if len(picked) == 0 {
		// Every candidate was too weak to quote.
		return e.abstain(ans, "I can't find that"), nil
	}
	line, confident := answerLine(&qa, picked)
	if order := leadFirst(line, len(picked)); order != nil {
		// The answer line's quotes lead: "23 cars [4]" becomes "23 cars
		// [1]", the quote that says it first.
		re := make([]*candidate, 0, len(picked))
		for _, i := range order {
			re = append(re, picked[i])
		}
		picked = re
		line, confident = answerLine(&qa, picked)
	}
	if qa.asksName && !slices.ContainsFunc(picked, func(c *candidate) bool { return hasNameBesides(c.sent.Text, &qa) }) ||
		qa.wantsName && !confident && line == closestLine && !slices.ContainsFunc(picked, func(c *candidate) bool { return namesOther(c.sent.Text, &qa) }) {
		// "The names of the dead" (no quote gives a full name but the
		// question's: a one-word name, "Tovex", was measured to count
		// too and cost a held-out near-miss), or "who chairs the board"
		// with no short answer found: no quote names anyone or anything
		// the question does not (the passages say only "the SDP
		// candidate", "a whistleblower", "their names were not
		// released"). Quoting them would send the reporter looking for
		// a name the archive does not give. (A who-question answered
		// by a clause, "funded by a government grant", stands.)
		return e.abstain(ans, "I can't find who or which that is"), nil
	}
	e.cite(ans, picked)
	if periodNote != "" {
		ans.Notes = append(ans.Notes, periodNote)
	}
	if note := e.staleNote(asOf); note != "" {
		ans.Notes = append(ans.Notes, note)
	}
	ans.Lead = lead(ans.Citations)
	if line != "" {
		ans.Lead = line + "\n" + ans.Lead
	}
	ans.Text = bot.PlainText(ans)
	return ans, nil
}

// promoteNames treats a question word typed in lower case as the name it
// is when the retrieved passages write it with a capital inside their
// sentences ("what did zelensky say"): people do not capitalise in chat.
func promoteNames(qa *query, hits []retrieval.Hit) {
	idx := map[string]int{}
	for i, t := range qa.terms {
		if !t.name && !t.unseen && len(t.word) >= 3 {
			idx[t.term] = i
			for _, s := range t.spell {
				idx[s] = i
			}
		}
	}
	if len(idx) == 0 {
		return
	}
	caps, lower := make([]int, len(qa.terms)), make([]int, len(qa.terms))
	written := make([]string, len(qa.terms))
	for _, h := range hits[:min(len(hits), 12)] { // the best passages say enough
		text := h.Chunk.Text
		for _, tk := range retrieval.Analyze(text) {
			i, ok := idx[tk.Term]
			if !ok {
				continue
			}
			if !tk.Cap {
				lower[i]++
				continue
			}
			before := strings.TrimRight(text[:tk.Start], " “\"‘'(")
			if before == "" || strings.ContainsAny(before[len(before)-1:], ".!?:") {
				continue // a sentence's first word: its capital says nothing
			}
			caps[i]++
			if written[i] == "" {
				written[i] = wordAt(text, tk.Start)
			}
		}
	}
	for i := range qa.terms {
		if caps[i] > 0 && caps[i] > lower[i] {
			qa.terms[i].name = true
			qa.terms[i].extra = append(qa.terms[i].extra, demonyms(qa.terms[i].term)...)
			qa.names = append(qa.names, written[i])
		}
	}
	qa.subject = nil
}

// staleAfter is how old the newest article may be before an answer says
// how old the archive is.
const staleAfter = 30 * 24 * time.Hour

// staleNote tells how old the archive is when its newest article is more
// than staleAfter older than asOf, else "".
func (e *Extractive) staleNote(asOf time.Time) string {
	dr, ok := e.search.(retrieval.DateRanger)
	if !ok {
		return ""
	}
	_, last := dr.DateRange()
	if last.IsZero() || asOf.Sub(last) < staleAfter {
		return ""
	}
	return fmt.Sprintf("The newest article I have is from %s, %d days before %s.",
		last.Format(corpus.DateLayout), int(asOf.Sub(last).Hours()/24), asOf.Format(corpus.DateLayout))
}

// reRef is a quote number in an answer line.
var reRef = regexp.MustCompile(`\[(\d+)\]`)

// leadFirst returns the order (indexes into n quotes) that puts the quotes
// an answer line cites first, in the order it cites them, or nil when it
// cites the first quote first (or none).
func leadFirst(line string, n int) []int {
	var order []int
	seen := make([]bool, n)
	for _, m := range reRef.FindAllStringSubmatch(line, -1) {
		k, err := strconv.Atoi(m[1])
		if err != nil || k < 1 || k > n || seen[k-1] {
			continue
		}
		seen[k-1] = true
		order = append(order, k-1)
	}
	if len(order) == 0 || order[0] == 0 {
		return nil
	}
	for i := range n {
		if !seen[i] {
			order = append(order, i)
		}
	}
	return order
}

// beforeArchive reports whether the period asked about has a start, spans
// at most a few years, and ends before the archive's first report.
func (e *Extractive) beforeArchive(when timeq.Reading) bool {
	if when.From.IsZero() || when.To.Sub(when.From) > 5*366*24*time.Hour {
		return false // "before 2009", "since 1990": no year to look for
	}
	dr, ok := e.search.(retrieval.DateRanger)
	if !ok {
		return false
	}
	first, _ := dr.DateRange()
	return !first.IsZero() && !when.To.After(first)
}

// namesYearOf reports whether s names, as a word, a year of the period.
func namesYearOf(s string, when timeq.Reading) bool {
	for y := when.From.Year(); y <= when.To.Add(-time.Nanosecond).Year(); y++ {
		year := strconv.Itoa(y)
		for off := 0; ; {
			i := strings.Index(s[off:], year)
			if i < 0 {
				break
			}
			i += off
			if end := i + len(year); (i == 0 || !isASCIIDigit(s[i-1])) && (end == len(s) || !isASCIIDigit(s[end])) {
				return true
			}
			off = i + 1
		}
	}
	return false
}

// weekdayBonus raises a passage that names the weekday a question asks
// about.
const weekdayBonus = 0.1

// weekdayOf returns the weekday a time phrase names ("Friday" for "on
// friday", "last friday"), or "".
func weekdayOf(phrase string) string {
	l := strings.ToLower(phrase)
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.Contains(l, strings.ToLower(d.String())) {
			return d.String()
		}
	}
	return ""
}

// blankSpans replaces the byte spans of s by spaces, keeping offsets.
func blankSpans(s string, spans [][2]int) string {
	if len(spans) == 0 {
		return s
	}
	b := []byte(s)
	for _, sp := range spans {
		for i := max(0, sp[0]); i < min(len(b), sp[1]); i++ {
			b[i] = ' '
		}
	}
	return string(b)
}

// cite turns the picked candidates into the answer's numbered citations.
func (e *Extractive) cite(ans *bot.Answer, picked []*candidate) {
	for i, c := range picked {
		quote := c.sent.Text
		speaker := c.speaker
		if namesSpeaker(quote, speaker) {
			speaker = "" // '…,” Zelenskyy said.' needs no "— Zelenskyy"
		}
		cit := bot.Citation{
			N: i + 1, ArticleID: c.art.ID, Title: title(c.art), Source: c.art.SourceName(),
			Published: c.art.Date(), Quote: quote, Speaker: speaker, Para: c.sent.Para,
			Start: c.abs, ArticleURL: c.art.URL,
			URL: e.links.Link(c.art.URL, c.art.ID, c.sent.Para, quote),
		}
		for _, o := range c.also {
			cit.AlsoReportedBy = append(cit.AlsoReportedBy, bot.Ref{ArticleID: o.art.ID, Source: o.art.SourceName(),
				Published: o.art.Date(), URL: e.links.Link(o.art.URL, o.art.ID, o.sent.Para, o.sent.Text)})
		}
		ans.Citations = append(ans.Citations, cit)
	}
}

// Weights of a question's expansions in retrieval: the words typed count
// most, the archive's spelling of a misspelt one almost as much, a
// paraphrase half.
const (
	spellSearchWeight = 0.9
	altSearchWeight   = 0.8 // times the paraphrase's own weight
)

// retrieve searches for the question's terms, their spellings and
// paraphrases, weighted, when the searcher takes weights; else for the
// question as written with the acronym expansions.
func (e *Extractive) retrieve(ctx context.Context, qa *query) ([]retrieval.Hit, error) {
	text := collapse(qa.clean)
	if len(qa.expand) > 0 {
		text += " " + strings.Join(qa.expand, " ")
	}
	qs, ok := e.search.(retrieval.QuerySearcher)
	if !ok {
		return e.search.Search(ctx, text, e.passages(qa))
	}
	// One group a question word: the word, its spellings, its
	// paraphrases; a chunk earns the best of them.
	var groups [][]retrieval.WeightedTerm
	for _, t := range qa.terms {
		var g []retrieval.WeightedTerm
		if !t.unseen {
			g = append(g, retrieval.WeightedTerm{Term: t.term, Weight: 1})
		}
		for _, s := range t.spell {
			g = append(g, retrieval.WeightedTerm{Term: s, Weight: spellSearchWeight})
		}
		for _, p := range slices.Concat(t.paraphrases(), t.extra) {
			g = append(g, retrieval.WeightedTerm{Term: p.term, Weight: altSearchWeight * p.weight})
		}
		if len(g) > 0 {
			groups = append(groups, g)
		}
		for _, p := range t.phrase {
			groups = append(groups, []retrieval.WeightedTerm{{Term: p, Weight: 1}})
		}
	}
	for _, x := range qa.expand {
		for _, t := range retrieval.Terms(x) {
			groups = append(groups, []retrieval.WeightedTerm{{Term: t, Weight: 1}})
		}
	}
	var form []retrieval.WeightedTerm
	for _, w := range formTerms[qa.atype] {
		form = append(form, retrieval.WeightedTerm{Term: retrieval.Term(w), Weight: formSearchWeight})
	}
	if len(form) > 0 {
		groups = append(groups, form)
	}
	return qs.SearchQuery(ctx, retrieval.Query{Text: text, Groups: groups}, e.passages(qa))
}

// passages is how many chunks to read for qa: twice as many when the
// answer must take a form (a figure, an age, a day), since most passages
// will not have it.
func (e *Extractive) passages(qa *query) int {
	if qa.atype != aAny || qa.kind == qNumber {
		return 2 * e.Passages
	}
	return e.Passages
}

// archiveSpan returns how many articles the archive holds, the noun for
// them, and the dates of its first and last ("" when undated).
func (e *Extractive) archiveSpan() (n int, noun, first, last string) {
	c, okc := e.search.(retrieval.Counter)
	dr, okd := e.search.(retrieval.DateRanger)
	if okc && okd {
		// Without listing the archive (it may be remote and large).
		n = c.ArticleCount()
		if f, l := dr.DateRange(); !f.IsZero() {
			first, last = f.Format(corpus.DateLayout), l.Format(corpus.DateLayout)
		}
		noun = "articles"
		if n == 1 {
			noun = "article"
		}
		return n, noun, first, last
	}
	arts := e.search.Articles()
	for _, x := range arts {
		d := x.Date()
		if d == "" {
			continue
		}
		if first == "" || d < first {
			first = d
		}
		if d > last {
			last = d
		}
	}
	noun = "articles"
	if len(arts) == 1 {
		noun = "article"
	}
	return len(arts), noun, first, last
}

func (e *Extractive) abstain(a *bot.Answer, why string) *bot.Answer {
	n, noun, first, last := e.archiveSpan()
	span := ""
	switch {
	case first == "":
	case first == last:
		span = " (dated " + first + ")"
	default:
		span = " (dated " + first + " to " + last + ")"
	}
	a.Abstained = true
	a.Citations = []bot.Citation{}
	a.Lead = fmt.Sprintf("%s in the %d %s I have%s.", why, n, noun, span)
	a.Text = a.Lead
	return a
}

// title is the article's headline, else its first sentence, shortened.
func title(a *corpus.Article) string {
	if a.Title != "" {
		return a.Title
	}
	if len(a.Paragraphs) == 0 {
		return a.ID
	}
	s := a.Paragraphs[0]
	if sp := corpus.SplitSentences(s); len(sp) > 0 {
		s = s[sp[0][0]:sp[0][1]]
	}
	return shorten(s, 90)
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < n/2 {
		cut = n
	}
	return strings.TrimRight(s[:cut], " ,;:") + "…"
}

func idf(n, df float64) float64 { return math.Log(1 + (n-df+0.5)/(df+0.5)) }

// candidates scores the sentences of the retrieved chunks, best first.
func (e *Extractive) candidates(hits []retrieval.Hit, qa *query) []*candidate {
	type key struct {
		id  string
		abs int
	}
	seen := map[key]*candidate{}
	var out []*candidate
	total := 0.0
	for _, t := range qa.terms {
		total += t.weight
	}
	for rank, h := range hits {
		a := h.Article
		if a == nil {
			continue
		}
		an := e.analysis(a)
		// The chunk's sentences, found by binary search: a long article
		// is never walked whole for one chunk.
		lo, _ := slices.BinarySearch(an.abs, h.Chunk.Start)
		for i := lo; i < len(an.sents) && an.abs[i] < h.Chunk.End; i++ {
			s, abs := an.sents[i], an.abs[i]
			k := key{a.ID, abs}
			if c := seen[k]; c != nil {
				continue
			}
			info := an.at(i)
			c := &candidate{art: a, sent: s, abs: abs, rank: 1 / float64(rank+1)}
			c.speaker, c.terms, c.sorted, c.sigs, c.qty = info.speaker, info.terms, info.sorted, info.sigs, info.qty
			if i > 0 && s.Para-an.sents[i-1].Para <= 1 {
				c.prev = an.sents[i-1].Text
			}
			c.coverage, c.score = score(qa, c, info.ctx, total, s.Para)
			seen[k] = c
			out = append(out, c)
		}
	}
	// Corroboration decides among the strongest sentences; comparing
	// every pair of a long candidate list would cost more than the rest
	// of the answer together.
	slices.SortStableFunc(out, func(a, b *candidate) int { return cmp.Compare(b.score, a.score) })
	corroborate(out[:min(len(out), maxCorroborated)])
	if qa.recent {
		preferRecent(out)
	}
	slices.SortStableFunc(out, func(a, b *candidate) int {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		return cmp.Compare(b.coverage, a.coverage)
	})
	return out
}

// analysis is what the answerer derives from an article's text, cached
// because the same articles come back question after question. Only the
// sentence split is done for the whole article; what is derived from a
// sentence (terms, speaker, figures) is computed when a question first
// reaches it, so the cost of a question does not grow with the length of
// the articles it touches.
type analysis struct {
	sents []corpus.Sentence
	abs   []int // byte offset of each sentence in the article's Text()

	mu   sync.Mutex
	info []*sentInfo // nil until computed
}

// sentInfo is what the answerer derives from one sentence.
type sentInfo struct {
	speaker  string
	spoken   bool // speaker computed
	terms    map[string]bool
	sorted   []string
	sigs     map[string]bool
	ctx      map[string]bool // terms of the two sentences before, and the speaker
	qty      quantities
	computed bool
}

// maxCached bounds the analysis cache; past it the cache starts afresh.
const maxCached = 4096

func (e *Extractive) analysis(a *corpus.Article) *analysis {
	e.mu.Lock()
	an, ok := e.cache[a]
	e.mu.Unlock()
	if ok {
		return an
	}
	// Concurrent first questions about one article share one split.
	v, _, _ := e.flight.Do(fmt.Sprintf("%p", a), func() (any, error) {
		e.mu.Lock()
		an, ok := e.cache[a]
		e.mu.Unlock()
		if ok {
			return an, nil
		}
		an = newAnalysis(a)
		e.mu.Lock()
		if e.cache == nil || len(e.cache) >= maxCached {
			e.cache = make(map[*corpus.Article]*analysis)
		}
		e.cache[a] = an
		e.mu.Unlock()
		return an, nil
	})
	return v.(*analysis)
}

func newAnalysis(a *corpus.Article) *analysis {
	an := &analysis{sents: quoteSpans(a, a.Sentences())}
	an.abs = make([]int, len(an.sents))
	off, para := 0, 0
	for i, s := range an.sents {
		for para < s.Para {
			off += len(a.Paragraphs[para]) + 2
			para++
		}
		an.abs[i] = off + s.Start
	}
	an.info = make([]*sentInfo, len(an.sents))
	return an
}

// at returns sentence i's derived data, computing it on first use.
func (an *analysis) at(i int) *sentInfo {
	an.mu.Lock()
	defer an.mu.Unlock()
	return an.compute(i)
}

func (an *analysis) slot(i int) *sentInfo {
	if an.info[i] == nil {
		an.info[i] = &sentInfo{}
	}
	return an.info[i]
}

// speakerAt attributes sentence i; a quotation that continues the one
// before it without naming anyone ("“One line will fall.”") keeps that
// one's speaker. an.mu is held.
func (an *analysis) speakerAt(i int) string {
	si := an.slot(i)
	if si.spoken {
		return si.speaker
	}
	s := an.sents[i]
	// Two sentences back for a pronoun's antecedent; further back only to
	// complete a surname into the full name used earlier.
	var prev []string
	for j := max(0, i-maxNameLookback); j < i; j++ {
		prev = append(prev, an.sents[j].Text)
	}
	sp := speakerOf(s.Text, prev)
	if sp == "" && i > 0 && s.Para-an.sents[i-1].Para <= 1 &&
		(strings.HasPrefix(s.Text, "“") || strings.HasPrefix(s.Text, "\"")) {
		// Bounded: a run of continued quotations ends at the paragraph
		// break or a sentence that names its speaker.
		sp = an.speakerAt(i - 1)
	}
	si.speaker, si.spoken = sp, true
	return sp
}

func (an *analysis) compute(i int) *sentInfo {
	si := an.slot(i)
	if si.computed {
		return si
	}
	s := an.sents[i]
	sp := an.speakerAt(i)
	ts := termSet(s.Text)
	keys := make([]string, 0, len(ts))
	for t := range ts {
		keys = append(keys, t)
	}
	slices.Sort(keys)
	var prev []string
	for j := max(0, i-2); j < i; j++ {
		prev = append(prev, an.sents[j].Text)
	}
	si.terms, si.sorted, si.sigs = ts, keys, sigSet(s.Text)
	si.ctx = termSet(strings.Join(prev, " ") + " " + sp)
	si.qty = quantitiesOf(s.Text)
	si.computed = true
	return si
}

// computed counts the sentences whose data has been derived (tests).
func (an *analysis) computed() int {
	an.mu.Lock()
	defer an.mu.Unlock()
	n := 0
	for _, si := range an.info {
		if si != nil && si.computed {
			n++
		}
	}
	return n
}

// bestCoverage is the highest coverage among the candidates: the archive
// answers when some sentence covers enough of the question, whether or not
// it also ranks first.
func bestCoverage(cands []*candidate) float64 {
	best := 0.0
	for _, c := range cands {
		best = max(best, c.coverage)
	}
	return best
}

// maxCorroborated is how many of the best candidates corroborate compares.
const maxCorroborated = 48

// corroborate rewards sentences that other outlets carry too (syndicated
// copies, or the same fact in near-identical words): a claim several
// reports share is more central than one that only one article makes.
func corroborate(cands []*candidate) {
	for _, c := range cands {
		others := map[string]bool{}
		for _, o := range cands {
			if o.art.ID != c.art.ID && !others[o.art.ID] && jaccardSorted(c.sorted, o.sorted) >= dupJaccard {
				others[o.art.ID] = true
			}
		}
		c.score += min(0.15, 0.05*float64(len(others)))
	}
}

var pronounStarts = []string{"He ", "She ", "It ", "They ", "This ", "That ", "These ", "Those ", "His ", "Her ", "Its ", "Their ", "“", "\""}

func startsWithPronoun(s string) bool {
	for _, p := range pronounStarts {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// hasAny reports whether some term is in set.
// mentions reports whether c, or the sentence before it, has one of terms.
func (c *candidate) mentions(terms []string) bool {
	return hasAny(c.terms, terms) || hasAny(termSet(c.prev), terms)
}

func hasAny(set map[string]bool, terms []string) bool {
	for _, t := range terms {
		if set[t] {
			return true
		}
	}
	return false
}

// hasAll reports whether every term is in set.
func hasAll(set map[string]bool, terms []string) bool {
	for _, t := range terms {
		if !set[t] {
			return false
		}
	}
	return true
}

// sigOf is a word's spelling signature: its distinct letters, y read as i.
func sigOf(w string) string {
	r := []rune(strings.ToLower(w))
	for i, c := range r {
		if c == 'y' {
			r[i] = 'i'
		}
	}
	slices.Sort(r)
	return string(slices.Compact(r))
}

func sigSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, tk := range retrieval.Analyze(s) {
		if len(tk.Word) >= 5 {
			m[sigOf(tk.Word)] = true
		}
	}
	return m
}

// quoteSpans merges a sentence that opens a quotation with the sentences
// that continue it, up to the one that closes it, within one paragraph:
// “It's crucial to keep sending arms. Defeating Russia means peace.” is
// one quote, not two fragments with a dangling quotation mark.
func quoteSpans(a *corpus.Article, sents []corpus.Sentence) []corpus.Sentence {
	out := make([]corpus.Sentence, 0, len(sents))
	for i := 0; i < len(sents); i++ {
		s := sents[i]
		open := strings.Count(s.Text, "“") - strings.Count(s.Text, "”")
		for j := i + 1; open > 0 && j < len(sents) && j <= i+3 && sents[j].Para == s.Para; j++ {
			open += strings.Count(sents[j].Text, "“") - strings.Count(sents[j].Text, "”")
			if open <= 0 {
				s.End = sents[j].End
				s.Text = a.Paragraphs[s.Para][s.Start:s.End]
				i = j
			}
		}
		out = append(out, s)
	}
	return out
}

func termSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, t := range retrieval.Terms(s) {
		m[t] = true
	}
	return m
}

// score returns a sentence's coverage of the question and its overall score.
func score(qa *query, c *candidate, ctxTerms map[string]bool, total float64, para int) (float64, float64) {
	if total == 0 {
		return 0, 0
	}
	got, ctxGot := 0.0, 0.0
	names, namesHit := 0, 0
	var spk map[string]bool
	if c.speaker != "" {
		spk = termSet(c.speaker)
	}
	for _, t := range qa.terms {
		if t.name {
			names++
		}
		switch {
		case c.terms[t.term]:
			got += t.weight
			if t.name {
				namesHit++
			}
		case t.name && spk[t.term]:
			// The quotation's speaker, named in the sentence before.
			got += t.weight
			namesHit++
		case len(t.phrase) > 0 && hasAll(c.terms, t.phrase):
			got += t.weight
			if t.name {
				namesHit++
			}
		case hasAny(c.terms, t.spell):
			// The archive's spelling of a word misspelt in the question.
			got += 0.9 * t.weight
			if t.name {
				namesHit++
			}
		case t.name && c.sigs[sigOf(t.word)]:
			// A misspelt name ("Iyzum" for "Izyum").
			got += 0.8 * t.weight
			namesHit++
		case ctxTerms[t.term]:
			ctxGot += 0.6 * t.weight
			if t.name {
				namesHit++
			}

		default:
			best := 0.0
			for _, p := range slices.Concat(t.paraphrases(), t.extra) {
				if c.terms[p.term] && p.weight > best {
					best = p.weight
				}
			}
			got += best * t.weight
		}
	}
	// The sentence before lends its words only to a sentence that leans
	// on it (a pronoun, a quotation with its speaker) or that already
	// matches on its own.
	if got > 0 || c.speaker != "" || startsWithPronoun(c.sent.Text) || qa.atype != aAny && hasForm(c.sent.Text, qa.atype) {
		// (A sentence of the form asked for leans on the one before
		// too: "… would make the 23-year-old the most expensive".)
		got += ctxGot
	}
	cov := got / total
	s := cov + 0.12*c.rank + kindBonus(qa, c)
	if len(qa.predicate) > 0 && !hasAny(c.terms, qa.predicate) {
		// "Who is leading the inquiry": a sentence that says nobody
		// leads anything is no answer, however much of the setting it
		// shares.
		s -= 0.2
	}
	c.namesOK = namesHit >= names
	if names > 0 && namesHit == 0 {
		// The question is about someone or somewhere this sentence,
		// and the sentences before it, never name: its figure or quote
		// is likely about something else (another town's population).
		s -= 0.15
	}
	// News puts the facts first; very short or very long sentences make
	// poor quotes.
	if para < 3 {
		s += 0.03
	}
	if n := len(c.sent.Text); n < 40 {
		s -= 0.15
	} else if n > 420 {
		s -= 0.05
	}
	return cov, s
}

// kindBonus rewards a sentence for holding the kind of answer asked for.
func kindBonus(qa *query, c *candidate) float64 {
	text := c.sent.Text
	lower := strings.ToLower(text)
	switch qa.kind {
	case qNumber:
		switch {
		case c.qty.near(qa):
			return 0.25
		case hasNumber(text):
			return 0.1
		}
		return -0.1
	case qQuote:
		if c.speaker != "" || hasQuotation(text) {
			b := 0.1
			for _, n := range qa.names {
				if strings.Contains(c.speaker, n) || strings.Contains(text, n) {
					b += 0.1
					break
				}
			}
			return b
		}
	case qWho:
		if hasNameBesides(text, qa) || strings.Contains(lower, "minist") || strings.Contains(lower, "official") {
			return 0.1
		}
	case qDefine:
		if len(qa.define) > 0 && hasAll(c.terms, qa.define) {
			// "the National Mining Safety Agency (ANSM)" spells out the
			// acronym asked about.
			return 0.3
		}
		// "Name, a spokesman for ..." / "Name is the head of ..." define.
		for _, n := range qa.names {
			i := strings.Index(text, n)
			if i < 0 {
				continue
			}
			after := text[i+len(n):]
			for _, cue := range []string{", a ", ", an ", ", the ", ", one ", " is ", " was ", ", who "} {
				if strings.HasPrefix(after, cue) {
					return 0.2
				}
			}
		}
		for _, cue := range []string{" is ", " was ", ", a ", ", the ", " head ", " leader ", " spokesman", " spokesperson", " minister", " chief"} {
			if strings.Contains(lower, cue) {
				return 0.08
			}
		}
	case qWhen:
		switch {
		case reMonthDay.MatchString(text) || reYear.MatchString(text) || reClock.MatchString(text):
			return 0.25 // a calendar date or a time of day answers "when" best
		case reDate.MatchString(text):
			return 0.12 // "on Friday", "last week"
		}
		return -0.05
	case qWhich:
		// "Which weapons": a sentence that names one (a capitalised
		// word the question does not have) near the word asked about.
		if len(qa.head) > 0 && namesNear(text, qa) {
			return 0.2
		}
	case qWhere:
		for _, cue := range []string{"located", "north", "south", "east", "west", "near", "border", " km", "miles", "kilomet", "region", "province"} {
			if strings.Contains(lower, cue) {
				return 0.1
			}
		}
	case qWhy:
		for _, cue := range []string{"because", "due to", "in order to", "to avoid", "so that", "since", "crucial", "vital", "key", "important", "hub", "supply", "route", "strategic", "reason", "aim", "goal"} {
			if strings.Contains(lower, cue) {
				return 0.1
			}
		}
	}
	return 0
}

// preferRecent raises the score of candidates from newer articles, by up
// to recentBonus for the newest: when reports of a count differ, the
// latest is what "so far" and "most recent" ask for.
func preferRecent(cands []*candidate) {
	const recentBonus = 0.3
	var lo, hi time.Time
	for _, c := range cands {
		p := c.art.Published
		if p.IsZero() {
			continue
		}
		if lo.IsZero() || p.Before(lo) {
			lo = p
		}
		if p.After(hi) {
			hi = p
		}
	}
	span := hi.Sub(lo)
	if span <= 0 {
		return
	}
	for _, c := range cands {
		if p := c.art.Published; !p.IsZero() {
			c.score += recentBonus * float64(p.Sub(lo)) / float64(span)
		}
	}
}

// reClock and reYear match numbers that are not quantities: times of day
// and years.
var (
	reClock = regexp.MustCompile(`\b\d{1,2}(?::\d\d)?\s*(?:[ap]\.m\.|[ap]m\b)|\b\d{1,2}:\d\d\b`)
	reYear  = regexp.MustCompile(`\b(?:1[89]|20)\d\d\b`)
)

// reMoney matches an amount of money: a currency sign or code by a
// number, or a number followed by a currency word.
var reMoney = regexp.MustCompile(`[$€£¥₹₽₩]\s?\d|\b(?:USD|EUR|GBP|CHF|JPY|CAD|AUD)\s?\d|\d(?:[\d,.]*)\s*(?:m|bn|k|million|billion|thousand)?\s*(?:dollars?|euros?|pounds?|kroner|krona|kronor|yen|yuan|rupees?|roubles?|rubles?|francs?|pesos?|reais|real|rand|lira|soles|dinars?|dirhams?|won|zloty|forints?|crowns?)\b`)

// numberWords are counts written out.
var numberWords = map[string]bool{
	"two": true, "three": true, "four": true, "five": true, "six": true, "seven": true, "eight": true,
	"nine": true, "ten": true, "eleven": true, "twelve": true, "twenty": true, "thirty": true,
	"forty": true, "fifty": true, "sixty": true, "seventy": true, "eighty": true, "ninety": true,
	"dozen": true, "dozens": true, "scores": true, "hundred": true, "hundreds": true,
	"thousand": true, "thousands": true, "million": true, "millions": true, "billion": true,
	"billions": true, "half": true, "third": true, "quarter": true,
}

// quantities is what a sentence states in figures: its search terms, with
// times of day, years and dates left out, and where among them a count or
// an amount stands. It is computed once per sentence (analysis).
type quantities struct {
	terms  []string
	starts []int // byte offset of each term's word in the sentence
	nums   []int // indexes into terms
}

func quantitiesOf(s string) quantities {
	clean := reClock.ReplaceAllStringFunc(s, blank)
	clean = reYear.ReplaceAllStringFunc(clean, blank)
	clean = reMonthDay.ReplaceAllStringFunc(clean, blank)
	var q quantities
	for _, tk := range retrieval.Analyze(clean) {
		if tk.Word != "" && (isASCIIDigit(tk.Word[0]) || numberWords[tk.Word]) {
			q.nums = append(q.nums, len(q.terms))
		}
		q.terms = append(q.terms, tk.Term)
		q.starts = append(q.starts, tk.Start)
	}
	return q
}

// closestTo returns, of the quantities at indexes nums, the one nearest
// to any of the question's terms (names included), or -1 when nums is
// empty.
func (q quantities) closestTo(qa *query, nums []int, text string) int {
	// Tokens of different sentences of a quoted passage are never near.
	sentOf := make([]int, len(q.starts))
	spans := corpus.SplitSentences(text)
	for i, st := range q.starts {
		for k, sp := range spans {
			if st >= sp[0] && st < sp[1] {
				sentOf[i] = k
			}
		}
	}
	names, all := map[string]bool{}, map[string]bool{}
	for _, t := range qa.terms {
		set := []string{t.term}
		set = append(set, t.spell...)
		set = append(set, t.phrase...)
		for _, s := range set {
			all[s] = true
			if t.name || len(t.phrase) > 0 {
				names[s] = true
			}
		}
	}
	nearest := func(want map[string]bool, within int) int {
		best, bestDist := -1, within+1
		for _, n := range nums {
			for h, t := range q.terms {
				if want[t] && h != n && sentOf[h] == sentOf[n] {
					if d := abs(h - n); d < bestDist {
						best, bestDist = n, d
					}
				}
			}
		}
		return best
	}
	// The figure the question attributes ("according to the ISW") is the
	// one near the name it gives; otherwise the one near its words.
	if k := nearest(names, 20); k >= 0 {
		return k
	}
	if k := nearest(all, len(q.terms)); k >= 0 {
		return k
	}
	if len(nums) > 0 {
		return nums[0]
	}
	return -1
}

// counting returns the index (into terms) of the first figure followed,
// within four words, by one of nouns ("23 cars", "1,900 Norlith
// employees"), or -1.
func (q quantities) counting(nouns []string) int {
	if len(nouns) == 0 {
		return -1
	}
	for _, n := range q.nums {
		for h := n + 1; h < len(q.terms) && h <= n+4; h++ {
			if slices.Contains(nouns, q.terms[h]) {
				return n
			}
		}
	}
	return -1
}

// reSomePlace finds a place in a sentence: a name after a preposition of
// place, or a compass direction.
var reSomePlace = regexp.MustCompile(`\b(?:in|at|near|outside|to|from|into|across|towards?|between|on)\s+(?:the\s+)?\p{Lu}|(?i:\b(?:north|south|east|west)(?:ern|-?east|-?west)?\b)`)

// measureUnits are the units a figure measures in: a figure followed by
// one (after its magnitude: "2 million euros") is a measure, not a count
// of things.
var measureUnits = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`km kms kilometre kilometres kilometer kilometers mile miles mi metre metres meter meters
		hectare hectares acre acres tonne tonnes ton tons kg kilogram kilograms gram grams litre litres liter liters
		gigabyte gigabytes gb terabyte terabytes tb megabyte megabytes mb percent cent degree degrees celsius fahrenheit
		euro euros dollar dollars pound pounds mph kph hour hours minute minutes second seconds`) {
		m[retrieval.Term(w)] = true
	}
	return m
}()

// magnitudes are the words that scale a figure ("286 million").
var magnitudes = map[string]bool{retrieval.Term("million"): true, retrieval.Term("billion"): true,
	retrieval.Term("thousand"): true, retrieval.Term("bn"): true, retrieval.Term("mln"): true}

// measuresOnly reports whether every figure of the sentence s is a
// measure: followed by a unit (or "%"), or written after a currency sign.
func (q quantities) measuresOnly(s string) bool {
	if len(q.nums) == 0 {
		return false
	}
	for _, n := range q.nums {
		st := q.starts[n]
		if before := strings.TrimRight(s[:min(st, len(s))], " "); strings.HasSuffix(before, "$") || strings.HasSuffix(before, "€") ||
			strings.HasSuffix(before, "£") || strings.HasSuffix(before, "¥") {
			continue
		}
		end := st + len(wordAt(s, st))
		if strings.HasPrefix(strings.TrimLeft(s[min(end, len(s)):], " "), "%") {
			continue
		}
		h := n + 1
		for h < len(q.terms) && magnitudes[q.terms[h]] {
			h++
		}
		if h >= len(q.terms) || !measureUnits[q.terms[h]] {
			return false
		}
	}
	return true
}

// numIn returns the index (into terms) of the first quantity whose word
// starts within [from, to) of the sentence, or -1.
func (q quantities) numIn(from, to int) int {
	for _, n := range q.nums {
		if s := q.starts[n]; s >= from && s < to {
			return n
		}
	}
	return -1
}

// nearest returns the index (into terms) of the quantity nearest to the
// question's non-name terms, and whether one lies within the window.
func (q quantities) nearest(qa *query) (int, bool) {
	const window = 6
	want := qa.subjectTerms()
	best, bestDist := -1, window+1
	for _, n := range q.nums {
		for h := max(0, n-window); h <= min(len(q.terms)-1, n+window); h++ {
			if h != n && want[q.terms[h]] {
				if d := abs(h - n); d < bestDist {
					best, bestDist = n, d
				}
			}
		}
	}
	return best, best >= 0
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

// near reports whether a quantity stands within a few words of one of the
// question's (non-name) terms or their paraphrases: "the death toll rose
// to 12" answers "how many died"; a date in a sentence that mentions the
// dam does not.
func (q quantities) near(qa *query) bool {
	_, ok := q.nearest(qa)
	return ok
}

// subjectTerms are the question's non-name terms with their paraphrases
// and spellings: what a figure must stand near to be the one asked for.
func (qa *query) subjectTerms() map[string]bool {
	if qa.subject != nil {
		return qa.subject
	}
	want := map[string]bool{}
	for _, t := range qa.terms {
		if t.name {
			continue
		}
		want[t.term] = true
		for _, a := range t.alt {
			want[a] = true
		}
		for _, a := range t.spell {
			want[a] = true
		}
	}
	qa.subject = want
	return want
}

// blank replaces a match by spaces of the same length, keeping offsets.
func blank(m string) string { return strings.Repeat(" ", len(m)) }

var reMonthDay = regexp.MustCompile(`\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}\b|\b\d{1,2}(?:st|nd|rd|th)? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\b`)

// reDate matches the ways news copy dates an event.
var reDate = regexp.MustCompile(`\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|(?:19|20)\d\d|yesterday|today|tonight|ago|last (?:week|month|year)|earlier this (?:week|month|year))\b`)

func hasNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	for _, w := range []string{"hundred", "thousand", "million", "billion", "dozen"} {
		if strings.Contains(strings.ToLower(s), w) {
			return true
		}
	}
	return false
}

// namesNear reports whether s has a capitalised word the question does
// not, within four words of the head noun of a which-question.
func namesNear(s string, qa *query) bool {
	toks := retrieval.Analyze(s)
	for i, tk := range toks {
		if !slices.Contains(qa.head, tk.Term) {
			continue
		}
		for j := max(0, i-4); j <= min(len(toks)-1, i+4); j++ {
			o := toks[j]
			if o.Cap && o.Start > 0 && j != i && !qa.hasTerm(o.Term) && !notNames[wordAt(s, o.Start)] {
				return true
			}
		}
	}
	return false
}

// namesOther reports whether s has a name the question does not: a
// capitalised word inside the sentence ("HIMARS", "Whitfield", "FEMA").
func namesOther(s string, qa *query) bool {
	for _, tk := range retrieval.Analyze(s) {
		if tk.Cap && tk.Start > 0 && !qa.hasTerm(tk.Term) && !notNames[wordAt(s, tk.Start)] {
			return true
		}
	}
	return false
}

// hasNameBesides reports whether s names someone the question does not.
func hasNameBesides(s string, qa *query) bool {
	for _, m := range reFullName.FindAllString(s, -1) {
		n := cleanName(m)
		if n == "" || !strings.Contains(n, " ") {
			continue
		}
		inQ := false
		for _, qn := range qa.names {
			if strings.Contains(n, qn) {
				inQ = true
			}
		}
		if !inQ {
			return true
		}
	}
	return false
}

// pick chooses up to n quotes: best first, folding near-identical
// sentences from other articles (syndicated copies) into "also reported
// by", preferring a spread of articles, and dropping weak ones.
func pick(cands []*candidate, n int) []*candidate {
	if len(cands) == 0 {
		return nil
	}
	best := cands[0].score
	// A second quote from an article already quoted must beat quotes
	// from other articles by a margin.
	perArticle := map[string]int{}
	rest := slices.Clone(cands)
	var order []*candidate
	for len(rest) > 0 {
		bi, bs := 0, math.Inf(-1)
		for i, c := range rest {
			if s := c.score - 0.06*float64(perArticle[c.art.ID]); s > bs {
				bi, bs = i, s
			}
		}
		c := rest[bi]
		rest = slices.Delete(rest, bi, bi+1)
		perArticle[c.art.ID]++
		order = append(order, c)
	}
	var out []*candidate
	for _, c := range order {
		dup := false
		for _, p := range out {
			if jaccardSorted(p.sorted, c.sorted) >= dupJaccard {
				if p.art.ID != c.art.ID && !hasArticle(p, c.art.ID) {
					p.also = append(p.also, c)
				}
				dup = true
				break
			}
		}
		if dup || len(out) >= n {
			continue
		}
		if c.score < relCutoff*best || c.coverage < minCoverage*0.75 {
			continue
		}
		if i := adjacentTo(out, c); i >= 0 {
			// The sentence just before or after a chosen one: quote the
			// passage whole, in one slot.
			out[i] = joinAdjacent(out[i], c)
			continue
		}
		out = append(out, c)
	}
	return out
}

// maxNameLookback is how many sentences back a surname ("Novak") is
// completed into a full name ("Katarzyna Novak").
const maxNameLookback = 30

// maxJoined bounds a quote made of adjacent sentences.
const maxJoined = 600

// adjacentTo returns the index of the chosen quote that c directly
// precedes or follows in the same paragraph, or -1.
func adjacentTo(out []*candidate, c *candidate) int {
	for i, p := range out {
		if p.art != c.art || p.sent.Para != c.sent.Para || len(p.sent.Text)+len(c.sent.Text) > maxJoined {
			continue
		}
		para := c.art.Paragraphs[c.sent.Para]
		if (c.sent.Start >= p.sent.End && strings.TrimSpace(para[p.sent.End:c.sent.Start]) == "") ||
			(p.sent.Start >= c.sent.End && strings.TrimSpace(para[c.sent.End:p.sent.Start]) == "") {
			return i
		}
	}
	return -1
}

// joinAdjacent is p and c as one quote: the paragraph text from the first
// to the end of the second, verbatim. Only outlets that carried both
// sentences still count as having reported it.
func joinAdjacent(p, c *candidate) *candidate {
	first, second := p, c
	if c.sent.Start < p.sent.Start {
		first, second = c, p
	}
	j := *p
	j.sent.Start, j.sent.End = first.sent.Start, second.sent.End
	j.sent.Text = p.art.Paragraphs[p.sent.Para][j.sent.Start:j.sent.End]
	j.abs = first.abs
	j.qty = quantitiesOf(j.sent.Text) // offsets into the joined passage
	if j.speaker == "" {
		j.speaker = c.speaker
	}
	j.also = nil
	for _, o := range p.also {
		if hasArticle(c, o.art.ID) {
			j.also = append(j.also, o)
		}
	}
	return &j
}

func hasArticle(p *candidate, id string) bool {
	for _, o := range p.also {
		if o.art.ID == id {
			return true
		}
	}
	return false
}

// jaccardSorted is the Jaccard similarity of two sorted term lists.
func jaccardSorted(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	// Sets whose sizes differ this much cannot reach dupJaccard.
	if lo, hi := min(len(a), len(b)), max(len(a), len(b)); float64(lo) < dupJaccard*float64(hi) {
		return float64(lo) / float64(hi) * 0.999
	}
	inter, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// lead is the short line above the quotes: how many quotes from which
// outlets. An article whose outlet is unknown is counted as such, not as
// an outlet called "unknown outlet".
func lead(cits []bot.Citation) string {
	outlets := []string{}
	unnamed := map[string]bool{}
	add := func(source, id string) {
		if source == unknownOutlet {
			unnamed[id] = true
			return
		}
		if !slices.Contains(outlets, source) {
			outlets = append(outlets, source)
		}
	}
	for _, c := range cits {
		add(c.Source, c.ArticleID)
		for _, r := range c.AlsoReportedBy {
			add(r.Source, r.ArticleID)
		}
	}
	q := plural(len(cits), "quote", "quotes")
	var from []string
	if len(outlets) > 0 {
		from = append(from, fmt.Sprintf("%d %s (%s)", len(outlets), plural(len(outlets), "outlet", "outlets"), strings.Join(outlets, ", ")))
	}
	if n := len(unnamed); n > 0 {
		from = append(from, fmt.Sprintf("%d %s of unknown outlet", n, plural(n, "article", "articles")))
	}
	return fmt.Sprintf("%d %s from %s:", len(cits), q, strings.Join(from, " and "))
}

// unknownOutlet is what corpus.Article.SourceName says when the article
// names no outlet.
const unknownOutlet = "unknown outlet"
