package postgres

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"
)

// RecordFeedback records that userID found an answer useful or not. answerID identifies the
// answer (the signed nonce of its buttons), postID the post it is in. A later click by the same
// user on the same answer replaces the earlier one; changed is false when the verdict was already
// recorded as is, so that a double click counts once. The user id is only hashed into the key,
// never stored. (What the statistics show is recorded as analytics events: events.go.)
func (d *DB) RecordFeedback(answerID, postID, userID string, useful bool, at time.Time) (changed bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sum := sha256.Sum256([]byte("feedback\x00" + answerID + "\x00" + userID))
	tag, err := d.pool.Exec(ctx, `INSERT INTO feedback (key, post_id, useful, at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key) DO UPDATE SET post_id = EXCLUDED.post_id, useful = EXCLUDED.useful, at = EXCLUDED.at
		WHERE feedback.useful <> EXCLUDED.useful`, sum[:], postID, useful, at.UTC())
	if err != nil {
		return false, fmt.Errorf("enregistrement de l'avis: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
