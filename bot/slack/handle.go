package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/newsdesk/newsdesk/bot"
)

// usageText answers `/ask help`, an empty /ask and an empty mention.
const usageText = `*Newsdesk* answers questions about the news archive with verbatim quotes and links.
• Mention me in a channel: ` + "`@newsdesk what did officials say about …?`" + ` I answer in the thread; for a follow-up, mention me again in the thread (I keep its context).
• Send me a direct message; reply in the thread of an answer for follow-ups (a new top-level message is a new question).
• Start a message with “new question” (or “start over”) to drop the earlier context.
• ` + "`/ask QUESTION`" + `: only you see the answer; click *Share in channel* to post it.
• Click *Context* under an answer to read the quoted paragraph in its article.`

// incoming is a chat message that may be a question for the bot.
type incoming struct {
	Channel, ChannelType string
	User, BotID, SubType string
	Text, TS, ThreadTS   string
	Mentioned            bool // app_mention, or text mentions the bot
	Edited               bool
}

// dispatchEvent handles an Events API event after it was acknowledged. It
// deduplicates by event_id (Slack retries, Socket Mode redeliveries) and
// never blocks: the work runs in a tracked goroutine.
func (s *Server) dispatchEvent(e slackevents.EventsAPIEvent) {
	if cb, ok := e.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
		if s.seen.Seen("event:" + cb.EventID) {
			s.m.duplicates.Inc()
			s.log.Debug("slack: duplicate event", "event_id", cb.EventID)
			return
		}
	}
	var in incoming
	switch ev := e.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		in = incoming{Channel: ev.Channel, User: ev.User, BotID: ev.BotID, Text: ev.Text,
			TS: ev.TimeStamp, ThreadTS: ev.ThreadTimeStamp, Mentioned: true, Edited: ev.Edited != nil}
	case *slackevents.MessageEvent:
		in = incoming{Channel: ev.Channel, ChannelType: ev.ChannelType, User: ev.User, BotID: ev.BotID,
			SubType: ev.SubType, Text: ev.Text, TS: ev.TimeStamp, ThreadTS: ev.ThreadTimeStamp}
	default:
		return
	}
	if ignorable(in) {
		return
	}
	s.spawn("message", func(ctx context.Context) { s.handleMessage(ctx, in) })
}

// ignorable drops what is never a question: bot messages (ours and
// others'), edits, deletions and other message subtypes.
func ignorable(in incoming) bool {
	if in.BotID != "" || in.User == "" || in.Edited || in.Channel == "" || in.TS == "" {
		return true
	}
	switch in.SubType {
	case "", "thread_broadcast", "file_share":
		return false
	}
	return true // bot_message, message_changed, message_deleted, channel_join, …
}

func isDM(channel, channelType string) bool {
	return channelType == "im" || (channelType == "" && strings.HasPrefix(channel, "D"))
}

func (s *Server) channelAllowed(channel string) bool {
	return s.allow == nil || s.allow[channel] || strings.HasPrefix(channel, "D")
}

// where says where a question is answered and which conversation it
// belongs to.
type where struct {
	Channel  string
	ThreadTS string // "" = top level (DMs)
	User     string
	ConvKey  string
	DM       bool
}

