package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's configuration table is the operator's reference: every
// PARCOURS_* variable the code reads has its row, with the default the
// code applies.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(readme), "\n") {
		if m := regexp.MustCompile("^\\| `(PARCOURS_[A-Z0-9_]+)` \\|").FindStringSubmatch(line); m != nil {
			rows[m[1]] = line
		}
	}
	inEnv := map[string]bool{}
	defaultPattern := regexp.MustCompile(`défaut ([^);]+)`)
	for _, e := range Env {
		inEnv[e.Name] = true
		row, ok := rows[e.Name]
		if !ok {
			t.Errorf("%s has no row in the README's configuration table", e.Name)
			continue
		}
		if !strings.Contains(row, "`--"+e.Flag+"`") {
			t.Errorf("%s: the README does not give its flag --%s", e.Name, e.Flag)
		}
		if m := defaultPattern.FindStringSubmatch(e.Help); m != nil {
			def := strings.TrimSpace(m[1])
			if !strings.Contains(strings.ReplaceAll(row, "`", ""), "défaut "+def) {
				t.Errorf("%s: the code's default is %q, the README says:\n%s", e.Name, def, row)
			}
		}
	}
	// Variables read elsewhere than in Env must be documented too.
	for _, v := range codeVariables(t) {
		if _, ok := rows[v]; !ok && !inEnv[v] {
			t.Errorf("%s is read by the code but has no row in the README", v)
		}
	}
	for v := range rows {
		if !inEnv[v] {
			t.Errorf("the README documents %s, which the code does not read", v)
		}
	}
}

// codeVariables lists the PARCOURS_* variables named in cmd/ and internal/
// (tests and the end-to-end harness left out).
func codeVariables(t *testing.T) []string {
	t.Helper()
	re := regexp.MustCompile(`"(PARCOURS_[A-Z0-9_]+)"`)
	seen := map[string]bool{}
	for _, dir := range []string{"../../cmd", "../../internal"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
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
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
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
	return out
}
