package main

import (
	"context"
	"fmt"
	"time"

	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/search"
)

func init() {
	commands["index"] = command{summary: "construit un index persistant d'une ou plusieurs sources", run: runIndex}
}

func runIndex(ctx context.Context, env *cliEnv, args []string) error {
	var k kbFlags
	fs := newFlagSet("index", "index --source DOSSIER [--source DOSSIER]... --out DOSSIER", env.stderr)
	k.register(fs, env.getenv)
	out := fs.String("out", "", "dossier de l'index à créer (ne doit pas exister)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out est obligatoire")
	}
	if k.index != "" {
		return usagef("--index n'a pas de sens ici")
	}
	srcs, err := k.kbSources(k.getenv)
	if err != nil {
		return err
	}
	t0 := time.Now()
	base, err := kb.Load(ctx, srcs...)
	if err != nil {
		return err
	}
	for _, w := range base.Warnings {
		fmt.Fprintf(env.stderr, "avertissement : %s\n", w)
	}
	ix, err := search.Build(ctx, base, *out)
	if err != nil {
		return err
	}
	st := ix.Stats()
	if err := ix.Close(); err != nil {
		return fmt.Errorf("fermeture de l'index: %w", err)
	}
	fmt.Fprintf(env.stdout, "Index créé dans %s : %d pages, %d sections, %d fichiers ignorés, %d avertissements, en %s.\n",
		*out, st.Pages, st.Sections, base.Skipped, len(base.Warnings), time.Since(t0).Round(time.Millisecond))
	return nil
}
