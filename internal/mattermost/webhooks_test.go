package mattermost

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/httpapi"
	"github.com/cloud-pi-native/parcours/internal/metrics"
	"github.com/cloud-pi-native/parcours/internal/quote"
	"github.com/cloud-pi-native/parcours/internal/ratelimit"
)

const goodToken = "tok-0123456789abcdef"

type deployAsk struct{}

func (deployAsk) Ask(ctx context.Context, q string) (*answer.Answer, error) {
	if strings.Contains(q, "licorne") {
		return &answer.Answer{Query: q, Lang: "fr", Tier: answer.TierNone}, nil
	}
	return &answer.Answer{Query: q, Answered: true, Tier: answer.TierSure, Lang: "fr", Passages: []answer.Passage{{
		Path: "pratiques/deployer.md", PageTitle: "Déployer", Title: "Avec Argo CD", URL: "http://bot/kb/pratiques/deployer#avec-argo-cd", Excerpt: "On **déploie** avec Argo CD.",
	}}}, nil
}

// memStore records feedback and questions in memory.
type memStore struct {
	mu    sync.Mutex
	votes map[string]bool
	qs    []string
	rated []conversation.Rated
}

func (m *memStore) RecordFeedback(answerID, postID, userID string, useful bool, at time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := answerID + "/" + userID
	if v, ok := m.votes[k]; ok && v == useful {
		return false, nil
	}
	m.votes[k] = useful
	return true, nil
}

func (m *memStore) Question(_ context.Context, q conversation.Asked) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if q.Tier == answer.TierNone {
		m.qs = append(m.qs, q.Question)
	}
	return nil
}
func (m *memStore) Feedback(_ context.Context, f conversation.Rated) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rated = append(m.rated, f)
	return nil
}
func (m *memStore) Diagnostic(context.Context, *diagnostic.Result, *diagnostic.Advice) error {
	return nil
}
func (m *memStore) Welcome(context.Context, string) error { return nil }

type hooksEnv struct {
	srv     *httptest.Server
	store   *memStore
	signer  *Signer
	logs    *observer.ObservedLogs
	hooks   *Webhooks
	metrics *metrics.Metrics
}

