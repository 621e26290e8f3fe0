package slack

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/newsdesk/newsdesk/corpus"
)

// maxHighlight bounds the ?hl= text the article page searches for.
const maxHighlight = 2000

// articlePage is the template data of GET /articles/{id}.
type articlePage struct {
	Title, Source, Byline, Date string
	URL                         string // only http(s); "" otherwise
	Paragraphs                  []articlePara
}

type articlePara struct {
	ID       string // "p{n}", n = index in Article.Paragraphs (Citation.Para)
	Segments []segment
}

// segment is a run of paragraph text, marked when it is the highlighted
// quote.
type segment struct {
	Text string
	Mark bool
}

var articleTmpl = template.Must(template.New("article").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Title}}{{.Title}}{{else}}Article{{end}} · Newsdesk</title>
<style>
body{font:17px/1.55 Georgia,serif;max-width:42em;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em;line-height:1.25}.meta{color:#666;font:14px/1.4 system-ui,sans-serif}
mark{background:#fff3a3;padding:0 .1em}p:target{background:#f6f6f6}
</style></head><body>
<h1>{{if .Title}}{{.Title}}{{else}}Untitled article{{end}}</h1>
<p class="meta">{{.Source}}{{if .Date}} · {{.Date}}{{end}}{{if .Byline}} · {{.Byline}}{{end}}{{if .URL}} · <a href="{{.URL}}" rel="noopener noreferrer">original</a>{{end}}</p>
{{range .Paragraphs}}<p id="{{.ID}}">{{range .Segments}}{{if .Mark}}<mark>{{.Text}}</mark>{{else}}{{.Text}}{{end}}{{end}}</p>
{{end}}</body></html>
`))

// handleArticle renders an article of the corpus, for citations of
// articles without a URL of their own. The quote given in ?hl= is marked
// wherever it occurs verbatim. All text is escaped by html/template.
func (s *Server) handleArticle(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var a *corpus.Article
	if s.search != nil && id != "" {
		a = s.search.Article(id)
	}
	if a == nil {
		http.Error(w, "article not found", http.StatusNotFound)
		return
	}
	hl := strings.TrimSpace(r.URL.Query().Get("hl"))
	if len(hl) > maxHighlight {
		hl = ""
	}
	page := articlePage{
		Title:  a.Title,
		Source: a.SourceName(),
		Byline: a.Byline,
		Date:   a.Date(),
	}
	if u, err := url.Parse(a.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		page.URL = a.URL
	}
	for i, p := range a.Paragraphs {
		page.Paragraphs = append(page.Paragraphs, articlePara{ID: "p" + itoa(i), Segments: highlight(p, hl)})
	}
	var buf bytes.Buffer
	if err := articleTmpl.Execute(&buf, page); err != nil {
		s.log.Error("slack: render article page", "id", id, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(buf.Bytes())
}

// highlight splits p around every occurrence of hl.
func highlight(p, hl string) []segment {
	if hl == "" {
		return []segment{{Text: p}}
	}
	var segs []segment
	for {
		before, after, found := strings.Cut(p, hl)
		if !found {
			break
		}
		if before != "" {
			segs = append(segs, segment{Text: before})
		}
		segs = append(segs, segment{Text: hl, Mark: true})
		p = after
	}
	if p != "" || len(segs) == 0 {
		segs = append(segs, segment{Text: p})
	}
	return segs
}
