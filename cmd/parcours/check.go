package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/cloud-pi-native/parcours/internal/config"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/cloud-pi-native/parcours/internal/postgres"
)

func init() {
	commands["check"] = command{
		summary: "vérifie la configuration du bot et la connexion à Mattermost, sans démarrer",
		run:     runCheck,
	}
}

func runCheck(ctx context.Context, env *cliEnv, args []string) error {
	cfg, err := config.Load(args, env.getenv, env.stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	fmt.Fprintln(env.stdout, "Configuration valide.")
	if cfg.DatabaseURL != "" {
		server, schema, err := postgres.Probe(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "PostgreSQL %s joint (schéma de parcours : version %d%s)\n", server, schema,
			map[bool]string{true: ", créé au premier démarrage"}[schema == 0])
	}
	c := mattermost.NewClient(cfg.MMURL, cfg.MMToken)
	me, version, err := mattermost.Check(ctx, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Mattermost %s joint : %s\n", version, cfg.MMURL)
	fmt.Fprintf(env.stdout, "Compte bot : @%s (%s)\n", me.Username, me.Id)
	teams, _, err := c.C.GetTeamsForUser(ctx, me.Id, "")
	if err != nil {
		return fmt.Errorf("équipes du bot: %w", err)
	}
	if len(teams) == 0 {
		fmt.Fprintln(env.stdout, "Attention : le bot n'appartient à aucune équipe ; ajoutez-le à une équipe pour qu'il enregistre /parcours.")
	}
	for _, t := range teams {
		fmt.Fprintf(env.stdout, "Équipe : %s\n", t.DisplayName)
	}
	fmt.Fprintf(env.stdout, "Le bot écoutera sur %s ; Mattermost le joindra par %s ; les liens des réponses mèneront à %s\n", cfg.Listen, cfg.PublicURL, cfg.PagesURL())
	return nil
}
