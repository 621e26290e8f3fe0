package feed

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

const rssV1 = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Hollis Herald</title><link>https://hollisherald.example/</link>
<item>
  <title>Dam fails above Hollis</title>
  <link>https://hollisherald.example/2023/04/dam-fails</link>
  <guid>https://hollisherald.example/?p=101</guid>
  <dc:creator>Jane Roe</dc:creator>
  <pubDate>Sun, 16 Apr 2023 08:00:00 GMT</pubDate>
  <description><![CDATA[<p>The Larkin dam failed early on Sunday, officials said.</p><p>Water &amp; mud reached the town.</p>]]></description>
</item>
<item>
  <title>Mayor calls for inquiry</title>
  <link>/2023/04/inquiry</link>
  <guid isPermaLink="false">102</guid>
  <pubDate>Sun, 16 Apr 2023 12:00:00 GMT</pubDate>
  <description>The mayor called for an independent inquiry into the dam failure.</description>
</item>
</channel></rss>`

// rssV2: item 101 updated (later date, new text), 102 unchanged, 103 new.
const rssV2 = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>Hollis Herald</title><link>https://hollisherald.example/</link>
<item>
  <title>Death toll climbs after dam failure</title>
  <link>https://hollisherald.example/2023/04/toll</link>
  <guid>https://hollisherald.example/?p=103</guid>
  <pubDate>Mon, 17 Apr 2023 09:00:00 GMT</pubDate>
  <description>The death toll rose to nine on Monday, the county said.</description>
</item>
<item>
  <title>Dam fails above Hollis</title>
  <link>https://hollisherald.example/2023/04/dam-fails</link>
  <guid>https://hollisherald.example/?p=101</guid>
  <pubDate>Sun, 16 Apr 2023 08:00:00 GMT</pubDate>
  <atom:updated>2023-04-16T18:00:00Z</atom:updated>
  <description><![CDATA[<p>The Larkin dam failed early on Sunday, officials said.</p><p>Two people were missing by evening.</p>]]></description>
</item>
<item>
  <title>Mayor calls for inquiry</title>
  <link>/2023/04/inquiry</link>
  <guid isPermaLink="false">102</guid>
  <pubDate>Sun, 16 Apr 2023 12:00:00 GMT</pubDate>
  <description>The mayor called for an independent inquiry into the dam failure.</description>
</item>
</channel></rss>`

// feedServer serves body with an ETag and Last-Modified, answering 304 to
// matching conditional requests, and records the requests' headers.
type feedServer struct {
	mu       sync.Mutex
	body     string
	etag     string
	modified time.Time
	reqs     []http.Header
}

func (s *feedServer) set(body, etag string, modified time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.etag, s.modified = body, etag, modified
}

func (s *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r.Header.Clone())
	if r.Header.Get("If-None-Match") == s.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", s.etag)
	w.Header().Set("Last-Modified", s.modified.UTC().Format(http.TimeFormat))
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprint(w, s.body)
}

func (s *feedServer) last() http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs[len(s.reqs)-1]
}

