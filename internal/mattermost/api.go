// Package mattermost is everything Mattermost in parcours: the REST client
// and WebSocket loop of the bot account, the decisions on which posts to
// answer, the slash command and button webhooks, the welcome of newcomers
// on joins, and the registration of /parcours. It only translates: posts,
// commands and clicks go to internal/conversation, which holds the
// conversation; its replies come back as posts, signed buttons and edits.
package mattermost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// API is the part of the Mattermost REST API the bot uses; tests give a
// fake, Client wraps model.Client4.
type API interface {
	GetMe(ctx context.Context) (*model.User, error)
	ServerVersion(ctx context.Context) (string, error)
	GetUser(ctx context.Context, userID string) (*model.User, error)
	CreatePost(ctx context.Context, p *model.Post) (*model.Post, error)
	GetPostThread(ctx context.Context, postID string) (*model.PostList, error)
	Typing(ctx context.Context, userID, channelID, parentID string) error
	// Channels lists the channels of userID in all its teams, direct
	// messages included, each once.
	Channels(ctx context.Context, userID string) ([]*model.Channel, error)
	PostsSince(ctx context.Context, channelID string, since int64) (*model.PostList, error)
	GetPost(ctx context.Context, id string) (*model.Post, error)
	PatchPost(ctx context.Context, id string, patch *model.PostPatch) (*model.Post, error)
	// DirectChannel returns the direct channel of two users, creating it.
	DirectChannel(ctx context.Context, userID1, userID2 string) (*model.Channel, error)
	GetChannel(ctx context.Context, id string) (*model.Channel, error)
	GetUserByUsername(ctx context.Context, username string) (*model.User, error)
	GetTeam(ctx context.Context, id string) (*model.Team, error)
	// TownSquares returns the default channel of each team of userID.
	TownSquares(ctx context.Context, userID string) ([]*model.Channel, error)
}

// Client is the REST client of the bot account.
type Client struct {
	C     *model.Client4
	URL   string
	token string
}

// NewClient returns a client for the server at url with the bot's token.
func NewClient(url, token string) *Client {
	c := model.NewAPIv4Client(url)
	c.SetToken(token)
	c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	return &Client{C: c, URL: url, token: token}
}

// GetMe returns the account of the token.
func (c *Client) GetMe(ctx context.Context) (*model.User, error) {
	u, _, err := c.C.GetMe(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("GetMe: %w", err)
	}
	return u, nil
}

// ServerVersion returns the server's version, from a ping; an error when
// what answers is not a Mattermost API (no version header).
func (c *Client) ServerVersion(ctx context.Context) (string, error) {
	_, resp, err := c.C.GetPing(ctx)
	if err != nil {
		return "", fmt.Errorf("ping: %w", err)
	}
	// The header is "11.4.0.<build>.<hash>.<enterprise>": keep the release.
	v := resp.ServerVersion
	if v == "" {
		return "", errors.New("ping: réponse sans version de Mattermost")
	}
	if parts := strings.SplitN(v, ".", 4); len(parts) == 4 {
		v = strings.Join(parts[:3], ".")
	}
	return v, nil
}

// GetUser returns a user.
func (c *Client) GetUser(ctx context.Context, id string) (*model.User, error) {
	u, _, err := c.C.GetUser(ctx, id, "")
	if err != nil {
		return nil, fmt.Errorf("GetUser: %w", err)
	}
	return u, nil
}

// CreatePost posts a message.
func (c *Client) CreatePost(ctx context.Context, p *model.Post) (*model.Post, error) {
	MarkReply(ctx, p)
	p.Message = Bound(p.Message)
	out, _, err := c.C.CreatePost(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("CreatePost: %w", err)
	}
	return out, nil
}

// GetPostThread returns the thread of a post.
func (c *Client) GetPostThread(ctx context.Context, id string) (*model.PostList, error) {
	l, _, err := c.C.GetPostThread(ctx, id, "", false)
	if err != nil {
		return nil, fmt.Errorf("GetPostThread: %w", err)
	}
	return l, nil
}

// Typing shows the "is typing" indicator of the bot.
func (c *Client) Typing(ctx context.Context, userID, channelID, parentID string) error {
	_, err := c.C.PublishUserTyping(ctx, userID, model.TypingRequest{ChannelId: channelID, ParentId: parentID})
	if err != nil {
		return fmt.Errorf("typing: %w", err)
	}
	return nil
}

