package kb

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const outsideSecret = "# Secret\n\nLe jeton PARCOURS_MM_TOKEN vaut licorne-ultra-secrete et ne doit jamais sortir du serveur du bot.\n"

// symlinkTree writes, beside a source folder, a secret file and folder
// outside it, and in the source: a normal page, links to the secret (absolute
// and relative), a link to a page inside the source, a linked folder outside
// and a data file linked outside.
func symlinkTree(t *testing.T, root, src string) {
	t.Helper()
	outside := filepath.Join(root, "dehors")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(outside, "pages"), 0o755))
	must(os.WriteFile(filepath.Join(outside, "secret.md"), []byte(outsideSecret), 0o600))
	must(os.WriteFile(filepath.Join(outside, "pages", "autre.md"), []byte(outsideSecret), 0o600))
	must(os.WriteFile(filepath.Join(outside, "synonymes.yaml"), []byte("groupes:\n  - [licorne, poney]\n"), 0o600))
	must(os.MkdirAll(filepath.Join(src, "guide"), 0o755))
	must(os.MkdirAll(filepath.Join(src, "_data"), 0o755))
	must(os.WriteFile(filepath.Join(src, "guide", "deployer.md"), []byte("# Déployer\n\nOn déploie avec Argo CD depuis le dépôt de l'équipe, après la revue et les tests automatiques.\n"), 0o644))
	must(os.Symlink(filepath.Join(outside, "secret.md"), filepath.Join(src, "absolu.md")))
	rel, err := filepath.Rel(filepath.Join(src, "guide"), filepath.Join(outside, "secret.md"))
	must(err)
	must(os.Symlink(rel, filepath.Join(src, "guide", "relatif.md")))
	must(os.Symlink("guide/deployer.md", filepath.Join(src, "raccourci.md")))
	must(os.Symlink(filepath.Join(outside, "pages"), filepath.Join(src, "lie")))
	must(os.Symlink(filepath.Join(outside, "synonymes.yaml"), filepath.Join(src, "_data", "synonymes.yaml")))
}

func checkNoSecret(t *testing.T, b *Base, escaping ...string) {
	t.Helper()
	for _, p := range b.Pages {
		for _, s := range p.Sections {
			if strings.Contains(s.Text, "licorne") {
				t.Errorf("page %s holds the text of a file outside the source: %q", p.Path, s.Text)
			}
		}
	}
	if hasGroup(b.Synonyms, "licorne") {
		t.Error("a synonyms file linked outside the source was read")
	}
	for _, name := range escaping {
		found := false
		for _, w := range b.Warnings {
			if w.Path == name && strings.Contains(w.Msg, "lien symbolique vers l'extérieur de la source ignoré") {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning for %s; warnings: %v", name, b.Warnings)
		}
	}
}

func TestSymlinksOutsideAFolderSourceAreNotRead(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "docs")
	symlinkTree(t, root, src)
	b, err := Load(context.Background(), Dir(src))
	if err != nil {
		t.Fatal(err)
	}
	checkNoSecret(t, b, "absolu.md", "guide/relatif.md")
	var paths []string
	for _, p := range b.Pages {
		paths = append(paths, p.Path)
	}
	// A link to a page inside the source may be followed.
	if strings.Join(paths, " ") != "guide/deployer.md raccourci.md" {
		t.Errorf("pages = %v, want the real page and the link to it inside the source", paths)
	}
	// Reading the source's files by name never leaves it either.
	for _, name := range []string{"absolu.md", "guide/relatif.md", "lie/autre.md", "_data/synonymes.yaml"} {
		if data, err := fs.ReadFile(Dir(src).FS, name); err == nil {
			t.Errorf("%s read through the source: %q", name, data)
		}
	}
}

func TestSymlinksOutsideAGitSourceAreNotRead(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed (to make the test repository)")
	}
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	symlinkTree(t, root, filepath.Join(repo, "docs"))
	// A link from the served sub-folder to elsewhere in the repository
	// leaves the source too.
	if err := os.WriteFile(filepath.Join(repo, "interne.md"), []byte(outsideSecret), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../interne.md", filepath.Join(repo, "docs", "depot.md")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "--quiet", "--initial-branch=main"}, {"add", "."}, {"commit", "--quiet", "-m", "liens"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	src, err := ParseSourceSpec("git+file://"+repo+"#main//docs", GitOptions{CacheDir: filepath.Join(root, "cache")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	checkNoSecret(t, b, "absolu.md", "guide/relatif.md", "depot.md")
	if len(b.Pages) != 2 {
		t.Errorf("pages = %d, want the real page and the link to it", len(b.Pages))
	}
	for _, name := range []string{"absolu.md", "depot.md", "lie/autre.md"} {
		if data, err := fs.ReadFile(src.FS, name); err == nil {
			t.Errorf("%s read through the source: %q", name, data)
		}
	}
}

// A sub-folder that is itself a link out of the repository is not read.
func TestGitSubFolderLinkedOutside(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed (to make the test repository)")
	}
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	if err := os.MkdirAll(filepath.Join(root, "dehors"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "dehors", "secret.md"), []byte(outsideSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "dehors"), filepath.Join(repo, "docs")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "--quiet", "--initial-branch=main"}, {"add", "."}, {"commit", "--quiet", "-m", "lien"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	src, err := ParseSourceSpec("git+file://"+repo+"#main//docs", GitOptions{CacheDir: filepath.Join(root, "cache")})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := Load(context.Background(), src); err == nil {
		checkNoSecret(t, b)
		t.Errorf("a sub-folder linked outside the repository was read: %d pages", len(b.Pages))
	}
}

// A page file that is not a regular file (a named pipe) is skipped rather
// than blocking the reindex forever.
func TestSpecialFilesAreSkipped(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.md"), []byte("# Page\n\nUne page normale qui explique le déploiement des applications sur la plateforme.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := mkfifo(filepath.Join(dir, "tube.md")); err != nil {
		t.Skip("no named pipes here:", err)
	}
	b, err := Load(context.Background(), Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Pages) != 1 {
		t.Errorf("pages = %d", len(b.Pages))
	}
}
