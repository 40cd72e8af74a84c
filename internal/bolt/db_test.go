package bolt

import (
	"errors"
	"strings"
	"testing"

	"go.etcd.io/bbolt"
)

// A second bot on the same data folder is told plainly that another
// process holds it, instead of "timeout".
func TestSecondOpenSaysTheFolderIsHeld(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = Open(dir)
	if err == nil {
		t.Fatal("the data folder was opened twice")
	}
	for _, want := range []string{"un autre processus", dir, "PARCOURS_DATA_DIR"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "timeout") || !errors.Is(err, bbolt.ErrTimeout) {
		t.Errorf("error %v", err)
	}
}
