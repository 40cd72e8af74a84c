// Package onboarding is the Mattermost side of the onboarding
// conversations: the maturity diagnostic held in the user's direct message
// with the bot (one post per question with buttons, typed answers too), the
// /parcours diagnostic, resultat, oublier and bienvenue sub-commands, and
// the welcome sent to newcomers of the bot's teams. The conversation itself
// is internal/diagnostic and internal/conversation; this package only
// decides what to post, update or answer in Mattermost.
package onboarding

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/cloud-pi-native/parcours/internal/metrics"
	"github.com/cloud-pi-native/parcours/internal/welcome"
	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"
)

// Action names of the buttons this package posts.
const (
	ActionDiagnostic = "diagnostic"
	ActionWelcome    = "bienvenue"
)

// API is the part of the Mattermost REST API the onboarding uses; tests
// give a fake, Client wraps model.Client4.
type API interface {
	CreatePost(ctx context.Context, p *model.Post) (*model.Post, error)
	GetPost(ctx context.Context, id string) (*model.Post, error)
	PatchPost(ctx context.Context, id string, patch *model.PostPatch) (*model.Post, error)
	// DirectChannel returns the direct channel of two users, creating it.
	DirectChannel(ctx context.Context, userID1, userID2 string) (*model.Channel, error)
	GetChannel(ctx context.Context, id string) (*model.Channel, error)
	GetUser(ctx context.Context, id string) (*model.User, error)
	GetUserByUsername(ctx context.Context, username string) (*model.User, error)
	GetTeam(ctx context.Context, id string) (*model.Team, error)
	// TownSquares returns the default channel of each team of userID.
	TownSquares(ctx context.Context, userID string) ([]*model.Channel, error)
	// PostsSince returns the posts of a channel since a time in ms.
	PostsSince(ctx context.Context, channelID string, since int64) (*model.PostList, error)
}

// WelcomeStore remembers who was welcomed in which team (internal/bolt).
type WelcomeStore interface {
	MarkWelcomed(ctx context.Context, teamID, userID string) (first bool, err error)
	ForgetWelcome(ctx context.Context, teamID, userID string) error
}

// QuestionRecorder records the questions, finished diagnostics and
// welcomes, for the statistics (the analytics).
type QuestionRecorder = conversation.Recorder

// Options configures the onboarding.
type Options struct {
	API   API
	BotID string
	// BotUsername names the bot in messages ("@parcours").
	BotUsername string
	Diagnostic  *diagnostic.Engine
	// Store is the diagnostic's store, read to show which option a typed
	// answer chose on the question's post.
	Store  diagnostic.Store
	Router *conversation.Router
	// Welcomed is required for the welcome; nil disables it.
	Welcomed WelcomeStore
	Welcome  *welcome.Message
	// WelcomeEnabled sends the welcome to newcomers; WelcomeGuests
	// includes guest accounts (bots never get it).
	WelcomeEnabled, WelcomeGuests bool
	Signer                        *mattermost.Signer
	ActionURL                     string
	// ButtonTTL is how long question buttons stay clickable; the signer's
	// own validity when 0. Set it to at least the diagnostic's expiry.
	ButtonTTL time.Duration
	// Link turns a knowledge page path into its URL; PathTitle names a
	// learning path. Both may return "".
	Link      func(page string) string
	PathTitle func(id string) string
	// Paths returns the Markdown of `/parcours liste`, posted by the
	// welcome's "see the paths" button.
	Paths     func(ctx context.Context) string
	Questions QuestionRecorder
	// Metrics counts steps and welcomes; nil counts nothing.
	Metrics *metrics.Metrics
	Logger  *zap.Logger
}

// Onboarding runs the diagnostic and the welcome on Mattermost.
type Onboarding struct {
	o       Options
	welcome atomic.Pointer[welcome.Message]
	locks   [64]sync.Mutex

	mu      sync.Mutex
	tracked map[string]tracked // user id -> the post showing their current question

	channelsMu sync.Mutex
	townSquare map[string]bool // channel id -> is a team's default channel

	wg sync.WaitGroup // welcomes being sent
}

// tracked is the post that shows a user's current question with its
// buttons, so that a typed answer can update it. It is kept in memory: after
// a restart, an old post keeps its buttons and a click on it is handled as
// the engine says (answered when still current, else stale).
type tracked struct {
	postID, channelID, questionID string
}

