package kb

import (
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestDataFSFirstSourceWithTheFile(t *testing.T) {
	without := Source{Name: "a", FS: fstest.MapFS{"index.md": {Data: []byte("# A")}}}
	with := Source{Name: "b", FS: fstest.MapFS{"_data/bienvenue.md": {Data: []byte("Bonjour de b")}}}
	other := Source{Name: "c", FS: fstest.MapFS{"_data/bienvenue.md": {Data: []byte("Bonjour de c")}}}
	data, err := fs.ReadFile(DataFS([]Source{without, with, other}, "_data/bienvenue.md"), "_data/bienvenue.md")
	if err != nil || string(data) != "Bonjour de b" {
		t.Errorf("got %q, %v; want the file of the first source that has it", data, err)
	}
	// No source has it: the embedded base's own file.
	if _, err := fs.Stat(DataFS([]Source{without}, "_data/diagnostic.yaml"), "_data/diagnostic.yaml"); err != nil {
		t.Errorf("embedded fallback: %v", err)
	}
}
