package conversation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/fr"
	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/parcours"
	"github.com/cloud-pi-native/parcours/internal/quote"
)

const catalogYAML = `
niveaux:
  - {niveau: 1, titre: Fondamentaux, mots: [debutant]}
  - {niveau: 2, titre: Avancé, mots: [intermediaire]}
  - {niveau: 3, titre: Expert, mots: [expert]}
parcours:
  - id: produit
    titre: Produit
    page: parcours/produit.md
    niveaux: [{niveau: 1, titre: Fondamentaux, sujets: [Git]}]
  - id: sre
    titre: SRE
    public: les équipes d'exploitation
    page: parcours/sre.md
    niveaux:
      - niveau: 1
        titre: Fondamentaux
        sujets: [Linux]
      - niveau: 2
        titre: Avancé
        ancre: niveau-2
        sujets:
          - {titre: Observabilité, page: pratiques/observabilite.md, ancre: metriques}
          - Kubernetes
  - {id: projet, titre: Projet}
  - {id: strategie, titre: Stratégie}
`

// fakeKnowledge answers every question and links pages under https://kb/.
type fakeKnowledge struct {
	cat *parcours.Catalog
	q   string
}

func (f *fakeKnowledge) Ask(ctx context.Context, q string) (*answer.Answer, error) {
	f.q = q
	return &answer.Answer{Query: q, Tier: answer.TierSure, Answered: true}, nil
}
func (f *fakeKnowledge) Catalog() *parcours.Catalog { return f.cat }
func (f *fakeKnowledge) PageURL(ref string) string  { return "https://kb/" + ref }

// fakeIndex reloads 12 pages; with drop, a reload not forced would lose 24
// of 26 pages and is refused.
type fakeIndex struct {
	err  error
	drop bool
}

func (f fakeIndex) Reload(ctx context.Context, force bool) (IndexStats, error) {
	d := kb.Diff{Before: 11, After: 12, Added: []string{"nouvelle.md"}, Changed: []string{"guide/equipe.md"}}
	if f.drop {
		d = kb.Diff{Before: 26, After: 2, Removed: []string{"a.md", "b.md", "c.md", "d.md", "e.md", "f.md"}}
		for i := range 18 {
			d.Removed = append(d.Removed, fmt.Sprintf("z%02d.md", i))
		}
		if !force {
			return IndexStats{}, &answer.DropError{Diff: d, Max: 0.5}
		}
	}
	return IndexStats{Pages: 12, Sections: 80, Warnings: []string{"page x: titre manquant"}, Diff: d}, f.err
}
func (f fakeIndex) Stats() IndexStats { return IndexStats{Pages: 12, Sections: 80} }

func newCommands(t testing.TB, mod func(*Config)) (*Conversation, *fakeKnowledge) {
	t.Helper()
	cat, err := parcours.Parse("test.yaml", []byte(catalogYAML))
	if err != nil {
		t.Fatal(err)
	}
	k := &fakeKnowledge{cat: cat}
	cfg := Config{Knowledge: k, Index: fakeIndex{},
		IsAdmin: func(ctx context.Context, id, name string) (bool, error) { return name == "admin", nil }}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}

// run runs "/parcours text" as username and returns what the caller sees.
func run(t *testing.T, c *Conversation, username, text string) []sent {
	t.Helper()
	b := &box{}
	if err := c.Command(t.Context(), Message{User: User{ID: "id-" + username, Username: username}, Place: Channel, Text: text}, b); err != nil {
		t.Fatal(err)
	}
	return b.take()
}

func runText(t *testing.T, c *Conversation, username, text string) string {
	t.Helper()
	return texts(run(t, c, username, text))
}

func TestHelpOnEmptyAndAide(t *testing.T) {
	c, _ := newCommands(t, nil)
	for _, text := range []string{"", "  ", "aide", "AIDE"} {
		got := run(t, c, "alice", text)
		if len(got) != 1 || got[0].To != ToThread || !strings.Contains(got[0].Text, "/parcours liste") || !strings.Contains(got[0].Text, "produit|sre|projet|strategie") {
			t.Errorf("%q: help expected, got %s", text, texts(got))
		}
	}
}

func TestListShowsFourPaths(t *testing.T) {
	c, _ := newCommands(t, nil)
	got := runText(t, c, "alice", "liste")
	for _, s := range []string{"Produit", "SRE", "Projet", "Stratégie", "/parcours sre", "[Produit](https://kb/parcours/produit.md)"} {
		if !strings.Contains(got, s) {
			t.Errorf("liste lacks %q:\n%s", s, got)
		}
	}
}

func TestPathLevel(t *testing.T) {
	c, _ := newCommands(t, nil)
	got := runText(t, c, "alice", "sre 2")
	if !strings.Contains(got, "[Observabilité](https://kb/pratiques/observabilite.md#metriques)") ||
		!strings.Contains(got, "Kubernetes") || strings.Contains(got, "Linux") {
		t.Errorf("sre 2:\n%s", got)
	}
	if !strings.Contains(got, "Niveau 2 : Avancé") {
		t.Errorf("level title missing:\n%s", got)
	}
	if got := runText(t, c, "alice", "SRE niveau intermediaire"); !strings.Contains(got, "Kubernetes") {
		t.Errorf("level by word not understood:\n%s", got)
	}
	if got := runText(t, c, "alice", "Stratégie"); !strings.Contains(got, "Parcours Stratégie") {
		t.Errorf("accented path not found: %q", got)
	}
	if got := runText(t, c, "alice", "sre 7"); !strings.Contains(got, "Niveau « 7 » inconnu") {
		t.Errorf("bad level: %q", got)
	}
	if got := runText(t, c, "alice", "sre"); !strings.Contains(got, "Linux") || !strings.Contains(got, "Kubernetes") {
		t.Errorf("whole path:\n%s", got)
	}
}

