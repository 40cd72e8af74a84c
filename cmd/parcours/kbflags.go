package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/config"
	"github.com/cloud-pi-native/parcours/internal/kb"
)

// sourceList collects repeated --source flags.
type sourceList []string

func (s *sourceList) String() string     { return strings.Join(*s, ",") }
func (s *sourceList) Set(v string) error { *s = append(*s, v); return nil }

// kbFlags are the options every command reading a knowledge base shares.
type kbFlags struct {
	sources sourceList
	index   string
	exclude sourceList
	getenv  func(string) string // PARCOURS_GIT_* for git sources
}

func (k *kbFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	k.getenv = getenv
	fs.Var(&k.sources, "source", "dossier de pages Markdown, « DOSSIER » ou « DOSSIER=URL_DE_BASE[|clean|html|dir|md] » (répétable ; remplace la base embarquée)")
	fs.StringVar(&k.index, "index", "", "index persistant créé par « parcours index » (au lieu des sources)")
	fs.Var(&k.exclude, "exclude", "motif de fichiers à ignorer dans les sources, ex. « brouillons/** » (répétable)")
}

// kbSources turns the flags into sources; none means the embedded base.
// Git sources take their settings from the PARCOURS_GIT_* variables.
func (k *kbFlags) kbSources(getenv func(string) string) ([]kb.Source, error) {
	if len(k.sources) == 0 {
		return []kb.Source{kb.Embedded()}, nil
	}
	git, err := config.GitOptions(getenv)
	if err != nil {
		return nil, usagef("%v", err)
	}
	out := make([]kb.Source, 0, len(k.sources))
	for _, spec := range k.sources {
		s, err := kb.ParseSourceSpec(spec, git)
		if err != nil {
			return nil, usagef("%v", err)
		}
		s.Exclude = append(s.Exclude, k.exclude...)
		out = append(out, s)
	}
	return out, nil
}

// open loads the engine the flags describe.
func (k *kbFlags) open(ctx context.Context, log *zap.Logger) (*answer.Engine, error) {
	opts := answer.Options{Logger: log, IndexDir: k.index}
	if k.index != "" && len(k.sources) > 0 {
		return nil, usagef("--index et --source s'excluent")
	}
	if k.index == "" {
		srcs, err := k.kbSources(k.getenv)
		if err != nil {
			return nil, err
		}
		opts.Sources = srcs
	}
	return answer.Open(ctx, opts)
}

// parseArgs parses flags wherever they stand among the positional
// arguments ("parcours ask "question" --json" works too).
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp // the usage is printed: help is no error
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// newFlagSet makes a flag set whose usage text is French and goes to w.
func newFlagSet(name, usage string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "Utilisation : parcours %s\n\nOptions :\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// cliLogger logs warnings (malformed pages...) to stderr for the person at
// the terminal, without the noise of info lines.
func cliLogger(w io.Writer) *zap.Logger {
	cfg := zap.NewDevelopmentEncoderConfig()
	cfg.TimeKey = ""
	cfg.CallerKey = ""
	return zap.New(zapcore.NewCore(zapcore.NewConsoleEncoder(cfg), zapcore.AddSync(w), zap.WarnLevel))
}
