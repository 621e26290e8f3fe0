// Package slack is Newsdesk's Slack adapter. Reporters @mention the bot in
// a channel (answered in the message's thread, follow-ups understood in
// context), message it directly, or use /ask (answered ephemerally with a
// "Share in channel" button). Answers come from a bot.Answerer and are
// rendered as Block Kit: the lead, numbered verbatim quotes with links,
// notes and 👍/👎 feedback buttons.
//
// It runs over Socket Mode (SLACK_APP_TOKEN; no public URL needed) and/or
// an HTTP server with the Events API, slash command and interactivity
// endpoints, /healthz, /metrics and the article pages that citations of
// URL-less articles link to. Every request is acknowledged at once; answers
// are produced in tracked goroutines that Run drains on shutdown.
package slack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/retrieval"
)

const (
	// dedupeTTL is how long event, command and action ids are remembered:
	// Slack retries an event three times within about five minutes.
	dedupeTTL = time.Hour
	dedupeMax = 100_000
	// convTTL is how long the bot remembers a thread's turns, and so
	// answers un-mentioned follow-ups in it.
	convTTL = 24 * time.Hour
	convMax = 20_000
	// dmContextWindow: top-level DM questions use earlier DM turns as
	// context only when the last one is this recent.
	dmContextWindow = 30 * time.Minute
	// answerTTL is how long Share and feedback buttons find their answer.
	answerTTL = 24 * time.Hour
	answerMax = 20_000
	// maxTurns bounds the history passed to the rewriter and answerer.
	maxTurns = 6
	// maxBody bounds request bodies from Slack.
	maxBody = 1 << 20
	// maxHeaderBytes bounds request headers (net/http's default is 1 MiB).
	maxHeaderBytes = 64 << 10
	// authTimeout bounds the start-up auth.test.
	authTimeout = 30 * time.Second
	// streamEvery throttles progressive updates of a streamed answer.
	streamEvery = time.Second
)

// Server is the Slack adapter. Create it with New; run it with Run, or
// mount Handler in another HTTP server.
type Server struct {
	cfg    Config
	ans    bot.Answerer
	rw     bot.Rewriter
	search retrieval.Searcher
	log    *slog.Logger
	api    *webAPI
	m      *metricSet
	mux    *http.ServeMux

	seen     *dedupe
	convs    *ttlCache[convState]
	answers  *ttlCache[*storedAnswer]
	limiter  *rateLimiter
	allow    map[string]bool
	feedback *feedbackLog
	gate     *bodyGate // bounds request bodies read before their signature is checked

	idMu sync.Mutex
	id   *identity

	// Answers run on workCtx, not on Run's context, so that cancelling
	// Run lets them finish (drain); workCancel aborts them when the drain
	// time is up.
	workCtx    context.Context
	workCancel context.CancelFunc
	wg         sync.WaitGroup
	spawnMu    sync.RWMutex // orders spawn's wg.Add before drain's Wait
	closing    bool

	socketUp    atomic.Bool
	addr        atomic.Value // string: the HTTP listener's address once listening
	streamEvery time.Duration
	noSecretLog sync.Once
}

// identity is who the bot is, from auth.test.
type identity struct {
	UserID, BotID, Team, TeamID string
	User                        string // the bot user's name
}

// convState is the remembered conversation of one thread (or DM).
type convState struct {
	Turns   []bot.Turn
	Updated time.Time
}

// storedAnswer is what the Share and feedback buttons refer to.
type storedAnswer struct {
	Question string // as asked
	Answer   *bot.Answer
	Channel  string
	User     string
}

// New returns a Server. ans is required; rw may be nil (follow-ups are
// then searched as asked, with History still passed to ans); s may be nil
// (no article pages, placeholder without a count). New makes no network
// calls: Run checks the tokens.
func New(cfg Config, ans bot.Answerer, rw bot.Rewriter, s retrieval.Searcher, log *slog.Logger) (*Server, error) {
	if ans == nil {
		return nil, errors.New("slack: New: nil Answerer")
	}
	if log == nil {
		log = slog.Default()
	}
	cfg = cfg.withDefaults()
	m := newMetricSet()
	srv := &Server{
		cfg:         cfg,
		ans:         ans,
		rw:          rw,
		search:      s,
		log:         log,
		api:         newWebAPI(cfg, log, m),
		m:           m,
		seen:        &dedupe{mem: newTTLCache[struct{}](dedupeTTL, dedupeMax), durable: cfg.Dedupe, log: log},
		convs:       newTTLCache[convState](convTTL, convMax),
		answers:     newTTLCache[*storedAnswer](answerTTL, answerMax),
		limiter:     newRateLimiter(cfg.RatePerUser, cfg.RateWindow),
		feedback:    &feedbackLog{path: cfg.FeedbackLog},
		gate:        newBodyGate(maxBodyReads, maxBufferedBytes),
		streamEvery: streamEvery,
	}
	if len(cfg.AllowChannels) > 0 {
		srv.allow = map[string]bool{}
		for _, c := range cfg.AllowChannels {
			srv.allow[c] = true
		}
	}
	m.set.NewGauge(`newsdesk_slack_http_body_reads`, func() float64 { return float64(srv.gate.reading()) })
	m.set.NewGauge(`newsdesk_index_articles`, func() float64 { return float64(srv.articleCount()) })
	if st, ok := s.(interface{ Stats() retrieval.Stats }); ok {
		m.set.NewGauge(`newsdesk_index_chunks`, func() float64 { return float64(st.Stats().Chunks) })
	}
	srv.workCtx, srv.workCancel = context.WithCancel(context.Background())
	srv.mux = srv.routes()
	return srv, nil
}

