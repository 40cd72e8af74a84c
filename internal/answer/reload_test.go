package answer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/kb"
)

// A reload that would lose more than the allowed share of the pages is
// refused, the old base serving, unless forced; an accepted one says what
// changed.
func TestReloadLosingMostPagesIsRefusedUnlessForced(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("# "+name+"\n\nL'astreinte de l'équipe plateforme tourne chaque semaine, avec un cadre d'escalade écrit.\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		write(fmt.Sprintf("p%d.md", i))
	}
	ctx := context.Background()
	e, err := Open(ctx, Options{Sources: []kb.Source{kb.Dir(dir)}, MaxDrop: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	// Four of ten pages go and one comes: accepted, and said.
	for i := range 4 {
		os.Remove(filepath.Join(dir, fmt.Sprintf("p%d.md", i)))
	}
	write("nouvelle.md")
	st, err := e.Reload(ctx, false)
	if err != nil {
		t.Fatalf("a reload losing 40 %% must pass: %v", err)
	}
	if st.Pages != 7 || len(st.Diff.Removed) != 4 || len(st.Diff.Added) != 1 || st.Diff.Added[0] != "nouvelle.md" {
		t.Errorf("stats %+v", st)
	}

	// Six of seven go: refused, the old base keeps answering.
	for i := 4; i < 10; i++ {
		os.Remove(filepath.Join(dir, fmt.Sprintf("p%d.md", i)))
	}
	_, err = e.Reload(ctx, false)
	var drop *DropError
	if !errors.As(err, &drop) || len(drop.Diff.Removed) != 6 || drop.Diff.Before != 7 || drop.Max != 0.5 {
		t.Fatalf("a reload losing 6 of 7 pages must be refused: %v", err)
	}
	if e.Stats().Pages != 7 {
		t.Errorf("the old base must keep serving: %d pages", e.Stats().Pages)
	}
	if e.PageURL("p9.md") == "" {
		t.Error("a page of the old base is gone")
	}
	// Forced: taken.
	st, err = e.Reload(ctx, true)
	if err != nil || st.Pages != 1 || len(st.Diff.Removed) != 6 {
		t.Fatalf("forced reload: %v %+v", err, st)
	}
}
