package slack

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/newsdesk/newsdesk/retrieval"
)

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/events", s.handleEvents)
	mux.HandleFunc("POST /slack/commands", s.handleCommands)
	mux.HandleFunc("POST /slack/interactions", s.handleInteractions)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	mux.HandleFunc("GET /articles/{id}", s.handleArticle)
	return mux
}

// verified reads the body of a request from Slack and checks its
// signature and timestamp (slack.NewSecretsVerifier: HMAC-SHA256 with the
// signing secret, at most five minutes old). On failure it answers (401,
// 413, 503) and returns false: nothing of the request is processed.
//
// What can be checked without the body is checked first: no signing
// secret, a missing or malformed X-Slack-Signature, a missing or stale
// X-Slack-Request-Timestamp, or a Content-Length over maxBody is refused
// before a byte of the body is read. Bodies are then read through
// s.gate, which bounds the bodies read at once and the bytes they hold;
// over those bounds the request gets 503 at once. The caller must call
// release when done with body.
func (s *Server) verified(w http.ResponseWriter, r *http.Request) (body []byte, release func(), ok bool) {
	if s.cfg.SigningSecret == "" {
		s.noSecretLog.Do(func() {
			s.log.Error("slack: request rejected: SLACK_SIGNING_SECRET is not set")
		})
		s.m.badSignature.Inc()
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, nil, false
	}
	sv, err := slackapi.NewSecretsVerifier(r.Header, s.cfg.SigningSecret)
	if err != nil {
		s.m.badSignature.Inc()
		s.log.Warn("slack: request rejected", "path", r.URL.Path, "reason", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, nil, false
	}
	if r.ContentLength > maxBody {
		s.m.rejected("too_large")
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return nil, nil, false
	}
	body, release, err = s.gate.read(w, r, maxBody)
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.Is(err, errBusy):
			s.m.rejected("busy")
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case errors.As(err, &mbe):
			s.m.rejected("too_large")
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		default:
			http.Error(w, "cannot read request", http.StatusBadRequest)
		}
		return nil, nil, false
	}
	_, _ = sv.Write(body)
	if err := sv.Ensure(); err != nil {
		release()
		s.m.badSignature.Inc()
		s.log.Warn("slack: request rejected", "path", r.URL.Path, "reason", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, nil, false
	}
	return body, release, true
}

// handleEvents is the Events API endpoint: url_verification is answered,
// events are acknowledged at once (Slack wants 200 within three seconds)
// and handled afterwards; retries are deduplicated by event_id.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	body, release, ok := s.verified(w, r)
	if !ok {
		return
	}
	defer release()
	s.m.request("events")
	e, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		if !json.Valid(body) {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		// An event type we do not handle: acknowledge so Slack does not retry.
		s.log.Debug("slack: unhandled event", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	switch e.Type {
	case slackevents.URLVerification:
		v, _ := e.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if v == nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, v.Challenge)
		return
	case slackevents.AppRateLimited:
		s.log.Warn("slack: Slack is rate-limiting this app's events")
	case slackevents.CallbackEvent:
		if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
			s.log.Debug("slack: event retry", "retry", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
		}
		s.dispatchEvent(e)
	}
	w.WriteHeader(http.StatusOK)
}

// handleCommands is the slash command endpoint (/ask).
func (s *Server) handleCommands(w http.ResponseWriter, r *http.Request) {
	body, release, ok := s.verified(w, r)
	if !ok {
		return
	}
	defer release()
	s.m.request("commands")
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	cmd := slackapi.SlashCommand{
		TeamID:      form.Get("team_id"),
		ChannelID:   form.Get("channel_id"),
		ChannelName: form.Get("channel_name"),
		UserID:      form.Get("user_id"),
		UserName:    form.Get("user_name"),
		Command:     form.Get("command"),
		Text:        form.Get("text"),
		ResponseURL: form.Get("response_url"),
		TriggerID:   form.Get("trigger_id"),
		APIAppID:    form.Get("api_app_id"),
	}
	ack := s.handleSlash(cmd)
	if ack == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, ack)
}

// handleInteractions is the interactivity endpoint (button clicks).
func (s *Server) handleInteractions(w http.ResponseWriter, r *http.Request) {
	body, release, ok := s.verified(w, r)
	if !ok {
		return
	}
	defer release()
	s.m.request("interactions")
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var cb slackapi.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	s.dispatchInteraction(cb)
	w.WriteHeader(http.StatusOK)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	h := map[string]any{
		"status":      "ok",
		"articles":    s.articleCount(),
		"socket_mode": s.cfg.AppToken != "",
		"socket_up":   s.socketUp.Load(),
		"in_flight":   s.m.inflight.Load(),
	}
	if hr, ok := s.search.(retrieval.HealthReporter); ok {
		// The index backend: embedded, or Weaviate's nodes and shards.
		h["index"] = hr.Health(r.Context())
	}
	if g, ok := s.search.(generationer); ok {
		gen, changed := g.Generation()
		h["generation"] = gen
		if !changed.IsZero() {
			h["last_change"] = changed.UTC().Format(time.RFC3339)
		}
	}
	writeJSON(w, h)
}

// generationer is a searcher that knows which archive state it serves
// (retrieval.Live, retrieval.Index): the article store's change counter
// and the time of the last change, shown by /healthz.
type generationer interface {
	Generation() (uint64, time.Time)
}

func (s *Server) handleMetrics(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.m.set.WritePrometheus(w)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
