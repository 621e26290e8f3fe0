package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/newsdesk/newsdesk/bot/slack"
	"github.com/newsdesk/newsdesk/corpus/archive"
)

func runFeedback(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("feedback", `
Usage: newsdesk feedback [flags]

Lists the 👍/👎 votes readers gave answers in Slack, oldest first: when,
the vote, who, where, the question and the start of the answer. serve
records every vote in the article store (articles.db in the index
directory); NEWSDESK_SLACK_FEEDBACK_LOG, when set, also gets a JSONL copy.
--format jsonl or csv exports every field for editors (a spreadsheet, jq).`, `
Examples:
  newsdesk feedback
  newsdesk feedback --down --since 2026-11-01
  newsdesk feedback --format csv > feedback.csv
  newsdesk feedback --format jsonl | jq -r 'select(.vote=="down") | .question'

Fields (jsonl, csv): time, vote (up/down), user, channel, message_ts,
answer_id, question, answer, mode, abstained.`)
	fs.corpusFlag()
	fs.indexFlag()
	fs.verboseFlag()
	format := fs.String("format", "text", "`FORMAT`: text (a table), jsonl or csv")
	since := fs.String("since", "", "only votes on or after `DATE` (YYYY-MM-DD)")
	down := fs.Bool("down", false, "only 👎 votes")
	if err := fs.parseNone(args, e.stdout); err != nil {
		return err
	}
	switch *format {
	case "text", "jsonl", "csv":
	default:
		return usagef("--format %q: want text, jsonl or csv", *format)
	}
	var from time.Time
	if *since != "" {
		t, err := time.Parse("2006-01-02", *since)
		if err != nil {
			return usagef("--since %q: want YYYY-MM-DD", *since)
		}
		from = t
	}
	o := fs.opts
	dir, _, err := indexLocation(e, o, o.corpusDir(e))
	if err != nil {
		return err
	}
	var recs []slack.FeedbackRecord
	if archive.Exists(dir) {
		st, err := archive.Open(dir, archive.Options{ReadOnly: true, Timeout: 10 * time.Second})
		if err != nil {
			return fmt.Errorf("feedback: %w", err)
		}
		err = st.EachFeedback(func(t time.Time, raw []byte) error {
			var r slack.FeedbackRecord
			if err := json.Unmarshal(raw, &r); err != nil {
				return nil // not a record this version understands; skip it
			}
			if r.Time.IsZero() {
				r.Time = t
			}
			if (from.IsZero() || !r.Time.Before(from)) && (!*down || r.Vote == "down") {
				recs = append(recs, r)
			}
			return ctx.Err()
		})
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("feedback: %w", err)
		}
	}
	switch *format {
	case "jsonl":
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		return writeFeedbackCSV(e.stdout, recs)
	}
	if len(recs) == 0 {
		fmt.Fprintf(e.stdout, "no feedback recorded in %s yet\n", dir)
		return nil
	}
	up := 0
	for _, r := range recs {
		vote := "👎"
		if r.Vote == "up" {
			vote, up = "👍", up+1
		}
		fmt.Fprintf(e.stdout, "%s  %s  %s in %s  %s\n", r.Time.Local().Format("2006-01-02 15:04"), vote, safe(r.User), safe(r.Channel), safe(shorten(oneLine(r.Question), 60)))
		if r.Vote != "up" {
			fmt.Fprintf(e.stdout, "      answer: %s\n", safe(shorten(oneLine(r.Answer), 100)))
		}
	}
	fmt.Fprintf(e.stdout, "%d votes: %d 👍, %d 👎\n", len(recs), up, len(recs)-up)
	return nil
}

// writeFeedbackCSV writes recs as CSV with a header row. Cells that a
// spreadsheet would run as a formula (=, +, -, @ first) get a leading
// apostrophe: questions and answers are typed by readers.
func writeFeedbackCSV(w io.Writer, recs []slack.FeedbackRecord) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"time", "vote", "user", "channel", "message_ts", "answer_id", "question", "answer", "mode", "abstained"})
	for _, r := range recs {
		row := []string{r.Time.UTC().Format(time.RFC3339), r.Vote, r.User, r.Channel, r.MessageTS, r.AnswerID, r.Question, r.Answer, r.Mode, strconv.FormatBool(r.Abstained)}
		for i, c := range row {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				row[i] = "'" + c
			}
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}
