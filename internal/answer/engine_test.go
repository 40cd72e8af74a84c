package answer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/kb"
)

var (
	shippedOnce sync.Once
	shipped     *Engine
	shippedErr  error
)

// shippedEngine is the engine on the embedded knowledge base, shared by the
// tests that only ask.
func shippedEngine(t testing.TB) *Engine {
	t.Helper()
	shippedOnce.Do(func() { shipped, shippedErr = Open(context.Background(), Options{}) })
	if shippedErr != nil {
		t.Fatal(shippedErr)
	}
	return shipped
}

// openPages opens an engine on a folder holding these pages.
func openPages(t *testing.T, pages map[string]string) *Engine {
	t.Helper()
	dir := t.TempDir()
	for name, body := range pages {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e, err := Open(context.Background(), Options{Sources: []kb.Source{kb.Dir(dir)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func ask(t *testing.T, q string) *Answer {
	t.Helper()
	a, err := shippedEngine(t).Ask(context.Background(), q)
	if err != nil {
		t.Fatalf("Ask(%q): %v", q, err)
	}
	return a
}

func TestFirstPassage(t *testing.T) {
	cases := []struct {
		name, q, want string
	}{
		{"abbreviation", "c'est quoi k8s ?", "pratiques/conteneurs-kubernetes.md"},
		{"synonym mdp", "où ranger mes mdp ?", "pratiques/secrets.md"},
		{"missing accents and typo", "deploiment sur kubernets", "pratiques/conteneurs-kubernetes.md"},
		{"english", "how do feature flags work?", "pratiques/feature-flags.md"},
		{"plain french", "comment mettre en place l'intégration continue", "pratiques/ci-cd.md"},
		{"diagnostic", "à quoi sert le diagnostic de maturité", "diagnostic.md"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := ask(t, c.q)
			if !a.Answered || len(a.Passages) == 0 {
				t.Fatalf("%q not answered (confidence %.2f)", c.q, a.Confidence)
			}
			if got := a.Passages[0].Path; got != c.want {
				t.Errorf("%q: first passage %s, want %s (all: %v)", c.q, got, c.want, paths(a))
			}
			if a.Passages[0].URL == "" || a.Passages[0].Excerpt == "" {
				t.Errorf("passage without link or excerpt: %+v", a.Passages[0])
			}
		})
	}
}

func paths(a *Answer) []string {
	var out []string
	for _, p := range a.Passages {
		out = append(out, p.Path+"#"+p.Anchor)
	}
	return out
}

func TestRolesLeadToTheirPath(t *testing.T) {
	cases := []struct {
		q     string
		path  string
		level int
	}{
		{"je suis chef de projet, par où commencer ?", "projet", 1},
		{"je suis développeur débutant", "produit", 1},
		{"je suis DSI, quel parcours pour moi ?", "strategie", 1},
		{"I'm an SRE, which learning path should I follow at level 2?", "sre", 2},
	}
	for _, c := range cases {
		a := ask(t, c.q)
		if !a.Answered || a.Path == nil {
			t.Errorf("%q: no path recommended (answered=%v)", c.q, a.Answered)
			continue
		}
		if a.Path.ID != c.path || a.Path.Level != c.level {
			t.Errorf("%q: path %s level %d, want %s level %d", c.q, a.Path.ID, a.Path.Level, c.path, c.level)
		}
		if !strings.Contains(a.Path.URL, "parcours/"+c.path+".md#niveau-") {
			t.Errorf("%q: path link %q should point at the level section", c.q, a.Path.URL)
		}
		if a.Passages[0].Path != "parcours/"+c.path+".md" {
			t.Errorf("%q: first passage %v, want the path page", c.q, paths(a))
		}
	}
}

func TestLevelPointsAtLevelSection(t *testing.T) {
	a := ask(t, "je suis développeur débutant")
	if a.Passages[0].Anchor != "niveau-1--fondamentaux" {
		t.Errorf("a beginner developer should land on the level 1 section, got %v", paths(a))
	}
}

func TestOffTopicIsNotAnswered(t *testing.T) {
	for _, q := range []string{
		"quel temps fera-t-il demain à Paris ?",
		"quand sont les prochaines vacances scolaires",
		"recette de la tarte aux pommes",
		"what's the weather like tomorrow?",
		"",
		"???",
	} {
		a := ask(t, q)
		if a.Answered {
			t.Errorf("%q answered with confidence %.2f: %v", q, a.Confidence, paths(a))
		}
		if len(a.Suggestions) == 0 {
			t.Errorf("%q: a not-found answer must say what to try next", q)
		}
	}
	a := ask(t, "what's the weather like tomorrow?")
	if a.Lang != "en" || !strings.Contains(strings.Join(a.Suggestions, " "), "Rephrase") {
		t.Errorf("English question should get English suggestions: %+v", a)
	}
	a = ask(t, "horaires du train pour Lyon")
	if !strings.Contains(strings.Join(a.Suggestions, " "), "/parcours") {
		t.Errorf("suggestions should offer /parcours: %v", a.Suggestions)
	}
}

func TestExcerptHighlightsQuestionWords(t *testing.T) {
	a := ask(t, "comment gérer les secrets ?")
	if ex := strings.ToLower(a.Passages[0].Excerpt); !strings.Contains(ex, "secrets**") || !strings.Contains(ex, "**") {
		t.Errorf("excerpt should put the question's words in bold: %q", a.Passages[0].Excerpt)
	}
}

func TestReloadSwapsAndKeepsServingOnError(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("astreinte.md", "# Astreinte\n\nL'astreinte de l'équipe plateforme est organisée par roulement hebdomadaire, avec un cadre d'escalade écrit et partagé.\n")
	ctx := context.Background()
	e, err := Open(ctx, Options{Sources: []kb.Source{kb.Dir(dir)}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if a, _ := e.Ask(ctx, "astreinte"); !a.Answered {
		t.Fatal("the first base should answer")
	}
	if a, _ := e.Ask(ctx, "sauvegarde des bases"); a.Answered {
		t.Fatal("a page that does not exist yet must not answer")
	}
	write("sauvegarde.md", "# Sauvegarde\n\nLa sauvegarde des bases de données est quotidienne, conservée trente jours et testée chaque mois par une restauration.\n")

	// Questions keep being answered while the index is swapped.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := e.Ask(ctx, "astreinte"); err != nil {
					t.Errorf("Ask during reload: %v", err)
					return
				}
			}
		}()
	}
	st, err := e.Reload(ctx, false)
	close(stop)
	wg.Wait()
	if err != nil || st.Pages != 2 {
		t.Fatalf("Reload = %+v, %v", st, err)
	}
	if a, _ := e.Ask(ctx, "sauvegarde des bases"); !a.Answered || a.Passages[0].Path != "sauvegarde.md" {
		t.Fatalf("the new page should answer after reload: %+v", a)
	}

	// A broken source (every page gone) is refused; the running index stays.
	for _, n := range []string{"astreinte.md", "sauvegarde.md"} {
		if err := os.Remove(filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Reload(ctx, false); err == nil {
		t.Fatal("reloading an empty source must fail")
	}
	if a, _ := e.Ask(ctx, "sauvegarde des bases"); !a.Answered {
		t.Fatal("the previous index must keep serving after a failed reload")
	}
}

func TestShippedCatalogLinksExist(t *testing.T) {
	e := shippedEngine(t)
	cat := e.Catalog()
	if len(cat.Paths) != 4 {
		t.Fatalf("want the four learning paths, got %v", cat.IDs())
	}
	for _, p := range cat.Paths {
		if e.PageURL(p.Page) == "" {
			t.Errorf("path %s: page %s is not in the knowledge base", p.ID, p.Page)
		}
		if len(p.Levels) != 3 {
			t.Errorf("path %s has %d levels, want 3", p.ID, len(p.Levels))
		}
		for _, l := range p.Levels {
			if e.PageURL(p.Page+"#"+l.Anchor) == "" || l.Anchor == "" {
				t.Errorf("path %s level %d: anchor %q not found in %s", p.ID, l.Number, l.Anchor, p.Page)
			}
			for _, tp := range l.Topics {
				if tp.Page != "" && e.PageURL(tp.Page) == "" {
					t.Errorf("path %s level %d topic %q: page %s not found", p.ID, l.Number, tp.Label, tp.Page)
				}
			}
		}
	}
}

func TestNumbersAndEverydayWordsAloneAreNotAnswered(t *testing.T) {
	for _, q := range []string{"2", "3 ?", "ok merci", "comment ça marche"} {
		if a := ask(t, q); a.Answered {
			t.Errorf("%q answered (confidence %.2f): %v", q, a.Confidence, paths(a))
		}
	}
}

func TestRoleWithoutItsPathPageIsNotForcedAnswered(t *testing.T) {
	e := openPages(t, map[string]string{"cuisine.md": "# Cantine\n\nLe menu de la cantine change chaque jour : entrée, plat, dessert, avec une option végétarienne.\n"})
	a, err := e.Ask(context.Background(), "je suis chef de projet, par où commencer ?")
	if err != nil {
		t.Fatal(err)
	}
	if a.Answered {
		t.Errorf("a base without the path page must not answer a role question confidently: %+v", a)
	}
	if a.Path == nil || a.Path.ID != "projet" {
		t.Errorf("the learning path is still recommended from the catalogue: %+v", a.Path)
	}
}

func TestRoleFindsThePathPageOfAnotherDocumentation(t *testing.T) {
	e := openPages(t, map[string]string{
		"2.3-parcours_projet.md":   "# Parcours \"intégrité des projets\"\n\nCe parcours s'adresse aux personnes qui pilotent des projets et des programmes.\n\n## Niveau 1 : Fondamentaux/introduction\n\nRéaliser une étude de cas et définir les features du backlog.\n\n## Niveau 2 : Avancé\n\nPrioriser le backlog et travailler avec l'infrastructure éphémère.\n",
		"2.1-parcours-produit.md":  "# Parcours de formation : périmètre de responsabilité \"produit\"\n\nPour les développeurs et les architectes des produits numériques.\n\n## Niveau 1 : Fondamentaux\n\nVersionnement, tests d'intégration et gestion de configuration.\n",
		"accompagnement-projet.md": "# Accompagnement des projets\n\nL'équipe accompagne chaque projet de la qualification à la mise en production, avec un référent.\n",
	})
	a, err := e.Ask(context.Background(), "je suis cheffe de projet, je débute, par où commencer ?")
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answered || a.Passages[0].Path != "2.3-parcours_projet.md" || a.Passages[0].Anchor != "niveau-1--fondamentauxintroduction" {
		t.Fatalf("the path page of the documentation, at its level 1 section: %+v", a.Passages)
	}
	if a.Path == nil || a.Path.ID != "projet" || !strings.HasSuffix(a.Path.URL, "2.3-parcours_projet.md#niveau-1--fondamentauxintroduction") {
		t.Errorf("recommended path should link that page: %+v", a.Path)
	}
}

func TestDefinitionsPreferTheGlossaryAndDailyLifeIsRefused(t *testing.T) {
	e := openPages(t, map[string]string{
		"glossaire.md":    "# Glossaire\n\n## DSO\n\nDSO désigne la plateforme DevSecOps de l'offre, sa console et ses outils.\n\n## Slug\n\nIdentifiant court d'un projet dans les URL.\n",
		"installation.md": "# Installation\n\nPour installer la plateforme DSO, préparez le cluster, puis lancez l'installation. Elle prend du temps : comptez une journée, la suite se fait demain.\n",
	})
	a, _ := e.Ask(context.Background(), "DSO ça veut dire quoi ?")
	if len(a.Passages) == 0 || a.Passages[0].Path != "glossaire.md" {
		t.Errorf("a definition question should lead to the glossary: %v", paths(a))
	}
	a, _ = e.Ask(context.Background(), "quel temps fera-t-il demain ?")
	if a.Answered {
		t.Errorf("words of daily life found in passing must not make an answer: %v (%.2f)", paths(a), a.Confidence)
	}
}

func TestNamedPathAndLevel(t *testing.T) {
	a := ask(t, "quels sujets au niveau 2 du parcours produit")
	if len(a.Passages) == 0 || a.Passages[0].Path != "parcours/produit.md" || a.Passages[0].Anchor != "niveau-2--avancé" {
		t.Errorf("a path named with a level should land on that level's section: %v", paths(a))
	}
	a = ask(t, "comment créer un projet dans la console")
	if a.Path != nil && a.Path.Reason != "" && strings.Contains(a.Path.Reason, "rôle") {
		t.Errorf("'un projet' is not the role of project lead: %+v", a.Path)
	}
}

func TestSelfIntroductionWithAQuestionOfItsOwn(t *testing.T) {
	a := ask(t, "je suis développeur, comment écrire un bon Dockerfile ?")
	if len(a.Passages) == 0 || a.Passages[0].Path != "pratiques/conteneurs-kubernetes.md" {
		t.Errorf("a developer's technical question is answered by the practice page, not the path page: %v", paths(a))
	}
	a = ask(t, "je travaille dans l'équipe plateforme qui gère les clusters k8s")
	if len(a.Passages) == 0 || a.Passages[0].Path != "parcours/sre.md" {
		t.Errorf("a person describing their job gets their path: %v", paths(a))
	}
}

func TestRolesOfOthersAreNotTheAskers(t *testing.T) {
	for _, q := range []string{"un pitch de trois minutes pour mon directeur", "une formation à conseiller sur la sécurité"} {
		if a := ask(t, q); a.Path != nil && strings.HasPrefix(a.Path.Reason, "rôle") {
			t.Errorf("%q: %q is not the asker's role", q, a.Path.Reason)
		}
	}
	if a := ask(t, "I'm a project manager, where do I start?"); a.Path == nil || a.Path.ID != "projet" {
		t.Errorf("'I'm a project manager' is the asker's role: %+v", a.Path)
	}
}

func TestAskersOwnProblemIsNotAPathRequest(t *testing.T) {
	a := ask(t, "je suis dev sur le projet et j'arrive pas à stocker le mot de passe de ma base dans le coffre-fort")
	if len(a.Passages) > 0 && strings.HasPrefix(a.Passages[0].Path, "parcours/") {
		t.Errorf("a developer describing a technical problem needs the practice, not the path: %v", paths(a))
	}
}

func TestUnknownAdverbsDoNotHideTheSubject(t *testing.T) {
	if a := ask(t, "how do I store secrets safely?"); !a.Answered || a.Passages[0].Path != "pratiques/secrets.md" {
		t.Errorf("'safely' says how, the subject is secrets: %v (%.2f)", paths(a), a.Confidence)
	}
}

// A documentation that defines an abbreviation once ("comité de revue des
// anomalies (CRA)") and then uses it is found with either form, without
// any synonyms file.
func TestAbbreviationsLearnedFromTheDocumentation(t *testing.T) {
	e := openPages(t, map[string]string{
		"glossaire.md": "# Sigles\n\nChaque équipe présente ses écarts au comité de revue des anomalies (CRA) pour chaque service critique.\n",
		"exercice.md":  "# Réunion trimestrielle\n\nLe CRA se réunit chaque trimestre ; son compte rendu liste les écarts constatés et leurs correctifs.\n",
		"charge.md":    "# Revue de code\n\nLa revue de code d'une demande de fusion relit chaque anomalie signalée par l'analyse statique.\n",
	})
	a, err := e.AskN(context.Background(), "comité de revue des anomalies", 3)
	if err != nil {
		t.Fatal(err)
	}
	got := paths(a)
	if len(got) < 2 || got[0] != "glossaire.md#" || got[1] != "exercice.md#" {
		t.Errorf("the page defining CRA, then the page using it, before the code review: %v", got)
	}
}

// A glossary answers "c'est quoi X" only when one of its entries is X: a
// glossary that merely uses the word in another entry does not.
func TestGlossaryAnswersOnlyWhatItDefines(t *testing.T) {
	e := openPages(t, map[string]string{
		"glossaire.md": "# Glossaire\n\n| Terme | Définition |\n|---|---|\n| CCT | Cadre de cohérence technique de la plateforme du ministère |\n| Drift | Écart entre le dépôt Git et ce qui tourne sur la plateforme |\n",
		"pax.md":       "# PAX\n\nPAX est l'environnement d'accompagnement : une plateforme de test où l'équipe essaie ses déploiements avant la production.\n",
	})
	a, err := e.Ask(context.Background(), "c'est quoi la plateforme PAX ?")
	if err != nil {
		t.Fatal(err)
	}
	if got := paths(a); len(got) == 0 || got[0] != "pax.md#" {
		t.Errorf("PAX is defined by its own page, not by a glossary that lacks it: %v", got)
	}
	a, err = e.Ask(context.Background(), "c'est quoi le CCT ?")
	if err != nil {
		t.Fatal(err)
	}
	if got := paths(a); len(got) == 0 || got[0] != "glossaire.md#" {
		t.Errorf("the glossary defines CCT: %v", got)
	}
}

// Not found, the answer suggests the words of the base the thesaurus
// relates to the unknown ones: a way out rather than a dead end.
func TestNotFoundSuggestsRelatedWordsOfTheBase(t *testing.T) {
	e := openPages(t, map[string]string{
		"agilite.md":   "# Agilité\n\nL'agilité de l'équipe tient à des cycles courts, à des démonstrations fréquentes et au dialogue avec les usagers.\n",
		"astreinte.md": "# Astreinte\n\nL'astreinte tourne chaque semaine entre les membres de l'équipe plateforme, avec un cadre d'escalade écrit.\n",
	})
	a, err := e.Ask(context.Background(), "souplesse")
	if err != nil {
		t.Fatal(err)
	}
	if a.Tier != TierNone || len(a.Suggestions) == 0 || !strings.Contains(a.Suggestions[0], "agilité") {
		t.Errorf("tier %s, suggestions %q: want « agilité » offered first", a.Tier, a.Suggestions)
	}
}

// The questions a page's owners list in its front matter, in users' words,
// bring it to those users: the content owners close the gaps the bot
// reports without touching any word list.
func TestTypicalQuestionsOfAPage(t *testing.T) {
	e := openPages(t, map[string]string{
		"pipeline.md": "---\ntitle: Chaîne d'intégration\nquestions:\n  - ma CI plante, que faire ?\n  - le build est rouge\n---\n\n# Chaîne d'intégration\n\nChaque poussée lance les étapes de construction, de test et d'analyse ; une étape en échec arrête la chaîne et le journal du job dit pourquoi.\n",
		"jardin.md":   "# Jardin partagé\n\nUne plante verte par bureau : qui arrose la plante le vendredi ? Le planning de l'équipe le dit chaque matin.\n",
	})
	for _, q := range []string{"ma CI plante depuis ce matin", "le build est rouge"} {
		a, err := e.Ask(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if got := paths(a); len(got) == 0 || got[0] != "pipeline.md#" || a.Tier == TierNone {
			t.Errorf("%q: the page that lists the question first, answered: %v %s", q, got, a.Tier)
		}
	}
}

func TestUnsureAnswersNameTheRareWordsThePagesLack(t *testing.T) {
	// Another vendor's tool: the closest pages say nothing of it, and the
	// answer says so, without the elision typed before it.
	a := ask(t, "comment restaurer une ancienne version d'un fichier sur l'SharePoint ?")
	if a.Tier == TierSure || len(a.Missing) != 1 || a.Missing[0] != "SharePoint" {
		t.Errorf("tier %s, missing %q: want an unsure answer missing [SharePoint]", a.Tier, a.Missing)
	}
	// Common words the pages lack ("voiture", "normal") are no subject to
	// name; a sure answer names nothing.
	for _, q := range []string{"ma voiture est en panne, qui appeler", "comment avoir un compte sur la console"} {
		if a := ask(t, q); len(a.Missing) != 0 {
			t.Errorf("%q: missing %q, want none", q, a.Missing)
		}
	}
}
