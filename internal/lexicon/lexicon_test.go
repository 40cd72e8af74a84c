package lexicon

import (
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
)

func TestDefaultTableOpens(t *testing.T) {
	if _, err := Default(); err != nil {
		t.Fatalf("embedded tables: %v", err)
	}
}

func TestLemmasOfWellKnownForms(t *testing.T) {
	cases := []struct {
		form string
		want string // among the lemmas
	}{
		{"conservés", "conserver"},
		{"journaux", "journal"},
		{"paumé", "paumer"},
		{"déployée", "déployer"},
		{"déploiement", "déploiement"},
		{"stockés", "stocker"},
		{"sauvegardées", "sauvegarder"},
		{"utilisateurs", "utilisateur"},
		{"développeuse", "développeur"},
		{"vais", "aller"},
		{"pris", "prendre"},
		{"fallu", "falloir"},
		{"sont", "être"},
		{"peux", "pouvoir"},
		{"hebdomadaires", "hebdomadaire"},
	}
	for _, c := range cases {
		if got := Lemmas(c.form); !slices.Contains(got, c.want) {
			t.Errorf("Lemmas(%q) = %v, want %q among them", c.form, got, c.want)
		}
	}
}

func TestLemmaOfALemmaComesFirst(t *testing.T) {
	// "déploiement" stays a noun; "porte" is first the noun.
	if got := Lemmas("déploiement"); !slices.Equal(got, []string{"déploiement"}) {
		t.Errorf("Lemmas(déploiement) = %v", got)
	}
	if got := Lemmas("porte"); len(got) < 2 || got[0] != "porte" || !slices.Contains(got, "porter") {
		t.Errorf("Lemmas(porte) = %v, want porte first, then porter", got)
	}
}

func TestCaseAccentAndElisionTolerance(t *testing.T) {
	for _, form := range []string{"conserves", "Conservés", "CONSERVÉS", "conservés"} {
		if got := Lemmas(form); !slices.Contains(got, "conserver") {
			t.Errorf("Lemmas(%q) = %v, want conserver", form, got)
		}
	}
	// Chat often leaves accents out: "deploiement" finds the noun.
	if got := Lemmas("deploiement"); !slices.Equal(got, []string{"déploiement"}) {
		t.Errorf("Lemmas(deploiement) = %v", got)
	}
	for _, form := range []string{"l'équipe", "l’équipe", "d'équipes"} {
		if got := Lemmas(form); !slices.Contains(got, "équipe") {
			t.Errorf("Lemmas(%q) = %v, want équipe", form, got)
		}
	}
	if got := Lemmas("Œuvre"); !slices.Contains(got, "œuvre") {
		t.Errorf("Lemmas(Œuvre) = %v", got)
	}
}

func TestAccentsTellLemmasApart(t *testing.T) {
	// Typed with its accent, "pêche" is not a form of pécher (to sin)...
	got := Lemmas("pêche")
	if slices.Contains(got, "péché") || slices.Contains(got, "pécher") || !slices.Contains(got, "pêche") {
		t.Errorf("Lemmas(pêche) = %v", got)
	}
	// ...nor "paumé" the noun paume (palm).
	if got := Lemmas("paumé"); slices.Contains(got, "paume") {
		t.Errorf("Lemmas(paumé) = %v, should not hold paume", got)
	}
	// Without accents, every reading stays.
	got = Lemmas("peche")
	for _, want := range []string{"pêche", "péché", "pécher"} {
		if !slices.Contains(got, want) {
			t.Errorf("Lemmas(peche) = %v, want %q among them", got, want)
		}
	}
}

func TestUnknownWords(t *testing.T) {
	for _, w := range []string{"", "   ", "kubernetes", "mdp", "xqzwv", "'", "l'xqzwv"} {
		if got := Lemmas(w); got != nil {
			t.Errorf("Lemmas(%q) = %v, want nil", w, got)
		}
		if Known(w) || IsGrammatical(w) || Related(w) != nil || Family(w) != nil {
			t.Errorf("%q: unknown word found something", w)
		}
	}
}

func TestPartsOfSpeech(t *testing.T) {
	cases := []struct {
		word string
		want POS
	}{
		{"serveur", Noun},
		{"déployer", Verb},
		{"rapide", Adjective},
		{"rapidement", Adverb},
		{"les", Determiner},
		{"pour", Preposition},
		{"mais", Conjunction},
		{"nous", Pronoun},
		{"avons", Auxiliary},
		{"Paris", ProperNoun},
	}
	for _, c := range cases {
		if got := PartsOfSpeech(c.word); got&c.want == 0 {
			t.Errorf("PartsOfSpeech(%q) = %v, want %v among them", c.word, got, c.want)
		}
	}
	if s := (Noun | Verb).String(); s != "nom|verbe" {
		t.Errorf("(Noun|Verb).String() = %q", s)
	}
}

func TestGrammaticalWords(t *testing.T) {
	for _, w := range []string{"les", "aux", "du", "quand", "est", "sont", "où", "comment",
		"pourquoi", "nous", "vos", "celle-ci", "quelqu'un", "avec", "mais", "ne", "pas"} {
		if !IsGrammatical(w) {
			t.Errorf("IsGrammatical(%q) = false", w)
		}
	}
	for _, w := range []string{"déploiement", "serveur", "conserver", "journaux", "équipe",
		"sauvegarde", "production", "rapidement", "collègue"} {
		if IsGrammatical(w) {
			t.Errorf("IsGrammatical(%q) = true", w)
		}
	}
}