func TestFetchConditionalAndChanges(t *testing.T) {
	fs := &feedServer{}
	fs.set(rssV1, `"v1"`, time.Date(2023, 4, 16, 12, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(fs)
	defer srv.Close()
	ctx := context.Background()
	f := NewFetcher(srv.Client(), nil)
	u := srv.URL + "/feed.xml"

	res, err := f.Fetch(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if res.NotModified || len(res.New) != 2 || len(res.Changed) != 0 || res.Title != "Hollis Herald" {
		t.Fatalf("first fetch: %+v", res)
	}
	if h := fs.last(); h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != "" {
		t.Fatalf("first fetch sent conditional headers: %v", h)
	}
	a := res.New[0]
	if a.Title != "Dam fails above Hollis" || a.Source != "Hollis Herald" || a.Byline != "Jane Roe" ||
		a.URL != "https://hollisherald.example/2023/04/dam-fails" || a.Date() != "2023-04-16" {
		t.Errorf("article fields: %+v", a)
	}
	if got := strings.Join(a.Paragraphs, "|"); got != "The Larkin dam failed early on Sunday, officials said.|Water & mud reached the town." {
		t.Errorf("paragraphs %q", got)
	}
	if b := res.New[1]; b.URL != "https://hollisherald.example/2023/04/inquiry" {
		t.Errorf("relative link resolved to %q", b.URL)
	}
	firstIDs := []string{res.New[0].ID, res.New[1].ID}

	// Unchanged feed: the validators are sent and the 304 honoured.
	res, err = f.Fetch(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if !res.NotModified || len(res.New)+len(res.Changed) != 0 {
		t.Fatalf("second fetch: %+v", res)
	}
	h := fs.last()
	if h.Get("If-None-Match") != `"v1"` || h.Get("If-Modified-Since") != "Sun, 16 Apr 2023 12:00:00 GMT" {
		t.Fatalf("conditional headers not sent: %v", h)
	}

	// Updated feed: only the new item and the updated one are reported.
	fs.set(rssV2, `"v2"`, time.Date(2023, 4, 17, 9, 0, 0, 0, time.UTC))
	res, err = f.Fetch(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != 1 || res.New[0].Title != "Death toll climbs after dam failure" {
		t.Fatalf("new: %+v", res.New)
	}
	if len(res.Changed) != 1 || res.Changed[0].ID != firstIDs[0] || !strings.Contains(res.Changed[0].Text(), "Two people were missing") {
		t.Fatalf("changed: %+v", res.Changed)
	}
	if res.Items != 3 {
		t.Fatalf("items %d", res.Items)
	}
	// The ids are stable across fetches.
	st := f.State()[u]
	for _, id := range firstIDs {
		if _, ok := st.Items[id]; !ok {
			t.Errorf("id %s not stable: state has %v", id, st.Items)
		}
	}
	if st.ETag != `"v2"` {
		t.Errorf("etag %q", st.ETag)
	}
}

func TestStatePersists(t *testing.T) {
	fs := &feedServer{}
	fs.set(rssV1, `"v1"`, time.Now())
	srv := httptest.NewServer(fs)
	defer srv.Close()
	ctx := context.Background()
	f := NewFetcher(srv.Client(), nil)
	if _, err := f.Fetch(ctx, srv.URL); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "state.json")
	if err := SaveState(p, f.State()); err != nil {
		t.Fatal(err)
	}
	st, err := LoadState(p)
	if err != nil {
		t.Fatal(err)
	}
	// A new process: the 304 is honoured and nothing is new.
	g := NewFetcher(srv.Client(), st)
	res, err := g.Fetch(ctx, srv.URL)
	if err != nil || !res.NotModified {
		t.Fatalf("res %+v, err %v", res, err)
	}
	// Even without the validators, the items are known.
	fs.set(rssV1, `"v1b"`, time.Now())
	res, err = g.Fetch(ctx, srv.URL)
	if err != nil || res.NotModified || len(res.New)+len(res.Changed) != 0 || res.Items != 2 {
		t.Fatalf("res %+v, err %v", res, err)
	}
	if st, err := LoadState(filepath.Join(t.TempDir(), "missing.json")); err != nil || len(st) != 0 {
		t.Fatalf("missing state: %v %v", st, err)
	}
}

func TestFetchErrorsHideSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			http.Error(w, "no", http.StatusNotFound)
		case "/big":
			fmt.Fprint(w, strings.Repeat(" ", 2000))
		default:
			fmt.Fprint(w, "<html><body>not a feed</body></html>")
		}
	}))
	ctx := context.Background()
	f := NewFetcher(srv.Client(), nil)
	f.MaxSize = 1000
	for _, path := range []string{"/missing", "/big", "/page"} {
		u := srv.URL + path + "?token=s3cret"
		_, err := f.Fetch(ctx, u)
		if err == nil {
			t.Fatalf("%s: no error", path)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("%s: error shows the token: %v", path, err)
		}
		if len(f.State()) != 0 {
			t.Fatalf("%s: state changed on error", path)
		}
	}
	srv.Close()
	_, err := f.Fetch(ctx, "http://user:pw@"+strings.TrimPrefix(srv.URL, "http://")+"/feed?key=s3cret")
	if err == nil || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "pw@") {
		t.Fatalf("closed server: %v", err)
	}
	if _, err := f.Fetch(ctx, "file:///etc/passwd"); err == nil {
		t.Fatal("file: URL fetched")
	}
}

func TestFetchHonoursContext(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := NewFetcher(srv.Client(), nil).Fetch(ctx, srv.URL); err == nil {
		t.Fatal("no error after the context ended")
	}
}

const atomFeed = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Infosec Times</title>
  <link href="https://infosec.example/"/>
  <entry>
    <title>Lakeshore confirms breach</title>
    <link href="https://infosec.example/lakeshore"/>
    <id>tag:infosec.example,2024:1</id>
    <published>2024-04-16T10:00:00Z</published>
    <updated>2024-04-17T10:00:00Z</updated>
    <author><name>Ana Lima</name></author><author><name>Bo Chen</name></author>
    <content type="html">&lt;p&gt;Lakeshore confirmed the breach on Tuesday.&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</content>
  </entry>
  <entry>
    <title>Bad link</title>
    <link href="javascript:alert(1)"/>
    <id>tag:infosec.example,2024:2</id>
    <summary>A summary with text only.</summary>
  </entry>
  <entry>
    <title>Empty</title>
    <id>tag:infosec.example,2024:3</id>
    <summary>   </summary>
  </entry>
