package kb

import (
	"io/fs"

	"github.com/cloud-pi-native/parcours/knowledge"
)

// DataFS returns the file system of the first source that has the data file
// name ("_data/diagnostic.yaml"), else the embedded base: admins may ship
// their own questionnaire and welcome with their documentation.
func DataFS(sources []Source, name string) fs.FS {
	for _, s := range sources {
		if s.FS == nil {
			continue
		}
		if _, err := fs.Stat(s.FS, name); err == nil {
			return s.FS
		}
	}
	return knowledge.FS
}