func TestFamilies(t *testing.T) {
	cases := []struct{ word, want string }{
		{"déployer", "déploiement"},
		{"déploiement", "déployer"},
		{"conserver", "conservation"},
		{"conservation", "conserver"},
		{"conservés", "conservation"}, // through its lemma
		{"utiliser", "utilisateur"},
		{"utiliser", "utilisation"},
		{"installer", "installation"},
		{"stocker", "stockage"},
		{"supprimer", "suppression"},
		{"exécuter", "exécution"},
		{"produire", "production"},
		{"retenir", "rétention"},
		{"tester", "test"},
		{"contrôler", "contrôle"},
		{"accueillir", "accueil"},
		{"répondre", "réponse"},
	}
	for _, c := range cases {
		if got := Family(c.word); !slices.Contains(got, c.want) {
			t.Errorf("Family(%q) = %v, want %q among them", c.word, got, c.want)
		}
	}
	// A suffix rule must not pair words that only look alike.
	for _, c := range []struct{ word, not string }{{"porter", "portion"}, {"trépasser", "trépassé"},
		{"verser", "version"}, {"verser", "vers"}, {"moisir", "mois"}, {"loger", "log"}} {
		if got := Family(c.word); slices.Contains(got, c.not) {
			t.Errorf("Family(%q) = %v, should not hold %q", c.word, got, c.not)
		}
	}
}

func TestRelated(t *testing.T) {
	got := Related("conserver")
	for _, want := range []string{"garder", "sauvegarder", "préserver", "stocker"} {
		if !slices.Contains(got, want) {
			t.Errorf("Related(conserver) = %v, want %q among them", got, want)
		}
	}
	if len(got) > 10 {
		t.Errorf("Related(conserver) has %d neighbours, want at most 10", len(got))
	}
	// Another sense of the word is pruned: conserver as in food.
	if slices.Contains(got, "boucaner") || slices.Contains(got, "fumer") {
		t.Errorf("Related(conserver) = %v keeps the smoking sense", got)
	}
	if got := Related("paumer"); !slices.Equal(got, []string{"perdre"}) {
		t.Errorf("Related(paumer) = %v, want [perdre]", got)
	}
	if got := Related("rétention"); !slices.Contains(got, "conservation") {
		t.Errorf("Related(rétention) = %v, want conservation", got)
	}
	// Expressions are left out, and a word is not its own neighbour.
	for _, w := range []string{"conserver", "collègue", "erreur", "supprimer"} {
		for _, n := range Related(w) {
			if n == w || containsSpace(n) {
				t.Errorf("Related(%q) holds %q", w, n)
			}
		}
	}
	// "sont" is être the verb: the thesaurus's noun "être" (a being) is not
	// its neighbour.
	if got := Related("sont"); got != nil {
		t.Errorf("Related(sont) = %v, want nil", got)
	}
}

func containsSpace(s string) bool {
	for _, r := range s {
		if r == ' ' {
			return true
		}
	}
	return false
}

func TestEnglish(t *testing.T) {
	cases := []struct{ en, want string }{
		{"keep", "garder"},
		{"keep", "conserver"},
		{"keeping", "garder"},
		{"Keep", "garder"},
		{"user", "utilisateur"},
		{"users", "utilisateur"},
		{"delete", "effacer"},
		{"deleting", "effacer"},
		{"team", "équipe"},
		{"backup", "sauvegarder"},
		{"help", "aide"},
	}
	for _, c := range cases {
		if got := English(c.en); !slices.Contains(got, c.want) {
			t.Errorf("English(%q) = %v, want %q among them", c.en, got, c.want)
		}
	}
	if got := English("zzqx"); got != nil {
		t.Errorf("English(zzqx) = %v", got)
	}
}

func TestEnglishCandidates(t *testing.T) {
	cases := map[string]string{
		"logs": "log", "stored": "store", "storing": "store", "running": "run",
		"policies": "policy", "boxes": "box", "deployed": "deploy", "copied": "copy",
	}
	for in, want := range cases {
		if got := englishCandidates(in); !slices.Contains(got, want) {
			t.Errorf("englishCandidates(%q) = %v, want %q among them", in, got, want)
		}
	}
	if got := englishCandidates("class"); len(got) != 1 {
		t.Errorf("englishCandidates(class) = %v, want only class", got)
	}
}

func TestFoldMatchesAnalyzer(t *testing.T) {
	cases := map[string]string{
		"Déploiement": "deploiement", "œuvre": "oeuvre", "aujourd’hui": "aujourd'hui",
		"ÇA": "ca", "naïve": "naive", "plain": "plain",
	}
	for in, want := range cases {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFrenchFoldAgreesWithAnalyzer(t *testing.T) {
	for r, want := range frenchFold {
		got := string(asciifolding.New().Filter([]byte(strings.ToLower(string(r)))))
		if got != want {
			t.Errorf("%q: analyzer folds to %q, Fold to %q", r, got, want)
		}
	}
	if got := Fold("Straße"); got != "strasse" {
		t.Errorf("Fold(Straße) = %q", got)
	}
}
