package conversation

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
	admin := func(ctx context.Context, userID, _ string) (bool, error) { return userID == "id-admin", nil }
	c, _ := newCommands(t, func(cfg *Config) { cfg.IsAdmin = admin; cfg.Logger = log })
	c.Register(Journal(level, log))
	say := func(user, text string) string { return runText(t, c, user, text) }

	log.Debug("avant")
	if r := say("alice", "journal debug"); level.Level() != zapcore.InfoLevel {
		t.Fatalf("a non-admin changed the level: %s", r)
	}
	r := say("admin", "journal debug")
	if level.Level() != zapcore.DebugLevel || !strings.Contains(r, "debug") {
		t.Fatalf("level %s after %q", level.Level(), r)
	}
	log.Debug("après")
	var msgs []string
	for _, e := range logs.All() {
		if e.Message != "admin sub-command refused" && e.Message != "command" {
			msgs = append(msgs, e.Message)
		}
	}
	if got := strings.Join(msgs, ","); got != "log level changed,après" {
		t.Errorf("logged %q: the debug line must appear only after the switch", got)
	}
	if r := say("admin", "journal"); !strings.Contains(r, "**debug**") {
		t.Errorf("current level: %q", r)
	}
	if r := say("admin", "journal bavard"); !strings.Contains(r, "inconnu") || level.Level() != zapcore.DebugLevel {
		t.Errorf("unknown level: %q, %s", r, level.Level())
	}
}
