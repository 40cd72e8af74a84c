// Package version tells which build is running: version, commit and build
// date, set at build time by scripts/build.sh (the Dockerfile uses it):
//
//	-ldflags "-X github.com/cloud-pi-native/parcours/internal/version.Version=v1.2.0 ..."
//
// A plain "go build" or "go run" says "dev" and, when Go recorded them, the
// commit and its date.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set with -ldflags -X at build time.
var (
	Version = ""
	Commit  = ""
	Date    = "" // build date, RFC 3339
)

// Info is the identity of the running build.
type Info struct {
	Version, Commit, Date, Go string
}

// Get returns the build's identity, never empty fields.
func Get() Info {
	i := Info{Version: Version, Commit: Commit, Date: Date, Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && i.Commit == "":
				i.Commit = s.Value
			case s.Key == "vcs.time" && i.Date == "":
				i.Date = s.Value
			}
		}
	}
	if i.Version == "" {
		i.Version = "dev"
	}
	if i.Commit == "" {
		i.Commit = "inconnu"
	}
	if i.Date == "" {
		i.Date = "inconnue"
	}
	return i
}

// String is the line "parcours version" prints.
func (i Info) String() string {
	date := "construit le " + i.Date
	if i.Date == "inconnue" {
		date = "date de construction inconnue"
	}
	return fmt.Sprintf("parcours %s (commit %s, %s, %s)", i.Version, i.Commit, date, i.Go)
}
