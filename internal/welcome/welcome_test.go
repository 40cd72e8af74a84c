package welcome

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cloud-pi-native/parcours/internal/kb"
)

func TestShippedWelcome(t *testing.T) {
	m, _, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	out := m.Render(Vars{Name: "Camille Martin", Team: "Ministère A"})
	if !strings.Contains(out, "Camille Martin") || !strings.Contains(out, "Ministère A") || strings.Contains(out, "{{") || strings.Contains(out, "site.data") {
		t.Errorf("rendu: %s", out)
	}
	if strings.Contains(out, "boutons:") || strings.HasPrefix(out, "---") {
		t.Error("l'en-tête ne doit pas apparaître dans le message")
	}
	if m.Buttons.Diagnostic == "" || m.Buttons.Paths == "" || m.Buttons.Question == "" {
		t.Errorf("boutons: %+v", m.Buttons)
	}
}

func TestNameIsText(t *testing.T) {
	m, err := Parse("b.md", []byte("Bonjour {{nom}}, bienvenue dans {{ equipe }}."))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"Jean-Pierre":            "Bonjour Jean-Pierre, bienvenue dans l'équipe.",
		"**Gras** _x_":           `Bonjour \*\*Gras\*\* \_x\_, bienvenue dans l'équipe.`,
		"{{equipe}}":             "Bonjour {{equipe}}, bienvenue dans l'équipe.",
		"[lien](http://x)":       `Bonjour \[lien\]\(http://x\), bienvenue dans l'équipe.`,
		"@channel":               "Bonjour @\u200bchannel, bienvenue dans l'équipe.",
		"Ligne\n# Titre":         `Bonjour Ligne \# Titre, bienvenue dans l'équipe.`,
		"<script>":               `Bonjour \<script\>, bienvenue dans l'équipe.`,
		"":                       "Bonjour à vous, bienvenue dans l'équipe.",
		"- liste":                `Bonjour \- liste, bienvenue dans l'équipe.`,
		strings.Repeat("a", 200): "Bonjour " + strings.Repeat("a", 80) + "…, bienvenue dans l'équipe.",
	}
	for name, want := range cases {
		if got := m.Render(Vars{Name: name}); got != want {
			t.Errorf("nom %q:\n got %q\nwant %q", name, got, want)
		}
	}
	if got := m.Render(Vars{Name: "A", Team: "R&D *core*"}); got != `Bonjour A, bienvenue dans R\&D \*core\*.` {
		t.Errorf("équipe: %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]struct{ text, want string }{
		"variable inconnue": {"---\nboutons:\n  diagnostic: Go\n---\nBonjour\n\nSalut {{prenom}} !\n", "b.md:7: variable inconnue « {{prenom}} »"},
		"clé inconnue":      {"---\nboutons:\n  diagnostic: Go\n  couleur: bleu\n---\nBonjour\n", "b.md:4: en-tête invalide: clé inconnue « couleur »"},
		"en-tête ouvert":    {"---\nboutons: {}\nBonjour\n", "b.md:1: en-tête « --- » non refermé"},
		"vide":              {"---\nboutons: {}\n---\n\n", "b.md: texte de bienvenue vide"},
	}
	for name, c := range cases {
		_, err := Parse("b.md", []byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: erreur %v, attendu %q", name, err, c.want)
		}
	}
	m, err := Parse("b.md", []byte("---\nboutons:\n  parcours: Les parcours\n---\nSalut {{nom}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Buttons.Paths != "Les parcours" || m.Buttons.Diagnostic != "Faire le diagnostic" {
		t.Errorf("boutons par défaut gardés: %+v", m.Buttons)
	}
	broken := kb.Source{Name: "m", FS: fstest.MapFS{File: {Data: []byte("Bonjour {{prenom}}")}}}
	if _, _, err := Load([]kb.Source{broken}); err == nil || !strings.Contains(err.Error(), "{{prenom}}") {
		t.Errorf("variable inconnue acceptée: %v", err)
	}
}