func newHooksEnv(t *testing.T) *hooksEnv {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	e := &hooksEnv{store: &memStore{votes: map[string]bool{}}, signer: NewSigner([]byte(strings.Repeat("k", 32)), time.Hour), logs: logs, metrics: metrics.New()}
	c, err := conversation.New(conversation.Config{Knowledge: knowledgeOf{deployAsk{}}, Metrics: e.metrics,
		Stores: conversation.Stores{Record: e.store, Feedback: e.store}})
	if err != nil {
		t.Fatal(err)
	}
	e.hooks = &Webhooks{Conversation: c, Poster: &Poster{API: &fakeAPI{}, BotID: "bot", Signer: e.signer, ActionURL: "http://bot/mattermost/action"},
		Tokens: NewTokens(goodToken), Metrics: e.metrics, Logger: zap.New(core)}
	s := httpapi.New(httpapi.Options{Logger: zap.NewNop(), Metrics: e.metrics})
	for p, h := range e.hooks.Routes() {
		s.Handle(p, h)
	}
	e.srv = httptest.NewServer(s)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *hooksEnv) command(t *testing.T, token, text string) (int, *model.CommandResponse) {
	t.Helper()
	form := url.Values{"token": {token}, "user_id": {"u1"}, "user_name": {"alice"}, "channel_id": {"c1"}, "channel_name": {"town-square"},
		"team_id": {"t1"}, "command": {"/parcours"}, "text": {text}}
	resp, err := http.PostForm(e.srv.URL+"/mattermost/command", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out model.CommandResponse
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, &out
}

func TestCommandAnswersWithButtons(t *testing.T) {
	e := newHooksEnv(t)
	code, out := e.command(t, goodToken, "chercher comment déployer")
	if code != 200 || out.ResponseType != "ephemeral" {
		t.Fatalf("status %d, type %q", code, out.ResponseType)
	}
	if !strings.Contains(out.Text, "[Déployer › Avec Argo CD](http://bot/kb/pratiques/deployer#avec-argo-cd)") {
		t.Errorf("answer text lacks the section link:\n%s", out.Text)
	}
	if len(out.Attachments) != 1 || len(out.Attachments[0].Actions) != 2 || out.Attachments[0].Actions[0].Name != "Utile" {
		t.Fatalf("buttons missing: %+v", out.Attachments)
	}
	_, out = e.command(t, goodToken, "chercher licorne rose")
	if !strings.Contains(out.Text, "/parcours diagnostic") || len(out.Attachments) != 0 {
		t.Errorf("not-found reply: %s", out.Text)
	}
	if len(e.store.qs) != 1 || e.store.qs[0] != "licorne rose" {
		t.Errorf("missed question not recorded: %v", e.store.qs)
	}
}

func TestCommandTokenRefusedAndNotLogged(t *testing.T) {
	e := newHooksEnv(t)
	for _, tok := range []string{"", "tok-0123456789abcdeX", goodToken + "x"} {
		code, out := e.command(t, tok, "liste")
		if code != http.StatusUnauthorized || !strings.Contains(out.Text, "Jeton de commande invalide") {
			t.Errorf("token %q: status %d %q", tok, code, out.Text)
		}
	}
	for _, entry := range e.logs.All() {
		b, _ := json.Marshal(entry.ContextMap())
		if strings.Contains(string(b)+entry.Message, "tok-0123") {
			t.Errorf("token logged: %s %s", entry.Message, b)
		}
	}
	if e.logs.FilterMessage("slash command refused").Len() != 3 {
		t.Errorf("refusals not logged")
	}
}

func TestHostilePayloads(t *testing.T) {
	e := newHooksEnv(t)
	cases := []struct {
		name, path, ct string
		body           io.Reader
		want           int
	}{
		{"wrong content type", "/mattermost/command", "text/plain", strings.NewReader("token=" + goodToken), http.StatusUnsupportedMediaType},
		{"huge form", "/mattermost/command", "application/x-www-form-urlencoded", strings.NewReader("token=" + goodToken + "&text=" + strings.Repeat("a", 1<<20)), http.StatusBadRequest},
		{"malformed form", "/mattermost/command", "application/x-www-form-urlencoded", strings.NewReader("token=%zz"), http.StatusBadRequest},
		{"malformed json", "/mattermost/action", "application/json", strings.NewReader("{"), http.StatusBadRequest},
		{"huge json", "/mattermost/action", "application/json", strings.NewReader(`{"user_id":"` + strings.Repeat("a", 1<<20) + `"}`), http.StatusBadRequest},
		{"action as form", "/mattermost/action", "application/x-www-form-urlencoded", strings.NewReader("a=b"), http.StatusUnsupportedMediaType},
	}
	for _, c := range cases {
		resp, err := http.Post(e.srv.URL+c.path, c.ct, c.body)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.want)
		}
		if !bytes.Contains(body, []byte("Requête illisible")) && !bytes.Contains(body, []byte("Type de contenu")) {
			t.Errorf("%s: no clear message: %s", c.name, body)
		}
	}
	resp, _ := http.Get(e.srv.URL + "/mattermost/command")
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET on command: %d", resp.StatusCode)
	}
}

