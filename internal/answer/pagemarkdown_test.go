package answer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/kb"
)

// Pages shown by the bot are indexed pages only, read again through the
// source: nothing else of the folder, whatever its name.
func TestPageMarkdownServesIndexedPagesOnly(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "docs")
	body := "# Déployer\n\nOn déploie avec Argo CD depuis le dépôt de l'équipe, après la revue et les tests automatiques.\n"
	files := map[string]string{
		"deployer.md":        body,
		"brouillon.md":       "---\ndraft: true\n---\n" + body,
		"_data/bienvenue.md": body,
		"prive/interne.md":   body,
		"binaire.md":         body + "\x00\x01",
		"notes.txt":          body,
		"../secret.md":       "# Secret\n\nLe jeton du bot vaut licorne-ultra-secrete et ne doit jamais sortir du serveur du bot.\n",
		".cache/deployer.md": body,
		"guide/vide.md":      "# Vide\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "secret.md"), filepath.Join(dir, "lien.md")); err != nil {
		t.Fatal(err)
	}
	src := kb.Dir(dir)
	src.Exclude = []string{"prive/**"}
	e, err := Open(context.Background(), Options{Sources: []kb.Source{src}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	p, md, err := e.PageMarkdown(src.Name, "deployer.md")
	if err != nil || p.Title != "Déployer" || string(md) != body {
		t.Fatalf("indexed page: %v %v %q", p, err, md)
	}
	for _, name := range []string{"brouillon.md", "_data/bienvenue.md", "prive/interne.md", "binaire.md", "notes.txt",
		"../secret.md", "lien.md", ".cache/deployer.md", "guide/vide.md", "absent.md", "/etc/passwd", ""} {
		if p, md, err := e.PageMarkdown(src.Name, name); err == nil {
			t.Errorf("%s served: %v %q", name, p, md)
		}
	}
	if _, _, err := e.PageMarkdown("autre", "deployer.md"); err == nil {
		t.Error("a page of another source name was served")
	}
	// A page made a draft, or replaced by a link out of the source, since
	// the last reindex is no longer shown.
	if err := os.WriteFile(filepath.Join(dir, "deployer.md"), []byte(files["brouillon.md"]), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, md, err := e.PageMarkdown(src.Name, "deployer.md"); err == nil {
		t.Errorf("page become a draft served: %q", md)
	}
	if err := os.Remove(filepath.Join(dir, "deployer.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "secret.md"), filepath.Join(dir, "deployer.md")); err != nil {
		t.Fatal(err)
	}
	if _, md, err := e.PageMarkdown(src.Name, "deployer.md"); err == nil || strings.Contains(string(md), "licorne") {
		t.Errorf("page replaced by a link out of the source served: %q", md)
	}
}