</feed>`

func TestReadFileAtom(t *testing.T) {
	p := filepath.Join(t.TempDir(), "infosec.atom")
	if err := os.WriteFile(p, []byte(atomFeed), 0o644); err != nil {
		t.Fatal(err)
	}
	f := NewFetcher(nil, nil)
	res, err := f.ReadFile(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != 2 {
		t.Fatalf("new: %+v; warnings %v", res.New, res.Warnings)
	}
	a := res.New[0]
	if a.Byline != "Ana Lima, Bo Chen" || a.Date() != "2024-04-16" || a.Text() != "Lakeshore confirmed the breach on Tuesday." || a.Source != "Infosec Times" || a.Path != p {
		t.Errorf("article %+v", a)
	}
	if res.New[1].URL != "" {
		t.Errorf("javascript: link kept: %q", res.New[1].URL)
	}
	w := fmt.Sprint(res.Warnings)
	if !strings.Contains(w, "item 2: link") || !strings.Contains(w, "item 3: no content") {
		t.Errorf("warnings: %s", w)
	}
	// Read again: nothing new.
	res, err = f.ReadFile(context.Background(), p)
	if err != nil || len(res.New)+len(res.Changed) != 0 {
		t.Fatalf("second read: %+v %v", res, err)
	}
	arts, _, err := ParseFile(p, 0)
	if err != nil || len(arts) != 2 {
		t.Fatalf("ParseFile: %d, %v", len(arts), err)
	}
	if _, err := f.ReadFile(context.Background(), "/bin/ls"); err == nil {
		t.Fatal("binary read as a feed")
	}
}

var safeID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestItemID(t *testing.T) {
	a := ItemID("https://a.example/", "https://a.example/2024/05/dam-fails?x=1", "", "", "")
	if a != ItemID("https://b.example/", "https://a.example/2024/05/dam-fails?x=1", "ignored", "", "") {
		t.Error("URL guid scoped by feed")
	}
	if !strings.HasPrefix(a, "a-example-2024-05-dam-fails-x-1-") || !safeID.MatchString(a) {
		t.Errorf("id %q", a)
	}
	if ItemID("https://a.example/", "12345", "", "", "") == ItemID("https://b.example/", "12345", "", "", "") {
		t.Error("plain guid not scoped by feed")
	}
	if ItemID("s", "", "https://x.example/l", "", "") != ItemID("s", "https://x.example/l", "", "", "") {
		t.Error("link is not the fallback")
	}
	for _, id := range []string{
		ItemID("", "", "", "", ""),
		ItemID("../../etc", "../../passwd\x00", "", "", ""),
		ItemID("", "", "", "Ünïcødé 東京 / title", "2024"),
		ItemID("s", strings.Repeat("very-long-", 40), "", "", ""),
	} {
		if !safeID.MatchString(id) || len(id) > 64 {
			t.Errorf("unsafe id %q", id)
		}
	}
}

// FuzzParseFeed feeds hostile documents to the feed reader: no panic, and
// every article has a safe id, text, valid UTF-8 and only an http(s) URL.
func FuzzParseFeed(f *testing.F) {
	f.Add([]byte(rssV1))
	f.Add([]byte(atomFeed))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"/a","content_html":"<p>x</p>"}]}`))
	f.Add([]byte(`<rss><channel><item><guid>1</guid><description>&lt;div&gt;` + strings.Repeat("<b>", 50) + `</description></item></channel></rss>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		arts, _, err := Parse(strings.NewReader(string(data)), "https://feeds.example/rss")
		if err != nil {
			return
		}
		for _, a := range arts {
			if !safeID.MatchString(a.ID) {
				t.Fatalf("unsafe id %q", a.ID)
			}
			if a.URL != "" && !IsFeedURL(a.URL) {
				t.Fatalf("url %q", a.URL)
			}
			if len(a.Paragraphs) == 0 {
				t.Fatalf("article %s without text", a.ID)
			}
			for _, s := range append([]string{a.Title, a.Source, a.Byline}, a.Paragraphs...) {
				if !utf8.ValidString(s) {
					t.Fatalf("invalid UTF-8 %q", s)
				}
			}
		}
	})
}
