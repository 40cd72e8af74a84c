package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/cloud-pi-native/parcours/internal/analytics"
)

const (
	bucketMisses         = "misses"
	bucketQuestionCounts = "question_counts"

	// MaxMisses is how many unanswered questions are kept, newest first.
	MaxMisses = 500
	// MissRetention is how long an unanswered question is kept.
	MissRetention = 90 * 24 * time.Hour
)

// Miss is a question that found nothing, kept without its author so that
// admins can see what the knowledge base lacks.
type Miss struct {
	Question string    `json:"question"`
	At       time.Time `json:"at"`
}

// QuestionCounts totals the questions asked, by outcome.
type QuestionCounts struct {
	Answered, Missed int
}

// RecordQuestion counts a question by outcome and, when nothing was found,
// keeps its text (capped at MaxMisses, older than MissRetention dropped).
func (d *DB) RecordQuestion(question string, answered bool, at time.Time) error {
	if len(question) > 500 {
		question = question[:500]
	}
	// Batch lets concurrent answers share one disk sync.
	err := d.db.Batch(func(tx *bbolt.Tx) error {
		counts, err := tx.CreateBucketIfNotExists([]byte(bucketQuestionCounts))
		if err != nil {
			return err
		}
		name := []byte("missed")
		if answered {
			name = []byte("answered")
		}
		var n uint64
		if v := counts.Get(name); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		if err := counts.Put(name, binary.BigEndian.AppendUint64(nil, n+1)); err != nil {
			return err
		}
		if answered {
			return nil
		}
		b, err := tx.CreateBucketIfNotExists([]byte(bucketMisses))
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		data, err := json.Marshal(Miss{Question: question, At: at.UTC()})
		if err != nil {
			return err
		}
		if err := b.Put(timeKey(at, seq), data); err != nil {
			return err
		}
		return trimMisses(b, at)
	})
	if err != nil {
		return fmt.Errorf("enregistrement de la question: %w", err)
	}
	return nil
}

// trimMisses drops the entries beyond MaxMisses and those too old.
func trimMisses(b *bbolt.Bucket, now time.Time) error {
	cutoff := timeKey(now.Add(-MissRetention), 0)
	c := b.Cursor()
	n := 0
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	for k, _ := c.First(); k != nil; k, _ = c.First() {
		if n <= MaxMisses && string(k) >= string(cutoff) {
			break
		}
		if err := c.Delete(); err != nil {
			return err
		}
		n--
	}
	return nil
}

// RecentMisses returns up to n unanswered questions, newest first.
func (d *DB) RecentMisses(n int) ([]Miss, error) {
	var out []Miss
	err := d.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketMisses))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
			var m Miss
			if json.Unmarshal(v, &m) == nil {
				out = append(out, m)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lecture des questions sans réponse: %w", err)
	}
	return out, nil
}

// QuestionCounts returns the number of questions asked, by outcome.
func (d *DB) QuestionCounts() (QuestionCounts, error) {
	var q QuestionCounts
	err := d.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketQuestionCounts))
		if b == nil {
			return nil
		}
		if v := b.Get([]byte("answered")); len(v) == 8 {
			q.Answered = int(binary.BigEndian.Uint64(v))
		}
		if v := b.Get([]byte("missed")); len(v) == 8 {
			q.Missed = int(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	if err != nil {
		return q, fmt.Errorf("lecture des compteurs de questions: %w", err)
	}
	return q, nil
}

// MigrateMisses moves the unanswered questions kept by versions before the
// analytics into rec, as unanswered questions of an unknown channel, then
// drops the old buckets (the texts and the bare counters). It does nothing
// once done; the old buckets stay if anything fails.
func (d *DB) MigrateMisses(ctx context.Context, rec *analytics.Recorder) (int, error) {
	var misses []Miss
	err := d.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketMisses))
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var m Miss
			if json.Unmarshal(v, &m) == nil {
				misses = append(misses, m)
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("lecture des anciennes questions sans réponse: %w", err)
	}
	for _, m := range misses {
		if err := rec.Record(ctx, analytics.Event{Kind: analytics.KindQuestion, At: m.At, Text: m.Question, Tier: analytics.TierNone}); err != nil {
			return 0, fmt.Errorf("reprise des anciennes questions sans réponse: %w", err)
		}
	}
	err = d.db.Update(func(tx *bbolt.Tx) error {
		for _, name := range []string{bucketMisses, bucketQuestionCounts} {
			if tx.Bucket([]byte(name)) != nil {
				if err := tx.DeleteBucket([]byte(name)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("suppression des anciennes questions sans réponse: %w", err)
	}
	return len(misses), nil
}
