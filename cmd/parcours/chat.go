package main

import (
	"context"
	"fmt"
	"os/user"

	"github.com/cloud-pi-native/parcours/internal/bolt"
	slash "github.com/cloud-pi-native/parcours/internal/command"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/terminal"
	"github.com/cloud-pi-native/parcours/internal/welcome"
)

func init() {
	commands["chat"] = command{summary: "converse avec le bot dans le terminal : questions, diagnostic, parcours", run: runChat}
}

func runChat(ctx context.Context, env *cliEnv, args []string) error {
	var k kbFlags
	fs := newFlagSet("chat", "chat [--source DOSSIER]... [--data DOSSIER] [--nom NOM]", env.stderr)
	k.register(fs, env.getenv)
	data := fs.String("data", "", "dossier où garder le diagnostic en cours et ses résultats (sinon, en mémoire le temps de la session)")
	name := fs.String("nom", "", "votre nom, pour le message d'accueil")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	eng, err := k.open(ctx, cliLogger(env.stderr))
	if err != nil {
		return err
	}
	defer eng.Close()
	srcs, err := k.kbSources(k.getenv)
	if err != nil {
		return err
	}
	q, err := diagnostic.Load(kb.DataFS(srcs, diagnostic.File), diagnostic.File)
	if err != nil {
		return err
	}
	var store diagnostic.Store = diagnostic.NewMemStore()
	if *data != "" {
		db, err := bolt.Open(*data)
		if err != nil {
			return err
		}
		defer db.Close()
		if store, err = db.Diagnostics(); err != nil {
			return err
		}
	}
	diag, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: store})
	if err != nil {
		return err
	}
	who := *name
	uid := "terminal"
	if u, err := user.Current(); err == nil {
		uid = "terminal:" + u.Username
		if who == "" {
			who = u.Username
		}
	}
	var welcomeText string
	if msg, _, err := welcome.Load(srcs); err == nil {
		welcomeText = msg.Render(welcome.Vars{Name: who, Team: "Cloud Pi Native"})
	} else {
		fmt.Fprintf(env.stderr, "avertissement : %v\n", err)
	}
	link := func(page string) string { return eng.PageURL(page) }
	pathTitle := func(id string) string {
		if p := eng.Catalog().Path(id); p != nil {
			return "Parcours " + p.Title
		}
		return ""
	}
	cmds := slash.New(slash.Deps{
		Catalog: eng.Catalog,
		Link: func(page, anchor string) string {
			if anchor != "" {
				page += "#" + anchor
			}
			return eng.PageURL(page)
		},
		Answers: eng,
	})
	for _, sub := range slash.DiagnosticResults(diag, func() diagnostic.RenderOptions {
		return diagnostic.RenderOptions{Link: link, PathTitle: pathTitle}
	}, nil) {
		cmds.Register(sub)
	}
	chat := &terminal.Chat{
		Router:        &conversation.Router{Answers: eng, Diagnostic: diag},
		Commands:      cmds,
		Questionnaire: q,
		Welcome:       welcomeText,
		Link:          link,
		PathTitle:     pathTitle,
		UserID:        uid,
		UserName:      who,
		In:            env.stdin,
		Out:           env.stdout,
		Style:         terminal.StyleFor(env.stdout),
	}
	return chat.Run(ctx)
}
