package onboarding

import (
	"context"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"
)

// MaxCatchUp bounds how far back Reconcile looks for joins: someone who
// joined long before is no newcomer any more.
const MaxCatchUp = 72 * time.Hour

// Reconcile welcomes the members who joined the bot's teams since a time,
// found in the join messages of each team's Town Square: joins missed while
// the bot was stopped or its WebSocket cut. It returns how many were
// welcomed; MarkWelcomed makes it safe to overlap with the events.
func (ob *Onboarding) Reconcile(ctx context.Context, since time.Time) (int, error) {
	if !ob.o.WelcomeEnabled || ob.o.Welcomed == nil {
		return 0, nil
	}
	if min := time.Now().Add(-MaxCatchUp); since.Before(min) {
		since = min
	}
	chs, err := ob.o.API.TownSquares(ctx, ob.o.BotID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ch := range chs {
		if ch.LastPostAt > 0 && ch.LastPostAt < since.UnixMilli() {
			continue
		}
		l, err := ob.o.API.PostsSince(ctx, ch.Id, since.UnixMilli())
		if err != nil {
			ob.o.Logger.Warn("welcome catch-up: reading the channel failed", zap.String("channel_id", ch.Id), zap.Error(err))
			continue
		}
		l.SortByCreateAt()
		for i := len(l.Order) - 1; i >= 0; i-- { // oldest first
			p := l.Posts[l.Order[i]]
			user := joined(p)
			if user == "" || p.CreateAt < since.UnixMilli() || user == ob.o.BotID {
				continue
			}
			sent, err := ob.Welcome(ctx, ch.TeamId, user, false)
			if err != nil {
				ob.o.Logger.Warn("welcome catch-up failed", zap.String("user_id", user), zap.Error(err))
				continue
			}
			if sent {
				n++
			}
		}
	}
	if n > 0 {
		ob.o.Logger.Info("welcome catch-up", zap.Int("welcomed", n), zap.Time("since", since))
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
func (ob *Onboarding) RunReconcile(ctx context.Context, since time.Time, every time.Duration) {
	if since.IsZero() {
		since = time.Now()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		start := time.Now()
		if _, err := ob.Reconcile(ctx, since); err != nil && ctx.Err() == nil {
			ob.o.Logger.Warn("welcome catch-up failed", zap.Error(err))
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
