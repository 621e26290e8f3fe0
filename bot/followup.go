package bot

import "context"

// Rewriter turns a follow-up question plus the earlier turns into a
// standalone search query ("and when?" after a question about Izyum becomes
// a question about Izyum). Used by Slack threads and the REPL.
type Rewriter interface {
	Standalone(ctx context.Context, question string, history []Turn) (string, error)
}
