package kb

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// A page of thousands of headings keeps MaxSections sections, the text of
// the others indexed in the last, and says so naming the file.
func TestPageOfManyHeadingsIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Beaucoup de titres\n\n")
	for i := range 20000 {
		fmt.Fprintf(&b, "## Titre\n\nmot%d du texte\n\n", i)
	}
	p, warns := parsePage("m", "titres.md", []byte(b.String()))
	if p == nil || len(p.Sections) != MaxSections {
		t.Fatalf("sections: %v", p != nil && len(p.Sections) > 0)
	}
	last := p.Sections[len(p.Sections)-1].Text
	if !strings.Contains(last, "mot19999") || !strings.Contains(last, "mot1500") {
		t.Errorf("the text of the sections beyond the limit must be in the last one")
	}
	if p.Sections[1].Anchor != "titre-1" || p.Sections[999].Anchor != "titre-999" {
		t.Errorf("anchors %q %q", p.Sections[1].Anchor, p.Sections[999].Anchor)
	}
	if len(warns) != 1 || warns[0].Path != "titres.md" || !strings.Contains(warns[0].Msg, "20000 sections") {
		t.Errorf("warnings %v", warns)
	}
}

// A page of more than MaxPageText of text is indexed up to it.
func TestHugePageTextIsCut(t *testing.T) {
	para := strings.Repeat("déploiement continu des applications ", (3<<20)/37)
	p, warns := parsePage("m", "long.md", []byte("# Long\n\n"+para+"\n\n## Après\n\nsuite jamais lue\n"))
	if p == nil {
		t.Fatal("page dropped")
	}
	if n := p.textSize(); n > MaxPageText || n < MaxPageText*9/10 {
		t.Errorf("text indexed: %d bytes, want just under %d", n, MaxPageText)
	}
	if len(p.Sections) != 1 || strings.HasSuffix(p.Sections[0].Text, " ") {
		t.Errorf("sections %d", len(p.Sections))
	}
	if len(warns) != 1 || warns[0].Path != "long.md" || !strings.Contains(warns[0].Msg, "seul le début est indexé") {
		t.Errorf("warnings %v", warns)
	}
}

// Beyond MaxBaseText of text, pages are not indexed, with one warning
// naming the first left out and how many.
func TestBaseTextIsBounded(t *testing.T) {
	defer func(n int) { maxBaseText = n }(maxBaseText)
	maxBaseText = 1 << 20
	fsys := fstest.MapFS{}
	para := strings.Repeat("sauvegarde restauration quotidienne ", (100<<10)/36)
	n := 13
	for i := range n {
		fsys[fmt.Sprintf("p%02d.md", i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf("# Page %d\n\n%s\n", i, para))}
	}
	b, err := Load(context.Background(), Source{Name: "m", FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Pages) != 10 {
		t.Errorf("%d pages of %d indexed", len(b.Pages), n)
	}
	total := 0
	for _, p := range b.Pages {
		total += p.textSize()
	}
	if total > maxBaseText {
		t.Errorf("%d bytes of text indexed, more than %d", total, maxBaseText)
	}
	first := fmt.Sprintf("p%02d.md", len(b.Pages))
	found := false
	for _, w := range b.Warnings {
		if w.Path == first && strings.Contains(w.Msg, fmt.Sprintf("%d page(s) non indexée(s)", n-len(b.Pages))) {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning naming %s: %v", first, b.Warnings)
	}
}
