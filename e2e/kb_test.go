//go:build e2e

package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/config"
	"github.com/cloud-pi-native/parcours/internal/mmtest"
)

// A git source with a committed symbolic link to a secret of the bot's data
// folder: the link is not indexed (a question about the secret is not
// answered from it) and /kb does not serve it, while the real page is.
func TestGitSourceSymlinkNotIndexedNorServed(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed for this test")
	}
	env, shared := sharedBot(t)
	root := t.TempDir()
	work, bare, data := filepath.Join(root, "travail"), filepath.Join(root, "docs.git"), filepath.Join(root, "donnees")
	for _, d := range []string{work, data} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path, body string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(data, "secret.md"), "# Secret de production\n\nLe mot de passe de production de la base est zanzibar-quarante-deux, ne le donnez à personne.\n")
	write(filepath.Join(work, "astreinte.md"), "# Astreinte\n\nL'astreinte de l'équipe plateforme tourne chaque semaine, avec un cadre d'escalade écrit et partagé.\n")
	// The checkout lives in DATA/sources/REPO/COMMIT: "../../../" is the
	// data folder, where the signing key (action.key) and our secret are.
	for name, target := range map[string]string{"jeton.md": "../../../secret.md", "cle.md": "../../../" + config.KeyFile, "absolu.md": filepath.Join(data, "secret.md")} {
		if err := os.Symlink(target, filepath.Join(work, name)); err != nil {
			t.Fatal(err)
		}
	}
	git := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git(work, "init", "--quiet", "--initial-branch=main")
	git(work, "add", ".")
	git(work, "commit", "--quiet", "-m", "pages et liens")
	git(root, "clone", "--quiet", "--bare", work, bare)

	// This bot replaces the shared one for the test (one bot answers at a
	// time), then the shared one comes back on its folder and address.
	dir, addr := shared.Config.DataDir, shared.Addr.String()
	shared.stop()
	defer func() {
		restarted, err := startBotAt(context.Background(), env, dir, os.Stderr, addr)
		if err != nil {
			t.Fatalf("restarting the shared bot: %v", err)
		}
		shared = restarted
		stopShared = func() { restarted.stop(); os.RemoveAll(dir) }
	}()
	bot, err := startBotWith(context.Background(), env, data, os.Stderr, "127.0.0.1:0",
		map[string]string{"PARCOURS_SOURCES": "git+file://" + bare + "#main"})
	if err != nil {
		t.Fatalf("starting the bot on the git source: %v", err)
	}
	defer bot.stop()
	if st := bot.Engine.Stats(); st.Pages != 1 {
		t.Errorf("%d pages indexed, want only astreinte.md; warnings %v", st.Pages, st.Warnings)
	}
	warned := strings.Join(bot.Engine.Stats().Warnings, "\n")
	for _, name := range []string{"jeton.md", "cle.md", "absolu.md"} {
		if !strings.Contains(warned, name+": lien symbolique vers l'extérieur de la source ignoré") {
			t.Errorf("no indexing warning for %s:\n%s", name, warned)
		}
	}

	alice := env.UserClient(t, "alice")
	dm := mmtest.DirectChannel(t, alice, env.BotUserID)
	ctx, cancel := context.WithTimeout(t.Context(), replyWait)
	defer cancel()
	q := mmtest.Post(t, alice, dm.Id, "", "quel est le mot de passe de production de la base ?")
	r := mmtest.WaitForReply(t, ctx, alice, q, fromBot(env))
	if strings.Contains(r.Message, "zanzibar") || strings.Contains(r.Message, "/kb/jeton") || strings.Contains(r.Message, "/kb/absolu") {
		t.Errorf("the answer comes from the linked secret:\n%s", r.Message)
	}

	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(bot.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/kb/astreinte"); code != 200 || !strings.Contains(body, "escalade") {
		t.Errorf("/kb/astreinte: %d, want the page", code)
	}
	for _, p := range []string{"/kb/jeton", "/kb/jeton.md", "/kb/cle", "/kb/cle.md", "/kb/absolu", "/kb/.git/config"} {
		if code, body := get(p); code != 404 || strings.Contains(body, "zanzibar") {
			t.Errorf("GET %s: %d, want 404", p, code)
		}
	}
}
