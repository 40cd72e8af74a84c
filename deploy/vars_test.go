package deploy

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var varPattern = regexp.MustCompile(`"(PARCOURS_[A-Z0-9_]+)"`)

// codeVariables lists the PARCOURS_* variables named in the bot's code
// (cmd/ and internal/, tests and the end-to-end harness left out).
func codeVariables(t *testing.T, root string) []string {
	t.Helper()
	seen := map[string]bool{}
	for _, dir := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "mmtest" || d.Name() == "pgtest") { // test harnesses
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range varPattern.FindAllStringSubmatch(string(src), -1) {
				seen[m[1]] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var out []string
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
