package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/kb"
)

func TestAnalyzerFoldsAccentsAndElisions(t *testing.T) {
	pairs := [][2]string{
		{"déploiement", "deploiement"},
		{"clé", "cle"},
		{"l'intégration", "integration"},
		{"Sécurité", "securite"},
		{"conteneurs", "conteneur"},
	}
	for _, p := range pairs {
		a, b := Terms(p[0]), Terms(p[1])
		if len(a) != 1 || len(b) != 1 || a[0] != b[0] {
			t.Errorf("%q -> %v and %q -> %v should analyze alike", p[0], a, p[1], b)
		}
	}
	if got := Terms("le la les de des"); len(got) != 0 {
		t.Errorf("stop words kept: %v", got)
	}
}

func surfaces(cs []Concept) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Surface)
	}
	return strings.Join(out, "|")
}

func TestConceptsDropFillerAndFindExpressions(t *testing.T) {
	lx := NewLexicon([][]string{{"mise en production", "MEP"}, {"kubernetes", "k8s"}, {"CI", "intégration continue"}})
	cases := map[string]string{
		"Bonjour, comment je fais une mise en production svp ?": "mise en production",
		"c'est quoi k8s exactement":                             "k8s",
		"quand est versée la paie ce mois-ci":                   "versée|paie|mois",
		"how do I run the CI pipeline":                          "run|CI|pipeline",
	}
	for q, want := range cases {
		if got := surfaces(lx.Concepts(q)); got != want {
			t.Errorf("Concepts(%q) = %s, want %s", q, got, want)
		}
	}
	cs := lx.Concepts("MEP")
	if len(cs) != 1 || len(cs[0].Alts) != 2 || cs[0].Alts[1].Text != "mise en production" {
		t.Errorf("MEP should expand to its synonym: %+v", cs)
	}
	if cs := lx.Concepts("pipeline CI intégration continue"); len(cs) != 2 {
		t.Errorf("two words of one group are one concept: %s", surfaces(cs))
	}
}

