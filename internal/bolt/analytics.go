package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/cloud-pi-native/parcours/internal/analytics"
)

// Analytics buckets: one per kind of event, keyed by time (nanoseconds,
// big-endian) then a sequence number, so that a period is one cursor range;
// and an index of the events that have an ID, to replace them.
const (
	bucketAnalyticsPrefix = "analytics_"
	bucketAnalyticsIDs    = "analytics_ids"
)

func analyticsBucket(k analytics.Kind) []byte {
	return []byte(fmt.Sprintf("%s%d", bucketAnalyticsPrefix, uint8(k)))
}

// AnalyticsStore keeps the analytics events in the store file. It
// implements analytics.Store.
type AnalyticsStore struct {
	d *DB
	w *groupCommit
}

var _ analytics.Store = (*AnalyticsStore)(nil)

// Analytics returns the analytics store of d, creating its buckets.
func (d *DB) Analytics() (*AnalyticsStore, error) {
	names := []string{bucketAnalyticsIDs}
	for _, k := range analytics.Kinds {
		names = append(names, string(analyticsBucket(k)))
	}
	if err := d.ensureBuckets(names...); err != nil {
		return nil, fmt.Errorf("préparation du stockage des statistiques: %w", err)
	}
	return &AnalyticsStore{d: d, w: &groupCommit{db: d.db}}, nil
}

// Record adds an event, replacing the one of the same kind and ID.
func (s *AnalyticsStore) Record(ctx context.Context, e *analytics.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data := encodeEvent(e)
	at := e.At
	var idKey []byte
	if e.ID != "" {
		idKey = append([]byte{byte(e.Kind)}, e.ID...)
	}
	return s.w.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(analyticsBucket(e.Kind))
		if b == nil {
			return fmt.Errorf("type d'événement inconnu %d", e.Kind)
		}
		ids := tx.Bucket([]byte(bucketAnalyticsIDs))
		if idKey != nil {
			if old := ids.Get(idKey); old != nil {
				if err := b.Delete(old); err != nil {
					return err
				}
			}
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		k := eventKey(at, seq)
		if err := b.Put(k, data); err != nil {
			return err
		}
		if idKey != nil {
			return ids.Put(idKey, k)
		}
		return nil
	})
}

// Scan calls fn for the events of kind in [from, to), oldest first.
func (s *AnalyticsStore) Scan(ctx context.Context, kind analytics.Kind, from, to time.Time, fn func(*analytics.Event) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	lo, hi := eventKey(from, 0), eventKey(to, 0)
	err := s.d.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(analyticsBucket(kind))
		if b == nil {
			return nil
		}
		var e analytics.Event
		r := reader{intern: map[string]string{}}
		c := b.Cursor()
		n := 0
		for k, v := c.Seek(lo); k != nil && string(k) < string(hi); k, v = c.Next() {
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := r.decode(v, &e); err != nil {
				continue // a damaged record does not hide the others
			}
			e.Kind = kind
			if len(k) >= 8 {
				e.At = time.Unix(0, int64(binary.BigEndian.Uint64(k))).In(from.Location())
			}
			if err := fn(&e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("lecture des statistiques: %w", err)
	}
	return nil
}

// Purge deletes the events recorded before t.
func (s *AnalyticsStore) Purge(ctx context.Context, before time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	cut := eventKey(before, 0)
	return s.deleteWhere(func(k, v []byte) bool { return string(k) < string(cut) }, cut)
}

// ForgetUser deletes the events that carry the user's id.
func (s *AnalyticsStore) ForgetUser(ctx context.Context, userID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if userID == "" {
		return 0, nil
	}
	var e analytics.Event
	return s.deleteWhere(func(k, v []byte) bool {
		return decodeEvent(v, &e) == nil && e.User == userID
	}, nil)
}

// deleteWhere deletes the events for which match is true, with their ID
// index entries. With stop set, the scan of each bucket ends at the first
// key not below it (keys are sorted by time).
func (s *AnalyticsStore) deleteWhere(match func(k, v []byte) bool, stop []byte) (int, error) {
	n := 0
	err := s.w.update(func(tx *bbolt.Tx) error {
		n = 0
		deleted := map[string]bool{}
		for _, kind := range analytics.Kinds {
			b := tx.Bucket(analyticsBucket(kind))
			var keys [][]byte
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if stop != nil && string(k) >= string(stop) {
					break
				}
				if match(k, v) {
					keys = append(keys, append([]byte(nil), k...))
				}
			}
			for _, k := range keys {
				if err := b.Delete(k); err != nil {
					return err
				}
				deleted[string([]byte{byte(kind)})+string(k)] = true
			}
			n += len(keys)
		}
		if len(deleted) == 0 {
			return nil
		}
		ids := tx.Bucket([]byte(bucketAnalyticsIDs))
		var stale [][]byte
		c := ids.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) > 0 && deleted[string(k[:1])+string(v)] {
				stale = append(stale, append([]byte(nil), k...))
			}
		}
		for _, k := range stale {
			if err := ids.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("suppression de statistiques: %w", err)
	}
	return n, nil
}