// handleMessage decides whether in is a question for the bot and answers
// it: mentions in channels (in the thread), DMs, and un-mentioned replies
// in threads the bot has answered.
func (s *Server) handleMessage(ctx context.Context, in incoming) {
	id, err := s.identity(ctx)
	if err != nil {
		s.log.Error("slack: cannot identify bot", "err", err)
		return
	}
	if in.User == id.UserID {
		return // our own message
	}
	if !in.Mentioned && id.UserID != "" && strings.Contains(in.Text, "<@"+id.UserID) {
		in.Mentioned = true
	}
	inThread := in.ThreadTS != "" && in.ThreadTS != in.TS
	w := where{Channel: in.Channel, User: in.User, DM: isDM(in.Channel, in.ChannelType)}
	switch {
	case w.DM && inThread:
		w.ThreadTS = in.ThreadTS
		w.ConvKey = in.Channel + "/" + in.ThreadTS
	case w.DM:
		// A top-level DM is a new conversation; replies in its thread
		// (or in the answer's) continue it.
		w.ConvKey = in.Channel + "/" + in.TS
	default:
		w.ThreadTS = in.TS
		if inThread {
			w.ThreadTS = in.ThreadTS
		}
		w.ConvKey = in.Channel + "/" + w.ThreadTS
	}
	conv, known := s.convs.Get(w.ConvKey)
	var surface string
	switch {
	case w.DM:
		surface = "dm"
	case in.Mentioned:
		surface = "mention"
	case inThread && known && !s.cfg.ThreadFollowupsNeedMention && !chatter(in.Text):
		surface = "thread"
	default:
		return // channel chatter
	}
	// app_mention and message.channels both report a mention: one answer.
	if s.seen.Seen("msg:" + in.Channel + ":" + in.TS) {
		s.m.duplicates.Inc()
		return
	}
	s.m.question(surface)
	log := s.log.With("channel", in.Channel, "user", in.User, "ts", in.TS, "surface", surface)

	if !s.channelAllowed(in.Channel) {
		s.m.deniedChannel.Inc()
		s.notify(ctx, w, "Sorry — I'm not enabled in this channel. You can ask me in a direct message.")
		return
	}
	if ok, wait, tell := s.limiter.Allow(in.User); !ok {
		s.m.rateLimited.Inc()
		if tell {
			s.notify(ctx, w, fmt.Sprintf("You're asking faster than I can keep up — please try again in %s.", roundUp(wait)))
		}
		return
	}
	q := cleanQuestion(in.Text, id.UserID)
	q, fresh := startOver(q)
	if fresh {
		// "new question …": the conversation starts over here.
		s.convs.Put(w.ConvKey, convState{Updated: time.Now()})
		if q == "" {
			s.reply(ctx, w, renderNotice("OK — starting over. What's your question?"))
			return
		}
	}
	if q == "" || isHelp(q) {
		s.reply(ctx, w, renderNotice(usageText))
		return
	}
	var history []bot.Turn
	switch {
	case fresh:
	case known:
		history = conv.Turns
	case inThread:
		// A thread we have no record of (a mention in a colleagues'
		// thread, or one we answered before a restart): read it.
		history = s.threadHistory(ctx, in.Channel, in.ThreadTS, in.TS, id)
	}
	log.Info("slack: question", "len", len(q), "history", len(history))
	s.answer(ctx, w, q, history, log)
}

// startOverPhrases open a message that drops the earlier context.
var startOverPhrases = []string{"new question", "new q", "start over", "start again"}

// startOver reports whether q begins with a start-over phrase ("new
// question: who is Girkin?") and returns the rest of the question.
func startOver(q string) (string, bool) {
	low := strings.ToLower(q)
	for _, p := range startOverPhrases {
		if !strings.HasPrefix(low, p) {
			continue
		}
		rest := q[len(p):]
		if r, _ := utf8.DecodeRuneInString(rest); rest != "" && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			continue // "new questions about …", "new quarterly …"
		}
		return strings.TrimSpace(strings.TrimLeft(rest, " \t\n:;,.!-—–")), true
	}
	return q, false
}

// acknowledgements are thread replies that are not questions.
var acknowledgements = map[string]bool{
	"thanks": true, "thank you": true, "thx": true, "ty": true, "ok": true, "okay": true, "great": true,
	"nice": true, "cool": true, "got it": true, "perfect": true, "👍": true, ":+1:": true, ":thumbsup:": true,
	"🙏": true, ":pray:": true,
}

// chatter reports whether an un-mentioned reply in a thread the bot
// answered is meant for people, not the bot: it addresses someone else
// (<@U…>), is empty, or is a bare acknowledgement ("thanks!").
func chatter(text string) bool {
	if strings.Contains(text, "<@") {
		return true // mentions someone; a mention of the bot is handled before
	}
	t := strings.ToLower(strings.Trim(strings.TrimSpace(text), " !.,"))
	return t == "" || acknowledgements[t]
}

func isHelp(q string) bool {
	q = strings.ToLower(strings.Trim(q, " ?!."))
	return q == "help" || q == "usage"
}

// roundUp formats a wait for humans, in whole seconds (at least 1s).
func roundUp(d time.Duration) time.Duration {
	return time.Duration(math.Ceil(max(d.Seconds(), 1))) * time.Second
}

