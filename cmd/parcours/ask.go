package main

import (
	"context"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/terminal"
)

func init() {
	commands["ask"] = command{summary: "pose une question à la base de connaissances", run: runAsk}
}

func runAsk(ctx context.Context, env *cliEnv, args []string) error {
	var k kbFlags
	fs := newFlagSet("ask", `ask [--source DOSSIER]... [--index DOSSIER] "question"`, env.stderr)
	k.register(fs, env.getenv)
	limit := fs.Int("limit", 3, "nombre maximal de passages")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(strings.Join(pos, " "))
	if q == "" {
		return usagef("posez une question, par exemple : parcours ask \"je suis chef de projet, par où commencer ?\"")
	}
	eng, err := k.open(ctx, cliLogger(env.stderr))
	if err != nil {
		return err
	}
	defer eng.Close()
	conv, err := conversation.New(conversation.Config{Knowledge: limited{eng, *limit}})
	if err != nil {
		return err
	}
	return terminal.Ask(ctx, conv, terminalUser(""), q, env.stdout, terminal.StyleFor(env.stdout))
}

// limited answers with up to n passages.
type limited struct {
	*answer.Engine
	n int
}

func (l limited) Ask(ctx context.Context, q string) (*answer.Answer, error) {
	return l.Engine.AskN(ctx, q, l.n)
}
