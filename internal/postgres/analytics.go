package postgres

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// MaxMisses is how many unanswered questions are kept, newest first (as bolt.MaxMisses).
	MaxMisses = 500
	// MissRetention is how long an unanswered question is kept (as bolt.MissRetention).
	MissRetention = 90 * 24 * time.Hour
)

// Miss is a question that found nothing, kept without its author.
type Miss struct {
	Question string
	At       time.Time
}

// QuestionCounts totals the questions asked, by outcome.
type QuestionCounts struct {
	Answered, Missed int
}

// FeedbackCounts totals the verdicts on answers.
type FeedbackCounts struct {
	Useful, NotUseful int
}

// RecordFeedback records that userID found an answer useful or not. answerID identifies the
// answer (the signed nonce of its buttons), postID the post it is in. A later click by the same
// user on the same answer replaces the earlier one; changed is false when the verdict was already
// recorded as is. The user id is only hashed into the key, never stored.
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

// FeedbackCounts returns how many answers were found useful or not.
func (d *DB) FeedbackCounts() (FeedbackCounts, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var c FeedbackCounts
	err := d.pool.QueryRow(ctx, "SELECT count(*) FILTER (WHERE useful), count(*) FILTER (WHERE NOT useful) FROM feedback").Scan(&c.Useful, &c.NotUseful)
	if err != nil {
		return c, fmt.Errorf("lecture des avis: %w", err)
	}
	return c, nil
}

// RecordQuestion counts a question by outcome and, when nothing was found, keeps its text
// (capped at MaxMisses, older than MissRetention dropped).
func (d *DB) RecordQuestion(question string, answered bool, at time.Time) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if len(question) > 500 {
		question = question[:500]
	}
	outcome := "missed"
	if answered {
		outcome = "answered"
	}
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO question_counts (outcome, n) VALUES ($1, 1)
			ON CONFLICT (outcome) DO UPDATE SET n = question_counts.n + 1`, outcome); err != nil {
			return err
		}
		if answered {
			return nil
		}
		if _, err := tx.Exec(ctx, "INSERT INTO question_misses (question, at) VALUES ($1, $2)", question, at.UTC()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM question_misses WHERE at < $1 OR id <=
			(SELECT id FROM question_misses ORDER BY id DESC OFFSET $2 LIMIT 1)`, at.Add(-MissRetention).UTC(), MaxMisses)
		return err
	})
	if err != nil {
		return fmt.Errorf("enregistrement de la question: %w", err)
	}
	return nil
}

// RecentMisses returns up to n unanswered questions, newest first.
func (d *DB) RecentMisses(n int) ([]Miss, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := d.pool.Query(ctx, "SELECT question, at FROM question_misses ORDER BY id DESC LIMIT $1", n)
	if err != nil {
		return nil, fmt.Errorf("lecture des questions sans réponse: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Miss])
	if err != nil {
		return nil, fmt.Errorf("lecture des questions sans réponse: %w", err)
	}
	return out, nil
}

// QuestionCounts returns the number of questions asked, by outcome.
func (d *DB) QuestionCounts() (QuestionCounts, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var q QuestionCounts
	err := d.pool.QueryRow(ctx, `SELECT coalesce(sum(n) FILTER (WHERE outcome = 'answered'), 0),
		coalesce(sum(n) FILTER (WHERE outcome = 'missed'), 0) FROM question_counts`).Scan(&q.Answered, &q.Missed)
	if err != nil {
		return q, fmt.Errorf("lecture des compteurs de questions: %w", err)
	}
	return q, nil
}
