package kb

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/pktline"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
)

// testRepo is a local git repository made with go-git: the tests need no
// git program, like the image.
type testRepo struct {
	t   *testing.T
	dir string
	r   *git.Repository
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	dir := t.TempDir()
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testRepo{t: t, dir: dir, r: r}
}

func (tr *testRepo) write(name, body string) {
	tr.t.Helper()
	p := filepath.Join(tr.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		tr.t.Fatal(err)
	}
}

func (tr *testRepo) commit(msg string) {
	tr.t.Helper()
	w, err := tr.r.Worktree()
	if err != nil {
		tr.t.Fatal(err)
	}
	if err := w.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		tr.t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.org", When: time.Now()}
	if _, err := w.Commit(msg, &git.CommitOptions{Author: sig, All: true}); err != nil {
		tr.t.Fatal(err)
	}
}

func loadPaths(t *testing.T, src Source) ([]string, *Base, error) {
	t.Helper()
	b, err := Load(context.Background(), src)
	if err != nil {
		return nil, b, err
	}
	var paths []string
	for _, p := range b.Pages {
		paths = append(paths, p.Path)
	}
	return paths, b, nil
}

const (
	pageAstreinte  = "# Astreinte\n\nL'astreinte de l'équipe plateforme tourne chaque semaine, avec un cadre d'escalade écrit et partagé.\n"
	pageSauvegarde = "# Sauvegarde\n\nLa sauvegarde des bases de données est quotidienne, conservée trente jours et testée chaque mois.\n"
)

func TestGitSourceClonesAndFollows(t *testing.T) {
	t.Setenv("PATH", "") // no git program, as in the image
	repo := newTestRepo(t)
	repo.write("docs/astreinte.md", pageAstreinte)
	repo.write("ailleurs.md", "# Hors du sous-dossier\n\nCette page est hors du sous-dossier indexé et ne doit jamais apparaître.\n")
	repo.commit("one")

	cache := t.TempDir()
	spec := "git+file://" + repo.dir + "#main//docs=https://docs.example.org|html"
	src, err := ParseSourceSpec(spec, GitOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Pages) != 1 || b.Pages[0].Path != "astreinte.md" || b.Pages[0].URL != "https://docs.example.org/astreinte.html" {
		t.Fatalf("first clone: %+v", b.Pages)
	}
	repo.write("docs/sauvegarde.md", pageSauvegarde)
	repo.commit("two")
	if paths, _, err := loadPaths(t, src); err != nil || strings.Join(paths, ",") != "astreinte.md,sauvegarde.md" {
		t.Fatalf("a reload must bring the new commit: %v, %v", err, paths)
	}
	if err := os.Remove(filepath.Join(repo.dir, "docs", "astreinte.md")); err != nil {
		t.Fatal(err)
	}
	repo.commit("three")
	if paths, _, err := loadPaths(t, src); err != nil || strings.Join(paths, ",") != "sauvegarde.md" {
		t.Fatalf("a page deleted upstream must go: %v, %v", err, paths)
	}
	if n := len(gitCheckouts(cache)); n != 1 {
		t.Errorf("%d checkouts kept in the cache, want only the one in service", n)
	}

	// The forge disappears: the last checkout keeps serving, with a warning,
	// in this process and in the next one (a restarted pod).
	if err := os.RemoveAll(repo.dir); err != nil {
		t.Fatal(err)
	}
	for _, s := range []Source{src, mustGit(t, spec, cache)} {
		paths, b, err := loadPaths(t, s)
		if err != nil || len(paths) != 1 || len(b.Warnings) == 0 || !strings.Contains(b.Warnings[0].Msg, "mise à jour impossible") {
			t.Fatalf("unreachable forge: %v, %v, %+v", err, paths, b)
		}
	}
	bad := mustGit(t, "git+file:///nulle/part.git", cache)
	if _, err := Load(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "clonage impossible") {
		t.Errorf("an unreachable repository never cloned must fail clearly: %v", err)
	}
}

func mustGit(t *testing.T, spec, cache string) Source {
	t.Helper()
	s, err := ParseSourceSpec(spec, GitOptions{CacheDir: cache})
	if err != nil {
		t.Fatalf("parsing does not touch the network: %v", err)
	}
	return s
}

func TestGitSourceDefaultBranchTagAndUnknownRef(t *testing.T) {
	repo := newTestRepo(t)
	repo.write("astreinte.md", pageAstreinte)
	repo.commit("one")
	head, err := repo.r.Head()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.r.CreateTag("v1", head.Hash(), nil); err != nil {
		t.Fatal(err)
	}
	repo.write("sauvegarde.md", pageSauvegarde)
	repo.commit("two")
	cache := t.TempDir()
	for spec, want := range map[string]int{"": 2, "#v1": 1, "#main": 2} {
		paths, _, err := loadPaths(t, mustGit(t, "git+file://"+repo.dir+spec, cache))
		if err != nil || len(paths) != want {
			t.Errorf("%q: %v, %v; want %d pages", spec, err, paths, want)
		}
	}
	_, _, err = loadPaths(t, mustGit(t, "git+file://"+repo.dir+"#nulle", cache))
	if err == nil || !strings.Contains(err.Error(), "« nulle » introuvable") {
		t.Errorf("unknown branch: %v", err)
	}
}

