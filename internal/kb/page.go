// Package kb reads knowledge bases: Markdown pages with optional YAML front
// matter (Jekyll, VitePress, MkDocs style) from any fs.FS, split into
// sections with stable GitHub-style anchors, plus the data files a base may
// carry (synonyms, learning paths).
package kb

import "fmt"

// Page is one Markdown file of a knowledge source.
type Page struct {
	Source   string   // name of the source it comes from
	Path     string   // path relative to the source root, forward slashes
	Title    string   // front matter title, else first heading, else file name
	Summary  string   // front matter summary or description
	Parcours string   // learning path the page belongs to, if any
	Niveau   int      // level 1-3 the page is about, 0 if none
	Tags     []string // front matter tags (and keywords)
	// Questions are typical questions the page answers, as users ask them
	// (front matter "questions:"), written by the page's owners.
	Questions []string `json:",omitempty"`
	URL       string   // link to the page (canonical url, or base URL + path)
	Sections  []Section
	// Definitions are the terms the page defines (glossary tables,
	// definition lists, "**term** : ..." lines).
	Definitions []Definition `json:",omitempty"`
	// Code is the text of the page's code blocks (commands, configuration,
	// logs), up to MaxPageCode bytes: not prose to show, but where the job
	// names, identifiers and error messages users paste are written.
	Code string `json:",omitempty"`
	// links are the relative links to other Markdown files, resolved
	// against this page ("../guide/team.md#roles" -> "guide/team.md#roles").
	links []string
}

// Section is the text under one heading. The first section, with an empty
// anchor, holds what comes before the first heading other than the title.
type Section struct {
	Anchor string // GitHub-style id of the heading ("" for the page top)
	Title  string // heading text ("" for the page top)
	Level  int    // heading level (0 for the page top)
	Text   string // plain text: links keep their text, code and images dropped
}

// ID identifies the page across sources.
func (p *Page) ID() string { return p.Source + ":" + p.Path }

// SectionURL is the link to the section with this anchor.
func (p *Page) SectionURL(anchor string) string {
	if anchor == "" {
		return p.URL
	}
	return p.URL + "#" + anchor
}

// Section returns the section with this anchor, or nil.
func (p *Page) Section(anchor string) *Section {
	for i := range p.Sections {
		if p.Sections[i].Anchor == anchor {
			return &p.Sections[i]
		}
	}
	return nil
}

// Warning is a problem found while reading a source. The rest of the source
// is still read.
type Warning struct {
	Source string
	Path   string
	Line   int // 0 when unknown
	Msg    string
}

func (w Warning) String() string {
	loc := w.Path
	if w.Source != "" && w.Source != "embarquée" {
		loc = w.Source + "/" + w.Path
	}
	if w.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, w.Line)
	}
	return loc + ": " + w.Msg
}
