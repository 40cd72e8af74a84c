package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// bucketWelcomed records who was welcomed in which team: key
// "teamID\x00userID", value the time as JSON. Nothing else about the user.
const bucketWelcomed = "welcomed"

func welcomeKey(teamID, userID string) []byte {
	return []byte(teamID + "\x00" + userID)
}

// MarkWelcomed records that the user was welcomed in the team. first is true
// only for the call that made the record: check and set happen in one
// transaction, so two events for the same join welcome once.
func (d *DB) MarkWelcomed(ctx context.Context, teamID, userID string) (first bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	data, err := json.Marshal(time.Now().UTC())
	if err != nil {
		return false, err
	}
	err = d.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucketWelcomed))
		if err != nil {
			return err
		}
		k := welcomeKey(teamID, userID)
		if b.Get(k) != nil {
			return nil
		}
		first = true
		return b.Put(k, data)
	})
	if err != nil {
		return false, fmt.Errorf("enregistrement de l'accueil: %w", err)
	}
	return first, nil
}

// ForgetWelcome removes the record, so that the next MarkWelcomed is first
// again (an admin re-sending the welcome, or the user's erasure request).
func (d *DB) ForgetWelcome(ctx context.Context, teamID, userID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := d.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketWelcomed))
		if b == nil {
			return nil
		}
		return b.Delete(welcomeKey(teamID, userID))
	})
	if err != nil {
		return fmt.Errorf("oubli de l'accueil: %w", err)
	}
	return nil
}

// ForgetUserWelcomes removes every record of the user's welcomes, in all
// teams (the user's erasure request); it returns how many there were.
func (d *DB) ForgetUserWelcomes(ctx context.Context, userID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if userID == "" {
		return 0, nil
	}
	n := 0
	err := d.db.Update(func(tx *bbolt.Tx) error {
		n = 0
		b := tx.Bucket([]byte(bucketWelcomed))
		if b == nil {
			return nil
		}
		var keys [][]byte
		suffix := "\x00" + userID
		err := b.ForEach(func(k, _ []byte) error {
			if len(k) > len(suffix) && string(k[len(k)-len(suffix):]) == suffix {
				keys = append(keys, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(keys)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("oubli des accueils: %w", err)
	}
	return n, nil
}
