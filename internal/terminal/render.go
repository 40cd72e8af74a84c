// Package terminal is the terminal adapter of parcours: `parcours chat` and
// `parcours ask` hold the same conversation as the Mattermost bot, through
// internal/conversation, with no server. It only translates: lines typed
// become messages, replies become text (Markdown rendered for a console,
// choices numbered to be typed).
package terminal

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/fr"
)

// Style says how bold text is shown.
type Style int

// Styles.
const (
	Plain Style = iota // no escape codes: pipes, files, tests
	ANSI               // bold with terminal escape codes
)

// StyleFor returns ANSI for a terminal and Plain otherwise (or when NO_COLOR
// is set, by convention).
func StyleFor(w io.Writer) Style {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return Plain
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return Plain
	}
	return ANSI
}

// Outbox prints the replies of the conversation. A terminal cannot change
// what it printed: closing an earlier message does nothing, and choices a
// chat would show as buttons are numbered, to be typed.
type Outbox struct {
	W     io.Writer
	Style Style
	// Menu numbers the choices to type (parcours chat); a single answer
	// (parcours ask) shows none.
	Menu bool
	// Confidence prints how sure the engine is under each answer found
	// (parcours ask).
	Confidence bool
}

// Send prints a reply.
func (o *Outbox) Send(_ context.Context, r conversation.Reply) (string, error) {
	fmt.Fprintln(o.W, Text(r.Text, o.Style))
	if a := r.Answer; a != nil && o.Confidence && a.Answered {
		fmt.Fprintf(o.W, "\nConfiance : %s\n", fr.Percent(a.Confidence))
	}
	n := 0
	for _, ch := range r.Choices {
		if ch.Optional || !o.Menu {
			continue
		}
		if n == 0 {
			fmt.Fprintln(o.W)
		}
		n++
		fmt.Fprintf(o.W, "  %d. %s\n", n, ch.Label)
	}
	fmt.Fprintln(o.W)
	return "", nil
}

// Close does nothing: what is printed stays printed.
func (o *Outbox) Close(context.Context, string, string) error { return nil }

// Ask puts one question to the conversation, as `parcours ask` does, and
// prints the replies with the engine's confidence.
func Ask(ctx context.Context, c *conversation.Conversation, u conversation.User, question string, w io.Writer, st Style) error {
	return c.Message(ctx, conversation.Message{User: u, Place: conversation.Terminal, Text: question},
		&Outbox{W: w, Style: st, Confidence: true})
}