func TestTypoCorrectionIsNarrow(t *testing.T) {
	base := &kb.Base{Pages: []*kb.Page{
		{Source: "t", Path: "k.md", Title: "Kubernetes", Sections: []kb.Section{{Text: "Kubernetes orchestre les conteneurs de la plateforme et leur déploiement."}}},
		{Source: "t", Path: "s.md", Title: "Sauvegardes", Sections: []kb.Section{{Text: "Les sauvegardes sont quotidiennes et testées par une restauration."}}},
	}}
	ix, err := Build(context.Background(), base, "")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	res, err := ix.Search(context.Background(), Request{Question: "sauvgardes"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Page.Path != "s.md" || !res.Concepts[0].Fuzzy {
		t.Fatalf("a one-letter typo of a long word should be corrected: %+v", res)
	}
	if res.Hits[0].Coverage >= 1 {
		t.Errorf("a corrected word is a guess and must not give full coverage: %.2f", res.Hits[0].Coverage)
	}
	res, _ = ix.Search(context.Background(), Request{Question: "tarte"})
	if len(res.Hits) != 0 {
		t.Errorf("a short unknown word must not be 'corrected' into the domain: %+v", res.Hits)
	}
	res, _ = ix.Search(context.Background(), Request{Question: "restaurer une sauvegarde"})
	if len(res.Hits) == 0 || res.Hits[0].Page.Path != "s.md" || res.Hits[0].Coverage < 0.6 {
		t.Errorf("restaurer/restauration should meet through their root: %+v", res.Hits)
	}
}

func TestShortNamesAreNotCorrectedIntoStems(t *testing.T) {
	ix := buildPages(t, []*kb.Page{
		{Source: "t", Path: "a.md", Title: "Amélioration continue", Sections: []kb.Section{{Text: "L'amélioration continue part des incidents et des retours des usagers."}}},
	})
	// "ameli" is one letter from the stem of "amélioration": it is another
	// service's name, not a typo, and stays unknown (so the answer can say
	// the base does not mention it).
	res, err := ix.Search(context.Background(), Request{Question: "compte ameli"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Concepts {
		if c.Surface == "ameli" && (c.Fuzzy || !c.Unknown) {
			t.Errorf("a five-letter name was corrected into the domain: %+v", c)
		}
	}
}

func TestAnotherFormOfAWordFindsIt(t *testing.T) {
	ix := buildPages(t, []*kb.Page{
		{Source: "t", Path: "fiche.md", Title: "Fiche", Sections: []kb.Section{{Text: "Chaque usager a une fiche, que l'agent peut envoyer par courriel."}}},
		{Source: "t", Path: "autre.md", Title: "Agenda", Sections: []kb.Section{{Text: "L'agenda montre les plages d'ouverture de l'agent."}}},
	})
	// The light stemmer leaves "usagère" and "usager", "envoient" and
	// "envoyer" apart; the dictionary's lemma joins them.
	for _, q := range []string{"la fiche de cette usagère", "ils envoient la fiche"} {
		res, err := ix.Search(context.Background(), Request{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		if got := hitPaths(res); len(got) == 0 || got[0] != "fiche.md" {
			t.Errorf("%q: pages %v, want fiche.md first", q, got)
		}
		for _, c := range res.Concepts {
			if c.Unknown {
				t.Errorf("%q: %q left unknown though the pages hold its lemma", q, c.Surface)
			}
		}
	}
}

func TestChatShorthandFindsTheWordItBegins(t *testing.T) {
	ix := buildPages(t, []*kb.Page{
		{Source: "t", Path: "agenda.md", Title: "Agenda", Sections: []kb.Section{{Text: "Les disponibilités des agents se règlent dans le paramétrage de l'agenda."}}},
		{Source: "t", Path: "envs.md", Title: "Environnements", Sections: []kb.Section{{Text: "La différence entre recette et production tient aux données."}}},
		{Source: "t", Path: "usagers.md", Title: "Usagers", Sections: []kb.Section{{Text: "Une fiche usager garde le nom et le téléphone."}}},
	})
	for q, want := range map[string]string{
		"les dispo dans le param": "agenda.md",
		// "différence" is indexed without its doubled letter.
		"la diff recette production": "envs.md",
	} {
		res, err := ix.Search(context.Background(), Request{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		if got := hitPaths(res); len(got) == 0 || got[0] != want {
			t.Errorf("%q: pages %v, want %s first", q, got, want)
		}
		for _, c := range res.Concepts {
			if c.Unknown {
				t.Errorf("%q: shorthand %q left unknown", q, c.Surface)
			}
		}
	}
	// A word of the dictionary the pages lack is no shorthand: "hier" is
	// not "hiérarchie".
	ix2 := buildPages(t, []*kb.Page{{Source: "t", Path: "h.md", Title: "Hiérarchie", Sections: []kb.Section{{Text: "La hiérarchie valide les congés."}}}})
	res, _ := ix2.Search(context.Background(), Request{Question: "le même souci qu'hier"})
	for _, c := range res.Concepts {
		if c.Surface == "qu'hier" && !c.Unknown {
			t.Errorf("a dictionary word was completed into another: %+v", c)
		}
	}
	// A completion is a guess: less evidence than the word itself.
	short, _ := ix.Search(context.Background(), Request{Question: "dispo agents"})
	full, _ := ix.Search(context.Background(), Request{Question: "disponibilités agents"})
	if len(short.Hits) == 0 || len(full.Hits) == 0 || short.Hits[0].Coverage >= full.Hits[0].Coverage {
		t.Errorf("shorthand should cover less than the full word: %+v / %+v", short.Hits, full.Hits)
	}
}

func TestProximityFavoursPagesThatGatherTheWords(t *testing.T) {
	filler := strings.Repeat("La plateforme propose de nombreux services aux équipes des ministères. ", 40)
	base := &kb.Base{Pages: []*kb.Page{
		{Source: "t", Path: "diffus.md", Title: "Vue d'ensemble", Sections: []kb.Section{{Text: "Les quotas existent. " + filler + " Harbor stocke les images."}}},
		{Source: "t", Path: "groupe.md", Title: "Réglages", Sections: []kb.Section{{Text: "Le quota Harbor d'un projet se change dans les réglages du plugin. " + filler}}},
	}}
	ix, err := Build(context.Background(), base, "")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	res, err := ix.Search(context.Background(), Request{Question: "quota harbor"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 2 || res.Hits[0].Page.Path != "groupe.md" {
		t.Errorf("the page where the words stand together should win: %+v", res.Hits)
	}
}

func TestCopiesOfAPageAreShownOnce(t *testing.T) {
	page := func(path string) *kb.Page {
		return &kb.Page{Source: "t", Path: path, Title: "Rôles Harbor", Sections: []kb.Section{
			{Text: "Les rôles Harbor du projet."}, {Anchor: "pousser", Title: "Pousser une image", Text: "Le rôle devops peut pousser une image dans Harbor."}}}
	}
	other := &kb.Page{Source: "t", Path: "registre.md", Title: "Registre", Sections: []kb.Section{{Text: "Harbor est le registre d'images : pousser une image demande le rôle devops."}}}
	ix, err := Build(context.Background(), &kb.Base{Pages: []*kb.Page{page("guide/rbac/harbor.md"), page("admin/rbac/harbor.md"), other}}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	res, err := ix.Search(context.Background(), Request{Question: "pousser une image harbor", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := hitPaths(res)
	if len(got) != 2 || got[1] != "registre.md" && got[0] != "registre.md" {
		t.Errorf("one copy and the other page expected, got %v", got)
	}
}

// A question that is only the page's subject links the page's top; one
// that says more links the section that says it.
func TestSubjectAloneLinksThePageTop(t *testing.T) {
	base := &kb.Base{Pages: []*kb.Page{{Source: "s", Path: "gitlab.md", Title: "GitLab", Sections: []kb.Section{
		{Text: "GitLab héberge le code et lance les pipelines de chaque projet de la plateforme."},
		{Anchor: "droits", Title: "Les droits dans GitLab", Text: "Les droits dans GitLab suivent les rôles du projet : propriétaire, mainteneur, développeur."},
	}}}}
	ix, err := Build(context.Background(), base, "")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for q, want := range map[string]string{"GitLab": "", "les droits dans gitlab": "droits"} {
		res, err := ix.Search(context.Background(), Request{Question: q})
		if err != nil || len(res.Hits) == 0 {
			t.Fatalf("%q: %v", q, err)
		}
		if res.Hits[0].Section != want {
			t.Errorf("%q links section %q, want %q", q, res.Hits[0].Section, want)
		}
	}
}

func TestWordsOfCodeBlocksFindTheirPage(t *testing.T) {
	pages := []*kb.Page{
		{Source: "s", Path: "vault.md", Title: "Coffre de secrets", Code: "read_secret:\n  stage: read-secret\n",
			Sections: []kb.Section{{Text: "Le pipeline lit ses secrets dans le coffre avant de construire l'image."}}},
		{Source: "s", Path: "pipeline.md", Title: "Le pipeline",
			Sections: []kb.Section{{Text: "Le pipeline construit, teste et déploie l'application à chaque commit."}}},
	}
	ix := buildPages(t, pages)
	res, err := ix.Search(context.Background(), Request{Question: "le job read_secret plante, pourquoi ?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Page.Path != "vault.md" {
		t.Fatalf("a job named only in a code block: %+v %+v", res.Hits, res.Concepts)
	}
	for _, c := range res.Concepts {
		if c.Surface == "read_secret" && c.Unknown {
			t.Errorf("a word of a code block is unknown: %+v", c)
		}
	}
}

func TestAWordKnownThroughItsRootStaysKnown(t *testing.T) {
	pages := []*kb.Page{
		{Source: "s", Path: "instruction.md", Title: "Instruire un dossier",
			Sections: []kb.Section{{Text: "L'instructeur voit les dossiers déposés sur ses démarches et les instruit."}}},
		{Source: "s", Path: "usager.md", Title: "Déposer un dossier",
			Sections: []kb.Section{{Text: "L'usager remplit le formulaire de la démarche puis dépose son dossier."}}},
	}
	ix := buildPages(t, pages)
	// A typo the corrector leaves alone (its root is indexed) must not
	// make the word unknown: the root finds the page.
	res, err := ix.Search(context.Background(), Request{Question: "je suis instructuer, je vois aucun dossier"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Concepts {
		if c.Surface == "instructuer" && c.Unknown {
			t.Errorf("a word known through its root is unknown: %+v", c)
		}
	}
	if len(res.Hits) == 0 || res.Hits[0].Page.Path != "instruction.md" {
		t.Errorf("the page of the word's root should come first: %+v", res.Hits)
	}
}

func TestEnglishStopWordsCarryNoTopic(t *testing.T) {
	pages := []*kb.Page{
		{Source: "s", Path: "secrets.md", Title: "Gestion des secrets",
			Sections: []kb.Section{{Text: "Les secrets et les mots de passe se rangent dans le coffre, jamais dans le dépôt."}}},
	}
	ix := buildPages(t, pages)
	res, err := ix.Search(context.Background(), Request{Question: "secrets and tokens into the vault", English: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Concepts {
		if c.Surface == "and" || c.Surface == "into" {
			t.Errorf("an English stop word weighs as a word no page holds: %+v", c)
		}
	}
	// The same word in a French question is left to the French analysis.
	res, err = ix.Search(context.Background(), Request{Question: "secrets and co"})
	if err != nil {
		t.Fatal(err)
	}
	if surfaces(res.Concepts) != "secrets|and|co" {
		t.Errorf("French question: %s", surfaces(res.Concepts))
	}
}

func TestEverydayWordsAreToldByTheirLemma(t *testing.T) {
	// The light stemmer makes "paiement" and "paie" (an everyday word) one
	// term; the dictionary tells them apart.
	if isEverydayWord("paiement", Terms("paiement")[0]) {
		t.Error("« paiement » weighs like the everyday « paie »")
	}
	for _, w := range []string{"paie", "semaine", "voiture", "reunion"} {
		if !isEverydayWord(w, Terms(w)[0]) {
			t.Errorf("%q is an everyday word", w)
		}
	}
	// Same for words of intent: a "conseiller" is no "conseils".
	for w, generic := range map[string]bool{"conseiller": false, "conseils": true, "gérer": true} {
		if got := isGenericWord(w, Terms(w)[0]); got != generic {
			t.Errorf("%q generic: %v, want %v", w, got, generic)
		}
	}
}

// hitPaths lists the paths of the pages a search found, in order.
func hitPaths(res *Result) []string {
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.Page.Path)
	}
	return got
}

// buildPages indexes pages in memory for one test.
func buildPages(t *testing.T, pages []*kb.Page) *Index {
	t.Helper()
	ix, err := Build(context.Background(), &kb.Base{Pages: pages}, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestWordsOnlyGrammaticalCarryNoTopic(t *testing.T) {
	lx := NewLexicon(nil)
	// The dictionary reads "depuis", "chez" and "presque" only as grammar;
	// "audit" and "personne" are also nouns, "Via" may be a name.
	got := surfaces(lx.Concepts("audit de sécurité chez un client depuis presque un an, personne ne sait via Via"))
	if want := "audit|sécurité|client|personne|Via"; got != want {
		t.Errorf("concepts %q, want %q", got, want)
	}
}

func TestSynonymsNeedTheSameWordNotTheSameStem(t *testing.T) {
	lx := NewLexicon([][]string{{"prix", "price", "pricing"}, {"secret", "mot de passe"}})
	// "pris" and "prix" are one stem; "secrets" is a form of "secret".
	for q, want := range map[string]int{"qui a pris mon chargeur": 1, "le prix de l'offre": 3, "où sont les secrets": 2} {
		for _, c := range lx.Concepts(q) {
			if c.Surface == "pris" || c.Surface == "prix" || c.Surface == "secrets" {
				if len(c.Alts) != want {
					t.Errorf("%q: %q has %d ways of saying it, want %d: %+v", q, c.Surface, len(c.Alts), want, c.Alts)
				}
			}
		}
	}
}

// The folders and file name of a page are its authors' outline: of two
// pages saying the same, the one filed under the question's subject wins.
func TestFolderNamesTellWhatAPageIsAbout(t *testing.T) {
	text := "Ouvrez le formulaire de demande, remplissez les champs puis validez : une confirmation arrive par courriel."
	ix := buildPages(t, []*kb.Page{
		{Source: "t", Path: "organisations/demande.md", Title: "Faire la demande", Sections: []kb.Section{{Text: text}}},
		{Source: "t", Path: "facturation/demande.md", Title: "Déposer la demande", Sections: []kb.Section{{Text: text + " Comptez une semaine."}}},
		{Source: "t", Path: "tarifs.md", Title: "Tarifs", Sections: []kb.Section{{Text: "La facturation est mensuelle."}}},
	})
	res, err := ix.Search(context.Background(), Request{Question: "demande de facturation, quel formulaire ?", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := hitPaths(res)
	if len(got) == 0 || got[0] != "facturation/demande.md" {
		t.Errorf("the page filed under facturation/ should come first: %v", got)
	}
}

func TestPathWords(t *testing.T) {
	if got := pathWords("articles/_gestion-du-compte/creer_un.compte.md"); got != "articles  gestion du compte creer un compte" {
		t.Errorf("pathWords = %q", got)
	}
}

// The page holding the section that best answers the question carries the
// highest section score (1); a page that holds the words only scattered
// over a long section carries less.
func TestSectionScoreIsRelativeToTheBestSection(t *testing.T) {
	filler := strings.Repeat("La plateforme propose de nombreux services aux équipes. ", 30)
	ix := buildPages(t, []*kb.Page{
		{Source: "t", Path: "quotas.md", Title: "Réglages", Sections: []kb.Section{{Text: "Introduction."},
			{Anchor: "quota", Title: "Changer le quota Harbor", Text: "Le quota Harbor se change dans la console."}}},
		{Source: "t", Path: "long.md", Title: "Vue d'ensemble", Sections: []kb.Section{{Text: "Un quota existe. " + filler + " Harbor garde les images."}}},
	})
	res, err := ix.Search(context.Background(), Request{Question: "changer le quota harbor", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 2 {
		t.Fatalf("two pages expected: %+v", res.Hits)
	}
	first, second := res.Hits[0], res.Hits[1]
	if first.Page.Path != "quotas.md" || first.Section != "quota" || first.Features[featSectionScore] != 1 || !(second.Features[featSectionScore] < 1) {
		t.Errorf("got %s#%s (%.2f) then %s (%.2f)", first.Page.Path, first.Section, first.Features[featSectionScore], second.Page.Path, second.Features[featSectionScore])
	}
}

func TestCommonWordsThePagesLackWeighLess(t *testing.T) {
	ix := buildPages(t, []*kb.Page{
		{Source: "s", Path: "quotas.md", Title: "Quotas des projets",
			Sections: []kb.Section{{Text: "Chaque projet a un quota de processeurs et de mémoire, que l'équipe peut relever sur demande."}}},
	})
	// Neither "milieu" nor "télétravail" is in the pages; "milieu" is common
	// French, most likely incidental, "télétravail" is what the question is about.
	weight := func(q, w string) float64 {
		t.Helper()
		res, err := ix.Search(context.Background(), Request{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Concepts {
			if c.Surface == w {
				if !c.Unknown {
					t.Fatalf("%q should be unknown to the pages", w)
				}
				return c.Weight
			}
		}
		t.Fatalf("%q is no concept of %q: %s", w, q, surfaces(res.Concepts))
		return 0
	}
	common, rare := weight("quota au milieu du projet", "milieu"), weight("quota du télétravail du projet", "télétravail")
	if common >= rare {
		t.Errorf("unknown common word weighs %.2f, unknown rare word %.2f: want less", common, rare)
	}
}

func TestUnknownEverydayWordsThatQualifyWeighLess(t *testing.T) {
	ix := buildPages(t, []*kb.Page{
		{Source: "s", Path: "compte.md", Title: "Se connecter",
			Sections: []kb.Section{{Text: "Votre adresse électronique doit être celle que l'administrateur a saisie."}}},
	})
	res, err := ix.Search(context.Background(), Request{Question: "mon adresse est refusée, c normal ? et mon salaire ?"})
	if err != nil {
		t.Fatal(err)
	}
	w := map[string]float64{}
	for _, c := range res.Concepts {
		w[c.Surface] = c.Weight
	}
	// "salaire" says the question is elsewhere; "normal" only qualifies.
	if w["normal"] == 0 || w["salaire"] == 0 || w["normal"] >= w["salaire"] {
		t.Errorf("unknown everyday words: normal %.2f, salaire %.2f (concepts %s): want normal lighter", w["normal"], w["salaire"], surfaces(res.Concepts))
	}
}

func TestOpenRefusesAnIndexOfAnotherFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	base := &kb.Base{Pages: []*kb.Page{{Source: "t", Path: "a.md", Title: "Sauvegardes", Sections: []kb.Section{{Text: "Les sauvegardes sont quotidiennes."}}}}}
	ix, err := Build(context.Background(), base, dir)
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	ix, err = Open(dir)
	if err != nil {
		t.Fatalf("an index this version wrote must open: %v", err)
	}
	ix.Close()
	// An index written before the format existed, or by another version.
	catalog := filepath.Join(dir, catalogFile)
	data, err := os.ReadFile(catalog)
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(string(data), fmt.Sprintf(`"format":%d,`, indexFormat), "", 1)
	if old == string(data) {
		t.Fatalf("the catalog does not record its format: %.80s", data)
	}
	if err := os.WriteFile(catalog, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "parcours index") {
		t.Errorf("an index of another format must be refused with what to do: %v", err)
	}
}
