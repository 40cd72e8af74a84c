package conversation

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/quote"
	"github.com/cloud-pi-native/parcours/knowledge"
)

// FuzzCommand runs /parcours with any text after it, as a user or an
// admin: it never panics, always answers something, bounded, and never
// echoes a live mention. Seeds: testdata/fuzz/FuzzCommand.
func FuzzCommand(f *testing.F) {
	for _, s := range []string{"", "aide", "liste", "sre 2", "SRE niveau intermediaire", "strategie 9", "produit -1",
		"chercher comment déployer", "chercher", "reindex", "stats", "@channel", "sre @all", "**x** [y](z)",
		"diagnostic equipe recommencer", "\x00\xff", "sre 99999999999999999999", "   \t\n  liste  "} {
		f.Add(s, false)
		f.Add(s, true)
	}
	c, _ := newCommands(f, nil)
	f.Fuzz(func(t *testing.T, text string, admin bool) {
		user := "alice"
		if admin {
			user = "admin"
		}
		b := &box{}
		if err := c.Command(t.Context(), Message{User: User{ID: "u1", Username: user}, Place: Channel, Text: text}, b); err != nil {
			t.Fatalf("Command(%q): %v", text, err)
		}
		checkReplies(t, text, b.take())
	})
}

// FuzzMessage sends any text to the bot in a direct message, a diagnostic
// in progress or not: never a panic, always a reply, bounded, without a
// live mention. Seeds: testdata/fuzz/FuzzMessage.
func FuzzMessage(f *testing.F) {
	for _, s := range []string{"", "bonjour", "merci", "2", "2)", "-1", "99", "diagnostic", "1", "annuler", "reprendre",
		"c'est quoi k8s ?", "kubernets c koi", "les dispo du param, la diff ?", "ils envoient ça à l'usagère", "/parcours", "/parcours sre 2", "/parcoursx", "@channel merci", "\x00", "aide"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	q, err := diagnostic.Load(knowledge.FS, diagnostic.File)
	if err != nil {
		f.Fatal(err)
	}
	d, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: diagnostic.NewMemStore()})
	if err != nil {
		f.Fatal(err)
	}
	c, _ := newCommands(f, func(cfg *Config) { cfg.Diagnostic = d })
	f.Fuzz(func(t *testing.T, text string, inDiagnostic bool) {
		b := &box{}
		if inDiagnostic {
			c.Message(t.Context(), Message{User: User{ID: "d"}, Place: Direct, Text: "diagnostic"}, b)
			b.take()
		}
		user := map[bool]string{true: "d", false: "u"}[inDiagnostic]
		if err := c.Message(t.Context(), Message{User: User{ID: user}, Place: Direct, Text: text}, b); err != nil {
			t.Fatalf("Message(%q): %v", text, err)
		}
		checkReplies(t, text, b.take())
	})
}

func checkReplies(t *testing.T, text string, got []sent) {
	t.Helper()
	if len(got) == 0 {
		t.Fatalf("%q: no reply", text)
	}
	for _, r := range got {
		if strings.TrimSpace(r.Text) == "" {
			t.Fatalf("%q: an empty reply", text)
		}
		if n := utf8.RuneCountInString(r.Text); n > 12000 {
			t.Fatalf("%q: a reply of %d characters", text, n)
		}
		if m := quote.LiveMentions(r.Text); len(m) != 0 {
			t.Fatalf("%q: the reply mentions %v:\n%s", text, m, r.Text)
		}
	}
}
