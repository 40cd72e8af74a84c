package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
)

// DiagnosticStore keeps diagnostics in progress and results. It implements diagnostic.Store.
type DiagnosticStore struct{ d *DB }

var _ diagnostic.Store = (*DiagnosticStore)(nil)

// Diagnostics returns the diagnostic store of d.
func (d *DB) Diagnostics() *DiagnosticStore { return &DiagnosticStore{d: d} }

// GetSession returns the user's diagnostic in progress, or nil. A record that no longer decodes
// counts as absent, so that it cannot block the user.
func (s *DiagnosticStore) GetSession(ctx context.Context, userID string) (*diagnostic.Session, error) {
	var data []byte
	err := s.d.pool.QueryRow(ctx, "SELECT data FROM diagnostic_sessions WHERE user_id = $1", userID).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lecture du diagnostic en cours: %w", err)
	}
	var sess diagnostic.Session
	if json.Unmarshal(data, &sess) != nil || sess.UserID != userID {
		return nil, nil
	}
	return &sess, nil
}

// PutSession saves the user's diagnostic in progress.
func (s *DiagnosticStore) PutSession(ctx context.Context, sess *diagnostic.Session) error {
	data, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("encodage du diagnostic en cours: %w", err)
	}
	_, err = s.d.pool.Exec(ctx, `INSERT INTO diagnostic_sessions (user_id, data, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at`,
		sess.UserID, data, sess.UpdatedAt)
	if err != nil {
		return fmt.Errorf("enregistrement du diagnostic en cours: %w", err)
	}
	return nil
}

// DeleteSession deletes the user's diagnostic in progress, if any.
func (s *DiagnosticStore) DeleteSession(ctx context.Context, userID string) error {
	if _, err := s.d.pool.Exec(ctx, "DELETE FROM diagnostic_sessions WHERE user_id = $1", userID); err != nil {
		return fmt.Errorf("suppression du diagnostic en cours: %w", err)
	}
	return nil
}

// DeleteSessionsBefore deletes the sessions last updated before t.
func (s *DiagnosticStore) DeleteSessionsBefore(ctx context.Context, t time.Time) (int, error) {
	tag, err := s.d.pool.Exec(ctx, "DELETE FROM diagnostic_sessions WHERE updated_at < $1", t)
	if err != nil {
		return 0, fmt.Errorf("expiration des diagnostics: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Finish appends the result, keeps the user's latest keep results and deletes the session, in
// one transaction.
func (s *DiagnosticStore) Finish(ctx context.Context, r *diagnostic.Result, keep int) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encodage du résultat: %w", err)
	}
	err = pgx.BeginFunc(ctx, s.d.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO diagnostic_results (user_id, data) VALUES ($1, $2)", r.UserID, data); err != nil {
			return err
		}
		if keep > 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM diagnostic_results WHERE user_id = $1 AND id NOT IN
				(SELECT id FROM diagnostic_results WHERE user_id = $1 ORDER BY id DESC LIMIT $2)`, r.UserID, keep); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, "DELETE FROM diagnostic_sessions WHERE user_id = $1", r.UserID)
		return err
	})
	if err != nil {
		return fmt.Errorf("enregistrement du résultat: %w", err)
	}
	return nil
}

// Results lists the user's results, oldest first; damaged records are skipped.
func (s *DiagnosticStore) Results(ctx context.Context, userID string) ([]*diagnostic.Result, error) {
	rows, err := s.d.pool.Query(ctx, "SELECT data FROM diagnostic_results WHERE user_id = $1 ORDER BY id", userID)
	if err != nil {
		return nil, fmt.Errorf("lecture des résultats: %w", err)
	}
	all, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("lecture des résultats: %w", err)
	}
	var out []*diagnostic.Result
	for _, data := range all {
		var r diagnostic.Result
		if json.Unmarshal(data, &r) == nil {
			out = append(out, &r)
		}
	}
	return out, nil
}

// DeleteResults deletes all of the user's results (right to erasure).
func (s *DiagnosticStore) DeleteResults(ctx context.Context, userID string) (int, error) {
	tag, err := s.d.pool.Exec(ctx, "DELETE FROM diagnostic_results WHERE user_id = $1", userID)
	if err != nil {
		return 0, fmt.Errorf("suppression des résultats: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// LockUser serialises one user's diagnostic steps across replicas (a click served by one while
// a typed answer is served by another): a session advisory lock on a connection of its own,
// held until unlock is called.
func (s *DiagnosticStore) LockUser(ctx context.Context, userID string) (unlock func(), err error) {
	conn, err := s.d.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("verrou du diagnostic: %w", err)
	}
	key := userLockKey(userID)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		// The lock may or may not be held: a connection in doubt is not given back.
		conn.Hijack().Close(context.Background())
		return nil, fmt.Errorf("verrou du diagnostic: %w", err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
			conn.Hijack().Close(context.Background()) // closing the session releases its locks
			return
		}
		conn.Release()
	}, nil
}

// userLockKey maps a user id into the advisory lock space, away from migrationLock (the high
// bits of the other keys are never 0x7061…).
func userLockKey(userID string) int64 {
	h := fnv.New64a()
	h.Write([]byte("diagnostic\x00" + userID))
	return int64(h.Sum64() & 0x3fffffffffffffff)
}
