package mattermost

import (
	"cmp"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"

	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/fr"
)

// Welcomer is what the joins are handed to (internal/conversation).
type Welcomer interface {
	Welcome(ctx context.Context, u conversation.User, teamID, teamName string, force bool, out conversation.Outbox) (bool, error)
}

// Joins notices the people who join the bot's teams and has the
// conversation welcome them: live from the WebSocket, and from the join
// messages of each team's Town Square for the joins missed while the bot
// was stopped or cut off.
type Joins struct {
	Welcomer  Welcomer
	Directory *Directory
	Poster    *Poster
	Logger    *zap.Logger
	// RetryAfter is how long a refused welcome waits before its second
	// try (2 s when 0).
	RetryAfter time.Duration

	channelsMu sync.Mutex
	townSquare map[string]bool // channel id -> is a team's default channel
	wg         sync.WaitGroup  // welcomes being sent
}

// Wait blocks until the welcomes being sent are sent.
func (j *Joins) Wait() { j.wg.Wait() }

// OnUserAdded is the hook of the "user_added" WebSocket event. Mattermost
// sends no team-wide event when someone joins a team, but it adds them to
// the team's default channel (Town Square), whose members, the bot among
// them, receive "user_added" with the user and the team: that is the join.
// Additions to other channels are ignored. The work runs off the event loop.
func (j *Joins) OnUserAdded(ctx context.Context, ev *model.WebSocketEvent) {
	userID, _ := ev.GetData()["user_id"].(string)
	teamID, _ := ev.GetData()["team_id"].(string)
	channelID := ev.GetBroadcast().ChannelId
	if userID == "" || teamID == "" || channelID == "" || userID == j.Poster.BotID {
		return
	}
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		log := j.Logger.With(zap.String("user_id", userID), zap.String("team_id", teamID))
		ok, err := j.isTownSquare(wctx, channelID)
		if err != nil {
			log.Warn("welcome: reading the channel failed", zap.Error(err))
			return
		}
		if !ok {
			return
		}
		sent, err := j.welcome(wctx, teamID, userID)
		if err != nil {
			log.Error("welcome failed", zap.Error(err))
			return
		}
		if sent {
			log.Info("welcome sent")
		}
	}()
}

// welcome hands a newcomer of a team to the conversation. A welcome
// refused is tried again once, a moment later: the direct channel the user's
// own client opens at the same time may not be ready for the bot's post yet
// (Mattermost answers that it lacks the permission).
func (j *Joins) welcome(ctx context.Context, teamID, userID string) (bool, error) {
	u, err := j.Directory.User(ctx, userID)
	if err != nil {
		return false, err
	}
	team, err := j.Directory.TeamName(ctx, teamID)
	if err != nil {
		return false, err
	}
	sent, err := j.Welcomer.Welcome(ctx, u, teamID, team, false, j.Poster.Outbox(userID, "", "", false))
	if err == nil {
		return sent, nil
	}
	j.Logger.Info("welcome refused, trying again", zap.String("user_id", userID), zap.Error(err))
	select {
	case <-ctx.Done():
		return false, err
	case <-time.After(cmp.Or(j.RetryAfter, 2*time.Second)):
	}
	return j.Welcomer.Welcome(ctx, u, teamID, team, false, j.Poster.Outbox(userID, "", "", false))
}

func (j *Joins) isTownSquare(ctx context.Context, channelID string) (bool, error) {
	j.channelsMu.Lock()
	v, ok := j.townSquare[channelID]
	j.channelsMu.Unlock()
	if ok {
		return v, nil
	}
	ch, err := j.Poster.API.GetChannel(ctx, channelID)
	if err != nil {
		return false, err
	}
	v = ch.Name == model.DefaultChannelName && ch.TeamId != ""
	j.channelsMu.Lock()
	if j.townSquare == nil || len(j.townSquare) > 10000 {
		j.townSquare = map[string]bool{}
	}
	j.townSquare[channelID] = v
	j.channelsMu.Unlock()
	return v, nil
}

// MaxCatchUp bounds how far back Reconcile looks for joins: someone who
// joined long before is no newcomer any more.
const MaxCatchUp = 72 * time.Hour