func (e *hooksEnv) click(t *testing.T, userID string, ctx map[string]any) (int, *model.PostActionIntegrationResponse) {
	t.Helper()
	body, _ := json.Marshal(model.PostActionIntegrationRequest{UserId: userID, PostId: "p1", ChannelId: "c1", Context: ctx})
	resp, err := http.Post(e.srv.URL+"/mattermost/action", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out model.PostActionIntegrationResponse
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, &out
}

func TestFeedbackClicks(t *testing.T) {
	e := newHooksEnv(t)
	_, out := e.command(t, goodToken, "chercher comment déployer")
	utile := out.Attachments[0].Actions[0].Integration.Context
	pasUtile := out.Attachments[0].Actions[1].Integration.Context

	code, r := e.click(t, "u1", utile)
	if code != 200 || !strings.Contains(r.EphemeralText, "Merci") {
		t.Fatalf("click: %d %q", code, r.EphemeralText)
	}
	if len(e.store.votes) != 1 {
		t.Fatalf("vote not recorded: %v", e.store.votes)
	}
	// The statistics learn the page judged, from the signed button.
	if len(e.store.rated) != 1 || e.store.rated[0].Page != "pratiques/deployer.md" || !e.store.rated[0].Useful || e.store.rated[0].User != "u1" {
		t.Errorf("feedback recorded for the statistics: %+v", e.store.rated)
	}
	_, r = e.click(t, "u1", utile)
	if !strings.Contains(r.EphemeralText, "déjà enregistré") {
		t.Errorf("replayed click counted again: %q", r.EphemeralText)
	}
	e.click(t, "u1", pasUtile)
	for _, v := range e.store.votes {
		if v {
			t.Error("changing one's mind not recorded")
		}
	}
	// Someone else clicking the asker's buttons.
	_, r = e.click(t, "u2", utile)
	if !strings.Contains(r.EphemeralText, "réservés") || len(e.store.votes) != 1 {
		t.Errorf("other user's click accepted: %q", r.EphemeralText)
	}
	// Forged: data changed after signing, or signed with another key.
	tok := utile[ContextKey].(string)
	if code, _ = e.click(t, "u1", map[string]any{"t": tok[:len(tok)-2] + "AA"}); code != http.StatusForbidden {
		t.Errorf("forged signature: %d", code)
	}
	other := NewSigner([]byte(strings.Repeat("z", 32)), time.Hour)
	if code, _ = e.click(t, "u1", other.Context(Claims{Action: "feedback", UserID: "u1", Nonce: "n", Data: map[string]string{"v": "1"}})); code != http.StatusForbidden {
		t.Errorf("foreign key: %d", code)
	}
	if code, _ = e.click(t, "u1", nil); code != http.StatusForbidden {
		t.Errorf("no context: %d", code)
	}
	expired := e.signer.Context(Claims{Action: "feedback", UserID: "u1", Nonce: "n2", Expires: time.Now().Add(-time.Minute).Unix()})
	if _, r = e.click(t, "u1", expired); !strings.Contains(r.EphemeralText, "expiré") || len(e.store.votes) != 1 {
		t.Errorf("expired click: %q", r.EphemeralText)
	}
	if got := testutil.ToFloat64(e.metrics.Feedback.WithLabelValues("useful")); got != 1 {
		t.Errorf("useful feedback counted %v", got)
	}
}

func TestCommandsCounted(t *testing.T) {
	e := newHooksEnv(t)
	e.command(t, goodToken, "liste")
	e.command(t, goodToken, "chercher licorne")
	if got := testutil.ToFloat64(e.metrics.SlashCommands.WithLabelValues("liste")); got != 1 {
		t.Errorf("liste counted %v", got)
	}
	if got := testutil.ToFloat64(e.metrics.Questions.WithLabelValues("not_found")); got != 1 {
		t.Errorf("not_found counted %v", got)
	}
}

// Slash commands count in the per-user limit: past it, a polite message
// instead of the answer.
func TestCommandRateLimited(t *testing.T) {
	e := newHooksEnv(t)
	e.hooks.Limiter = ratelimit.New(10, 3)
	var texts []string
	for range 5 {
		_, out := e.command(t, goodToken, "chercher comment déployer")
		texts = append(texts, out.Text)
	}
	for i, text := range texts {
		limited := strings.Contains(text, "beaucoup de messages")
		if limited != (i >= 3) {
			t.Errorf("command %d: limited=%v:\n%s", i+1, limited, text)
		}
	}
	if got := testutil.ToFloat64(e.metrics.RateLimited); got != 2 {
		t.Errorf("parcours_rate_limited_total = %v, want 2", got)
	}
}

var contentTypes = []string{"application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data; boundary=x", ""}

// fuzzHandler is the webhooks on the bot's HTTP server, with the
// conversation behind them.
func fuzzHandler(c Conversation) http.Handler {
	h := &Webhooks{Conversation: c, Poster: &Poster{API: &fakeAPI{}, BotID: "bot", Signer: NewSigner([]byte(strings.Repeat("k", 32)), 0),
		ActionURL: "http://bot/mattermost/action"}, Tokens: NewTokens(goodToken)}
	s := httpapi.New(httpapi.Options{Logger: zap.NewNop()})
	for p, f := range h.Routes() {
		s.Handle(p, f)
	}
	return s
}

// FuzzCommandRequest posts any body to /mattermost/command: the server
// never panics, answers with a known status and a JSON response Mattermost
// can show, bounded and without a live mention. Seeds:
// testdata/fuzz/FuzzCommandRequest.
func FuzzCommandRequest(f *testing.F) {
	form := func(text string) string {
		return url.Values{"token": {goodToken}, "user_id": {"u1"}, "user_name": {"alice"}, "channel_id": {"c1"}, "team_id": {"t1"}, "command": {"/parcours"}, "text": {text}}.Encode()
	}
	for _, s := range []string{form("aide"), form("chercher comment déployer"), form("@channel"), form("sre 2"),
		form(strings.Repeat("x", 5000)), "token=" + goodToken + "&user_id=u1&text=%zz", "token=bad&user_id=u1&text=aide",
		`{"token":"` + goodToken + `","user_id":"u1","text":"liste"}`, `{"token":`, "", "a=b&a=c;d"} {
		for i := range contentTypes {
			f.Add(s, uint8(i))
		}
	}
	s := fuzzHandler(conv(deployAsk{}))
	f.Fuzz(func(t *testing.T, body string, ct uint8) {
		r := httptest.NewRequest(http.MethodPost, "/mattermost/command", strings.NewReader(body))
		r.Header.Set("Content-Type", contentTypes[int(ct)%len(contentTypes)])
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		switch w.Code {
		case 200, 400, 401, 413, 415:
		default:
			t.Fatalf("status %d for %q", w.Code, body)
		}
		var out model.CommandResponse
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("response not JSON (%v): %q", err, w.Body.String())
		}
		if out.Text == "" || utf8.RuneCountInString(out.Text) > MaxPostRunes {
			t.Fatalf("response text of %d characters for %q", utf8.RuneCountInString(out.Text), body)
		}
		if m := quote.LiveMentions(out.Text); len(m) != 0 {
			t.Fatalf("response mentions %v for %q:\n%s", m, body, out.Text)
		}
	})
}

