package httpapi

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

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/command"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/cloud-pi-native/parcours/internal/ratelimit"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

const goodToken = "tok-0123456789abcdef"

type fakeAsk struct{}

func (fakeAsk) Ask(ctx context.Context, q string) (*answer.Answer, error) {
	if strings.Contains(q, "licorne") {
		return &answer.Answer{Query: q, Lang: "fr"}, nil
	}
	return &answer.Answer{Query: q, Answered: true, Lang: "fr", Passages: []answer.Passage{{
		Path: "pratiques/deployer.md", PageTitle: "Déployer", Title: "Avec Argo CD", URL: "http://bot/kb/pratiques/deployer#avec-argo-cd", Excerpt: "On **déploie** avec Argo CD.",
	}}}, nil
}

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

func (m *memStore) Question(ctx context.Context, q conversation.Asked) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if q.Tier == answer.TierNone || q.Tier == "" && (q.Answer == nil || !q.Answer.Answered) {
		m.qs = append(m.qs, q.Question)
	}
	return nil
}

func (m *memStore) Feedback(ctx context.Context, f conversation.Rated) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rated = append(m.rated, f)
	return nil
}

func (m *memStore) Diagnostic(context.Context, *diagnostic.Result, *diagnostic.Advice) error {
	return nil
}
func (m *memStore) Welcome(context.Context, string) error { return nil }

type env struct {
	srv    *httptest.Server
	store  *memStore
	signer *mattermost.Signer
	logs   *observer.ObservedLogs
	ready  bool
	server *Server
}

func newEnv(t *testing.T) *env {
	core, logs := observer.New(zap.DebugLevel)
	e := &env{store: &memStore{votes: map[string]bool{}}, signer: mattermost.NewSigner([]byte(strings.Repeat("k", 32)), time.Hour), logs: logs}
	s := New(Options{
		Logger:    zap.New(core),
		Command:   command.New(command.Deps{Answers: fakeAsk{}}),
		Tokens:    NewTokens(goodToken),
		Signer:    e.signer,
		Feedback:  e.store,
		Record:    e.store,
		ActionURL: "http://bot/mattermost/action",
		KBPage: func(path string) (string, []byte, bool) {
			pg, ok := kbPages[path]
			return pg[0], []byte(pg[1]), ok
		},
		RenderHTML: kb.RenderHTML,
		Ready: func() (bool, []string) {
			if e.ready {
				return true, nil
			}
			return false, []string{"Mattermost non connecté"}
		},
	})
	e.srv = httptest.NewServer(s)
	t.Cleanup(e.srv.Close)
	e.server = s
	return e
}

func (e *env) command(t *testing.T, token, text string) (int, *model.CommandResponse) {
	t.Helper()
	form := url.Values{"token": {token}, "user_id": {"u1"}, "user_name": {"alice"}, "channel_id": {"c1"}, "team_id": {"t1"}, "command": {"/parcours"}, "text": {text}}
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
	e := newEnv(t)
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
	code, out = e.command(t, goodToken, "chercher licorne rose")
	if !strings.Contains(out.Text, "/parcours diagnostic") || len(out.Attachments) != 0 {
		t.Errorf("not-found reply: %s", out.Text)
	}
	if len(e.store.qs) != 1 || e.store.qs[0] != "licorne rose" {
		t.Errorf("missed question not recorded: %v", e.store.qs)
	}
}

