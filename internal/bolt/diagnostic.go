package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
)

const (
	// bucketDiagSessions maps a user id to the JSON of the diagnostic in progress.
	bucketDiagSessions = "diagnostic_sessions"
	// bucketDiagResults holds one nested bucket per user id, whose keys are
	// big-endian sequence numbers (oldest first) and values JSON results.
	bucketDiagResults = "diagnostic_results"
)

// DiagnosticStore keeps diagnostics in progress and results in the store
// file, so that a restart of the bot loses nothing. It implements
// diagnostic.Store.
type DiagnosticStore struct {
	d *DB
	w *groupCommit
}

var _ diagnostic.Store = (*DiagnosticStore)(nil)

// Diagnostics returns the diagnostic store of d, creating its buckets.
func (d *DB) Diagnostics() (*DiagnosticStore, error) {
	if err := d.ensureBuckets(bucketDiagSessions, bucketDiagResults); err != nil {
		return nil, fmt.Errorf("préparation du stockage des diagnostics: %w", err)
	}
	return &DiagnosticStore{d: d, w: &groupCommit{db: d.db}}, nil
}

// GetSession returns the user's diagnostic in progress, or nil. A record that
// no longer decodes counts as absent, so that it cannot block the user.
func (s *DiagnosticStore) GetSession(ctx context.Context, userID string) (*diagnostic.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *diagnostic.Session
	err := s.d.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket([]byte(bucketDiagSessions)).Get([]byte(userID))
		if v == nil {
			return nil
		}
		var sess diagnostic.Session
		if json.Unmarshal(v, &sess) == nil && sess.UserID == userID {
			out = &sess
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lecture du diagnostic en cours: %w", err)
	}
	return out, nil
}

// PutSession saves the user's diagnostic in progress.
func (s *DiagnosticStore) PutSession(ctx context.Context, sess *diagnostic.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("encodage du diagnostic en cours: %w", err)
	}
	err = s.w.update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucketDiagSessions)).Put([]byte(sess.UserID), data)
	})
	if err != nil {
		return fmt.Errorf("enregistrement du diagnostic en cours: %w", err)
	}
	return nil
}

// DeleteSession deletes the user's diagnostic in progress, if any.
func (s *DiagnosticStore) DeleteSession(ctx context.Context, userID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.w.update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucketDiagSessions)).Delete([]byte(userID))
	})
	if err != nil {
		return fmt.Errorf("suppression du diagnostic en cours: %w", err)
	}
	return nil
}

// DeleteSessionsBefore deletes the sessions last updated before t, and the
// records that no longer decode.
func (s *DiagnosticStore) DeleteSessionsBefore(ctx context.Context, t time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := s.d.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketDiagSessions))
		var old [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var sess diagnostic.Session
			if json.Unmarshal(v, &sess) != nil || sess.UpdatedAt.Before(t) {
				old = append(old, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(old)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("expiration des diagnostics: %w", err)
	}
	return n, nil
}

// Finish appends the result, keeps the user's latest keep results and
// deletes the session, in one transaction.
func (s *DiagnosticStore) Finish(ctx context.Context, r *diagnostic.Result, keep int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encodage du résultat: %w", err)
	}
	err = s.w.update(func(tx *bbolt.Tx) error {
		ub, err := tx.Bucket([]byte(bucketDiagResults)).CreateBucketIfNotExists([]byte(r.UserID))
		if err != nil {
			return err
		}
		seq, err := ub.NextSequence()
		if err != nil {
			return err
		}
		var key [8]byte
		binary.BigEndian.PutUint64(key[:], seq)
		if err := ub.Put(key[:], data); err != nil {
			return err
		}
		if keep > 0 {
			if err := pruneOldest(ub, keep); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte(bucketDiagSessions)).Delete([]byte(r.UserID))
	})
	if err != nil {
		return fmt.Errorf("enregistrement du résultat: %w", err)
	}
	return nil
}

// pruneOldest deletes the oldest keys of b beyond the keep latest.
func pruneOldest(b *bbolt.Bucket, keep int) error {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for i := 0; i < len(keys)-keep; i++ {
		if err := b.Delete(keys[i]); err != nil {
			return err
		}
	}
	return nil
}

// Results lists the user's results, oldest first; damaged records are skipped.
func (s *DiagnosticStore) Results(ctx context.Context, userID string) ([]*diagnostic.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*diagnostic.Result
	err := s.d.db.View(func(tx *bbolt.Tx) error {
		ub := tx.Bucket([]byte(bucketDiagResults)).Bucket([]byte(userID))
		if ub == nil {
			return nil
		}
		return ub.ForEach(func(_, v []byte) error {
			var r diagnostic.Result
			if json.Unmarshal(v, &r) == nil {
				out = append(out, &r)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("lecture des résultats: %w", err)
	}
	return out, nil
}

// DeleteResults deletes all of the user's results (right to erasure).
func (s *DiagnosticStore) DeleteResults(ctx context.Context, userID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := s.d.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketDiagResults))
		ub := b.Bucket([]byte(userID))
		if ub == nil {
			return nil
		}
		c := ub.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		return b.DeleteBucket([]byte(userID))
	})
	if err != nil {
		return 0, fmt.Errorf("suppression des résultats: %w", err)
	}
	return n, nil
}
