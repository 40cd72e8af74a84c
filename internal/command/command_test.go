package command

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/answer"
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

type fakeAsk struct{ q string }

func (f *fakeAsk) Ask(ctx context.Context, q string) (*answer.Answer, error) {
	f.q = q
	return &answer.Answer{Query: q, Answered: true}, nil
}

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

type fakeUsage struct{}

func (fakeUsage) Usage(ctx context.Context, n int) (Usage, error) {
	return Usage{Answered: 5, Missed: 2, Useful: 3, NotUseful: 1, RecentMisses: []Miss{{Question: "c'est quoi argocd"}}}, nil
}

func newTest(t testing.TB) (*Handler, *fakeAsk) {
	cat, err := parcours.Parse("test.yaml", []byte(catalogYAML))
	if err != nil {
		t.Fatal(err)
	}
	ask := &fakeAsk{}
	h := New(Deps{
		Catalog: func() *parcours.Catalog { return cat },
		Link:    func(page, anchor string) string { return "https://kb/" + page + "#" + anchor },
		Answers: ask,
		Index:   fakeIndex{},
		Usage:   fakeUsage{},
		IsAdmin: func(ctx context.Context, id, name string) (bool, error) { return name == "admin", nil },
	})
	return h, ask
}

func TestHelpOnEmptyAndAide(t *testing.T) {
	h, _ := newTest(t)
	for _, text := range []string{"", "  ", "aide", "AIDE"} {
		r := h.Handle(context.Background(), Request{Text: text})
		if r.Sub != "aide" || !strings.Contains(r.Text, "/parcours liste") || !strings.Contains(r.Text, "produit|sre|projet|strategie") {
			t.Errorf("%q: help expected, got %q (%s)", text, r.Text, r.Sub)
		}
		if r.InChannel {
			t.Error("help should be ephemeral")
		}
	}
}

func TestListShowsFourPaths(t *testing.T) {
	h, _ := newTest(t)
	r := h.Handle(context.Background(), Request{Text: "liste"})
	for _, s := range []string{"Produit", "SRE", "Projet", "Stratégie", "/parcours sre", "[Produit](https://kb/parcours/produit.md#)"} {
		if !strings.Contains(r.Text, s) {
			t.Errorf("liste lacks %q:\n%s", s, r.Text)
		}
	}
}

func TestPathLevel(t *testing.T) {
	h, _ := newTest(t)
	r := h.Handle(context.Background(), Request{Text: "sre 2"})
	if !strings.Contains(r.Text, "[Observabilité](https://kb/pratiques/observabilite.md#metriques)") ||
		!strings.Contains(r.Text, "Kubernetes") || strings.Contains(r.Text, "Linux") {
		t.Errorf("sre 2:\n%s", r.Text)
	}
	if !strings.Contains(r.Text, "Niveau 2 : Avancé") {
		t.Errorf("level title missing:\n%s", r.Text)
	}
	r = h.Handle(context.Background(), Request{Text: "SRE niveau intermediaire"})
	if !strings.Contains(r.Text, "Kubernetes") {
		t.Errorf("level by word not understood:\n%s", r.Text)
	}
	r = h.Handle(context.Background(), Request{Text: "Stratégie"})
	if r.Sub != "strategie" {
		t.Errorf("accented path not found: %q", r.Text)
	}
	r = h.Handle(context.Background(), Request{Text: "sre 7"})
	if !strings.Contains(r.Text, "Niveau « 7 » inconnu") {
		t.Errorf("bad level: %q", r.Text)
	}
	r = h.Handle(context.Background(), Request{Text: "sre"})
	if !strings.Contains(r.Text, "Linux") || !strings.Contains(r.Text, "Kubernetes") {
		t.Errorf("whole path:\n%s", r.Text)
	}
}

func TestUnknownSuggests(t *testing.T) {
	h, _ := newTest(t)
	r := h.Handle(context.Background(), Request{Text: "lsite"})
	if r.Sub != "inconnue" || !strings.Contains(r.Text, "« lsite »") || !strings.Contains(r.Text, "`/parcours liste`") {
		t.Errorf("got %q", r.Text)
	}
	r = h.Handle(context.Background(), Request{Text: "srr 2"})
	if !strings.Contains(r.Text, "`/parcours sre`") {
		t.Errorf("got %q", r.Text)
	}
	r = h.Handle(context.Background(), Request{Text: "zzzzzzzz"})
	if strings.Contains(r.Text, "Vouliez-vous") {
		t.Errorf("far word got a suggestion: %q", r.Text)
	}
}

