package command

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestJournalSwitchesTheLevelLive(t *testing.T) {
	level := zap.NewAtomicLevelAt(zapcore.InfoLevel)
	core, logs := observer.New(level)
	log := zap.New(core)
	admin := func(ctx context.Context, userID, _ string) (bool, error) { return userID == "admin", nil }
	h := New(Deps{IsAdmin: admin, Logger: log})
	h.Register(Journal(level, log))

	log.Debug("avant")
	if r := h.Handle(context.Background(), Request{UserID: "alice", Text: "journal debug"}); level.Level() != zapcore.InfoLevel {
		t.Fatalf("a non-admin changed the level: %s", r.Text)
	}
	r := h.Handle(context.Background(), Request{UserID: "admin", Text: "journal debug"})
	if level.Level() != zapcore.DebugLevel || !strings.Contains(r.Text, "debug") {
		t.Fatalf("level %s after %q", level.Level(), r.Text)
	}
	log.Debug("après")
	var msgs []string
	for _, e := range logs.All() {
		if e.Message != "admin sub-command refused" {
			msgs = append(msgs, e.Message)
		}
	}
	if got := strings.Join(msgs, ","); got != "log level changed,après" {
		t.Errorf("logged %q: the debug line must appear only after the switch", got)
	}
	if r := h.Handle(context.Background(), Request{UserID: "admin", Text: "journal"}); !strings.Contains(r.Text, "**debug**") {
		t.Errorf("current level: %q", r.Text)
	}
	if r := h.Handle(context.Background(), Request{UserID: "admin", Text: "journal bavard"}); !strings.Contains(r.Text, "inconnu") || level.Level() != zapcore.DebugLevel {
		t.Errorf("unknown level: %q, %s", r.Text, level.Level())
	}
}