// notify tells the user something only they need to see (rate limit,
// channel not allowed): ephemeral, else a reply.
func (s *Server) notify(ctx context.Context, w where, text string) {
	m := renderNotice(text)
	if err := s.api.ephemeral(ctx, w.Channel, w.User, w.ThreadTS, m); err != nil {
		s.log.Warn("slack: ephemeral notice failed, replying instead", "channel", w.Channel, "err", err)
		s.reply(ctx, w, m)
	}
}

// reply posts m where the question was asked.
func (s *Server) reply(ctx context.Context, w where, m outMessage) string {
	ts, err := s.api.post(ctx, w.Channel, w.ThreadTS, m)
	if err != nil {
		s.log.Error("slack: post failed", "channel", w.Channel, "err", err)
	}
	return ts
}

// threadHistory reads a thread (conversations.replies) and turns the
// messages before currentTS into turns: a person's message is a question,
// the bot's next message its answer. Other bots are skipped.
func (s *Server) threadHistory(ctx context.Context, channel, rootTS, currentTS string, id identity) []bot.Turn {
	msgs, err := s.api.replies(ctx, channel, rootTS)
	if err != nil {
		s.log.Warn("slack: cannot read thread for context", "channel", channel, "err", err)
		return nil
	}
	cur := tsValue(currentTS)
	var turns []bot.Turn
	for _, m := range msgs {
		if m.Timestamp == currentTS || (cur > 0 && tsValue(m.Timestamp) >= cur) {
			break
		}
		fromBot := (id.UserID != "" && m.User == id.UserID) || (id.BotID != "" && m.BotID == id.BotID)
		switch {
		case fromBot:
			a := truncate(strings.TrimSpace(unescaper.Replace(m.Text)), 1000)
			if a == "" || strings.HasPrefix(a, "Searching ") {
				continue
			}
			if n := len(turns); n > 0 && turns[n-1].Answer == "" {
				turns[n-1].Answer = a
			} else {
				turns = append(turns, bot.Turn{Answer: a})
			}
		case m.BotID != "" || m.SubType != "":
			continue
		default:
			if q := cleanQuestion(m.Text, id.UserID); q != "" {
				turns = append(turns, bot.Turn{Question: truncate(q, 1000)})
			}
		}
	}
	if len(turns) > maxTurns {
		turns = turns[len(turns)-maxTurns:]
	}
	return turns
}

// tsValue parses a Slack ts ("1700000000.000100"); 0 when invalid.
func tsValue(ts string) float64 {
	v, err := strconv.ParseFloat(ts, 64)
	if err != nil {
		return 0
	}
	return v
}

// answer runs the whole answer flow in a thread or DM: placeholder at
// once, follow-up rewrite, the answer (streamed into the placeholder when
// the answerer streams), then the rendered answer in place of the
// placeholder; an apology with a correlation id on failure.
func (s *Server) answer(ctx context.Context, w where, question string, history []bot.Turn, log *slog.Logger) {
	start := time.Now()
	phTS := s.reply(ctx, w, renderNotice(s.searchingText()))

	actx, cancel := context.WithTimeout(ctx, s.cfg.AnswerTimeout)
	defer cancel()
	standalone := s.standalone(actx, question, history)
	understood := bot.UnderstoodAs(question, standalone)

	var st *streamer
	req := bot.Request{Question: standalone, History: history}
	if phTS != "" {
		st = s.startStreamer(ctx, w.Channel, phTS)
		req.OnPartial = st.set
	}
	a, err := s.safeAnswer(actx, req)
	if st != nil {
		st.stop()
	}
	s.m.answerSeconds.UpdateDuration(start)

	// Deliver even when the work context was cancelled (drain time up):
	// the apology must still replace the placeholder.
	dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), 2*apiTimeout)
	defer dcancel()
	if err != nil {
		msg, outcome, ref := s.apology(actx, err)
		s.m.answer(outcome)
		log.Error("slack: answer failed", "ref", ref, "err", err)
		if _, n := s.deliver(dctx, w, phTS, []outMessage{renderNotice(msg)}); n == 0 {
			log.Error("slack: apology not delivered", "ref", ref)
		}
		return
	}
	a.Understood = understood
	s.countFallback(a)

	answerID := newID()
	s.answers.Put(answerID, &storedAnswer{Question: question, Answer: a, Channel: w.Channel, User: w.User})
	msgs := renderAnswer(a, renderOpts{AnswerID: answerID, PublicURL: s.cfg.PublicURL})
	firstTS, delivered := s.deliver(dctx, w, phTS, msgs)
	outcome := deliveredOutcome(a, delivered, len(msgs))
	s.m.answer(outcome)
	if delivered == 0 {
		log.Error("slack: answer not delivered", "outcome", outcome, "messages", len(msgs))
		return
	}

	turn := bot.Turn{Question: standalone, Answer: truncate(leadText(a), 1000)}
	s.remember(w.ConvKey, turn)
	if w.DM && w.ThreadTS == "" && firstTS != "" {
		// A reply in the thread of this answer continues the conversation.
		s.remember(w.Channel+"/"+firstTS, turn)
	}
	log.Info("slack: answered", "outcome", outcome, "citations", len(a.Citations), "took", time.Since(start).Round(time.Millisecond))
}