// eventKey is timeKey with the time clamped to what a key can hold (1970
// to 2262), so that a zero or far time bounds a scan instead of wrapping.
func eventKey(t time.Time, seq uint64) []byte {
	switch {
	case t.Before(time.Unix(0, 0)):
		t = time.Unix(0, 0)
	case t.After(time.Unix(0, math.MaxInt64)):
		t = time.Unix(0, math.MaxInt64)
	}
	return timeKey(t, seq)
}

// The encoding of an event: a version byte, then the fields in a fixed
// order, strings and numbers as uvarints (strings length-prefixed). The
// time is in the key. Compact and quick to decode: the dashboard reads
// every event of its period.
const eventVersion = 1

const (
	flagUseful = 1 << iota
	flagTeamMode
	flagIncomplete
)

func encodeEvent(e *analytics.Event) []byte {
	b := make([]byte, 0, 64+len(e.Text)+len(e.Key)+len(e.Page)+len(e.Title))
	b = append(b, eventVersion)
	for _, s := range []string{e.ID, e.User, e.Text, e.Key, e.Tier, string(e.Channel), e.Page, e.Title,
		e.Path, e.Perimeter, e.Team} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	var flags byte
	if e.Useful {
		flags |= flagUseful
	}
	if e.TeamMode {
		flags |= flagTeamMode
	}
	if e.Incomplete {
		flags |= flagIncomplete
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(max(e.Level, 0)))
	b = binary.AppendUvarint(b, uint64(max(e.Overall, 0)))
	b = binary.AppendUvarint(b, uint64(len(e.Dimensions)))
	for _, d := range e.Dimensions {
		b = binary.AppendUvarint(b, uint64(len(d.Dimension)))
		b = append(b, d.Dimension...)
		b = binary.AppendUvarint(b, uint64(max(d.Score, 0)))
	}
	return b
}

var errBadEvent = errors.New("événement illisible")

// maxDimensions bounds the dimensions decoded from one event.
const maxDimensions = 64

// decodeEvent reads an event into e, reusing its Dimensions slice. Kind and
// At come from the bucket and the key.
func decodeEvent(data []byte, e *analytics.Event) error {
	var r reader
	return r.decode(data, e)
}

// decode reads an event; the short fields that repeat from one event to
// the next (tier, channel, page, key...) are shared through r.intern when
// set, so that a scan of a period allocates little more than the texts.
func (r *reader) decode(data []byte, e *analytics.Event) error {
	if len(data) == 0 || data[0] != eventVersion {
		return errBadEvent
	}
	r.b, r.bad = data[1:], false
	dims := e.Dimensions[:0]
	*e = analytics.Event{}
	e.ID = r.str()
	e.User = r.shared()
	e.Text = r.str()
	e.Key = r.shared()
	e.Tier = r.shared()
	e.Channel = analytics.Channel(r.shared())
	e.Page = r.shared()
	e.Title = r.shared()
	e.Path = r.shared()
	e.Perimeter = r.shared()
	e.Team = r.shared()
	flags := r.byte()
	e.Useful = flags&flagUseful != 0
	e.TeamMode = flags&flagTeamMode != 0
	e.Incomplete = flags&flagIncomplete != 0
	e.Level = r.int()
	e.Overall = r.int()
	n := r.uvarint()
	if n > maxDimensions {
		return errBadEvent
	}
	for i := uint64(0); i < n && !r.bad; i++ {
		dims = append(dims, analytics.Score{Dimension: r.shared(), Score: r.int()})
	}
	if r.bad {
		return errBadEvent
	}
	if len(dims) > 0 {
		e.Dimensions = dims
	}
	return nil
}

type reader struct {
	b      []byte
	bad    bool
	intern map[string]string
}

// maxInterned bounds the strings shared by one scan.
const maxInterned = 1 << 16

func (r *reader) uvarint() uint64 {
	if r.bad {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) int() int {
	v := r.uvarint()
	if v > 1<<31 {
		r.bad = true
		return 0
	}
	return int(v)
}

func (r *reader) str() string {
	n := r.uvarint()
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// shared is str through the intern table.
func (r *reader) shared() string {
	n := r.uvarint()
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		return ""
	}
	if n == 0 {
		return ""
	}
	b := r.b[:n]
	r.b = r.b[n:]
	if r.intern == nil || n > 256 {
		return string(b)
	}
	if s, ok := r.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(r.intern) < maxInterned {
		r.intern[s] = s
	}
	return s
}

func (r *reader) byte() byte {
	if r.bad || len(r.b) == 0 {
		r.bad = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}
