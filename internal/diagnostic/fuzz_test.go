package diagnostic

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cloud-pi-native/parcours/internal/quote"
)

// FuzzReply types anything as the answer to each question of a diagnostic:
// the engine never fails or panics on what a user types, always returns a
// step, and its message never carries a live mention of the user's text.
// Seeds: testdata/fuzz/FuzzReply.
func FuzzReply(f *testing.F) {
	for _, s := range []string{"2", "b", "B)", "« Souvent. »", "passer", "retour", "annuler", "reprendre", "aide",
		"équipe", "je ne sais pas", "@channel 3", "", "\x00", "9999999999999999999999", "-1", "moins d'une fois par mois"} {
		f.Add(s)
	}
	q := mini(f)
	f.Fuzz(func(t *testing.T, text string) {
		e, _, _ := newEngine(t, q)
		if _, err := e.Start(ctx, "u", StartOptions{}); err != nil {
			t.Fatal(err)
		}
		for range 4 { // the same text for the next questions too
			s, err := e.Reply(ctx, "u", text)
			if err != nil {
				t.Fatalf("Reply(%q): %v", text, err)
			}
			if s == nil {
				t.Fatalf("Reply(%q): no step", text)
			}
			if m := quote.LiveMentions(s.Message); len(m) != 0 {
				t.Fatalf("Reply(%q): message %q mentions %v", text, s.Message, m)
			}
			if s.Kind != StepQuestion {
				break
			}
		}
	})
}

// FuzzMatchOption: a typed answer matches at most one of the options
// shown, and never panics on odd input.
func FuzzMatchOption(f *testing.F) {
	for _, s := range []string{"1", "c", "souvent", "mois", "moins d'une fois", "jamais!!", "ÉQUIPE", "n/a", "  ", "é"} {
		f.Add(s)
	}
	opts := []OptionView{
		{ID: "jamais", Label: "Jamais", Number: 1, Letter: "a"},
		{ID: "mois", Label: "Moins d'une fois par mois", Number: 2, Letter: "b", words: []string{"rarement"}},
		{ID: "souvent", Label: "Plusieurs fois par semaine", Number: 3, Letter: "c"},
		{ID: SkipOptionID, Label: "Je ne sais pas / ne s'applique pas", Number: 4, Letter: "d", Skip: true},
	}
	ids := []string{"jamais", "mois", "souvent", SkipOptionID}
	f.Fuzz(func(t *testing.T, text string) {
		id, ok := matchOption(opts, text)
		if ok && !slices.Contains(ids, id) {
			t.Fatalf("matchOption(%q) = %q, not an option", text, id)
		}
		if n := normalize(text); !utf8.ValidString(text) || strings.Contains(n, "  ") {
			if utf8.ValidString(text) {
				t.Fatalf("normalize(%q) = %q: double space", text, n)
			}
		}
	})
}
