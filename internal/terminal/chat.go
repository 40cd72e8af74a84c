package terminal

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/command"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
)

// Chat runs the bot's conversations in a terminal: the welcome, questions to
// the knowledge base, the diagnostic with numbered choices, and the
// /parcours sub-commands, with no server.
type Chat struct {
	Router        *conversation.Router
	Commands      *command.Handler
	Questionnaire *diagnostic.Questionnaire
	Welcome       string // rendered welcome (Markdown), shown first
	Link          func(page string) string
	PathTitle     func(id string) string
	UserID        string
	UserName      string
	In            io.Reader
	Out           io.Writer
	Style         Style
}

const menu = `Que voulez-vous faire ?
  1. Faire le diagnostic de maturité
  2. Voir les parcours de formation
  3. Poser une question (tapez-la directement)
Tapez « aide » pour revoir ces choix, « quitter » pour sortir.`

// Run holds the conversation until the input ends or the user quits.
func (c *Chat) Run(ctx context.Context) error {
	if c.Welcome != "" {
		fmt.Fprintln(c.Out, markdownToText(c.Welcome, c.Style))
		fmt.Fprintln(c.Out)
	}
	fmt.Fprintln(c.Out, menu)
	sc := bufio.NewScanner(c.In)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	inMenu := true
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
		switch strings.ToLower(line) {
		case "quitter", "exit", "quit", "q", "au revoir", "bye":
			fmt.Fprintln(c.Out, "À bientôt !")
			return nil
		case "aide", "menu", "help", "?":
			fmt.Fprintln(c.Out, menu)
			inMenu = true
			continue
		}
		text := line
		if inMenu {
			switch line {
			case "1":
				text = "diagnostic"
			case "2":
				text = "/parcours liste"
			case "3":
				fmt.Fprintln(c.Out, "Posez votre question :")
				inMenu = false
				continue
			}
		}
		inMenu = false
		if err := c.handle(ctx, text); err != nil {
			fmt.Fprintf(c.Out, "Désolé, une erreur est survenue : %v\n", err)
		}
	}
}

func (c *Chat) handle(ctx context.Context, text string) error {
	if rest, ok := strings.CutPrefix(text, "/parcours"); ok && strings.HasPrefix(strings.TrimSpace(rest), "diagnostic") {
		// In a terminal the diagnostic happens right here.
		text = "faire le " + strings.TrimSpace(rest)
	} else if ok && c.Commands != nil {
		resp := c.Commands.Handle(ctx, command.Request{UserID: c.UserID, UserName: c.UserName, Text: strings.TrimSpace(rest)})
		if resp.Answer != nil {
			RenderAnswer(c.Out, resp.Answer, c.Style)
		} else {
			fmt.Fprintln(c.Out, markdownToText(resp.Text, c.Style))
		}
		return nil
	}
	if strings.EqualFold(text, "liste") || strings.EqualFold(text, "parcours") {
		return c.handle(ctx, "/parcours liste")
	}
	rep, err := c.Router.Handle(ctx, c.UserID, text)
	if err != nil {
		return err
	}
	if rep.Answer != nil {
		RenderAnswer(c.Out, rep.Answer, c.Style)
	}
	if rep.Step != nil {
		if rep.Answer != nil {
			fmt.Fprintln(c.Out, "\nLe diagnostic vous attend :")
		}
		opts := diagnostic.RenderOptions{Numbered: true, Link: c.Link, PathTitle: c.PathTitle}
		fmt.Fprintln(c.Out, markdownToText(rep.Step.Markdown(c.Questionnaire, opts), c.Style))
	}
	return nil
}

var (
	mdLinkRE = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
	mdCodeRE = regexp.MustCompile("`([^`]+)`")
	mdEmRE   = regexp.MustCompile(`(^|[\s(])_([^_\n]+)_([\s).,;:!?]|$)`)
)

// markdownToText renders chat Markdown for a terminal: links as "text
// (url)", code without backquotes, bold with the style.
func markdownToText(s string, st Style) string {
	s = mdLinkRE.ReplaceAllString(s, "$1 ($2)")
	s = mdCodeRE.ReplaceAllString(s, "$1")
	s = mdEmRE.ReplaceAllString(s, "$1$2$3")
	s = strings.NewReplacer("__", "**").Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if t := strings.TrimLeft(l, "#"); len(t) < len(l) && strings.HasPrefix(t, " ") {
			l = "**" + strings.TrimSpace(t) + "**"
		}
		lines[i] = bold(l, st)
	}
	return strings.Join(lines, "\n")
}
