package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
)

// DefaultMaxSize is the largest feed document read.
const DefaultMaxSize = 20 << 20

// DefaultTimeout bounds one fetch (connect, headers and body) made with
// the Fetcher's default client.
const DefaultTimeout = 30 * time.Second

// userAgent is sent unless Fetcher.UserAgent is set.
const userAgent = "newsdesk-feed/1 (+https://github.com/newsdesk/newsdesk)"

// State is what a Fetcher remembers of each feed, keyed by its URL (or
// file path): the validators for conditional GETs and the items seen last
// time. It is plain data, JSON-encodable, so callers can persist it (see
// LoadState and SaveState) and hand it to NewFetcher on the next run.
type State map[string]SourceState

// SourceState is the State of one feed.
type SourceState struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Items are the items of the last successful fetch, by article id.
	// Only the current feed's items are kept, so the state stays as small
	// as the feed.
	Items map[string]ItemState `json:"items,omitempty"`
}

// ItemState is what is remembered of one item.
type ItemState struct {
	Updated time.Time `json:"updated,omitzero"` // zero when the item had no date
	Hash    string    `json:"hash"`             // corpus.Article.Hash
}

// clone returns a deep copy of s.
func (s State) clone() State {
	out := make(State, len(s))
	for k, v := range s {
		items := make(map[string]ItemState, len(v.Items))
		for id, it := range v.Items {
			items[id] = it
		}
		v.Items = items
		out[k] = v
	}
	return out
}

// LoadState reads a State saved by SaveState; a missing file is an empty
// State.
func LoadState(path string) (State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return State{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load feed state: %w", err)
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("load feed state %s: %w", path, err)
	}
	if s == nil {
		s = State{}
	}
	return s, nil
}

// SaveState writes s to path atomically (a temporary file renamed over
// it).
func SaveState(path string, s State) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("save feed state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".feedstate-*")
	if err != nil {
		return fmt.Errorf("save feed state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save feed state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save feed state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save feed state: %w", err)
	}
	return nil
}

// Result is the outcome of one fetch or read of a feed.
type Result struct {
	Source      string // the feed URL (without query or credentials) or file path
	Title       string // the feed's title ("" when NotModified)
	NotModified bool   // the server answered 304: nothing was read
	Items       int    // items in the feed

	// New are the items not seen in the previous fetch; Changed those
	// seen before whose updated date is later (or, for items without
	// dates, whose content differs). Both are in feed order.
	New, Changed []corpus.Article
	Warnings     []error // items skipped or links dropped
}

// Fetcher fetches feeds and remembers, per feed, what it saw (see State).
// It is safe for concurrent use.
type Fetcher struct {
	// Client makes the requests; nil means a client with DefaultTimeout.
	// Requests also stop when their context is done.
	Client *http.Client
	// UserAgent is sent with each request; "" means a newsdesk default.
	UserAgent string
	// MaxSize bounds a feed document; 0 means DefaultMaxSize.
	MaxSize int64

	mu    sync.Mutex
	state State
}

// NewFetcher returns a Fetcher that starts from state (nil for none); it
// keeps its own copy.
func NewFetcher(client *http.Client, state State) *Fetcher {
	return &Fetcher{Client: client, state: state.clone()}
}

// State returns a copy of what the Fetcher remembers, for the caller to
// persist.
func (f *Fetcher) State() State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state.clone()
}

var defaultClient = &http.Client{Timeout: DefaultTimeout}

func (f *Fetcher) client() *http.Client {
	if f.Client != nil {
		return f.Client
	}
	return defaultClient
}

func (f *Fetcher) maxSize() int64 {
	if f.MaxSize > 0 {
		return f.MaxSize
	}
	return DefaultMaxSize
}

// IsFeedURL reports whether s is an absolute http or https URL, the only
// feed URLs a Fetcher fetches.
func IsFeedURL(s string) bool { return corpus.WebURL(s) != "" }

// Redact returns u for logs and errors: scheme, host and path, without
// credentials, query or fragment, which may hold a token.
func Redact(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || p.Host == "" {
		return "(feed URL)"
	}
	return (&url.URL{Scheme: p.Scheme, Host: p.Host, Path: p.Path}).String()
}

