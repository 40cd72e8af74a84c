// Command parcours is the onboarding assistant of the Cloud Pi Native
// DevSecOps programme: it answers questions from its knowledge base, serves
// the learning paths and runs the maturity diagnostic, in a terminal or as a
// Mattermost bot.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"syscall"

	"github.com/cloud-pi-native/parcours/internal/fuzzy"
	"github.com/cloud-pi-native/parcours/internal/search"
)

// command is one subcommand. run gets the arguments after the subcommand's
// name; it returns errUsage (wrapped) for bad arguments.
type command struct {
	summary string
	run     func(ctx context.Context, env *cliEnv, args []string) error
}

// cliEnv is what a subcommand may touch, so tests can run it in process.
type cliEnv struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// errUsage marks an error caused by the command line; main prints the help hint.
var errUsage = errors.New("utilisation incorrecte")

// errHelp says the user asked for a command's help (-h), which is printed:
// the command stops there and succeeds.
var errHelp = errors.New("aide affichée")

// usageError is a command-line error: its message is the explanation, and
// errors.Is(err, errUsage) holds.
type usageError struct{ error }

func (usageError) Is(target error) bool { return target == errUsage }

// usagef returns a command-line error with this message.
func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// commands is the table of subcommands; each file adds its own.
var commands = map[string]command{}

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		// See search.MemoryLimit: what keeps a reindex within its budget.
		debug.SetMemoryLimit(search.MemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &cliEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	code := run(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, env *cliEnv, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "aide" || args[0] == "-h" || args[0] == "--help" {
		printHelp(env.stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.stderr, "parcours: commande inconnue « %s ».\n", args[0])
		if s := fuzzy.Closest(args[0], commandNames()); s != "" {
			fmt.Fprintf(env.stderr, "Vouliez-vous dire « parcours %s » ?\n", s)
		}
		fmt.Fprintln(env.stderr, "Voir « parcours aide » pour la liste des commandes.")
		return 2
	}
	if err := cmd.run(ctx, env, args[1:]); err != nil {
		if errors.Is(err, errHelp) {
			return 0
		}
		fmt.Fprintf(env.stderr, "parcours %s: %v\n", args[0], err)
		if errors.Is(err, errUsage) {
			fmt.Fprintf(env.stderr, "Voir « parcours %s -h ».\n", args[0])
			return 2
		}
		return 1
	}
	return 0
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, `parcours : l'assistant d'accueil de l'offre Cloud Pi Native.

Utilisation :
  parcours <commande> [options] [arguments]

Commandes :`)
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, `
« parcours <commande> -h » détaille les options d'une commande.`)
}
