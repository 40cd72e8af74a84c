package terminal

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/conversation"
)

// Chat holds the conversation in a terminal: the welcome and its choices,
// questions, the diagnostic with numbered options, /parcours commands.
type Chat struct {
	Conversation *conversation.Conversation
	User         conversation.User
	Team         string // shown in the welcome
	// Notice is shown before the welcome ("nothing is kept").
	Notice string
	In     io.Reader
	Out    io.Writer
	Style  Style
}

// Run holds the conversation until the input ends or the user quits.
func (c *Chat) Run(ctx context.Context) error {
	out := &Outbox{W: c.Out, Style: c.Style, Menu: true}
	if c.Notice != "" {
		fmt.Fprintln(c.Out, Text(c.Notice, c.Style))
		fmt.Fprintln(c.Out)
	}
	if err := c.Conversation.Greet(ctx, c.User, c.Team, conversation.Terminal, out); err != nil {
		fmt.Fprintf(c.Out, "(message d'accueil indisponible : %v)\n", err)
	}
	fmt.Fprintln(c.Out, "Tapez « aide » pour revoir ces choix, « quitter » pour sortir.")
	sc := bufio.NewScanner(c.In)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for {
		fmt.Fprint(c.Out, "\n> ")
		if !sc.Scan() {
			fmt.Fprintln(c.Out)
			return sc.Err()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		fmt.Fprintln(c.Out)
		switch strings.ToLower(line) {
		case "quitter", "exit", "quit", "q":
			fmt.Fprintln(c.Out, "À bientôt !")
			return nil
		}
		if err := c.Conversation.Message(ctx, conversation.Message{User: c.User, Place: conversation.Terminal, Text: line}, out); err != nil {
			fmt.Fprintf(c.Out, "(erreur : %v)\n", err)
		}
		if conversation.IsGoodbye(line) {
			return nil
		}
	}
}
