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