// Reconcile welcomes the members who joined the bot's teams since a time,
// found in the join messages of each team's Town Square. It returns how
// many were welcomed; the conversation welcomes once per team, so it is
// safe to overlap with the events. A welcome that fails twice makes the
// next round start from the same time.
func (j *Joins) Reconcile(ctx context.Context, since time.Time) (int, error) {
	if min := time.Now().Add(-MaxCatchUp); since.Before(min) {
		since = min
	}
	chs, err := j.Poster.API.TownSquares(ctx, j.Poster.BotID)
	if err != nil {
		return 0, fmt.Errorf("canaux d'accueil: %w", err)
	}
	var errs []error
	n := 0
	for _, ch := range chs {
		if ch.LastPostAt > 0 && ch.LastPostAt < since.UnixMilli() {
			continue
		}
		l, err := j.Poster.API.PostsSince(ctx, ch.Id, since.UnixMilli())
		if err != nil {
			j.Logger.Warn("welcome catch-up: reading the channel failed", zap.String("channel_id", ch.Id), zap.Error(err))
			continue
		}
		l.SortByCreateAt()
		for i := len(l.Order) - 1; i >= 0; i-- { // oldest first
			p := l.Posts[l.Order[i]]
			user := joined(p)
			if user == "" || p.CreateAt < since.UnixMilli() || user == j.Poster.BotID {
				continue
			}
			sent, err := j.welcome(ctx, ch.TeamId, user)
			if err != nil {
				j.Logger.Warn("welcome catch-up failed", zap.String("user_id", user), zap.Error(err))
				errs = append(errs, err)
				continue
			}
			if sent {
				n++
			}
		}
	}
	if n > 0 {
		j.Logger.Info("welcome catch-up", zap.Int("welcomed", n), zap.Time("since", since))
	}
	if len(errs) > 0 {
		return n, fmt.Errorf("%s: %w", fr.Count(len(errs), "accueil non envoyé", "accueils non envoyés"), errs[0])
	}
	return n, nil
}

// joined returns the user a team join message is about, or "".
func joined(p *model.Post) string {
	if p == nil || p.DeleteAt != 0 {
		return ""
	}
	switch p.Type {
	case model.PostTypeJoinTeam:
		return p.UserId
	case model.PostTypeAddToTeam:
		s, _ := p.GetProp(model.PostPropsAddedUserId).(string)
		return s
	}
	return ""
}

// RunReconcile calls Reconcile from since, then every interval from the
// previous call (with a minute of overlap for posts in flight), until ctx
// ends. A zero since starts from now: a first start welcomes no one
// retroactively.
func (j *Joins) RunReconcile(ctx context.Context, since time.Time, every time.Duration) {
	if since.IsZero() {
		since = time.Now()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		start := time.Now()
		if _, err := j.Reconcile(ctx, since); err != nil && ctx.Err() == nil {
			j.Logger.Warn("welcome catch-up failed", zap.Error(err))
		} else if err == nil {
			since = start.Add(-time.Minute)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Directory finds the chat's people and teams for the conversation: a
// person is called by their first name, else their nickname or full name,
// never by their login (nothing rather than « Bonjour jdupont »).
type Directory struct{ API API }

func (d *Directory) person(u *model.User) conversation.User {
	name := u.FirstName
	if name == "" {
		name = u.Nickname
	}
	if name == "" {
		name = u.GetFullName()
	}
	return conversation.User{ID: u.Id, Name: name, Username: u.Username, Bot: u.IsBot, Deactivated: u.DeleteAt != 0, Guest: u.IsGuest()}
}

// User returns a person by id.
func (d *Directory) User(ctx context.Context, id string) (conversation.User, error) {
	u, err := d.API.GetUser(ctx, id)
	if err != nil {
		return conversation.User{}, err
	}
	return d.person(u), nil
}

// UserByName returns a person by login.
func (d *Directory) UserByName(ctx context.Context, username string) (conversation.User, error) {
	u, err := d.API.GetUserByUsername(ctx, username)
	if err != nil {
		return conversation.User{}, err
	}
	return d.person(u), nil
}

// TeamName returns a team's display name.
func (d *Directory) TeamName(ctx context.Context, id string) (string, error) {
	t, err := d.API.GetTeam(ctx, id)
	if err != nil {
		return "", err
	}
	return t.DisplayName, nil
}
