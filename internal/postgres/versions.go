package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
)

// versionsChannel is the LISTEN/NOTIFY channel on which a bumped version is announced, as
// "name:version".
const versionsChannel = "parcours_versions"

// Version follows the version of something every replica holds a copy of (the knowledge base):
// Bump on the replica that changed its copy, Run on every replica to be told when another one
// did. Notifications (LISTEN/NOTIFY) make it immediate; the version row, read again at each
// reconnection and every poll interval, makes sure none is missed.
type Version struct {
	d    *DB
	name string
	log  *zap.Logger
	// Poll is how often the row is read besides the notifications (default 30 s).
	Poll time.Duration

	mu   sync.Mutex
	seen int64
	own  map[int64]bool // versions being bumped by this replica, not to be reloaded
}

// Version returns the follower of the version named name.
func (d *DB) Version(name string, log *zap.Logger) *Version {
	if log == nil {
		log = zap.NewNop()
	}
	return &Version{d: d, name: name, log: log, Poll: 30 * time.Second, own: map[int64]bool{}}
}

// Current reads the version in the database (0 before the first Bump) and notes it as this
// replica's: read it before loading the copy, so that a change made during the load is seen.
func (v *Version) Current(ctx context.Context) (int64, error) {
	n, err := v.read(ctx)
	if err != nil {
		return 0, err
	}
	v.advance(n)
	return n, nil
}

func (v *Version) read(ctx context.Context) (int64, error) {
	var n int64
	err := v.d.pool.QueryRow(ctx, "SELECT version FROM versions WHERE name = $1", v.name).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("lecture de la version %s: %w", v.name, err)
	}
	return n, nil
}

// advance notes n as seen; false when it was not newer, or is this replica's own bump.
func (v *Version) advance(n int64) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if n <= v.seen {
		return false
	}
	v.seen = n
	return !v.own[n]
}

// Bump increments the version after this replica changed its copy, and tells the others.
func (v *Version) Bump(ctx context.Context) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, v.d.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO versions (name, version, by) VALUES ($1, 1, $2)
			ON CONFLICT (name) DO UPDATE SET version = versions.version + 1, at = now(), by = EXCLUDED.by
			RETURNING version`, v.name, v.d.Instance).Scan(&n)
		if err != nil {
			return err
		}
		// Known as ours before the notification can arrive.
		v.mu.Lock()
		v.own[n] = true
		v.mu.Unlock()
		// Delivered at commit, to every session listening.
		_, err = tx.Exec(ctx, "SELECT pg_notify($1, $2)", versionsChannel, v.name+":"+strconv.FormatInt(n, 10))
		return err
	})
	v.mu.Lock()
	delete(v.own, n)
	if err == nil {
		v.seen = max(v.seen, n)
	}
	v.mu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("annonce de la version %s: %w", v.name, err)
	}
	return n, nil
}

// Run calls changed, one call at a time, each time the version grows past what this replica
// has seen, until ctx ends. It listens on a connection of its own, reconnecting with backoff.
func (v *Version) Run(ctx context.Context, changed func(ctx context.Context, version int64)) {
	failures := 0
	for ctx.Err() == nil {
		err := v.listen(ctx, changed, &failures)
		if ctx.Err() != nil {
			return
		}
		delay := min(time.Second<<min(failures, 5), 30*time.Second)
		failures++
		v.log.Warn("version listener lost, reconnecting", zap.String("version", v.name), zap.Error(err), zap.Duration("in", delay))
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
	}
}

func (v *Version) listen(ctx context.Context, changed func(context.Context, int64), failures *int) error {
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	conn, err := pgx.Connect(cctx, v.d.url)
	cancel()
	if err != nil {
		return fmt.Errorf("connexion d'écoute: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+versionsChannel); err != nil {
		return fmt.Errorf("LISTEN: %w", err)
	}
	*failures = 0
	check := func() error {
		n, err := v.read(ctx)
		if err != nil {
			return err
		}
		if v.advance(n) {
			changed(ctx, n)
		}
		return nil
	}
	// What changed while this replica was not listening.
	if err := check(); err != nil {
		return err
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, v.Poll)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			if err := check(); err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
		name, num, ok := strings.Cut(n.Payload, ":")
		if !ok || name != v.name {
			continue
		}
		if ver, err := strconv.ParseInt(num, 10, 64); err == nil && v.advance(ver) {
			changed(ctx, ver)
		}
	}
}
