package bot

import (
	"context"
	"strings"
)

// Rewriter turns a follow-up question plus the earlier turns into a
// standalone search query ("and when?" after a question about Izyum becomes
// a question about Izyum). Used by Slack threads and the REPL. A question
// that stands on its own (see NeedsContext) is returned as asked.
type Rewriter interface {
	Standalone(ctx context.Context, question string, history []Turn) (string, error)
}

// UnderstoodAs is the value of Answer.Understood for a question typed as
// typed and searched as query: query when the two differ (ignoring case
// and spacing), else "".
func UnderstoodAs(typed, query string) string {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	query = strings.Join(strings.Fields(query), " ")
	if query == "" || norm(typed) == norm(query) {
		return ""
	}
	return query
}