// deliveredOutcome is the metrics outcome of an answer of total messages
// of which delivered reached Slack: what the user saw, not what was
// produced.
func deliveredOutcome(a *bot.Answer, delivered, total int) string {
	switch {
	case delivered == 0:
		return "delivery_failed"
	case delivered < total:
		return "partly_delivered"
	case a.Abstained:
		return "abstained"
	}
	return "answered"
}

// apology is the message shown for a failed answer, its metrics outcome
// and the correlation id logged with the error.
func (s *Server) apology(actx context.Context, err error) (msg, outcome, ref string) {
	ref = newRef()
	switch {
	case s.workCtx.Err() != nil:
		return "Sorry — I was restarted before I could answer (ref " + ref + "). Please ask again.", "cancelled", ref
	case errors.Is(err, context.DeadlineExceeded) && actx.Err() != nil:
		return "Sorry — that took too long (ref " + ref + ").", "timeout", ref
	}
	return "Sorry — something went wrong (ref " + ref + ").", "error", ref
}

// remember appends a turn to a conversation.
func (s *Server) remember(key string, t bot.Turn) {
	s.convs.Update(key, func(c convState, _ bool) convState {
		turns := append(append([]bot.Turn(nil), c.Turns...), t)
		if len(turns) > maxTurns {
			turns = turns[len(turns)-maxTurns:]
		}
		return convState{Turns: turns, Updated: time.Now()}
	})
}

// standalone rewrites a follow-up into a standalone question; the
// question as asked when there is no history, no rewriter, or it fails.
func (s *Server) standalone(ctx context.Context, q string, history []bot.Turn) string {
	if len(history) == 0 || s.rw == nil {
		return q
	}
	out, err := func() (out string, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("rewriter panic: %v", r)
			}
		}()
		return s.rw.Standalone(ctx, q, history)
	}()
	if err != nil {
		s.log.Warn("slack: follow-up rewrite failed; searching the question as asked", "err", err)
		return q
	}
	if out = strings.TrimSpace(out); out == "" {
		return q
	}
	return out
}

// safeAnswer calls the answerer, turning a panic or a nil answer into an
// error.
func (s *Server) safeAnswer(ctx context.Context, req bot.Request) (a *bot.Answer, err error) {
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, fmt.Errorf("answerer panic: %v", r)
		}
	}()
	a, err = s.ans.Answer(ctx, req)
	if err == nil && a == nil {
		err = errors.New("answerer returned no answer")
	}
	return a, err
}

// deliver shows msgs: the first replaces the placeholder (or is posted
// when there is none or the update fails, and then the placeholder is
// deleted, so no "Searching…" stays behind), the rest follow in the same
// thread. It returns the ts of the first message ("" when it was not
// delivered) and how many messages were delivered.
func (s *Server) deliver(ctx context.Context, w where, phTS string, msgs []outMessage) (first string, delivered int) {
	for i, m := range msgs {
		if i == 0 && phTS != "" {
			err := s.api.update(ctx, w.Channel, phTS, m)
			if err == nil {
				first = phTS
				delivered++
				continue
			}
			s.log.Warn("slack: updating placeholder failed, posting instead", "channel", w.Channel, "err", err)
			if ts := s.reply(ctx, w, m); ts != "" {
				first = ts
				delivered++
				s.removePlaceholder(ctx, w.Channel, phTS)
			}
			continue
		}
		ts := s.reply(ctx, w, m)
		if ts != "" {
			delivered++
		}
		if i == 0 {
			first = ts
		}
	}
	return first, delivered
}