// Channels lists the channels of userID in all its teams, each once.
func (c *Client) Channels(ctx context.Context, userID string) ([]*model.Channel, error) {
	teams, _, err := c.C.GetTeamsForUser(ctx, userID, "")
	if err != nil {
		return nil, fmt.Errorf("équipes: %w", err)
	}
	seen := map[string]bool{}
	var out []*model.Channel
	for _, t := range teams {
		chs, _, err := c.C.GetChannelsForTeamForUser(ctx, t.Id, userID, false, "")
		if err != nil {
			return nil, fmt.Errorf("canaux de l'équipe %s: %w", t.Name, err)
		}
		for _, ch := range chs {
			if !seen[ch.Id] {
				seen[ch.Id] = true
				out = append(out, ch)
			}
		}
	}
	return out, nil
}

// PostsSince returns the posts of a channel created or changed since a
// time in milliseconds.
func (c *Client) PostsSince(ctx context.Context, channelID string, since int64) (*model.PostList, error) {
	l, _, err := c.C.GetPostsSince(ctx, channelID, since, false)
	if err != nil {
		return nil, fmt.Errorf("GetPostsSince: %w", err)
	}
	return l, nil
}

// GetPost returns a post.
func (c *Client) GetPost(ctx context.Context, id string) (*model.Post, error) {
	p, _, err := c.C.GetPost(ctx, id, "")
	if err != nil {
		return nil, fmt.Errorf("GetPost: %w", err)
	}
	return p, nil
}

// PatchPost changes a post of the bot.
func (c *Client) PatchPost(ctx context.Context, id string, patch *model.PostPatch) (*model.Post, error) {
	p, _, err := c.C.PatchPost(ctx, id, patch)
	if err != nil {
		return nil, fmt.Errorf("PatchPost: %w", err)
	}
	return p, nil
}

// DirectChannel returns the direct channel of two users, creating it.
func (c *Client) DirectChannel(ctx context.Context, a, b string) (*model.Channel, error) {
	ch, _, err := c.C.CreateDirectChannel(ctx, a, b)
	if err != nil {
		return nil, fmt.Errorf("CreateDirectChannel: %w", err)
	}
	return ch, nil
}

// GetChannel returns a channel.
func (c *Client) GetChannel(ctx context.Context, id string) (*model.Channel, error) {
	ch, _, err := c.C.GetChannel(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("GetChannel: %w", err)
	}
	return ch, nil
}

// GetUserByUsername returns a user by login.
func (c *Client) GetUserByUsername(ctx context.Context, name string) (*model.User, error) {
	u, _, err := c.C.GetUserByUsername(ctx, name, "")
	if err != nil {
		return nil, fmt.Errorf("GetUserByUsername: %w", err)
	}
	return u, nil
}

// GetTeam returns a team.
func (c *Client) GetTeam(ctx context.Context, id string) (*model.Team, error) {
	t, _, err := c.C.GetTeam(ctx, id, "")
	if err != nil {
		return nil, fmt.Errorf("GetTeam: %w", err)
	}
	return t, nil
}

// TownSquares returns the default channel of each team of userID.
func (c *Client) TownSquares(ctx context.Context, userID string) ([]*model.Channel, error) {
	teams, _, err := c.C.GetTeamsForUser(ctx, userID, "")
	if err != nil {
		return nil, fmt.Errorf("équipes: %w", err)
	}
	var out []*model.Channel
	for _, t := range teams {
		ch, _, err := c.C.GetChannelByName(ctx, model.DefaultChannelName, t.Id, "")
		if err != nil {
			return nil, fmt.Errorf("canal %s de l'équipe %s: %w", model.DefaultChannelName, t.Name, err)
		}
		out = append(out, ch)
	}
	return out, nil
}

// Check validates the connection for `parcours check` and start-up: a
// Mattermost API answers at the URL, the token works, the account is a bot.
// It returns the account and the server's version.
func Check(ctx context.Context, api API) (*model.User, string, error) {
	v, err := api.ServerVersion(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("aucune API Mattermost ne répond à cette adresse (PARCOURS_MM_URL : l'adresse du serveur, sans /api/v4) : %s", short(err))
	}
	me, err := api.GetMe(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("connexion à Mattermost impossible (jeton PARCOURS_MM_TOKEN invalide ?) : %s", short(err))
	}
	if !me.IsBot {
		return nil, "", fmt.Errorf("le compte « %s » n'est pas un compte bot : créez un bot (Console système > Intégrations > Comptes bot) et utilisez son jeton", me.Username)
	}
	return me, v, nil
}

// short is an error's text without the body of the response it may quote
// (a whole HTML page when the URL is not Mattermost's), on one short line.
func short(err error) string {
	s := err.Error()
	if i := strings.Index(s, " Body: "); i >= 0 {
		s = s[:i]
	}
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}
