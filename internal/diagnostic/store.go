package diagnostic

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Session is a diagnostic in progress, as stored: identifiers and times only.
// The current question is derived from the answers (the first question of
// the sequence not yet answered), so a session survives a restart, an edit
// of the questionnaire, or an old button clicked again.
type Session struct {
	UserID  string `json:"user"`
	Version int    `json:"version"`
	// AskAudience is true when the "pour qui" question is part of the
	// sequence; otherwise Team was given at start.
	AskAudience bool `json:"ask_audience,omitempty"`
	Team        bool `json:"team,omitempty"`
	// TeamName is the team's name when one was given at start.
	TeamName  string    `json:"team_name,omitempty"`
	Answers   []Answer  `json:"answers"`
	Paused    bool      `json:"paused,omitempty"` // after "annuler", until "reprendre"
	StartedAt time.Time `json:"started"`
	UpdatedAt time.Time `json:"updated"`
}

func (s *Session) teamName() string {
	if s == nil {
		return ""
	}
	return s.TeamName
}

func (s *Session) clone() *Session {
	c := *s
	c.Answers = slices.Clone(s.Answers)
	return &c
}

func (s *Session) answer(question string) (string, bool) {
	for _, a := range s.Answers {
		if a.Question == question {
			return a.Option, true
		}
	}
	return "", false
}

// Store keeps sessions and results. Get* return (nil, nil) when there is
// nothing. Implementations must be safe for concurrent use; the engine
// serialises calls for one user.
type Store interface {
	GetSession(ctx context.Context, userID string) (*Session, error)
	PutSession(ctx context.Context, s *Session) error
	DeleteSession(ctx context.Context, userID string) error
	// DeleteSessionsBefore deletes the sessions last updated before t.
	DeleteSessionsBefore(ctx context.Context, t time.Time) (int, error)
	// Finish appends r to its user's results, keeps only the latest keep
	// results of that user (keep <= 0: all), and deletes the user's session,
	// all at once so that a crash cannot record a diagnostic twice.
	Finish(ctx context.Context, r *Result, keep int) error
	// Results lists a user's results, oldest first.
	Results(ctx context.Context, userID string) ([]*Result, error)
	// DeleteResults deletes a user's results and returns how many there were.
	DeleteResults(ctx context.Context, userID string) (int, error)
}

// MemStore is an in-memory Store, for tests and the terminal.
type MemStore struct {
	mu       sync.Mutex
	sessions map[string]Session
	results  map[string][]Result
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{sessions: map[string]Session{}, results: map[string][]Result{}}
}

// Values are copied in and out so that callers never share memory with the
// store, as with a real database.

func (m *MemStore) GetSession(_ context.Context, userID string) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[userID]
	if !ok {
		return nil, nil
	}
	s.Answers = slices.Clone(s.Answers)
	return &s, nil
}

func (m *MemStore) PutSession(_ context.Context, s *Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := *s
	c.Answers = slices.Clone(s.Answers)
	m.sessions[s.UserID] = c
	return nil
}

func (m *MemStore) DeleteSession(_ context.Context, userID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, userID)
	return nil
}

func (m *MemStore) DeleteSessionsBefore(_ context.Context, t time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id, s := range m.sessions {
		if s.UpdatedAt.Before(t) {
			delete(m.sessions, id)
			n++
		}
	}
	return n, nil
}

func (m *MemStore) Finish(_ context.Context, r *Result, keep int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := copyResult(r)
	list := append(m.results[r.UserID], *c)
	if keep > 0 && len(list) > keep {
		list = slices.Clone(list[len(list)-keep:])
	}
	m.results[r.UserID] = list
	delete(m.sessions, r.UserID)
	return nil
}

func (m *MemStore) Results(_ context.Context, userID string) ([]*Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Result
	for i := range m.results[userID] {
		out = append(out, copyResult(&m.results[userID][i]))
	}
	return out, nil
}

func (m *MemStore) DeleteResults(_ context.Context, userID string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.results[userID])
	delete(m.results, userID)
	return n, nil
}

func copyResult(r *Result) *Result {
	c := *r
	c.Answers = slices.Clone(r.Answers)
	c.Dimensions = slices.Clone(r.Dimensions)
	return &c
}