func TestSearch(t *testing.T) {
	h, ask := newTest(t)
	r := h.Handle(context.Background(), Request{Text: "chercher comment   déployer ?"})
	if r.Answer == nil || ask.q != "comment déployer ?" {
		t.Errorf("question not passed: %q %+v", ask.q, r)
	}
	r = h.Handle(context.Background(), Request{Text: "chercher"})
	if r.Answer != nil || !strings.Contains(r.Text, "Indiquez votre question") {
		t.Errorf("empty question: %+v", r)
	}
}

func TestAdminOnly(t *testing.T) {
	h, _ := newTest(t)
	for _, sub := range []string{"reindex", "stats"} {
		r := h.Handle(context.Background(), Request{Text: sub, UserName: "alice"})
		if !strings.Contains(r.Text, "réservée aux administrateurs") {
			t.Errorf("%s allowed to a non-admin: %q", sub, r.Text)
		}
	}
	r := h.Handle(context.Background(), Request{Text: "reindex", UserName: "admin"})
	if !strings.Contains(r.Text, "12 pages, 80 sections") || !strings.Contains(r.Text, "titre manquant") {
		t.Errorf("reindex: %q", r.Text)
	}
	r = h.Handle(context.Background(), Request{Text: "stats", UserName: "admin"})
	for _, s := range []string{"7 (5 avec réponse, 2 sans réponse)", "3 « Utile », 1 « Pas utile »", "c'est quoi argocd"} {
		if !strings.Contains(r.Text, s) {
			t.Errorf("stats lacks %q:\n%s", s, r.Text)
		}
	}
}

func TestReindexFailureKeepsOld(t *testing.T) {
	h, _ := newTest(t)
	h.deps.Index = fakeIndex{err: errors.New("page cassée")}
	r := h.Handle(context.Background(), Request{Text: "reindex", UserName: "admin"})
	if !strings.Contains(r.Text, "l'ancienne base reste en service") || !strings.Contains(r.Text, "page cassée") {
		t.Errorf("got %q", r.Text)
	}
}

func TestDiagnosticPlaceholderAndReplacement(t *testing.T) {
	h, _ := newTest(t)
	r := h.Handle(context.Background(), Request{Text: "diagnostic"})
	if !strings.Contains(r.Text, "bientôt") {
		t.Errorf("placeholder: %q", r.Text)
	}
	h.Register(&Sub{Name: "diagnostic", Run: func(ctx context.Context, req Request, args []string) (Response, error) {
		return Response{Text: "c'est parti"}, nil
	}})
	if r := h.Handle(context.Background(), Request{Text: "diagnostic"}); r.Text != "c'est parti" {
		t.Errorf("registered sub-command not used: %q", r.Text)
	}
}

// What the user typed is never echoed with live mentions or Markdown: not
// the unknown sub-command, not the unknown level, not the questions listed
// to admins.
func TestEchoesNeverPing(t *testing.T) {
	h, _ := newTest(t)
	h.deps.Usage = pingUsage{}
	for _, text := range []string{"@channel", "sre @all", "**x**", "stats"} {
		r := h.Handle(context.Background(), Request{Text: text, UserName: "admin"})
		if m := quote.LiveMentions(r.Text); len(m) != 0 {
			t.Errorf("%q: mentions %v in\n%s", text, m, r.Text)
		}
		if strings.Contains(r.Text, "**x**") || strings.Contains(r.Text, "](http") {
			t.Errorf("%q: user Markdown live in\n%s", text, r.Text)
		}
	}
}

type pingUsage struct{}

func (pingUsage) Usage(ctx context.Context, n int) (Usage, error) {
	return Usage{RecentMisses: []Miss{{Question: "alerte\n    @here [clic](http://evil.example)"}}}, nil
}

// A reindex says what changed; one that would lose most of the base is
// refused unless forced, and says which pages would go.
func TestReindexSaysWhatChangedAndRefusesBigLosses(t *testing.T) {
	h, _ := newTest(t)
	r := h.Handle(context.Background(), Request{Text: "reindex", UserName: "admin"})
	if !strings.Contains(r.Text, "1 page ajoutée (nouvelle.md), 1 page modifiée (guide/equipe.md)") {
		t.Errorf("reindex: %q", r.Text)
	}
	h.deps.Index = fakeIndex{drop: true}
	r = h.Handle(context.Background(), Request{Text: "reindex", UserName: "admin"})
	for _, want := range []string{"refusé", "perd 24 des 26 pages", "92,3", "L'ancienne base reste en service", "24 pages retirées (a.md, b.md, c.md, d.md, e.md, …)", "/parcours reindex forcer"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("refusal lacks %q:\n%s", want, r.Text)
		}
	}
	r = h.Handle(context.Background(), Request{Text: "reindex forcer", UserName: "admin"})
	if !strings.Contains(r.Text, "rechargée : 12 pages") || !strings.Contains(r.Text, "24 pages retirées") {
		t.Errorf("forced: %q", r.Text)
	}
}
