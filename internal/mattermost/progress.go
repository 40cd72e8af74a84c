package mattermost

import (
	"context"
	"sync"

	"github.com/mattermost/mattermost/server/public/model"
)

// Progress keeps, as the bot goes, where it stands in the stream of posts
// and which posts it handled recently (internal/bolt), so that after any
// crash the posts made meanwhile are caught up and none is answered twice.
type Progress interface {
	// Position is the create_at (ms) before which every post was handled.
	Position(ctx context.Context) (int64, error)
	Handled(ctx context.Context, postID string, createAt int64) (bool, error)
	// MarkHandled records a post as handled and moves the position
	// forward (never back).
	MarkHandled(ctx context.Context, postID string, createAt, position int64) error
	SavePosition(ctx context.Context, position int64) error
}

// Claimer is implemented by a Progress shared by replicas (internal/postgres):
// a post is claimed before the bot replies, so that it is replied to at most
// once whichever replica sees it, and only by the one consuming events. With
// it, Handled is not asked: a claim refused or failed means no reply.
type Claimer interface {
	Claim(ctx context.Context, postID string, createAt int64) (bool, error)
}

// PropReplyTo is the post prop naming the post a reply of the bot answers:
// after a crash between the reply and its record, the catch-up sees that
// the post was answered.
const PropReplyTo = "parcours_reply_to"

type replyToKey struct{}

// withReplyTo marks ctx as the handling of post id: the posts created with
// it carry PropReplyTo.
func withReplyTo(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, replyToKey{}, id)
}

// MarkReply sets PropReplyTo on p when ctx is the handling of a post. Every
// client's CreatePost calls it.
func MarkReply(ctx context.Context, p *model.Post) {
	id, _ := ctx.Value(replyToKey{}).(string)
	if id != "" && p.GetProp(PropReplyTo) == nil {
		p.AddProp(PropReplyTo, id)
	}
}

// tracker computes the position to record: the oldest post still being
// handled, or when none is, the newest post received. Everything created
// before it is done with.
type tracker struct {
	mu       sync.Mutex
	inflight map[string]tracked
	newest   int64
}

type tracked struct {
	at int64
	n  int // the same post delivered twice (a replayed event)
}

func newTracker() *tracker { return &tracker{inflight: map[string]tracked{}} }

// begin notes that a post is being handled.
func (t *tracker) begin(id string, at int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.inflight[id]
	e.at, e.n = at, e.n+1
	t.inflight[id] = e
	t.newest = max(t.newest, at)
}

// end notes that a post is done with and returns the position.
func (t *tracker) end(id string) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.inflight[id]; ok {
		if e.n <= 1 {
			delete(t.inflight, id)
		} else {
			e.n--
			t.inflight[id] = e
		}
	}
	return t.positionLocked()
}

func (t *tracker) position() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.positionLocked()
}

func (t *tracker) positionLocked() int64 {
	pos := t.newest
	for _, e := range t.inflight {
		pos = min(pos, e.at)
	}
	return pos
}

// serial runs the work of one key (a user) in order, one at a time, and
// different keys concurrently: a user's questions are answered in the order
// they were asked, even when they arrive together after an outage.
type serial struct {
	mu     sync.Mutex
	queues map[string][]func()
}

func newSerial() *serial { return &serial{queues: map[string][]func(){}} }

// Do queues f behind the work of key; it never blocks.
func (s *serial) Do(key string, f func()) {
	s.mu.Lock()
	q, running := s.queues[key]
	s.queues[key] = append(q, f)
	s.mu.Unlock()
	if !running {
		go s.drain(key)
	}
}

func (s *serial) drain(key string) {
	for {
		s.mu.Lock()
		q := s.queues[key]
		if len(q) == 0 {
			delete(s.queues, key)
			s.mu.Unlock()
			return
		}
		f := q[0]
		q[0] = nil
		s.queues[key] = q[1:]
		s.mu.Unlock()
		f()
	}
}
