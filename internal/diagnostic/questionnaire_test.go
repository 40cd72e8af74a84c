package diagnostic

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func miniText(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mini(t testing.TB) *Questionnaire {
	t.Helper()
	q, err := Parse("mini.yaml", []byte(miniText(t)))
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// lineOf is the 1-based line of the n-th (from 1) occurrence of s in text.
func lineOf(t *testing.T, text, s string, n int) int {
	t.Helper()
	off := 0
	for i := 0; i < n; i++ {
		j := strings.Index(text[off:], s)
		if j < 0 {
			t.Fatalf("%q (occurrence %d) absent du texte", s, n)
		}
		off += j
		if i < n-1 {
			off += len(s)
		}
	}
	return strings.Count(text[:off], "\n") + 1
}

// Each broken file is rejected with a French message naming the file and the
// line of the culprit, so that an admin can fix it without reading code.
func TestParseErrorsNameFileAndLine(t *testing.T) {
	base := miniText(t)
	cases := []struct {
		name    string
		old     string // replaced once in the fixture
		new     string
		at      string // the line reported is the one holding this (after the edit)
		nth     int
		wantMsg string
	}{
		{"clé inconnue", "    titre: Tests\n", "    titre: Tests\n    couleur: bleu\n", "couleur: bleu", 1, "clé inconnue « couleur »"},
		{"clé inconnue racine", "min_reponses: 2\n", "min_reponse: 2\n", "min_reponse: 2", 1, "clé inconnue « min_reponse »"},
		{"question en double", "  - id: backlog\n    titre: Backlog", "  - id: tests\n    titre: Backlog", "- id: tests", 2, "question « tests » déjà définie ligne"},
		{"question sans options", "    texte: Votre backlog ?\n    options:\n      - id: cahier\n        label: Cahier des charges\n      - id: backlog\n        label: Backlog priorisé\n", "    texte: Votre backlog ?\n", "- id: backlog", 1, "question « backlog » sans options"},
		{"une seule option", "      - id: cahier\n        label: Cahier des charges\n", "", "- id: backlog", 1, "1 option(s), il en faut de 2 à 6"},
		{"dimension inconnue", "    dimension: securite\n    perimetres: [produit]", "    dimension: surete\n    perimetres: [produit]", "- id: secu\n", 1, "dimension inconnue « surete »"},
		{"périmètre sans question", "    - id: projet\n", "    - id: vide\n      label: Rien\n      page: parcours/sre.md\n    - id: projet\n", "- id: vide", 1, "périmètre « vide » sans question"},
		{"trop peu de questions", "    perimetres: [projet]\n    texte: Votre backlog", "    perimetres: [produit]\n    texte: Votre backlog", "- id: projet", 1, "périmètre « projet »: 1 question(s), moins que min_reponses (2)"},
		{"périmètre inconnu", "    perimetres: [projet]\n    texte: Votre backlog", "    perimetres: [projets]\n    texte: Votre backlog", "- id: backlog", 1, "périmètre inconnu « projets »"},
		{"option passer déclarée", "      - id: aucun\n", "      - id: passer\n", "- id: passer", 1, "l'option « passer » est ajoutée d'office"},
		{"option en double", "      - id: quelques\n", "      - id: aucun\n", "- id: aucun", 2, "option « aucun » déjà définie ligne"},
		{"seuils inversés", "  niveau_2: 40\n  niveau_3: 75\n", "  niveau_2: 80\n  niveau_3: 75\n", "niveau_2: 80", 1, "seuils invalides"},
		{"recommandation manquante", "  - dimension: securite\n    niveau: 3\n", "  - dimension: livraison\n    niveau: 3\n", "- id: produit", 1, "aucune recommandation pour la dimension « securite » au niveau 3"},
		{"liste attendue", "    perimetres: [projet]\n", "    perimetres: projet\n", "perimetres: projet", 1, "une liste attendu"},
		{"clé en double", "    titre: Tests\n", "    titre: Tests\n    titre: Encore\n", "titre: Encore", 1, "clé « titre » déjà définie ligne"},
		{"page absolue", "page: pratiques/tdd-bdd.md", "page: /pratiques/tdd-bdd.md", "titre: TDD", 1, "page « /pratiques/tdd-bdd.md » invalide"},
		{"identifiant invalide", "  - id: secu\n", "  - id: Sécu\n", "- id: Sécu", 1, "identifiant « Sécu » invalide"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(base, c.old) {
				t.Fatalf("fixture sans %q", c.old)
			}
			text := strings.Replace(base, c.old, c.new, 1)
			_, err := Parse("mini.yaml", []byte(text))
			if err == nil {
				t.Fatal("fichier invalide accepté")
			}
			want := fmt.Sprintf("mini.yaml:%d: ", lineOf(t, text, c.at, c.nth))
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), c.wantMsg) {
				t.Errorf("erreur %q\nattendu %q et %q", err, want, c.wantMsg)
			}
		})
	}
}

