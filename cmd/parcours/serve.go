package main

import (
	"context"
	"errors"
	"flag"
	"io"

	"github.com/cloud-pi-native/parcours/internal/config"
	"github.com/cloud-pi-native/parcours/internal/serve"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func init() {
	commands["serve"] = command{
		summary: "lance le bot Mattermost (configuration par variables PARCOURS_*)",
		run:     runServe,
	}
}

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	cfg, err := config.Load(args, env.getenv, env.stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	log, level := serverLogger(cfg, env.stderr)
	cfg.Level = &level
	defer log.Sync()
	bot, err := serve.Start(ctx, cfg, nil, log)
	if err != nil {
		log.Error("start failed", zap.Error(err))
		return err
	}
	return bot.Wait()
}

// serverLogger builds the structured logger of the server from the
// configured level and format; the level can be switched while running
// (/parcours journal).
func serverLogger(cfg *config.Config, w io.Writer) (*zap.Logger, zap.AtomicLevel) {
	level, err := zapcore.ParseLevel(cfg.LogLevel)
	if err != nil {
		level = zapcore.InfoLevel
	}
	var enc zapcore.Encoder
	if cfg.LogFormat == "console" {
		enc = zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig())
	} else {
		ec := zap.NewProductionEncoderConfig()
		ec.EncodeTime = zapcore.ISO8601TimeEncoder
		enc = zapcore.NewJSONEncoder(ec)
	}
	atom := zap.NewAtomicLevelAt(level)
	return zap.New(zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(w)), atom)), atom
}
