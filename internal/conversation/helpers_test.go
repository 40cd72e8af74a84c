package conversation

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/welcome"
	"github.com/cloud-pi-native/parcours/knowledge"
)

// sent is a reply as an outbox got it, with the id it gave.
type sent struct {
	Reply
	id string
}

// box is an outbox that keeps what the conversation sends and closes, as a
// chat would show it.
type box struct {
	mu     sync.Mutex
	sent   []sent
	closed map[string]string // message id -> line added when closed
	n      int
	fail   bool // the next Send fails
}

func (b *box) Send(_ context.Context, r Reply) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail {
		b.fail = false
		return "", fmt.Errorf("502")
	}
	b.n++
	id := fmt.Sprintf("m%d", b.n)
	b.sent = append(b.sent, sent{r, id})
	return id, nil
}

func (b *box) Close(_ context.Context, id, line string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed == nil {
		b.closed = map[string]string{}
	}
	b.closed[id] = line
	return nil
}

// take returns what was sent since the last call.
func (b *box) take() []sent {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.sent
	b.sent = nil
	return out
}

func texts(ss []sent) string {
	var parts []string
	for _, s := range ss {
		parts = append(parts, s.Text)
	}
	return strings.Join(parts, "\n---\n")
}

var (
	engineOnce sync.Once
	engine     *answer.Engine
	engineErr  error
)

// shipped is the engine on the embedded knowledge base, shared by the tests.
func shipped(t testing.TB) *answer.Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = answer.Open(context.Background(), answer.Options{}) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// memWelcomed remembers welcomes in memory.
type memWelcomed struct {
	mu sync.Mutex
	m  map[string]bool
}

func (w *memWelcomed) MarkWelcomed(_ context.Context, team, user string) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m == nil {
		w.m = map[string]bool{}
	}
	if w.m[team+"/"+user] {
		return false, nil
	}
	w.m[team+"/"+user] = true
	return true, nil
}

func (w *memWelcomed) ForgetWelcome(_ context.Context, team, user string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.m, team+"/"+user)
	return nil
}

// memQuestions keeps what is recorded.
type memQuestions struct {
	mu       sync.Mutex
	qs       []Asked
	rated    []Rated
	results  int
	welcomes int
}

func (m *memQuestions) Question(_ context.Context, q Asked) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.qs = append(m.qs, q)
	return nil
}

func (m *memQuestions) Feedback(_ context.Context, f Rated) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rated = append(m.rated, f)
	return nil
}

func (m *memQuestions) Diagnostic(context.Context, *diagnostic.Result, *diagnostic.Advice) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.results++
	return nil
}

func (m *memQuestions) Welcome(context.Context, string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.welcomes++
	return nil
}

// fixture is a conversation on the embedded base with a diagnostic in
// memory.
type fixture struct {
	c         *Conversation
	store     *diagnostic.MemStore
	diag      *diagnostic.Engine
	questions *memQuestions
	welcomed  *memWelcomed
}

func newFixture(t *testing.T, mod func(*Config)) *fixture {
	t.Helper()
	return newFixtureOn(t, diagnostic.NewMemStore(), mod)
}

// newFixtureOn builds the conversation on a store, as a bot restarting on
// its data.
func newFixtureOn(t *testing.T, st *diagnostic.MemStore, mod func(*Config)) *fixture {
	t.Helper()
	eng := shipped(t)
	q, err := diagnostic.Load(knowledge.FS, diagnostic.File)
	if err != nil {
		t.Fatal(err)
	}
	d, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: st, Role: eng.Role})
	if err != nil {
		t.Fatal(err)
	}
	wm, _, err := welcome.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: st, diag: d, questions: &memQuestions{}, welcomed: &memWelcomed{}}
	cfg := Config{Knowledge: eng, Diagnostic: d, Stores: Stores{Record: f.questions, Welcomed: f.welcomed},
		Welcome: WelcomeOptions{Message: wm, Newcomers: true}}
	if mod != nil {
		mod(&cfg)
	}
	f.c, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// say sends text as user in a direct message and returns the replies.
func (f *fixture) say(t *testing.T, b *box, user, text string) []sent {
	t.Helper()
	return f.sayIn(t, b, Message{User: User{ID: user}, Place: Direct, Text: text})
}

func (f *fixture) sayIn(t *testing.T, b *box, m Message) []sent {
	t.Helper()
	if m.Received.IsZero() {
		m.Received = time.Now()
	}
	if err := f.c.Message(t.Context(), m, b); err != nil {
		t.Fatalf("%q: %v", m.Text, err)
	}
	return b.take()
}

// click clicks the choice of a reply with this label.
func (f *fixture) click(t *testing.T, b *box, user string, s sent, label string) []sent {
	t.Helper()
	for _, ch := range s.Choices {
		if ch.Label == label || ch.Short == label {
			k := Click{User: User{ID: user}, Place: Direct, Message: s.id, Group: s.id, Action: ch.Action, Data: ch.Data}
			if err := f.c.Click(t.Context(), k, b); err != nil {
				t.Fatalf("click %q: %v", label, err)
			}
			return b.take()
		}
	}
	t.Fatalf("no choice %q in %q", label, s.Text)
	return nil
}

// question returns the id of the diagnostic question a reply shows, "".
func question(s sent) string {
	for _, ch := range s.Choices {
		if ch.Action == ActionDiagnostic {
			return ch.Data["q"]
		}
	}
	return ""
}

func last(ss []sent) sent {
	if len(ss) == 0 {
		return sent{}
	}
	return ss[len(ss)-1]
}
