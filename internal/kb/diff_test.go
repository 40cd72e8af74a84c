package kb

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

func TestCompareSaysWhatChanged(t *testing.T) {
	body := func(s string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("# Page\n\nUne page qui parle de " + s + " avec assez de mots pour être indexée par parcours.\n")}
	}
	before := fstest.MapFS{"a.md": body("a"), "b.md": body("b"), "c.md": body("c"), "d.md": body("d")}
	after := fstest.MapFS{"a.md": body("a"), "b.md": body("b modifiée"), "e.md": body("e"), "f.md": body("f")}
	old, err := Load(context.Background(), Source{Name: "s", FS: before})
	if err != nil {
		t.Fatal(err)
	}
	cur, err := Load(context.Background(), Source{Name: "s", FS: after})
	if err != nil {
		t.Fatal(err)
	}
	d := Compare(old, cur)
	got := fmt.Sprint(d.Added, d.Changed, d.Removed, d.Before, d.After)
	if got != "[e.md f.md] [b.md] [c.md d.md] 4 4" {
		t.Errorf("diff = %s", got)
	}
	if d.DroppedShare() != 0.5 {
		t.Errorf("dropped share %v", d.DroppedShare())
	}
	s := d.Summary(1)
	for _, want := range []string{"2 pages ajoutées (e.md, …)", "1 page modifiée (b.md)", "2 pages retirées (c.md, …)"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary %q lacks %q", s, want)
		}
	}
	if same := Compare(old, old); same.Summary(5) != "aucune page ajoutée, modifiée ou retirée" {
		t.Errorf("no change: %q", same.Summary(5))
	}
}
