package kb

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cloud-pi-native/parcours/knowledge"
)

// embeddedSeeds adds the shipped files under dir ending in ext as seeds:
// real pages and data files are the best starting points.
func embeddedSeeds(f *testing.F, ext string, add func([]byte)) {
	_ = fs.WalkDir(knowledge.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(name, ext) {
			if data, err := fs.ReadFile(knowledge.FS, name); err == nil {
				add(data)
			}
		}
		return nil
	})
}

// FuzzParsePage reads any file as a Markdown page with its front matter:
// never a panic, warnings name the file, what is indexed stays within the
// page limits and valid UTF-8, and the HTML /kb would serve carries no
// script. Seeds: the shipped pages and testdata/fuzz/FuzzParsePage.
func FuzzParsePage(f *testing.F) {
	embeddedSeeds(f, ".md", func(data []byte) { f.Add(data, false) })
	f.Add([]byte("---\ntitle: [a, b\n---\n# T\n"), false)
	f.Add([]byte("---\nniveau: 99999999999999999999\ntags: {a: b}\n---\n"), true)
	f.Add([]byte("import X from 'y'\n\n<X/>\n{% include a %}{{< b >}}::: tip\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, mdx bool) {
		name := "p.md"
		if mdx {
			name = "p.mdx"
		}
		p, warns := parsePage("f", name, data)
		for _, w := range warns {
			if w.Path != name || w.Msg == "" {
				t.Fatalf("warning %+v", w)
			}
		}
		if p != nil {
			if len(p.Sections) > MaxSections {
				t.Fatalf("%d sections", len(p.Sections))
			}
			text := 0
			for _, s := range p.Sections {
				text += len(s.Text)
				if !utf8.ValidString(s.Text) || !utf8.ValidString(s.Title) || !utf8.ValidString(s.Anchor) {
					t.Fatalf("invalid UTF-8 in section %q", s.Anchor)
				}
			}
			if text > MaxPageText {
				t.Fatalf("%d bytes of text indexed", text)
			}
			if p.Niveau < 0 || p.Niveau > 3 || !utf8.ValidString(p.Title) || p.Title == "" {
				t.Fatalf("page %q niveau %d", p.Title, p.Niveau)
			}
		}
		html, err := RenderHTML(data)
		if err != nil {
			t.Fatalf("RenderHTML: %v", err)
		}
		low := bytes.ToLower(html)
		for _, bad := range []string{"<script", "<iframe", "javascript:", " onerror="} {
			if bytes.Contains(low, []byte(bad)) {
				t.Fatalf("rendered HTML holds %q:\n%s", bad, html)
			}
		}
	})
}

// FuzzParseSynonyms reads any file as a synonyms file: never a panic, and
// every group it returns has two entries or more, none empty.
func FuzzParseSynonyms(f *testing.F) {
	embeddedSeeds(f, "synonymes.yaml", func(data []byte) { f.Add(data) })
	f.Add([]byte("groupes:\n  - [k8s, kubernetes]\n  - [a]\n  - x\n  - [{a: b}, c]\n"))
	f.Add([]byte("groupes: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		groups, _ := ParseSynonyms("s.yaml", data)
		for _, g := range groups {
			if len(g) < 2 {
				t.Fatalf("group %q", g)
			}
			for _, w := range g {
				if strings.TrimSpace(w) == "" {
					t.Fatalf("empty entry in %q", g)
				}
			}
		}
	})
}

// FuzzJekyllConfig reads any _config.yml: never a panic, and every
// collection folder it yields is a valid path inside the source, starting
// with an underscore folder, never hidden.
func FuzzJekyllConfig(f *testing.F) {
	for _, s := range []string{"collections_dir: articles\ncollections:\n  api:\n    output: true\n", "collections: [a, b]\n",
		"collections_dir: ../x\ncollections: [a]\n", "collections:\n  ../a: {}\n  \"\": {}\n", "a: &a [*a]\n", "\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, folder := range parseJekyllCollections(data).folders() {
			if !fs.ValidPath(folder) || strings.Contains(folder, "/.") || strings.HasPrefix(folder, ".") {
				t.Fatalf("collection folder %q leaves the source or is hidden", folder)
			}
			if base := folder[strings.LastIndexByte(folder, '/')+1:]; !strings.HasPrefix(base, "_") || strings.Contains(base[1:], "/") {
				t.Fatalf("collection folder %q is not an underscore folder", folder)
			}
		}
	})
}