// Handler returns the HTTP routes: POST /slack/events, /slack/commands,
// /slack/interactions (signature-checked), GET /healthz, /metrics and
// /articles/{id}. Mounted elsewhere, it works without Run: the bot
// identifies itself (auth.test) on the first event.
func (s *Server) Handler() http.Handler { return s.mux }

// Addr is the HTTP listener's address once Run is listening, else "".
func (s *Server) Addr() string {
	a, _ := s.addr.Load().(string)
	return a
}

// Run checks the bot token (auth.test), then serves Socket Mode when
// AppToken is set and HTTP when HTTPAddr is set (both may run). It returns
// a start-up error at once (bad token, port in use), a fatal Socket Mode
// error (bad app token), or nil after ctx is cancelled and in-flight
// answers have drained (at most DrainTimeout, then they are cancelled).
func (s *Server) Run(ctx context.Context) error {
	defer s.workCancel()
	switch {
	case s.cfg.BotToken == "":
		return errors.New("slack: SLACK_BOT_TOKEN is not set")
	case s.cfg.AppToken == "" && s.cfg.HTTPAddr == "":
		return errors.New("slack: nothing to serve: set SLACK_APP_TOKEN (Socket Mode) or --http ADDR (HTTP mode)")
	case s.cfg.AppToken == "" && s.cfg.SigningSecret == "":
		return errors.New("slack: HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)")
	}
	actx, cancel := context.WithTimeout(ctx, authTimeout)
	id, err := s.identity(actx)
	cancel()
	if err != nil {
		return err
	}
	s.logStart(id)

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 2)

	var srv *http.Server
	if s.cfg.HTTPAddr != "" {
		ln, err := net.Listen("tcp", s.cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("slack: listen %s: %w", s.cfg.HTTPAddr, err)
		}
		s.addr.Store(ln.Addr().String())
		srv = &http.Server{
			Handler: s.mux,
			// Slack's requests are small and quick: a slow sender holds a
			// body-read slot (see bodyGate) for at most ReadTimeout.
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       15 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    maxHeaderBytes,
		}
		if s.cfg.SigningSecret == "" {
			s.log.Warn("slack: SLACK_SIGNING_SECRET not set: /slack/* HTTP routes will answer 401")
		}
		s.log.Info("slack: HTTP listening", "addr", ln.Addr().String())
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("slack: http: %w", err)
			}
		}()
	}
	sockDone := make(chan struct{})
	if s.cfg.AppToken != "" {
		go func() {
			defer close(sockDone)
			if err := s.runSocket(runCtx); err != nil {
				errc <- err
			}
		}()
	} else {
		close(sockDone)
	}

	var runErr error
	select {
	case <-ctx.Done():
		s.log.Info("slack: shutting down", "in_flight", s.m.inflight.Load())
	case runErr = <-errc:
	}
	stop()
	if srv != nil {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := srv.Shutdown(sctx); err != nil {
			s.log.Warn("slack: http shutdown", "err", err)
		}
		scancel()
	}
	select {
	case <-sockDone:
	case <-time.After(5 * time.Second):
		s.log.Warn("slack: socket mode did not stop in time")
	}
	s.drain()
	return runErr
}

// drain waits for in-flight answers, at most DrainTimeout; then it
// cancels them and waits a little for their apologies to be posted.
func (s *Server) drain() {
	s.spawnMu.Lock()
	s.closing = true
	s.spawnMu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(s.cfg.DrainTimeout)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	}
	s.log.Warn("slack: drain timed out, cancelling answers", "in_flight", s.m.inflight.Load())
	s.workCancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}

// identity returns the bot's identity, calling auth.test the first time
// (and again after a failure).
func (s *Server) identity(ctx context.Context) (identity, error) {
	s.idMu.Lock()
	defer s.idMu.Unlock()
	if s.id != nil {
		return *s.id, nil
	}
	r, err := s.api.authTest(ctx)
	if err != nil {
		return identity{}, authError(err)
	}
	s.id = &identity{UserID: r.UserID, BotID: r.BotID, Team: r.Team, TeamID: r.TeamID, User: r.User}
	return *s.id, nil
}

