package lexicon

import "testing"

func TestRank(t *testing.T) {
	for _, tc := range []struct {
		word   string
		common bool
	}{
		{"vite", true}, {"milieu", true}, {"chefs", true}, {"Entière", true}, {"données", true},
		{"cantine", false}, {"Jenkins", false}, {"navigo", false}, {"kubernetes", false}, {"xqzw", false},
	} {
		if got := Rank(tc.word); (got > 0) != tc.common {
			t.Errorf("Rank(%q) = %d, want common %v", tc.word, got, tc.common)
		}
	}
	// The most frequent words rank first, whatever the form.
	if de, chef := Rank("de"), Rank("chef"); de != 1 || chef <= de {
		t.Errorf(`Rank("de") = %d, Rank("chef") = %d: want 1 and more`, de, chef)
	}
	if a, b := Rank("journaux"), Rank("journal"); a != b {
		t.Errorf("Rank(journaux) = %d, Rank(journal) = %d: forms of one lemma rank alike", a, b)
	}
}

func TestLookupSpelled(t *testing.T) {
	for _, r := range def().LookupSpelled("de") {
		if r.Lemma == "dé" {
			t.Errorf(`LookupSpelled("de") gives dé: %v`, def().LookupSpelled("de"))
		}
	}
	if len(def().LookupSpelled("dé")) == 0 || len(Lookup("de")) <= len(def().LookupSpelled("de")) {
		t.Errorf(`Lookup("de") = %v should hold more than LookupSpelled("de") = %v`, Lookup("de"), def().LookupSpelled("de"))
	}
}
