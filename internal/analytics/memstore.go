package analytics

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"
)

// MemStore is a Store in memory, for tests and the terminal.
type MemStore struct {
	mu     sync.Mutex
	events []Event // sorted by time
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{} }

func (m *MemStore) Record(ctx context.Context, e *Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c := *e
	c.Dimensions = slices.Clone(e.Dimensions)
	if c.ID != "" {
		m.events = slices.DeleteFunc(m.events, func(o Event) bool { return o.Kind == c.Kind && o.ID == c.ID })
	}
	i := sort.Search(len(m.events), func(i int) bool { return m.events[i].At.After(c.At) })
	m.events = slices.Insert(m.events, i, c)
	return nil
}

func (m *MemStore) Scan(ctx context.Context, kind Kind, from, to time.Time, fn func(*Event) error) error {
	m.mu.Lock()
	var sel []Event
	for _, e := range m.events {
		if e.Kind == kind && !e.At.Before(from) && e.At.Before(to) {
			c := e
			c.Dimensions = slices.Clone(e.Dimensions)
			sel = append(sel, c)
		}
	}
	m.mu.Unlock()
	for i := range sel {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(&sel[i]); err != nil {
			return err
		}
	}
	return nil
}

func (m *MemStore) Purge(ctx context.Context, before time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.events)
	m.events = slices.DeleteFunc(m.events, func(e Event) bool { return e.At.Before(before) })
	return n - len(m.events), nil
}

func (m *MemStore) ForgetUser(ctx context.Context, userID string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.events)
	m.events = slices.DeleteFunc(m.events, func(e Event) bool { return userID != "" && e.User == userID })
	return n - len(m.events), nil
}
