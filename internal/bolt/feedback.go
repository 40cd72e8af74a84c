package bolt

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"
)

const bucketFeedback = "feedback"

// feedbackRecord is one person's verdict on one answer. The key is a hash of
// the answer and the user, so a second click replaces the first and
// the user id itself is never stored.
type feedbackRecord struct {
	PostID string    `json:"post_id"`
	Useful bool      `json:"useful"`
	At     time.Time `json:"at"`
}

// FeedbackCounts totals the verdicts on answers.
type FeedbackCounts struct {
	Useful, NotUseful int
}

// RecordFeedback records that userID found an answer useful or not.
// answerID identifies the answer (the signed nonce of its buttons), postID
// is the Mattermost post it is in. A later click by the same user on the
// same answer replaces the earlier one; changed is false when the verdict
// was already recorded as is.
func (d *DB) RecordFeedback(answerID, postID, userID string, useful bool, at time.Time) (changed bool, err error) {
	sum := sha256.Sum256([]byte("feedback\x00" + answerID + "\x00" + userID))
	key := sum[:]
	err = d.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucketFeedback))
		if err != nil {
			return err
		}
		if old := b.Get(key); old != nil {
			var r feedbackRecord
			if json.Unmarshal(old, &r) == nil && r.Useful == useful {
				return nil
			}
		}
		data, err := json.Marshal(feedbackRecord{PostID: postID, Useful: useful, At: at.UTC()})
		if err != nil {
			return err
		}
		changed = true
		return b.Put(key, data)
	})
	if err != nil {
		return false, fmt.Errorf("enregistrement de l'avis: %w", err)
	}
	return changed, nil
}

// FeedbackCounts returns how many answers were found useful or not.
func (d *DB) FeedbackCounts() (FeedbackCounts, error) {
	var c FeedbackCounts
	err := d.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketFeedback))
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var r feedbackRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return nil // a damaged record does not hide the others
			}
			if r.Useful {
				c.Useful++
			} else {
				c.NotUseful++
			}
			return nil
		})
	})
	if err != nil {
		return c, fmt.Errorf("lecture des avis: %w", err)
	}
	return c, nil
}

// timeKey is a sortable key: the time in nanoseconds, then a sequence to
// keep two records of the same instant apart.
func timeKey(t time.Time, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(t.UnixNano()))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}