// removePlaceholder deletes a placeholder whose answer was posted as a
// new message; when it cannot be deleted it is emptied of its
// "Searching…" text instead.
func (s *Server) removePlaceholder(ctx context.Context, channel, ts string) {
	err := s.api.remove(ctx, channel, ts)
	if err == nil {
		return
	}
	s.log.Warn("slack: deleting placeholder failed", "channel", channel, "err", err)
	if err := s.api.update(ctx, channel, ts, renderNotice("(answered below)")); err != nil {
		s.log.Warn("slack: placeholder left behind", "channel", channel, "ts", ts, "err", err)
	}
}

// streamer shows a streamed answer progressively in the placeholder,
// updating it at most once per streamEvery.
type streamer struct {
	mu     sync.Mutex
	text   string
	dirty  bool
	done   chan struct{}
	exited chan struct{}
}

func (s *Server) startStreamer(ctx context.Context, channel, ts string) *streamer {
	st := &streamer{done: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		defer close(st.exited)
		t := time.NewTicker(s.streamEvery)
		defer t.Stop()
		for {
			select {
			case <-st.done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			st.mu.Lock()
			text, dirty := st.text, st.dirty
			st.dirty = false
			st.mu.Unlock()
			if !dirty || strings.TrimSpace(text) == "" {
				continue
			}
			if err := s.api.update(ctx, channel, ts, renderPartial(text)); err != nil {
				s.log.Debug("slack: progressive update failed", "err", err)
			}
		}
	}()
	return st
}

// set records the latest partial text (bot.Request.OnPartial).
func (st *streamer) set(text string) {
	st.mu.Lock()
	st.text, st.dirty = text, true
	st.mu.Unlock()
}

// stop ends the updates and waits for an update in flight, so the final
// answer is never overwritten by a late partial.
func (st *streamer) stop() {
	close(st.done)
	<-st.exited
}

// --- slash commands -------------------------------------------------------

// ackMessage is the immediate response to a slash command, shown to the
// user only.
type ackMessage struct {
	ResponseType string           `json:"response_type,omitempty"`
	Text         string           `json:"text,omitempty"`
	Blocks       []slackapi.Block `json:"blocks,omitempty"`
}

func ephemeralAck(m outMessage) *ackMessage {
	return &ackMessage{ResponseType: responseEphemeral, Text: m.Text, Blocks: m.Blocks}
}

// handleSlash handles /ask: usage, refusals and the placeholder are
// returned as the immediate (ephemeral) response; the answer replaces the
// placeholder later through response_url. A nil result means "acknowledge
// with an empty body" (duplicates).
func (s *Server) handleSlash(cmd slackapi.SlashCommand) *ackMessage {
	if cmd.TriggerID != "" && s.seen.Seen("trigger:"+cmd.TriggerID) {
		s.m.duplicates.Inc()
		return nil
	}
	s.m.question("slash")
	q := cleanQuestion(cmd.Text, s.knownBotUser())
	if q == "" || isHelp(q) {
		return ephemeralAck(renderNotice(usageText))
	}
	if !s.channelAllowed(cmd.ChannelID) {
		s.m.deniedChannel.Inc()
		return ephemeralAck(renderNotice("Sorry — I'm not enabled in this channel. You can ask me in a direct message."))
	}
	if ok, wait, _ := s.limiter.Allow(cmd.UserID); !ok {
		s.m.rateLimited.Inc()
		return ephemeralAck(renderNotice(fmt.Sprintf("You're asking faster than I can keep up — please try again in %s.", roundUp(wait))))
	}
	s.spawn("slash", func(ctx context.Context) { s.answerSlash(ctx, cmd, q) })
	return ephemeralAck(renderNotice(s.searchingText()))
}

// answerSlash produces a /ask answer and shows it to the asker only, with
// a Share button.
func (s *Server) answerSlash(ctx context.Context, cmd slackapi.SlashCommand, q string) {
	start := time.Now()
	log := s.log.With("channel", cmd.ChannelID, "user", cmd.UserID, "surface", "slash")
	actx, cancel := context.WithTimeout(ctx, s.cfg.AnswerTimeout)
	defer cancel()
	a, err := s.safeAnswer(actx, bot.Request{Question: q})
	s.m.answerSeconds.UpdateDuration(start)
	dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), 2*apiTimeout)
	defer dcancel()
	if err != nil {
		msg, outcome, ref := s.apology(actx, err)
		s.m.answer(outcome)
		log.Error("slack: answer failed", "ref", ref, "err", err)
		if s.showEphemeral(dctx, cmd.ChannelID, cmd.UserID, cmd.ResponseURL, []outMessage{renderNotice(msg)}, true) == 0 {
			log.Error("slack: apology not delivered", "ref", ref)
		}
		return
	}
	s.countFallback(a)
	id := newID()
	s.answers.Put(id, &storedAnswer{Question: q, Answer: a, Channel: cmd.ChannelID, User: cmd.UserID})
	msgs := renderAnswer(a, renderOpts{AnswerID: id, Share: !a.Abstained, PublicURL: s.cfg.PublicURL})
	delivered := s.showEphemeral(dctx, cmd.ChannelID, cmd.UserID, cmd.ResponseURL, msgs, true)
	outcome := deliveredOutcome(a, delivered, len(msgs))
	s.m.answer(outcome)
	if delivered == 0 {
		log.Error("slack: answer not delivered", "outcome", outcome, "messages", len(msgs))
		return
	}
	log.Info("slack: answered", "outcome", outcome, "citations", len(a.Citations), "took", time.Since(start).Round(time.Millisecond))
}

