package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

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

// userLockTTL bounds how long a user's lock outlives a holder that died.
const userLockTTL = 15 * time.Second

// LockUser serialises one user's diagnostic steps across replicas (a click served by one while
// a typed answer is served by another): a row claimed in user_locks, polled while another
// replica holds it, deleted by unlock. No connection is held meanwhile.
func (s *DiagnosticStore) LockUser(ctx context.Context, userID string) (unlock func(), err error) {
	var b [8]byte
	rand.Read(b[:])
	holder := s.d.Instance + "/" + hex.EncodeToString(b[:])
	wait := 2 * time.Millisecond
	for {
		tag, err := s.d.pool.Exec(ctx, `INSERT INTO user_locks (user_id, holder, expires_at)
			VALUES ($1, $2, now() + $3 * interval '1 millisecond')
			ON CONFLICT (user_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
			WHERE user_locks.expires_at < now()`, userID, holder, userLockTTL.Milliseconds())
		if err != nil {
			return nil, fmt.Errorf("verrou du diagnostic: %w", err)
		}
		if tag.RowsAffected() == 1 {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("verrou du diagnostic: %w", ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := s.d.pool.Exec(ctx, "DELETE FROM user_locks WHERE user_id = $1 AND holder = $2", userID, holder); err != nil {
			s.d.log.Warn("releasing a diagnostic lock failed: it expires on its own", zap.Error(err))
		}
	}, nil
}
