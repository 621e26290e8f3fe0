package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// fatalConnErrors are apps.connections.open errors that retrying cannot
// fix: the app token is wrong.
var fatalConnErrors = map[string]bool{
	"invalid_auth": true, "not_authed": true, "not_allowed_token_type": true,
	"token_revoked": true, "token_expired": true, "account_inactive": true, "missing_scope": true,
}

func appTokenError(code string) error {
	return fmt.Errorf("slack: apps.connections.open: %s (check SLACK_APP_TOKEN: an app-level token xapp-… with the connections:write scope)", code)
}

// runSocket serves Socket Mode until ctx is cancelled (nil) or the app
// token is rejected (an error). slack-go reconnects by itself on network
// errors and Slack's disconnect requests.
func (s *Server) runSocket(ctx context.Context) error {
	sm := socketmode.New(s.api.c, socketmode.OptionLog(slogAdapter{s.log}))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(ctx) }()
	defer s.socketUp.Store(false)

	var fatal error
	for {
		select {
		case err := <-errc:
			if fatal != nil {
				return fatal
			}
			if ctx.Err() != nil {
				return nil
			}
			var se slackapi.SlackErrorResponse
			if errors.As(err, &se) {
				return appTokenError(se.Err)
			}
			if err != nil && fatalConnErrors[err.Error()] {
				return appTokenError(err.Error())
			}
			return fmt.Errorf("slack: socket mode: %w", err)
		case evt := <-sm.Events:
			if err := s.handleSocketEvent(sm, evt); err != nil && fatal == nil {
				fatal = err
				cancel() // RunContext returns; we report fatal
			}
		}
	}
}

// handleSocketEvent acknowledges and dispatches one Socket Mode event. It
// returns an error only for fatal connection errors.
func (s *Server) handleSocketEvent(sm *socketmode.Client, evt socketmode.Event) error {
	ack := func(payload any) {
		if evt.Request == nil || evt.Request.EnvelopeID == "" {
			return
		}
		var err error
		if payload != nil {
			err = sm.Ack(*evt.Request, payload)
		} else {
			err = sm.Ack(*evt.Request)
		}
		if err != nil {
			s.log.Warn("slack: socket ack failed", "type", string(evt.Type), "err", err)
		}
	}
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		s.log.Debug("slack: socket mode connecting")
	case socketmode.EventTypeConnected:
		s.socketUp.Store(true)
		s.log.Info("slack: socket mode connected")
	case socketmode.EventTypeHello:
		s.log.Debug("slack: socket mode hello")
	case socketmode.EventTypeDisconnect:
		s.socketUp.Store(false)
		s.log.Info("slack: socket mode disconnect requested; reconnecting")
	case socketmode.EventTypeInvalidAuth:
		return appTokenError("invalid_auth")
	case socketmode.EventTypeConnectionError:
		s.socketUp.Store(false)
		if ce, ok := evt.Data.(*slackapi.ConnectionErrorEvent); ok && ce.ErrorObj != nil {
			var se slackapi.SlackErrorResponse
			if errors.As(ce.ErrorObj, &se) && fatalConnErrors[se.Err] {
				return appTokenError(se.Err)
			}
			if fatalConnErrors[ce.ErrorObj.Error()] {
				return appTokenError(ce.ErrorObj.Error())
			}
			s.log.Warn("slack: socket mode connection error; retrying", "attempt", ce.Attempt, "backoff", ce.Backoff, "err", ce.ErrorObj.Error())
		}
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		s.log.Warn("slack: socket mode error", "type", string(evt.Type))
	case socketmode.EventTypeErrorBadMessage:
		// Unparsable (e.g. an event type slack-go does not know): still
		// acknowledge, or Slack redelivers it.
		if bm, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var env struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(bm.Message, &env) == nil && env.EnvelopeID != "" {
				if err := sm.Ack(socketmode.Request{EnvelopeID: env.EnvelopeID}); err != nil {
					s.log.Warn("slack: socket ack failed", "err", err)
				}
			}
			s.log.Debug("slack: unhandled socket message", "err", bm.Cause)
		}
	case socketmode.EventTypeEventsAPI:
		ack(nil)
		s.m.request("socket_events")
		if e, ok := evt.Data.(slackevents.EventsAPIEvent); ok && e.Type == slackevents.CallbackEvent {
			s.dispatchEvent(e)
		}
	case socketmode.EventTypeSlashCommand:
		s.m.request("socket_commands")
		cmd, ok := evt.Data.(slackapi.SlashCommand)
		if !ok {
			ack(nil)
			return nil
		}
		if a := s.handleSlash(cmd); a != nil {
			ack(a)
		} else {
			ack(nil)
		}
	case socketmode.EventTypeInteractive:
		ack(nil)
		s.m.request("socket_interactions")
		if cb, ok := evt.Data.(slackapi.InteractionCallback); ok {
			s.dispatchInteraction(cb)
		}
	}
	return nil
}