// showEphemeral shows msgs to user only: through response_url (works in
// channels the bot is not in), replacing the placeholder with the first
// message, else chat.postEphemeral. It returns how many were shown.
func (s *Server) showEphemeral(ctx context.Context, channel, user, responseURL string, msgs []outMessage, replaceFirst bool) (shown int) {
	for i, m := range msgs {
		if responseURL != "" {
			err := s.api.respond(ctx, responseURL, responseEphemeral, &m, replaceFirst && i == 0, false)
			if err == nil {
				shown++
				continue
			}
			s.log.Warn("slack: response_url failed, using chat.postEphemeral", "channel", channel, "err", err)
		}
		if err := s.api.ephemeral(ctx, channel, user, "", m); err != nil {
			s.log.Error("slack: ephemeral answer failed", "channel", channel, "err", err)
			return shown
		}
		shown++
	}
	return shown
}

// --- interactions ---------------------------------------------------------

// dispatchInteraction handles a button click after it was acknowledged.
func (s *Server) dispatchInteraction(cb slackapi.InteractionCallback) {
	if cb.Type != slackapi.InteractionTypeBlockActions {
		return
	}
	for _, act := range cb.ActionCallback.BlockActions {
		if act == nil {
			continue
		}
		key := "action:" + cb.User.ID + ":" + act.ActionID + ":" + act.ActionTs
		if act.ActionTs == "" {
			key += ":" + cb.TriggerID
		}
		if s.seen.Seen(key) {
			s.m.duplicates.Inc()
			continue
		}
		act := *act
		switch act.ActionID {
		case actionShare:
			s.spawn("share", func(ctx context.Context) { s.share(ctx, cb, act) })
		case actionFeedbackUp, actionFeedbackDown:
			s.spawn("feedback", func(ctx context.Context) { s.recordFeedback(ctx, cb, act) })
		default:
			if strings.HasPrefix(act.ActionID, actionContextPrefix) {
				// trigger_id is valid for 3 seconds: open the modal at once.
				s.spawn("context", func(ctx context.Context) { s.showContext(ctx, cb, act) })
			}
		}
	}
}

func interactionChannel(cb slackapi.InteractionCallback) string {
	if cb.Channel.ID != "" {
		return cb.Channel.ID
	}
	return cb.Container.ChannelID
}

