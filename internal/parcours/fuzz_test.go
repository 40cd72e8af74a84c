package parcours

import (
	"io/fs"
	"testing"

	"github.com/cloud-pi-native/parcours/knowledge"
)

// FuzzParse reads any file as the learning-path catalogue: never a panic;
// a catalogue accepted has paths, each found by its id, its levels by number.
// Seeds: the shipped catalogue and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	if data, err := fs.ReadFile(knowledge.FS, CatalogFile); err == nil {
		f.Add(data)
	}
	f.Add([]byte("parcours:\n  - id: sre\n    titre: SRE\n    niveaux: []\n"))
	f.Add([]byte("parcours: &a\n  - *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("p.yaml", data)
		if err != nil {
			return
		}
		if len(c.Paths) == 0 {
			t.Fatal("a catalogue without paths was accepted")
		}
		for _, p := range c.Paths {
			if c.Path(p.ID) == nil {
				t.Fatalf("path %q not found by its id", p.ID)
			}
			for _, l := range p.Levels {
				if p.Level(l.Number) == nil {
					t.Fatalf("level %d of %q not found", l.Number, p.ID)
				}
				_ = c.LevelTitle(l.Number)
			}
		}
	})
}
