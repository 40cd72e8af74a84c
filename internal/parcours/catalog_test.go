package parcours

import (
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/knowledge"
)

func TestShippedCatalog(t *testing.T) {
	c, err := Load(knowledge.FS, CatalogFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.IDs(), ","); got != "produit,sre,projet,strategie" {
		t.Errorf("paths = %s", got)
	}
	for _, p := range c.Paths {
		if len(p.Roles) == 0 || p.Page == "" {
			t.Errorf("path %s needs roles and a page", p.ID)
		}
		for n := 1; n <= 3; n++ {
			if l := p.Level(n); l == nil || len(l.Topics) == 0 {
				t.Errorf("path %s level %d missing or without topics", p.ID, n)
			}
		}
	}
	if c.LevelTitle(1) != "Fondamentaux" || c.LevelTitle(9) != "Niveau 9" {
		t.Errorf("level titles: %q %q", c.LevelTitle(1), c.LevelTitle(9))
	}
}

func TestInvalidCatalogs(t *testing.T) {
	cases := map[string]string{
		"parcours:\n  - id: a\n    titre: A\n    inconnu: x\n":                  "line 4",
		"parcours:\n  - id: a\n    titre: A\n  - id: a\n    titre: B\n":         "défini deux fois",
		"parcours:\n  - id: a b\n    titre: A\n":                                "invalide",
		"parcours:\n  - id: a\n    titre: A\n    niveaux:\n      - niveau: 4\n": "hors de 1-3",
		"niveaux: []\n": "aucun parcours",
		"parcours: [\n": "YAML invalide",
		"parcours:\n  - id: a\n    niveaux:\n      - niveau: 1\n        sujets: [x]\n": "titre manquant",
	}
	for data, want := range cases {
		_, err := Parse("p.yaml", []byte(data))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "p.yaml") {
			t.Errorf("Parse(%q) = %v, want an error naming the file and saying %q", data, err, want)
		}
	}
}

func TestTopicAsStringOrMapping(t *testing.T) {
	c, err := Parse("p.yaml", []byte("parcours:\n  - id: a\n    titre: A\n    niveaux:\n      - niveau: 1\n        sujets:\n          - Epics\n          - {titre: Tests, page: t.md, ancre: x}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ts := c.Path("a").Level(1).Topics
	if ts[0].Label != "Epics" || ts[1].Page != "t.md" || ts[1].Anchor != "x" {
		t.Errorf("topics = %+v %+v", ts[0], ts[1])
	}
}