// share posts a /ask answer to the channel, attributed to the user who
// clicked, and removes the ephemeral copy.
func (s *Server) share(ctx context.Context, cb slackapi.InteractionCallback, act slackapi.BlockAction) {
	channel, user := interactionChannel(cb), cb.User.ID
	st, ok := s.answers.Get(act.Value)
	if !ok {
		s.showEphemeral(ctx, channel, user, cb.ResponseURL, []outMessage{renderNotice("That answer has expired — please /ask again.")}, false)
		return
	}
	if id := s.withdrawn(st.Answer); id != "" {
		// Removed or retracted since it was answered: never re-post it.
		s.log.Info("slack: share refused: the answer quotes a withdrawn article", "article_id", id)
		s.showEphemeral(ctx, channel, user, cb.ResponseURL, []outMessage{renderNotice("That answer quotes an article that has since been withdrawn from the archive — please /ask again.")}, false)
		return
	}
	msgs := renderAnswer(st.Answer, renderOpts{AnswerID: act.Value, SharedBy: user, Question: st.Question, PublicURL: s.cfg.PublicURL})
	w := where{Channel: channel, User: user}
	ts, err := s.api.post(ctx, channel, "", msgs[0])
	if err != nil {
		// Not in the channel: let Slack post it through the response_url.
		s.log.Warn("slack: share via chat.postMessage failed, using response_url", "channel", channel, "err", err)
		for _, m := range msgs {
			if err := s.api.respond(ctx, cb.ResponseURL, responseInChannel, &m, false, false); err != nil {
				s.log.Error("slack: share failed", "channel", channel, "err", err)
				s.showEphemeral(ctx, channel, user, cb.ResponseURL, []outMessage{renderNotice("Sorry — I couldn't post in this channel. Invite me with /invite and try again.")}, false)
				return
			}
		}
	} else {
		w.ThreadTS = ts
		for _, m := range msgs[1:] {
			s.reply(ctx, w, m)
		}
		s.remember(channel+"/"+ts, bot.Turn{Question: st.Question, Answer: truncate(leadText(st.Answer), 1000)})
	}
	s.m.shares.Inc()
	if cb.ResponseURL != "" {
		if err := s.api.respond(ctx, cb.ResponseURL, "", nil, false, true); err != nil {
			s.log.Debug("slack: deleting shared ephemeral failed", "err", err)
		}
	}
}

// withdrawn returns the id of an article a cached answer cites that the
// archive no longer holds (removed or retracted since), or "".
func (s *Server) withdrawn(a *bot.Answer) string {
	if s.search == nil || a == nil {
		return ""
	}
	for _, c := range a.Citations {
		if c.ArticleID != "" && s.search.Article(c.ArticleID) == nil {
			return c.ArticleID
		}
	}
	return ""
}

// recordFeedback appends a 👍/👎 click to the feedback log and thanks the
// user (ephemerally).
func (s *Server) recordFeedback(ctx context.Context, cb slackapi.InteractionCallback, act slackapi.BlockAction) {
	vote := "up"
	if act.ActionID == actionFeedbackDown {
		vote = "down"
	}
	s.m.feedback(vote)
	rec := FeedbackRecord{
		Time:      time.Now().UTC(),
		Vote:      vote,
		User:      cb.User.ID,
		Channel:   interactionChannel(cb),
		MessageTS: cb.Container.MessageTs,
		AnswerID:  act.Value,
	}
	if st, ok := s.answers.Get(act.Value); ok {
		rec.Question = st.Question
		rec.Answer = fallbackPlain(st.Answer)
		rec.Mode = st.Answer.Mode
		rec.Abstained = st.Answer.Abstained
	} else {
		rec.Answer = unescaper.Replace(cb.Message.Text) // restarted since: what the message said
	}
	s.log.Info("slack: feedback", "vote", vote, "user", rec.User, "channel", rec.Channel, "answer_id", rec.AnswerID)
	recorded, err := s.storeFeedback(rec)
	ref := newRef()
	if err != nil {
		s.log.Error("slack: feedback not recorded", "ref", ref, "err", err)
	}
	if !recorded {
		if err == nil {
			// The CLI always passes the archive's store; a Server built
			// without a store or log has nowhere to put feedback.
			s.log.Warn("slack: feedback not recorded: no feedback store and no NEWSDESK_SLACK_FEEDBACK_LOG", "ref", ref)
		}
		s.showEphemeral(ctx, rec.Channel, rec.User, cb.ResponseURL, []outMessage{renderNotice("Sorry — your feedback could not be recorded (ref " + ref + ").")}, false)
		return
	}
	s.showEphemeral(ctx, rec.Channel, rec.User, cb.ResponseURL, []outMessage{renderNotice("Thanks for the feedback.")}, false)
}

// fallbackPlain is the answer as plain text for the feedback log.
func fallbackPlain(a *bot.Answer) string {
	if a == nil {
		return ""
	}
	if t := strings.TrimSpace(a.Text); t != "" {
		return t
	}
	return leadText(a)
}

// countFallback counts an answer of the configured LLM answerer that came
// from its extractive fallback.
func (s *Server) countFallback(a *bot.Answer) {
	if s.cfg.AnswererMode == bot.ModeLLM && a.Mode != bot.ModeLLM {
		s.m.fallbacks.Inc()
	}
}
