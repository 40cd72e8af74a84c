// Package logctx carries a request's logger in its context, so that every
// line logged about one question, from the Mattermost event to the reply,
// has the same post_id and request_id (grep one of them to follow it).
package logctx

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"go.uber.org/zap"
)

type key struct{}

// With returns ctx carrying log.
func With(ctx context.Context, log *zap.Logger) context.Context {
	return context.WithValue(ctx, key{}, log)
}

// From returns the logger ctx carries, else fallback (never nil).
func From(ctx context.Context, fallback *zap.Logger) *zap.Logger {
	if l, ok := ctx.Value(key{}).(*zap.Logger); ok && l != nil {
		return l
	}
	if fallback == nil {
		return zap.NewNop()
	}
	return fallback
}

// NewRequestID returns a short random id for one request.
func NewRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
