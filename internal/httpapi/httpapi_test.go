package httpapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/metrics"
	"go.uber.org/zap"
)

type env struct {
	srv     *httptest.Server
	ready   bool
	metrics *metrics.Metrics
}

func newEnv(t *testing.T) *env {
	e := &env{metrics: metrics.New()}
	s := New(Options{
		Logger:  zap.NewNop(),
		Metrics: e.metrics,
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
	s.Handle("POST /ajout", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "trop gros", http.StatusRequestEntityTooLarge)
		}
	}))
	e.srv = httptest.NewServer(s)
	t.Cleanup(e.srv.Close)
	return e
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
	e.metrics.SlashCommands.WithLabelValues("liste").Inc()
	_, m := get("/metrics")
	for _, s := range []string{`parcours_slash_commands_total{sub="liste"} 1`, `parcours_build_info{commit="`} {
		if !strings.Contains(m, s) {
			t.Errorf("metrics lack %s", s)
		}
	}
}

// Routes added with Handle get the server's body limit.
func TestAddedRoutesAreBounded(t *testing.T) {
	e := newEnv(t)
	resp, err := http.Post(e.srv.URL+"/ajout", "text/plain", strings.NewReader(strings.Repeat("a", 1<<20)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 1 MB body: %d", resp.StatusCode)
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