// New returns the onboarding; register its interceptor, event hook, actions
// and sub-commands with Register.
func New(o Options) (*Onboarding, error) {
	if o.API == nil || o.BotID == "" || o.Diagnostic == nil || o.Signer == nil || o.ActionURL == "" {
		return nil, fmt.Errorf("onboarding: API, bot, moteur de diagnostic, signature et URL des actions requis")
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Link == nil {
		o.Link = func(string) string { return "" }
	}
	if o.BotUsername == "" {
		o.BotUsername = "parcours"
	}
	ob := &Onboarding{o: o, tracked: map[string]tracked{}, townSquare: map[string]bool{}}
	if o.Welcome != nil {
		ob.welcome.Store(o.Welcome)
	}
	return ob, nil
}

// SetWelcome replaces the welcome template (after a reindex).
func (ob *Onboarding) SetWelcome(m *welcome.Message) {
	if m != nil {
		ob.welcome.Store(m)
	}
}

// Wait blocks until the welcomes being sent are sent.
func (ob *Onboarding) Wait() { ob.wg.Wait() }

// lock serialises the work of one user (a click and a typed answer at the
// same time), with a fixed number of mutexes so memory does not grow.
func (ob *Onboarding) lock(userID string) func() {
	h := fnv.New32a()
	h.Write([]byte(userID))
	m := &ob.locks[h.Sum32()%uint32(len(ob.locks))]
	m.Lock()
	return m.Unlock
}

func (ob *Onboarding) track(userID string, t tracked) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	ob.tracked[userID] = t
}

func (ob *Onboarding) trackedOf(userID string) (tracked, bool) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	t, ok := ob.tracked[userID]
	return t, ok
}

func (ob *Onboarding) untrack(userID string) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	delete(ob.tracked, userID)
}

// Client is API on a model.Client4 (the bot's token).
type Client struct{ C *model.Client4 }

func (c Client) CreatePost(ctx context.Context, p *model.Post) (*model.Post, error) {
	mattermost.MarkReply(ctx, p)
	p.Message = mattermost.Bound(p.Message)
	out, _, err := c.C.CreatePost(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("CreatePost: %w", err)
	}
	return out, nil
}

func (c Client) GetPost(ctx context.Context, id string) (*model.Post, error) {
	p, _, err := c.C.GetPost(ctx, id, "")
	if err != nil {
		return nil, fmt.Errorf("GetPost: %w", err)
	}
	return p, nil
}

func (c Client) PatchPost(ctx context.Context, id string, patch *model.PostPatch) (*model.Post, error) {
	p, _, err := c.C.PatchPost(ctx, id, patch)
	if err != nil {
		return nil, fmt.Errorf("PatchPost: %w", err)
	}
	return p, nil
}

func (c Client) DirectChannel(ctx context.Context, a, b string) (*model.Channel, error) {
	ch, _, err := c.C.CreateDirectChannel(ctx, a, b)
	if err != nil {
		return nil, fmt.Errorf("CreateDirectChannel: %w", err)
	}
	return ch, nil
}

func (c Client) GetChannel(ctx context.Context, id string) (*model.Channel, error) {
	ch, _, err := c.C.GetChannel(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("GetChannel: %w", err)
	}
	return ch, nil
}

func (c Client) GetUser(ctx context.Context, id string) (*model.User, error) {
	u, _, err := c.C.GetUser(ctx, id, "")
	if err != nil {
		return nil, fmt.Errorf("GetUser: %w", err)
	}
	return u, nil
}

func (c Client) GetUserByUsername(ctx context.Context, name string) (*model.User, error) {
	u, _, err := c.C.GetUserByUsername(ctx, name, "")
	if err != nil {
		return nil, fmt.Errorf("GetUserByUsername: %w", err)
	}
	return u, nil
}

func (c Client) GetTeam(ctx context.Context, id string) (*model.Team, error) {
	t, _, err := c.C.GetTeam(ctx, id, "")
	if err != nil {
		return nil, fmt.Errorf("GetTeam: %w", err)
	}
	return t, nil
}

func (c Client) TownSquares(ctx context.Context, userID string) ([]*model.Channel, error) {
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

func (c Client) PostsSince(ctx context.Context, channelID string, since int64) (*model.PostList, error) {
	l, _, err := c.C.GetPostsSince(ctx, channelID, since, false)
	if err != nil {
		return nil, fmt.Errorf("GetPostsSince: %w", err)
	}
	return l, nil
}