// clickSpy records the clicks that reach the conversation.
type clickSpy struct {
	Conversation
	ran bool
}

func (s *clickSpy) Click(ctx context.Context, k conversation.Click, out conversation.Outbox) error {
	s.ran = true
	return nil
}

// FuzzActionRequest posts any body to /mattermost/action, the button
// clicks: never a panic, never a click handed on without a valid
// signature. Seeds: testdata/fuzz/FuzzActionRequest.
func FuzzActionRequest(f *testing.F) {
	spy := &clickSpy{Conversation: conv(deployAsk{})}
	s := fuzzHandler(spy)
	for _, b := range []string{`{"user_id":"u1","context":{"t":"x.y"}}`, `{"user_id":"u1","context":{"t":123}}`, `{"context":null}`,
		`{"user_id":"u1","context":{"t":"eyJhIjoidGVzdCJ9.AAAA"}}`, `[]`, `{`, ""} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body string) {
		spy.ran = false
		r := httptest.NewRequest(http.MethodPost, "/mattermost/action", bytes.NewReader([]byte(body)))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if spy.ran {
			t.Fatalf("click handed on without a valid signature: %q", body)
		}
		var out model.PostActionIntegrationResponse
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("response not JSON (%v): %q", err, w.Body.String())
		}
	})
}
