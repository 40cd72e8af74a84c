package main

import (
	"context"
	"fmt"

	"github.com/cloud-pi-native/parcours/internal/version"
)

func init() {
	commands["version"] = command{summary: "affiche la version, le commit et la date de construction", run: runVersion}
}

func runVersion(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) > 0 {
		return usagef("« version » ne prend pas d'argument")
	}
	fmt.Fprintln(env.stdout, version.Get())
	return nil
}
