package mattermost

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mattermost/mattermost/server/public/model"
)

// fakeServer is a Mattermost WebSocket that says hello and answers pings,
// and can freeze (answer nothing, the socket open) as a server stopped with
// SIGSTOP does.
type fakeServer struct {
	*httptest.Server
	mu     sync.Mutex
	frozen bool
}

func newFakeServer(t *testing.T) *fakeServer {
	f := &fakeServer{}
	up := websocket.Upgrader{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		c.WriteJSON(map[string]any{"event": "hello", "data": map[string]any{"connection_id": "c1"}, "seq": 0})
		c.SetPingHandler(func(data string) error {
			f.mu.Lock()
			frozen := f.frozen
			f.mu.Unlock()
			if frozen {
				return nil
			}
			return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		})
		for {
			if _, _, err := c.NextReader(); err != nil {
				return
			}
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) freeze(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.frozen = on
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after 10 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A connected WebSocket on which the server answers nothing is not alive:
// readiness says so; once the server answers again, it is alive again.
func TestAliveOnlyWhenTheServerAnswers(t *testing.T) {
	srv := newFakeServer(t)
	b := New(Options{API: &fakeAPI{}, Conversation: conv(echoAsk{}), URL: srv.URL, Token: "t",
		ProbeInterval: 20 * time.Millisecond, AliveWindow: time.Second},
		&model.User{Id: "bot", Username: "parcours"})
	if ok, why := b.Alive(); ok || !strings.Contains(why, "non connecté") {
		t.Errorf("alive before connecting: %v %q", ok, why)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	defer func() { cancel(); srv.CloseClientConnections(); <-done }()
	waitFor(t, "alive", func() bool { ok, _ := b.Alive(); return ok })
	// Alive for several windows while the server answers the pings.
	time.Sleep(2500 * time.Millisecond)
	if ok, why := b.Alive(); !ok {
		t.Fatalf("not alive while the server answers: %s", why)
	}
	srv.freeze(true)
	waitFor(t, "dead", func() bool { ok, _ := b.Alive(); return !ok })
	if !b.Connected() {
		t.Error("the socket should still be open: only silent")
	}
	if _, why := b.Alive(); !strings.Contains(why, "ne répond plus") {
		t.Errorf("reason %q", why)
	}
	srv.freeze(false)
	waitFor(t, "alive again", func() bool { ok, _ := b.Alive(); return ok })
}
