package kb

import (
	"strings"
	"testing"
)

func TestLearnVocabularyFromTheText(t *testing.T) {
	pages := []*Page{{Title: "Livrer", Sections: []Section{
		{Text: "Une mise en production (MEP) se prépare. Le Product owner (PO) arbitre. La maîtrise d'œuvre (MOE) développe. On écrit l'Infrastructure as code (IaC)."},
		{Text: "Un RSSI (responsable de la sécurité des systèmes d'information) valide."},
		// Translated abbreviations and asides are not pairs.
		{Text: "Un produit minimum viable (MVP) d'abord. Les objectifs de service (SLO) ensuite. Voir la page (PDF) ou (cf. annexe)."},
		{Title: "PRA", Anchor: "pra", Text: "Plan de reprise d'activité : ce qui permet de repartir après un sinistre."},
	}}}
	got := map[string]string{}
	for _, g := range learnVocabulary(pages) {
		got[g[1]] = g[0]
	}
	want := map[string]string{
		"MEP":  "mise en production",
		"PO":   "Product owner",
		"MOE":  "maîtrise d'œuvre",
		"IaC":  "Infrastructure as code",
		"RSSI": "responsable de la sécurité des systèmes d'information",
		"PRA":  "Plan de reprise d'activité",
	}
	for abbr, long := range want {
		if !strings.EqualFold(got[abbr], long) {
			t.Errorf("%s: got %q, want %q", abbr, got[abbr], long)
		}
	}
	for _, abbr := range []string{"MVP", "SLO", "PDF"} {
		if l, ok := got[abbr]; ok {
			t.Errorf("%s wrongly paired with %q", abbr, l)
		}
	}
}

// A page written to make the matcher explode is read in bounded time.
func TestLearnVocabularyHostileText(t *testing.T) {
	long := strings.Repeat("a", 200) + " " + strings.Repeat("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ", 7) + "(AAAAAAAAAA)"
	pages := []*Page{{Sections: []Section{{Text: strings.Repeat(long+" ", 200)}}}}
	_ = learnVocabulary(pages)
}

func TestDefinitionsOfGlossaries(t *testing.T) {
	src := "# Glossaire\n\n| Terme | Définition |\n|---|---|\n| BATN | Bureau Appui à la Transformation Numérique |\n| Harbor | 2.9 |\n| PVC | Un volume persistant demandé par un pod |\n\n" +
		"Slug\n: Le nom court d'un projet, utilisé dans les URL.\n\n" +
		"- **Drift** : un écart entre ce que dit Git et ce qui tourne dans le cluster.\n" +
		"- **Note** sans définition\n"
	p, _ := parsePage("s", "glossaire.md", []byte(src))
	if p == nil {
		t.Fatal("page skipped")
	}
	got := map[string]string{}
	for _, d := range p.Definitions {
		got[d.Term] = d.Text
	}
	for term, start := range map[string]string{"BATN": "Bureau Appui", "PVC": "Un volume persistant", "Slug": "Le nom court", "Drift": "un écart entre"} {
		if !strings.HasPrefix(got[term], start) {
			t.Errorf("%s: got %q, want it to start with %q", term, got[term], start)
		}
	}
	for _, term := range []string{"Harbor", "Terme", "Note"} {
		if d, ok := got[term]; ok {
			t.Errorf("%s is no definition: %q", term, d)
		}
	}
	pairs := map[string]string{}
	for _, g := range learnVocabulary([]*Page{p}) {
		pairs[g[1]] = g[0]
	}
	if pairs["BATN"] != "Bureau Appui à la Transformation Numérique" {
		t.Errorf("the glossary row pairs BATN with its long form: %v", pairs)
	}
}
