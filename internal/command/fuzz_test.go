package command

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cloud-pi-native/parcours/internal/quote"
)

// FuzzHandle runs /parcours with any text after it, as a user or an admin:
// it never panics, always answers something, bounded, and never echoes a
// live mention. Seeds: testdata/fuzz/FuzzHandle.
func FuzzHandle(f *testing.F) {
	for _, s := range []string{"", "aide", "liste", "sre 2", "SRE niveau intermediaire", "strategie 9", "produit -1",
		"chercher comment déployer", "chercher", "reindex", "stats", "@channel", "sre @all", "**x** [y](z)",
		"diagnostic equipe recommencer", "\x00\xff", "sre 99999999999999999999", "   \t\n  liste  "} {
		f.Add(s, false)
		f.Add(s, true)
	}
	h, _ := newTest(f)
	h.deps.Usage = pingUsage{}
	f.Fuzz(func(t *testing.T, text string, admin bool) {
		user := "alice"
		if admin {
			user = "admin"
		}
		r := h.Handle(context.Background(), Request{UserID: "u1", UserName: user, Text: text})
		if r.Text == "" && r.Answer == nil {
			t.Fatalf("Handle(%q): empty response", text)
		}
		if n := utf8.RuneCountInString(r.Text); n > 12000 {
			t.Fatalf("Handle(%q): %d characters", text, n)
		}
		if m := quote.LiveMentions(r.Text); len(m) != 0 {
			t.Fatalf("Handle(%q) mentions %v:\n%s", text, m, r.Text)
		}
		if r.Sub == "" || strings.ContainsAny(r.Sub, " \n") {
			t.Fatalf("Handle(%q): sub-command %q", text, r.Sub)
		}
	})
}
