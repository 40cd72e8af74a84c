package answer

import (
	"context"
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/search"
)

// The section of a level on a path page carries that level and path.
func TestLevelSectionHasItsLevel(t *testing.T) {
	a, err := shippedEngine(t).Ask(context.Background(), "niveau 2 du parcours sre")
	if err != nil {
		t.Fatal(err)
	}
	p := a.Passages[0]
	if p.Path != "parcours/sre.md" || p.Anchor == "" || p.Niveau != 2 || p.Parcours != "sre" {
		t.Errorf("first passage %+v: want the SRE path's level 2 section with niveau 2", p)
	}
}

// Rough edge: the words of a question are bolded as whole words and one run
// per expression, never as fragments (« **site** **re** »).
func TestHighlightWholeWordsAndExpressions(t *testing.T) {
	terms := search.TermSet([]string{"mot de passe site reliability intégration"})
	got := highlight("Un mot de passe, le site reliability engineering et l'intégration continue.", terms)
	for _, want := range []string{"**mot de passe**", "**site reliability**", "l'**intégration**"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "** **") || strings.Contains(got, "**l'") {
		t.Errorf("fragments: %q", got)
	}
}