// authError turns an auth.test failure into a start-up message that says
// what to fix; it never contains the token.
func authError(err error) error {
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) {
		return fmt.Errorf("slack: auth.test: %s (check SLACK_BOT_TOKEN)", se.Err)
	}
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) {
		return fmt.Errorf("slack: auth.test: HTTP %d (check SLACK_API_URL)", sc.Code)
	}
	if inner := errors.Unwrap(err); inner != nil {
		err = inner // drop webAPI's "auth.test:" prefix
	}
	return fmt.Errorf("slack: auth.test: %w", err)
}

// knownBotUser is the bot's user ID if auth.test has run, else "".
func (s *Server) knownBotUser() string {
	s.idMu.Lock()
	defer s.idMu.Unlock()
	if s.id == nil {
		return ""
	}
	return s.id.UserID
}

// spawn runs f on the work context, tracked for draining. A panic in f is
// logged, not fatal. Once Run has started draining (its listeners are
// already closed by then) new work is refused.
func (s *Server) spawn(task string, f func(ctx context.Context)) {
	s.spawnMu.RLock()
	defer s.spawnMu.RUnlock()
	if s.closing {
		s.log.Warn("slack: shutting down; not starting", "task", task)
		return
	}
	s.wg.Add(1)
	s.m.inflight.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.m.inflight.Add(-1)
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("slack: panic", "task", task, "panic", fmt.Sprint(r))
			}
		}()
		f(s.workCtx)
	}()
}

// newID returns a random identifier for stored answers.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newRef returns a short correlation id shown to users in apologies and
// logged with the error.
func newRef() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func itoa(i int) string { return strconv.Itoa(i) }

// articleCount is the number of indexed articles (0 when unknown).
func (s *Server) articleCount() int {
	if s.search == nil {
		return 0
	}
	if c, ok := s.search.(retrieval.Counter); ok {
		return c.ArticleCount() // without listing a remote archive
	}
	return len(s.search.Articles())
}

// searchingText is the placeholder shown while an answer is produced.
func (s *Server) searchingText() string {
	switch n := s.articleCount(); n {
	case 0:
		return "Searching the archive…"
	case 1:
		return "Searching 1 article…"
	default:
		return fmt.Sprintf("Searching %d articles…", n)
	}
}

// startLine is the line serve logs (at INFO) once the bot token checks
// out: "connected as @newsdesk (U…) to workspace Newsroom (T…) · Socket
// Mode + HTTP on :8080 · 1,234 articles · index …".
func (s *Server) startLine(id identity) string {
	var modes []string
	if s.cfg.AppToken != "" {
		modes = append(modes, "Socket Mode")
	}
	if s.cfg.HTTPAddr != "" {
		modes = append(modes, "HTTP on "+s.cfg.HTTPAddr)
	}
	name := id.User
	if name == "" {
		name = id.UserID
	}
	line := fmt.Sprintf("connected as @%s (%s) to workspace %s (%s) · %s · %s",
		name, id.UserID, id.Team, id.TeamID, strings.Join(modes, " + "), plural(s.articleCount(), "article"))
	if s.cfg.Backend != "" {
		line += " · " + s.cfg.Backend
	}
	return line
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// logStart logs the start-up line and warns when citations cannot link
// to article pages.
func (s *Server) logStart(id identity) {
	s.log.Info("newsdesk: " + s.startLine(id))
	for _, w := range s.linkWarnings() {
		s.log.Warn("newsdesk: " + w)
	}
}

// linkWarnings explains, at start-up, which citations will have no link:
// articles without a URL of their own need NEWSDESK_PUBLIC_URL and this
// server's HTTP article pages. The Context button works regardless.
func (s *Server) linkWarnings() []string {
	var out []string
	noURL, total := 0, 0
	if s.search != nil {
		for _, a := range s.search.Articles() {
			total++
			if !bot.IsWebURL(a.URL) {
				noURL++
			}
		}
	}
	switch {
	case s.cfg.PublicURL == "" && noURL > 0:
		out = append(out, fmt.Sprintf("%d of %s have no URL of their own: their citations get no link, only the Context button (the source in a pop-up). To link them to article pages, run serve with --http and set NEWSDESK_PUBLIC_URL to the address Slack users reach it at.", noURL, plural(total, "article")))
	case s.cfg.PublicURL != "" && s.cfg.HTTPAddr == "":
		out = append(out, "NEWSDESK_PUBLIC_URL is set but serve has no --http: citations link to "+s.cfg.PublicURL+"/articles/…, which only works if another `newsdesk serve --http` answers there.")
	}
	return out
}
