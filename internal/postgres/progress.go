package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// HandledWindow is how long a handled post is remembered, counted back from the position (as
// bolt.HandledWindow): longer than any post the bot would still answer after an outage.
const HandledWindow = time.Hour

// ProgressStore keeps the event consumer's position in the stream of posts and the posts it
// claimed. Its writes are fenced by the lease: only the replica holding it, in its current
// term, may claim a post or move the position, so that a former leader that has not noticed yet
// can neither reply nor move the position back or forth. It implements mattermost.Progress.
type ProgressStore struct {
	d     *DB
	lease *Lease

	mu       sync.Mutex
	prunedAt time.Time
}

// Progress returns the progress store of the consumer elected by lease.
func (d *DB) Progress(lease *Lease) *ProgressStore { return &ProgressStore{d: d, lease: lease} }

// Position returns the create_at (ms) before which every post was handled, 0 when nothing was
// recorded yet.
func (p *ProgressStore) Position(ctx context.Context) (int64, error) {
	var pos int64
	err := p.d.pool.QueryRow(ctx, "SELECT position FROM stream_position WHERE id = 1").Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("lecture de la position: %w", err)
	}
	return pos, nil
}

// Handled reports whether the post was replied to, or claimed in this term or a later one (a
// claim of an earlier term left undone is not: Claim may take it over).
func (p *ProgressStore) Handled(ctx context.Context, postID string, createAt int64) (bool, error) {
	var done bool
	var epoch int64
	err := p.d.pool.QueryRow(ctx, "SELECT done, epoch FROM handled_posts WHERE post_id = $1", postID).Scan(&done, &epoch)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lecture des messages traités: %w", err)
	}
	return done || epoch >= p.lease.Epoch(), nil
}

// Claim reserves the post for a reply by this replica, before the reply is posted: true for
// exactly one caller among all replicas. A claim made in an earlier term and not marked done is
// taken over: that leader was stopped between its claim and its reply (its local deadline, past
// which it posts nothing, ended before this term began). ErrNotLeader when this replica does
// not hold the lease: it must not reply.
func (p *ProgressStore) Claim(ctx context.Context, postID string, createAt int64) (bool, error) {
	epoch := p.lease.Epoch()
	if epoch == 0 {
		return false, ErrNotLeader
	}
	var leading, claimed int
	err := p.d.pool.QueryRow(ctx, `WITH lease AS (
			SELECT 1 FROM leases WHERE name = $3 AND holder = $4 AND epoch = $5 AND expires_at > now()
		), claim AS (
			INSERT INTO handled_posts (post_id, create_at, holder, epoch)
			SELECT $1, $2, $4, $5 FROM lease
			ON CONFLICT (post_id) DO UPDATE SET holder = EXCLUDED.holder, epoch = EXCLUDED.epoch, claimed_at = now()
			WHERE NOT handled_posts.done AND handled_posts.epoch < EXCLUDED.epoch
			RETURNING 1
		)
		SELECT (SELECT count(*) FROM lease), (SELECT count(*) FROM claim)`,
		postID, createAt, p.lease.name, p.d.Instance, epoch).Scan(&leading, &claimed)
	if err != nil {
		return false, fmt.Errorf("réservation du message: %w", err)
	}
	if leading == 0 {
		return false, ErrNotLeader
	}
	return claimed == 1, nil
}

// MarkHandled records that the post was replied to and moves the position forward to position
// (never back). Recording the reply is never refused, even to a former leader: it did reply,
// and the record keeps a later leader from replying again; the position moves only for the
// lease holder.
func (p *ProgressStore) MarkHandled(ctx context.Context, postID string, createAt, position int64) error {
	_, err := p.d.pool.Exec(ctx, `INSERT INTO handled_posts (post_id, create_at, holder, epoch, done)
		VALUES ($1, $2, $3, $4, true)
		ON CONFLICT (post_id) DO UPDATE SET done = true`, postID, createAt, p.d.Instance, p.lease.Epoch())
	if err != nil {
		return fmt.Errorf("enregistrement du message traité: %w", err)
	}
	return p.SavePosition(ctx, position)
}

// SavePosition moves the position forward to position (never back); ErrNotLeader when this
// replica does not hold the lease.
func (p *ProgressStore) SavePosition(ctx context.Context, position int64) error {
	epoch := p.lease.Epoch()
	if epoch == 0 {
		return ErrNotLeader
	}
	tag, err := p.d.pool.Exec(ctx, `INSERT INTO stream_position (id, position)
		SELECT 1, $1 FROM leases WHERE name = $2 AND holder = $3 AND epoch = $4 AND expires_at > now()
		ON CONFLICT (id) DO UPDATE SET position = greatest(stream_position.position, EXCLUDED.position)`,
		position, p.lease.name, p.d.Instance, epoch)
	if err != nil {
		return fmt.Errorf("enregistrement de la position: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotLeader
	}
	p.prune(ctx, position)
	return nil
}

// prune forgets, at most once a minute, the posts handled more than HandledWindow before the
// position.
func (p *ProgressStore) prune(ctx context.Context, position int64) {
	p.mu.Lock()
	due := time.Since(p.prunedAt) > time.Minute
	if due {
		p.prunedAt = time.Now()
	}
	p.mu.Unlock()
	if !due {
		return
	}
	if _, err := p.d.pool.Exec(ctx, "DELETE FROM handled_posts WHERE create_at < $1", position-HandledWindow.Milliseconds()); err != nil {
		p.d.log.Debug("pruning handled posts failed")
	}
}
