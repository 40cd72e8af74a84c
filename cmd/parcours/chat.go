package main

import (
	"context"
	"os/user"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/bolt"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/report"
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
	data := fs.String("data", "", "dossier où garder le diagnostic en cours et ses résultats (sinon, rien n'est gardé après la session)")
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
	var stores conversation.Stores
	notice := "_Rien de cette conversation n'est gardé après la session : `parcours chat --data DOSSIER` garde le diagnostic et ses résultats._"
	if *data != "" {
		db, err := bolt.Open(*data)
		if err != nil {
			return err
		}
		defer db.Close()
		if store, err = db.Diagnostics(); err != nil {
			return err
		}
		// The questions of the terminal count in the statistics of that
		// folder too, anonymously.
		ana, err := db.Analytics()
		if err != nil {
			return err
		}
		stores.Record = report.Recorder{R: &analytics.Recorder{Store: ana}}
		notice = ""
	}
	diag, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: store, Role: eng.Role, Volatile: *data == ""})
	if err != nil {
		return err
	}
	wel, _, err := welcome.Load(srcs)
	if err != nil {
		return err
	}
	conv, err := conversation.New(conversation.Config{Knowledge: eng, Diagnostic: diag, Stores: stores, Welcome: conversation.WelcomeOptions{Message: wel}})
	if err != nil {
		return err
	}
	chat := &terminal.Chat{
		Conversation: conv,
		User:         terminalUser(*name),
		Team:         "Cloud Pi Native",
		Notice:       notice,
		In:           env.stdin,
		Out:          env.stdout,
		Style:        terminal.StyleFor(env.stdout),
	}
	return chat.Run(ctx)
}

// terminalUser is the person at the terminal: called by the name they gave,
// else by the full name of their account, never by their login ("Bonjour
// root" reads badly): without a name, the welcome names no one.
func terminalUser(name string) conversation.User {
	u := conversation.User{ID: "terminal", Name: name}
	if cur, err := user.Current(); err == nil {
		u.ID = "terminal:" + cur.Username
		if u.Name == "" && cur.Name != cur.Username {
			u.Name = cur.Name
		}
	}
	return u
}
