package mattermost

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"
)

// MaxPostRunes is Mattermost's limit on the message of a post; a longer
// post is refused.
const MaxPostRunes = 16383

// maxMessage is where a message is cut: well under the limit, so that the
// note added fits, and already too long to read in a chat.
const maxMessage = 12000

// maxTitle and maxExcerpt bound a page title and an excerpt shown in an
// answer: each passage stays readable and leaves room for the others.
const (
	maxTitle   = 200
	maxExcerpt = 800
)

// truncatedNote ends a message that was cut.
const truncatedNote = "\n\n_… (message tronqué : il dépassait la taille d'un message)_"

// Bound returns s cut to fit in a post, at the end of a line when there is
// one in the last part, with a note saying so. Short messages are returned
// as they are.
func Bound(s string) string {
	if utf8.RuneCountInString(s) <= maxMessage {
		return s
	}
	r := []rune(s)[:maxMessage]
	cut := string(r)
	if i := strings.LastIndexByte(cut, '\n'); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " \n") + truncatedNote
}

// creator creates posts (API).
type creator interface {
	CreatePost(ctx context.Context, p *model.Post) (*model.Post, error)
}

// fallbackMessage is posted when a reply could not be.
const fallbackMessage = "Désolé, je n'ai pas pu publier ma réponse. Reformulez votre message plus brièvement, ou réessayez dans un instant."

// CreatePost posts p, cut to fit, and when Mattermost refuses it all the
// same, logs why and posts a short message in its place (same channel and
// thread), so that the user is never left with nothing. The error is the
// first post's.
func CreatePost(ctx context.Context, api creator, p *model.Post, log *zap.Logger) (*model.Post, error) {
	p.Message = Bound(p.Message)
	MarkReply(ctx, p)
	out, err := api.CreatePost(ctx, p)
	if err == nil {
		return out, nil
	}
	log.Error("posting failed: posting a short message instead", zap.String("channel_id", p.ChannelId),
		zap.String("root_id", p.RootId), zap.Int("runes", utf8.RuneCountInString(p.Message)), zap.Error(err))
	fb := &model.Post{ChannelId: p.ChannelId, RootId: p.RootId, Message: fallbackMessage}
	MarkReply(ctx, fb)
	if _, ferr := api.CreatePost(ctx, fb); ferr != nil {
		log.Error("posting the short message failed too", zap.String("channel_id", p.ChannelId), zap.Error(ferr))
	}
	return nil, err
}