// Rough edge: French plurals, « et 1 autre sujet », not « et 1 autres sujets ».
func TestOverviewCountsTheTopicsLeftInFrench(t *testing.T) {
	for n, want := range map[int]string{5: "- … et 1 autre sujet\n", 7: "- … et 3 autres sujets\n"} {
		yaml := strings.Replace(catalogYAML, "sujets: [Linux]", "sujets: [Linux"+strings.Repeat(", Sujet", n-1)+"]", 1)
		cat, err := parcours.Parse("test.yaml", []byte(yaml))
		if err != nil {
			t.Fatal(err)
		}
		c, _ := newCommands(t, func(cfg *Config) { cfg.Knowledge = &fakeKnowledge{cat: cat} })
		if got := runText(t, c, "alice", "sre"); !strings.Contains(got, want) {
			t.Errorf("%d topics: want %q in\n%s", n, want, got)
		}
	}
	if fr.Count(1, "autre sujet", "autres sujets") != "1 autre sujet" {
		t.Error("fr.Count")
	}
}

func TestUnknownSuggests(t *testing.T) {
	c, _ := newCommands(t, nil)
	if got := runText(t, c, "alice", "lsite"); !strings.Contains(got, "« lsite »") || !strings.Contains(got, "`/parcours liste`") {
		t.Errorf("got %q", got)
	}
	if got := runText(t, c, "alice", "srr 2"); !strings.Contains(got, "`/parcours sre`") {
		t.Errorf("got %q", got)
	}
	if got := runText(t, c, "alice", "zzzzzzzz"); strings.Contains(got, "Vouliez-vous") {
		t.Errorf("far word got a suggestion: %q", got)
	}
}

func TestSearch(t *testing.T) {
	c, k := newCommands(t, nil)
	got := run(t, c, "alice", "chercher comment   déployer ?")
	if len(got) != 1 || got[0].Answer == nil || k.q != "comment déployer ?" {
		t.Errorf("question not passed: %q %+v", k.q, got)
	}
	got = run(t, c, "alice", "chercher")
	if got[0].Answer != nil || !strings.Contains(got[0].Text, "Indiquez votre question") {
		t.Errorf("empty question: %+v", got)
	}
}

func TestAdminOnly(t *testing.T) {
	c, _ := newCommands(t, nil)
	for _, sub := range []string{"reindex", "stats"} {
		if got := runText(t, c, "alice", sub); !strings.Contains(got, "réservée aux administrateurs") {
			t.Errorf("%s allowed to a non-admin: %q", sub, got)
		}
	}
	if got := runText(t, c, "admin", "reindex"); !strings.Contains(got, "12 pages, 80 sections") || !strings.Contains(got, "1 avertissement :") || !strings.Contains(got, "titre manquant") {
		t.Errorf("reindex: %q", got)
	}
	if got := runText(t, c, "admin", "stats"); !strings.Contains(got, "12 pages, 80 sections") {
		t.Errorf("stats: %q", got)
	}
}

func TestReindexFailureKeepsOld(t *testing.T) {
	c, _ := newCommands(t, func(cfg *Config) { cfg.Index = fakeIndex{err: errors.New("page cassée")} })
	if got := runText(t, c, "admin", "reindex"); !strings.Contains(got, "l'ancienne base reste en service") || !strings.Contains(got, "page cassée") {
		t.Errorf("got %q", got)
	}
}

// What the user typed is never echoed with live mentions or Markdown: not
// the unknown sub-command, not the unknown level (the questions listed to
// admins: internal/report).
func TestEchoesNeverPing(t *testing.T) {
	c, _ := newCommands(t, nil)
	for _, text := range []string{"@channel", "sre @all", "**x**", "stats"} {
		got := runText(t, c, "admin", text)
		if m := quote.LiveMentions(got); len(m) != 0 {
			t.Errorf("%q: mentions %v in\n%s", text, m, got)
		}
		if strings.Contains(got, "**x**") || strings.Contains(got, "](http") {
			t.Errorf("%q: user Markdown live in\n%s", text, got)
		}
	}
}

// A reindex says what changed; one that would lose most of the base is
// refused unless forced, and says which pages would go.
func TestReindexSaysWhatChangedAndRefusesBigLosses(t *testing.T) {
	c, _ := newCommands(t, nil)
	if got := runText(t, c, "admin", "reindex"); !strings.Contains(got, "1 page ajoutée (nouvelle.md), 1 page modifiée (guide/equipe.md)") {
		t.Errorf("reindex: %q", got)
	}
	c, _ = newCommands(t, func(cfg *Config) { cfg.Index = fakeIndex{drop: true} })
	got := runText(t, c, "admin", "reindex")
	for _, want := range []string{"refusé", "perd 24 des 26 pages", "92,3", "L'ancienne base reste en service", "24 pages retirées (a.md, b.md, c.md, d.md, e.md, …)", "/parcours reindex forcer"} {
		if !strings.Contains(got, want) {
			t.Errorf("refusal lacks %q:\n%s", want, got)
		}
	}
	if got := runText(t, c, "admin", "reindex forcer"); !strings.Contains(got, "rechargée : 12 pages") || !strings.Contains(got, "24 pages retirées") {
		t.Errorf("forced: %q", got)
	}
}
