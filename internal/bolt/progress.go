package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"
)

const (
	// bucketProgress holds where the bot stands in the stream of posts:
	// key "position", value the create_at (ms, big-endian) before which
	// every post was handled.
	bucketProgress = "progress"
	// bucketHandled holds the posts handled recently: key the create_at
	// (ms, big-endian) then the post id, so that old entries are pruned
	// from the front; empty value. Nothing of the message is kept.
	bucketHandled = "handled_posts"

	// HandledWindow is how long a handled post is remembered, counted
	// back from the position: longer than any post the bot would still
	// answer after an outage.
	HandledWindow = time.Hour
)

var keyPosition = []byte("position")

// ProgressStore keeps the bot's position in the stream of posts and the
// posts it handled recently, written as it goes, so that after any crash
// the posts made meanwhile are answered once and those already answered are
// not answered again. It implements mattermost.Progress.
type ProgressStore struct {
	d *DB
	w *groupCommit
}

// Progress returns the progress store of d, creating its buckets.
func (d *DB) Progress() (*ProgressStore, error) {
	if err := d.ensureBuckets(bucketProgress, bucketHandled); err != nil {
		return nil, fmt.Errorf("préparation du suivi des messages: %w", err)
	}
	return &ProgressStore{d: d, w: &groupCommit{db: d.db}}, nil
}

func handledKey(postID string, createAt int64) []byte {
	k := make([]byte, 8, 8+len(postID))
	binary.BigEndian.PutUint64(k, uint64(createAt))
	return append(k, postID...)
}

// Position returns the create_at (ms) before which every post was handled,
// 0 when nothing was recorded yet.
func (p *ProgressStore) Position(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var pos int64
	err := p.d.db.View(func(tx *bbolt.Tx) error {
		if v := tx.Bucket([]byte(bucketProgress)).Get(keyPosition); len(v) == 8 {
			pos = int64(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("lecture de la position: %w", err)
	}
	return pos, nil
}

// Handled reports whether the post was recorded as handled.
func (p *ProgressStore) Handled(ctx context.Context, postID string, createAt int64) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	found := false
	err := p.d.db.View(func(tx *bbolt.Tx) error {
		found = tx.Bucket([]byte(bucketHandled)).Get(handledKey(postID, createAt)) != nil
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("lecture des messages traités: %w", err)
	}
	return found, nil
}

// MarkHandled records a post as handled and moves the position forward to
// position (never back). It returns once the record is on disk; concurrent
// calls share one commit.
func (p *ProgressStore) MarkHandled(ctx context.Context, postID string, createAt, position int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := p.w.update(func(tx *bbolt.Tx) error {
		if err := tx.Bucket([]byte(bucketHandled)).Put(handledKey(postID, createAt), []byte{}); err != nil {
			return err
		}
		return advance(tx, position)
	})
	if err != nil {
		return fmt.Errorf("enregistrement du message traité: %w", err)
	}
	return nil
}

// SavePosition moves the position forward to position (never back).
func (p *ProgressStore) SavePosition(ctx context.Context, position int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.w.update(func(tx *bbolt.Tx) error { return advance(tx, position) }); err != nil {
		return fmt.Errorf("enregistrement de la position: %w", err)
	}
	return nil
}

// advance moves the position forward and forgets the posts handled more
// than HandledWindow before it.
func advance(tx *bbolt.Tx, position int64) error {
	b := tx.Bucket([]byte(bucketProgress))
	if v := b.Get(keyPosition); len(v) == 8 && int64(binary.BigEndian.Uint64(v)) >= position {
		return nil
	}
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], uint64(position))
	if err := b.Put(keyPosition, v[:]); err != nil {
		return err
	}
	cutoff := position - HandledWindow.Milliseconds()
	c := tx.Bucket([]byte(bucketHandled)).Cursor()
	for k, _ := c.First(); k != nil && len(k) >= 8 && int64(binary.BigEndian.Uint64(k[:8])) < cutoff; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}
