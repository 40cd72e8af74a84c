package conversation

import (
	"context"
	"fmt"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Journal is the admin sub-command that shows or changes the log level of
// the running bot, without a restart: "/parcours journal debug" to follow a
// problem, "/parcours journal info" to go back. A restart returns to
// PARCOURS_LOG_LEVEL.
func Journal(level zap.AtomicLevel, log *zap.Logger) *Sub {
	if log == nil {
		log = zap.NewNop()
	}
	return &Sub{
		Name: "journal", Aliases: []string{"journaux", "log", "logs"}, Usage: "journal [debug|info|warn|error]",
		Help: "voir ou changer le niveau des journaux du bot, sans redémarrage", Admin: true,
		Run: func(ctx context.Context, req Request, args []string) (string, error) {
			if len(args) == 0 {
				return fmt.Sprintf("Niveau des journaux : **%s**. Pour le changer : `/parcours journal debug|info|warn|error` "+
					"(jusqu'au prochain redémarrage, qui revient à PARCOURS_LOG_LEVEL).", level.Level()), nil
			}
			var l zapcore.Level
			switch w := strings.ToLower(args[0]); w {
			case "debug", "info", "warn", "error":
				_ = l.UnmarshalText([]byte(w))
			default:
				return fmt.Sprintf("Niveau « %s » inconnu : debug, info, warn ou error.", args[0]), nil
			}
			old := level.Level()
			level.SetLevel(l)
			// Logged at warn so that the change shows whatever the level.
			log.Warn("log level changed", zap.String("from", old.String()), zap.String("to", l.String()), zap.String("by", req.User.ID))
			return fmt.Sprintf("Niveau des journaux : **%s** (était %s), jusqu'au prochain redémarrage.", l, old), nil
		},
	}
}
