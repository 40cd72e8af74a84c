package main

import (
	"io"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func zapConsoleEncoder(cfg zapcore.EncoderConfig) zapcore.Encoder { return zapcore.NewConsoleEncoder(cfg) }

func zapCore(enc zapcore.Encoder, w io.Writer, lvl zapcore.Level) zapcore.Core {
	return zapcore.NewCore(enc, zapcore.AddSync(w), zap.NewAtomicLevelAt(lvl))
}