func TestGitSpecRefusesSecretsAndOddRefs(t *testing.T) {
	cache := t.TempDir()
	for _, spec := range []string{
		"git+https://jean:s3cr3t-t0ken@forge.example.org/docs.git",
		"git+https://forge.example.org/docs.git#--upload-pack=x",
		"git+https://forge.example.org/docs.git#a..b",
		"git+ftp://forge.example.org/docs.git",
	} {
		_, err := ParseSourceSpec(spec, GitOptions{CacheDir: cache})
		if err == nil {
			t.Errorf("%s accepted", spec)
		} else if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("the error shows the secret: %v", err)
		}
	}
	if _, err := ParseSourceSpec("git+https://forge.example.org/docs.git", GitOptions{}); err == nil {
		t.Error("a git source without a cache folder must be refused")
	}
}

func TestGitSourceSizeCap(t *testing.T) {
	repo := newTestRepo(t)
	repo.write("astreinte.md", pageAstreinte)
	// incompressible enough: a pseudo-random text
	var big strings.Builder
	x := uint32(1)
	for big.Len() < 2<<20 {
		x = x*1664525 + 1013904223
		big.WriteByte(byte('a' + x>>24%26))
	}
	repo.write("gros.txt", big.String())
	repo.commit("one")
	src, err := ParseSourceSpec("git+file://"+repo.dir, GitOptions{CacheDir: t.TempDir(), MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), src); err == nil || !strings.Contains(err.Error(), "trop gros") {
		t.Errorf("a repository over the cap must be refused: %v", err)
	}
}

// gitHTTPServer serves repo over smart HTTP(S), like a forge, asking for
// basic authentication when user is set; it records the credentials seen.
type gitHTTPServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newGitHTTPServer(t *testing.T, repoDir, user, pass string) *gitHTTPServer {
	gs := &gitHTTPServer{}
	srv := server.NewServer(localLoader{})
	ep := &transport.Endpoint{Protocol: "file", Path: repoDir}
	gs.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		gs.mu.Lock()
		gs.seen = append(gs.seen, u+":"+p)
		gs.mu.Unlock()
		if user != "" && (!ok || u != user || p != pass) {
			w.Header().Set("WWW-Authenticate", `Basic realm="forge"`)
			http.Error(w, "auth", http.StatusUnauthorized)
			return
		}
		sess, err := srv.NewUploadPackSession(ep, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer sess.Close()
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/info/refs"):
			ar, err := sess.AdvertisedReferencesContext(r.Context())
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			ar.Prefix = [][]byte{[]byte("# service=git-upload-pack"), pktline.Flush}
			w.Header().Set("Content-Type", "application/x-git-upload-pack-advertisement")
			_ = ar.Encode(w)
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-upload-pack"):
			req := packp.NewUploadPackRequest()
			if err := req.UploadRequest.Decode(r.Body); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			resp, err := sess.UploadPack(r.Context(), req)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/x-git-upload-pack-result")
			_ = resp.Encode(w)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(gs.Close)
	return gs
}

func (gs *gitHTTPServer) caBundle() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: gs.Certificate().Raw})
}

func TestGitSourceHTTPSWithTokenFile(t *testing.T) {
	repo := newTestRepo(t)
	repo.write("astreinte.md", pageAstreinte)
	repo.commit("one")
	const token = "glpat-n3ver-in-logs"
	gs := newGitHTTPServer(t, repo.dir, "lecteur", token)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("wrong-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := GitOptions{CacheDir: t.TempDir(), CABundle: gs.caBundle(),
		Auth: GitAuth{Username: "lecteur", TokenFile: tokenFile}}
	src, err := ParseSourceSpec("git+"+gs.URL+"/equipe/docs.git#main", opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Load(context.Background(), src)
	if err == nil || !strings.Contains(err.Error(), "accès refusé") && !strings.Contains(err.Error(), "authentification") {
		t.Fatalf("a wrong token must be refused clearly: %v", err)
	}
	if strings.Contains(err.Error(), "wrong-token") {
		t.Errorf("the error shows the token: %v", err)
	}
	// The Secret is rotated: the file is read again at the next update.
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	paths, _, err := loadPaths(t, src)
	if err != nil || len(paths) != 1 {
		t.Fatalf("clone over HTTPS with the token: %v, %v", err, paths)
	}
	gs.mu.Lock()
	last := gs.seen[len(gs.seen)-1]
	gs.mu.Unlock()
	if last != "lecteur:"+token {
		t.Errorf("credentials sent %q", last)
	}
}

func TestGitTokenNeverSentOverPlainHTTP(t *testing.T) {
	a := GitAuth{Token: "secret"}
	m, err := a.method("http://forge.example.org/docs.git")
	if err != nil || m != nil {
		t.Errorf("http:// got credentials %v, %v", m, err)
	}
	m, err = a.method("https://forge.example.org/docs.git")
	if err != nil || m == nil || strings.Contains(m.String(), "secret") {
		t.Errorf("https:// credentials %v, %v", m, err)
	}
}

func TestGitSSHNeedsKnownHosts(t *testing.T) {
	_, err := GitAuth{SSHKeyFile: "/nulle/part"}.method("ssh://git@forge.example.org/docs.git")
	if err == nil || !strings.Contains(err.Error(), "PARCOURS_GIT_SSH_KNOWN_HOSTS") {
		t.Errorf("ssh without known_hosts: %v", err)
	}
}

// gitCheckouts lists the finished checkouts under a cache folder (for tests).
func gitCheckouts(cacheDir string) []string {
	var out []string
	repos, _ := os.ReadDir(cacheDir)
	for _, r := range repos {
		cos, _ := os.ReadDir(filepath.Join(cacheDir, r.Name()))
		for _, c := range cos {
			if checkoutName.MatchString(c.Name()) {
				out = append(out, filepath.Join(cacheDir, r.Name(), c.Name()))
			}
		}
	}
	sort.Strings(out)
	return out
}
