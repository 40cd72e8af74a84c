// Package ratelimit limits how many messages one user may send the bot: a
// token bucket per user (golang.org/x/time/rate), a polite message the
// first time the limit is hit, then silence until the bucket refills. It
// knows nothing of the channel: the Mattermost adapter and the slash
// command ask it, and so could any other.
package ratelimit

import (
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Verdict says what to do with one message.
type Verdict int

// Verdicts.
const (
	Allowed Verdict = iota // answer it
	Warn                   // do not answer; say once that the limit is hit
	Silent                 // do not answer, say nothing: already told
)

// Decision is the verdict on one message and, when it is refused, how long
// until the next one would be allowed.
type Decision struct {
	Verdict Verdict
	Retry   time.Duration
}

// Limiter holds a bucket per user. The zero rate lets everything through.
type Limiter struct {
	limit rate.Limit
	burst int
	now   func() time.Time

	mu    sync.Mutex
	users map[string]*user
	swept time.Time
}

type user struct {
	bucket *rate.Limiter
	warned bool // told since the last message allowed
	last   time.Time
}

// New returns a limiter of perMinute messages a minute per user, with
// bursts of burst messages (at least 1). perMinute 0 turns it off.
func New(perMinute, burst int) *Limiter {
	return &Limiter{limit: rate.Limit(float64(perMinute) / 60), burst: max(burst, 1), now: time.Now, users: map[string]*user{}}
}

// Allow takes one message of userID into account and says what to do.
func (l *Limiter) Allow(userID string) Decision {
	if l == nil || l.limit <= 0 {
		return Decision{Verdict: Allowed}
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	u := l.users[userID]
	if u == nil {
		u = &user{bucket: rate.NewLimiter(l.limit, l.burst)}
		l.users[userID] = u
	}
	u.last = now
	if u.bucket.AllowN(now, 1) {
		u.warned = false
		return Decision{Verdict: Allowed}
	}
	retry := time.Duration((1 - u.bucket.TokensAt(now)) / float64(l.limit) * float64(time.Second))
	if u.warned {
		return Decision{Verdict: Silent, Retry: retry}
	}
	u.warned = true
	return Decision{Verdict: Warn, Retry: retry}
}

// idle is how long after their last message a user's bucket is full
// again: forgetting them then changes nothing.
func (l *Limiter) idle() time.Duration {
	return time.Duration(float64(l.burst) / float64(l.limit) * float64(time.Second))
}

// sweep forgets the idle users, at most once per idle period, so that
// memory follows the users active recently, not all who ever wrote.
func (l *Limiter) sweep(now time.Time) {
	idle := l.idle()
	if now.Sub(l.swept) < idle {
		return
	}
	l.swept = now
	for id, u := range l.users {
		if now.Sub(u.last) >= idle {
			delete(l.users, id)
		}
	}
}

// Len is the number of users remembered.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.users)
}

// Message is the polite French message of a Warn decision.
func Message(d Decision) string {
	wait := "une minute"
	switch s := int(d.Retry.Round(time.Second).Seconds()); {
	case s <= 1:
		wait = "un instant"
	case s < 60:
		wait = fmt.Sprintf("%d secondes", s)
	case s < 120:
		wait = "une minute"
	default:
		wait = fmt.Sprintf("%d minutes", s/60)
	}
	return "Vous m'envoyez beaucoup de messages en peu de temps : je ne réponds plus aux suivants pendant " + wait +
		". Ensuite, posez-moi votre question à nouveau, une à la fois."
}