func TestCommandTokenRefusedAndNotLogged(t *testing.T) {
	e := newEnv(t)
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
	e := newEnv(t)
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

func (e *env) click(t *testing.T, userID string, ctx map[string]any) (int, *model.PostActionIntegrationResponse) {
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
	e := newEnv(t)
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
	tok := utile[mattermost.ContextKey].(string)
	code, _ = e.click(t, "u1", map[string]any{"t": tok[:len(tok)-2] + "AA"})
	if code != http.StatusForbidden {
		t.Errorf("forged signature: %d", code)
	}
	other := mattermost.NewSigner([]byte(strings.Repeat("z", 32)), time.Hour)
	code, _ = e.click(t, "u1", other.Context(mattermost.Claims{Action: "feedback", UserID: "u1", Nonce: "n", Data: map[string]string{"v": "1"}}))
	if code != http.StatusForbidden {
		t.Errorf("foreign key: %d", code)
	}
	code, _ = e.click(t, "u1", nil)
	if code != http.StatusForbidden {
		t.Errorf("no context: %d", code)
	}
	expired := e.signer.Context(mattermost.Claims{Action: "feedback", UserID: "u1", Nonce: "n2", Expires: time.Now().Add(-time.Minute).Unix()})
	_, r = e.click(t, "u1", expired)
	if !strings.Contains(r.EphemeralText, "expiré") || len(e.store.votes) != 1 {
		t.Errorf("expired click: %q", r.EphemeralText)
	}
}

func TestReadyHealthMetrics(t *testing.T) {
	e := newEnv(t)
	get := func(p string) (int, string) {
		resp, err := http.Get(e.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if c, _ := get("/healthz"); c != 200 {
		t.Errorf("healthz %d", c)
	}
	if c, b := get("/readyz"); c != 503 || !strings.Contains(b, "Mattermost non connecté") {
		t.Errorf("readyz before ready: %d %s", c, b)
	}
	e.ready = true
	if c, _ := get("/readyz"); c != 200 {
		t.Errorf("readyz ready: %d", c)
	}
	e.command(t, goodToken, "liste")
	e.command(t, goodToken, "chercher licorne")
	_, m := get("/metrics")
	for _, s := range []string{`parcours_slash_commands_total{sub="liste"} 1`, `parcours_questions_total{outcome="not_found"} 1`, "parcours_answer_seconds_bucket", `parcours_build_info{commit="`} {
		if !strings.Contains(m, s) {
			t.Errorf("metrics lack %s", s)
		}
	}
}

// kbPages are the indexed pages the fake base serves: title, Markdown.
var kbPages = map[string][2]string{
	"pratiques/deployer.md": {"Déployer", "---\ntitre: Déployer\n---\n# Déployer\nVoir [SRE](../parcours/sre.md#niveau-2).\n"},
	"piege.md":              {`<script>alert("titre")</script>`, "# Piège\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)> [clic](javascript:alert(3)) <a href=\"javascript:alert(4)\">a</a>\n\n`<b>code</b>`\n"},
}

func TestKnowledgePages(t *testing.T) {
	e := newEnv(t)
	get := func(p string) (int, string) {
		t.Helper()
		resp, err := http.Get(e.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, p := range []string{"/kb/pratiques/deployer", "/kb/pratiques/deployer.md", "/kb/pratiques/deployer.html"} {
		code, b := get(p)
		if code != 200 || !strings.Contains(b, "<title>Déployer · parcours</title>") {
			t.Errorf("%s: %d %s", p, code, b)
		}
		if strings.Contains(b, "titre:") || !strings.Contains(b, `href="../parcours/sre#niveau-2"`) {
			t.Errorf("%s: front matter or .md links left:\n%s", p, b)
		}
	}
	// Only indexed pages are served: anything else is 404 whatever exists.
	for _, p := range []string{"/kb/_data/secret.yaml", "/kb/_data/secret", "/kb/../go.mod", "/kb/%2e%2e/x", "/kb/nope"} {
		if code, _ := get(p); code != 404 {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
	// A page's HTML, script links and title stay inert.
	code, b := get("/kb/piege")
	if code != 200 {
		t.Fatalf("piege: %d", code)
	}
	for _, bad := range []string{"<script", "onerror", "javascript:", "<b>"} {
		if strings.Contains(b, bad) {
			t.Errorf("served page holds %q:\n%s", bad, b)
		}
	}
	if !strings.Contains(b, "&lt;b&gt;code&lt;/b&gt;") || !strings.Contains(b, "<title>&lt;script&gt;") {
		t.Errorf("code and title must be escaped:\n%s", b)
	}
}

// Slash commands count in the per-user limit: past it, a polite message
// instead of the answer.
func TestCommandRateLimited(t *testing.T) {
	e := newEnv(t)
	e.server.opts.Limiter = ratelimit.New(10, 3)
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
	if got := testutil.ToFloat64(e.server.opts.Metrics.RateLimited); got != 2 {
		t.Errorf("parcours_rate_limited_total = %v, want 2", got)
	}
}