// Fetch fetches the feed at feedURL (http or https) with a conditional
// GET: the ETag and Last-Modified of the previous successful fetch are
// sent as If-None-Match and If-Modified-Since, and a 304 answer gives a
// Result with NotModified and no items. Any other status than 200 to 299,
// a body over MaxSize or a document that is not a feed is an error; the
// state is then left as it was. Errors and Result.Source never show the
// URL's query or credentials.
func (f *Fetcher) Fetch(ctx context.Context, feedURL string) (*Result, error) {
	shown := Redact(feedURL)
	if !IsFeedURL(feedURL) {
		return nil, fmt.Errorf("fetch feed %s: not an http(s) URL", shown)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSpace(feedURL), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch feed %s: bad URL", shown)
	}
	ua := f.UserAgent
	if ua == "" {
		ua = userAgent
	}
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
	f.mu.Lock()
	prev := f.state[feedURL]
	f.mu.Unlock()
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := f.client().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the whole URL
		}
		return nil, fmt.Errorf("fetch feed %s: %w", shown, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return &Result{Source: shown, NotModified: true}, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("fetch feed %s: HTTP %s", shown, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, f.maxSize()+1))
	if err != nil {
		return nil, fmt.Errorf("fetch feed %s: read body: %w", shown, err)
	}
	if int64(len(data)) > f.maxSize() {
		return nil, fmt.Errorf("fetch feed %s: larger than %d bytes", shown, f.maxSize())
	}
	// The final URL (after redirects), redacted: it is the base of relative
	// links and scopes item ids, which must never carry a token.
	doc, warns, err := parse(bytes.NewReader(data), Redact(resp.Request.URL.String()))
	if err != nil {
		return nil, fmt.Errorf("fetch feed %s: %w", shown, err)
	}
	for i := range doc.items {
		// Path names the feed without its query.
		doc.items[i].art.Path = shown
	}
	res := f.update(feedURL, doc, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
	res.Source, res.Warnings = shown, warns
	return res, nil
}

// ReadFile reads a feed document saved as a file and reports its new and
// changed items as Fetch does (the state is kept under the file's path).
// Only a regular file of at most MaxSize bytes is read.
func (f *Fetcher) ReadFile(ctx context.Context, path string) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := readFeedFile(path, f.maxSize())
	if err != nil {
		return nil, fmt.Errorf("read feed %s: %w", path, err)
	}
	doc, warns, err := parse(bytes.NewReader(data), path)
	if err != nil {
		return nil, fmt.Errorf("read feed %s: %w", path, err)
	}
	res := f.update(path, doc, "", "")
	res.Source, res.Warnings = path, warns
	return res, nil
}

// ParseFile reads a feed file and returns all its items as articles (see
// Parse), remembering nothing.
func ParseFile(path string, maxSize int64) ([]corpus.Article, []error, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	data, err := readFeedFile(path, maxSize)
	if err != nil {
		return nil, nil, fmt.Errorf("read feed %s: %w", path, err)
	}
	arts, warns, err := Parse(bytes.NewReader(data), path)
	if err != nil {
		return nil, nil, fmt.Errorf("read feed %s: %w", path, err)
	}
	return arts, warns, nil
}

// readFeedFile reads a regular file of at most limit bytes.
func readFeedFile(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// update compares doc with the state of key, records doc as the new state
// and returns the new and changed items.
func (f *Fetcher) update(key string, doc document, etag, lastModified string) *Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state == nil {
		f.state = State{}
	}
	prev := f.state[key]
	next := SourceState{ETag: etag, LastModified: lastModified, Items: make(map[string]ItemState, len(doc.items))}
	res := &Result{Title: doc.title, Items: len(doc.items)}
	for _, it := range doc.items {
		h := it.art.Hash()
		next.Items[it.art.ID] = ItemState{Updated: it.updated, Hash: h}
		old, seen := prev.Items[it.art.ID]
		switch {
		case !seen:
			res.New = append(res.New, it.art)
		case it.updated.After(old.Updated):
			res.Changed = append(res.Changed, it.art)
		case it.updated.IsZero() && old.Updated.IsZero() && h != old.Hash:
			res.Changed = append(res.Changed, it.art)
		}
	}
	f.state[key] = next
	return res
}
