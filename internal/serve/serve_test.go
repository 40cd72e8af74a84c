package serve

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/bolt"
	"github.com/cloud-pi-native/parcours/internal/config"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/parcours"
	"github.com/cloud-pi-native/parcours/internal/welcome"
	"github.com/cloud-pi-native/parcours/knowledge"
	"go.uber.org/zap"
)

// A source's questionnaire and welcome are reloaded on reindex; a broken
// file keeps the previous version and is reported with its file and line.
func TestReloadDataKeepsThePreviousOnError(t *testing.T) {
	shipped, err := fs.ReadFile(knowledge.FS, diagnostic.File)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "_data"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sources := []kb.Source{kb.Dir(dir), kb.Embedded()}

	q, err := loadQuestionnaire(sources) // no file in dir: the shipped one
	if err != nil {
		t.Fatal(err)
	}
	eng, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: diagnostic.NewMemStore()})
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := loadWelcome(sources)
	if err != nil {
		t.Fatal(err)
	}
	c, err := conversation.New(conversation.Config{Knowledge: knowledgeless{}, Diagnostic: eng, Welcome: conversation.WelcomeOptions{Message: w}})
	if err != nil {
		t.Fatal(err)
	}
	welcomeOf := func(name string) string {
		var out textBox
		if err := c.Greet(t.Context(), conversation.User{ID: "u", Name: name}, "Équipe", conversation.Direct, &out); err != nil {
			t.Fatal(err)
		}
		return out.text
	}

	// An edited questionnaire and welcome in the source are taken.
	write(diagnostic.File, strings.Replace(string(shipped), "Ce diagnostic prend environ cinq minutes", "Dix minutes suffisent", 1))
	write(welcome.File, "Salut {{nom}}, voici {{equipe}}.")
	if warns := reloadData(sources, eng, c, zap.NewNop()); len(warns) != 0 {
		t.Fatalf("warnings %v", warns)
	}
	edited := eng.Questionnaire()
	if !strings.HasPrefix(edited.Intro, "Dix minutes suffisent") {
		t.Errorf("questionnaire not reloaded: %q", edited.Intro)
	}
	if p := welcomeOf("Ana"); !strings.Contains(p, "Salut Ana, voici Équipe.") {
		t.Errorf("welcome not reloaded:\n%s", p)
	}

	// Broken files: the previous versions stay, the errors name file and line.
	write(diagnostic.File, strings.Replace(string(shipped), "  - id: livraison", "  - id: livraison\n    inconnu: 1", 1))
	write(welcome.File, "---\nboutons:\n  autre: x\n---\nBonjour {{nom}}")
	warns := reloadData(sources, eng, c, zap.NewNop())
	if len(warns) != 2 {
		t.Fatalf("warnings %v, want one per broken file", warns)
	}
	if !strings.Contains(warns[0], "_data/diagnostic.yaml:67") || !strings.Contains(warns[0], "l'ancien reste en service") {
		t.Errorf("questionnaire warning: %s", warns[0])
	}
	if !strings.Contains(warns[1], "_data/bienvenue.md:3") {
		t.Errorf("welcome warning: %s", warns[1])
	}
	if eng.Questionnaire() != edited {
		t.Error("a broken questionnaire replaced the one in service")
	}
	if p := welcomeOf("Ana"); !strings.Contains(p, "Salut Ana") {
		t.Errorf("a broken welcome replaced the one in service:\n%s", p)
	}
}

// The welcome gives the organisation's own support channel, set in a
// source's _data/organisation.yaml, without the operator rewriting the text.
func TestWelcomeShowsTheOrganisationsSupportChannel(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "_data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "_data", "organisation.yaml"), []byte("support:\n  canal: ~entraide-de-mon-ministere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The shipped welcome is listed first, as with PARCOURS_SOURCES=embarquee,DIR.
	w, warns, err := loadWelcome([]kb.Source{kb.Embedded(), kb.Dir(dir)})
	if err != nil {
		t.Fatal(err)
	}
	text := w.Render(welcome.Vars{Name: "Ana", Team: "Équipe"})
	if !strings.Contains(text, "~entraide-de-mon-ministere") || strings.Contains(text, "site.data") {
		t.Errorf("welcome does not give the organisation's channel:\n%s", text)
	}
	if len(warns) != 0 {
		t.Errorf("warnings %v", warns)
	}
}

func TestLastPostTime(t *testing.T) {
	dir := t.TempDir()
	db, err := bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	progress, err := db.Progress()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if !lastPostTime(ctx, progress, filepath.Join(dir, StateFile)).IsZero() {
		t.Error("no state file: want zero (first start)")
	}
	// The file of older versions is read until the store has a position.
	os.WriteFile(filepath.Join(dir, StateFile), []byte("1795981591323\n"), 0o600)
	if got := lastPostTime(ctx, progress, filepath.Join(dir, StateFile)); got.UnixMilli() != 1795981591323 {
		t.Errorf("got %v", got)
	}
	progress.SavePosition(ctx, 1795981599999)
	if got := lastPostTime(ctx, progress, filepath.Join(dir, StateFile)); got.UnixMilli() != 1795981599999 {
		t.Errorf("position of the store not used: got %v", got)
	}
}

// Answers link the bot's own pages at the address browsers reach, not the
// internal one Mattermost uses.
func TestPagesLinkTheBrowserURL(t *testing.T) {
	site := kb.Dir(t.TempDir())
	site.BaseURL = "https://docs.exemple.gouv.fr"
	cfg := &config.Config{PublicURL: "http://parcours.interne:8080", BrowserURL: "https://parcours.exemple.gouv.fr",
		Sources: []kb.Source{kb.Embedded(), site}}
	sources, pages := servedSources(cfg)
	if sources[0].BaseURL != "https://parcours.exemple.gouv.fr/kb" || len(pages) != 1 {
		t.Errorf("embedded base linked at %q, %d served", sources[0].BaseURL, len(pages))
	}
	if sources[1].BaseURL != "https://docs.exemple.gouv.fr" {
		t.Errorf("a source with its own site keeps it: %q", sources[1].BaseURL)
	}
	if cfg.Sources[0].BaseURL != "" {
		t.Error("the configuration must not be changed")
	}
}

// knowledgeless is a knowledge base with nothing in it.
type knowledgeless struct{}

func (knowledgeless) Ask(ctx context.Context, q string) (*answer.Answer, error) {
	return &answer.Answer{Query: q, Tier: answer.TierNone}, nil
}
func (knowledgeless) Catalog() *parcours.Catalog { return &parcours.Catalog{} }
func (knowledgeless) PageURL(string) string      { return "" }

// textBox keeps the text of the replies sent.
type textBox struct{ text string }

func (b *textBox) Send(_ context.Context, r conversation.Reply) (string, error) {
	b.text += r.Text
	return "", nil
}
func (b *textBox) Close(context.Context, string, string) error { return nil }