func TestParseRejectsBrokenYAML(t *testing.T) {
	_, err := Parse("x.yaml", []byte("version: 1\ntitre: [\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "x.yaml:") {
		t.Fatalf("erreur %v, attendu une erreur préfixée par le fichier", err)
	}
}

func TestQuestionWithoutPerimetersAppliesToAll(t *testing.T) {
	x := &Question{ID: "x"}
	if !x.AppliesTo("produit") || !x.AppliesTo("strategie") {
		t.Error("une question sans « perimetres » doit s'appliquer partout")
	}
	y := &Question{ID: "y", Perimeters: []string{"sre"}}
	if y.AppliesTo("produit") || !y.AppliesTo("sre") {
		t.Error("« perimetres » doit restreindre la question")
	}
}

func TestOptionScore(t *testing.T) {
	for _, c := range []struct{ i, n, want int }{{0, 4, 0}, {1, 4, 33}, {2, 4, 67}, {3, 4, 100}, {1, 3, 50}, {1, 2, 100}} {
		if got := OptionScore(c.i, c.n); got != c.want {
			t.Errorf("OptionScore(%d, %d) = %d, attendu %d", c.i, c.n, got, c.want)
		}
	}
}

// A worked example, computed by hand from the documented rules.
func TestScoreAndAdvice(t *testing.T) {
	q := mini(t)
	r := q.Score("produit", false, []Answer{
		{"freq", "mois"},  // livraison: 1/3 → 33
		{"tests", "tous"}, // qualité: 2/2 → 100
		{"secu", "fin"},   // sécurité: 0
	})
	wantDims := []DimensionScore{{"livraison", 33, 1}, {"qualite", 100, 1}, {"securite", 0, 1}}
	if fmt.Sprint(r.Dimensions) != fmt.Sprint(wantDims) {
		t.Errorf("dimensions %v, attendu %v", r.Dimensions, wantDims)
	}
	// (33 + 100 + 0) / 3 = 44.3 → 44, between 40 and 75: level 2.
	if r.Overall != 44 || r.Level != 2 || r.Incomplete {
		t.Errorf("global %d niveau %d incomplet %v, attendu 44, 2, false", r.Overall, r.Level, r.Incomplete)
	}
	a := q.Advise(r)
	if a.Path != "produit" || a.Level != 2 || a.Page != "parcours/produit.md#niveau-2--avancé" || a.LevelTitle != "Avancé" {
		t.Errorf("conseil %+v", a)
	}
	// Weakest first: sécurité (0, level 1), livraison (33, level 1), qualité (100, level 3).
	var got []string
	for _, tp := range a.Topics {
		got = append(got, fmt.Sprintf("%s/%d:%s", tp.Dimension, tp.Level, tp.Title))
	}
	want := []string{"securite/1:Secrets", "livraison/1:Versionner", "qualite/3:TDD"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sujets %v, attendu %v", got, want)
	}
	if len(a.Reasons) != 4 || !strings.Contains(a.Reasons[0].Text, "44/100") || !strings.Contains(a.Reasons[0].Text, "niveau 2") {
		t.Fatalf("raisons %+v", a.Reasons)
	}
	if a.Reasons[1].Dimension != "securite" || !strings.Contains(a.Reasons[1].Text, "« Audit en fin de projet »") {
		t.Errorf("raison sécurité %+v", a.Reasons[1])
	}
}

// Skipped questions weigh nothing: the same answers plus skips give the
// same scores.
func TestSkippedQuestionsDoNotCount(t *testing.T) {
	q := mini(t)
	with := q.Score("produit", false, []Answer{{"freq", "jour"}, {"tests", SkipOptionID}, {"secu", "auto"}})
	without := q.Score("produit", false, []Answer{{"freq", "jour"}, {"secu", "auto"}})
	if with.Overall != without.Overall || fmt.Sprint(with.Dimensions) != fmt.Sprint(without.Dimensions) {
		t.Errorf("avec passer %+v, sans %+v", with, without)
	}
	if with.Skipped != 1 || with.Answered != 2 {
		t.Errorf("répondu %d passé %d", with.Answered, with.Skipped)
	}
	if _, ok := with.Score("qualite"); ok {
		t.Error("une dimension sans réponse ne doit pas avoir de score")
	}
	// (100 + 67) / 2 = 83.5 → 84: level 3.
	if with.Overall != 84 || with.Level != 3 {
		t.Errorf("global %d niveau %d, attendu 84 et 3", with.Overall, with.Level)
	}
}

// Below min_reponses the level stays 1, however good the few answers.
func TestTooFewAnswersGiveLevelOne(t *testing.T) {
	q := mini(t)
	r := q.Score("produit", false, []Answer{{"freq", "jour"}, {"tests", SkipOptionID}, {"secu", SkipOptionID}})
	if !r.Incomplete || r.Level != 1 || r.Overall != 100 {
		t.Fatalf("résultat %+v, attendu incomplet au niveau 1", r)
	}
	a := q.Advise(r)
	if !strings.Contains(a.Reasons[0].Text, "pas assez") {
		t.Errorf("raison %q", a.Reasons[0].Text)
	}
	// Nothing answered at all: level 1 topics of the perimeter's dimensions.
	none := q.Advise(q.Score("produit", false, []Answer{{"freq", SkipOptionID}}))
	if len(none.Topics) == 0 || none.Topics[0].Title != "Versionner" || none.Level != 1 {
		t.Errorf("sans réponse: %+v", none)
	}
}

// A perimeter-specific rule wins over the general one.
func TestPerimeterRuleWins(t *testing.T) {
	q := mini(t)
	r := q.Score("projet", false, []Answer{{"freq", "jour"}, {"backlog", "cahier"}})
	a := q.Advise(r)
	if len(a.Topics) == 0 || a.Topics[0].Title != "User stories" {
		t.Errorf("sujets %+v, attendu « User stories » en premier", a.Topics)
	}
	if a.Page != "parcours/projet.md#niveau-2--avancé" {
		t.Errorf("page %q", a.Page)
	}
}

func TestCompare(t *testing.T) {
	q := mini(t)
	prev := q.Score("produit", false, []Answer{{"freq", "rare"}, {"tests", "aucun"}, {"secu", "fin"}})
	cur := q.Score("produit", false, []Answer{{"freq", "jour"}, {"tests", "quelques"}, {"secu", SkipOptionID}})
	c := q.Compare(prev, cur)
	if c.LevelDelta != cur.Level-prev.Level || c.OverallDelta != cur.Overall-prev.Overall {
		t.Errorf("change %+v", c)
	}
	// Sécurité is not scored in cur: not compared.
	want := "[{livraison 0 100} {qualite 0 50}]"
	if fmt.Sprint(c.Dimensions) != want {
		t.Errorf("dimensions %v, attendu %s", c.Dimensions, want)
	}
}
