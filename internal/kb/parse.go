package kb

import (
	"bytes"
	"fmt"
	"golang.org/x/text/encoding/charmap"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// markdown is the goldmark configuration shared by parsing and rendering, so
// that anchors in answers and in rendered pages are the same.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM, extension.DefinitionList, extension.Footnote),
	goldmark.WithParserOptions(parser.WithAttribute()),
)

// containerRE matches VitePress/MkDocs-style container fences ("::: tip
// Astuce", ":::") and MkDocs admonitions ("!!! note \"Titre\"").
var containerRE = regexp.MustCompile(`(?m)^[ \t]*(?::{3,}|!!!|\?\?\?\+?)[ \t]*([\w-]+)?[ \t]*(.*)$`)

// templateRE matches Liquid tags and Hugo shortcodes ("{% include x %}",
// "{{< figure >}}", "{{ page.title }}").
var templateRE = regexp.MustCompile(`(?s)\{%.*?%\}|\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{\{[^{}]*\}\}`)

// mdxImportRE matches the import and export lines of MDX pages.
var mdxImportRE = regexp.MustCompile(`(?m)^(?:import|export)\s.*$`)

// tagRE matches HTML tags, to keep the text of HTML blocks (<details>...).
var tagRE = regexp.MustCompile(`(?s)<!--.*?-->|<[^>]*>`)

// Limits of one page in the index, whatever its content: memory and time
// of indexing grow with them, and no documentation page comes near.
const (
	// MaxSections is the number of sections of a page indexed on their
	// own; the text of the following ones is indexed in the last.
	MaxSections = 1000
	// MaxPageText bounds the text of a page indexed (bytes of plain text);
	// the rest is not indexed.
	MaxPageText = 1 << 20
	// MaxPageCode bounds the text of a page's code blocks indexed.
	MaxPageCode = 64 << 10
)

// minWords is the size under which a page is a placeholder, not content:
// such pages rank high through length normalisation and answer nothing.
const minWords = 12

// looksBinary reports whether a file is no text page: more than one control
// byte (NUL and the like; not tabs, line or page ends) in a thousand. Images
// and archives have many from their first bytes; a text page with a stray
// NUL has one in thousands.
func looksBinary(b []byte) bool {
	n := 0
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			n++
		}
	}
	return n > 0 && n*1000 > len(b)
}

// parsePage turns one Markdown file into a page. It returns nil (and maybe a
// warning) when the file must be skipped.
func parsePage(source, name string, data []byte) (*Page, []Warning) {
	var warns []Warning
	warn := func(line int, msg string) {
		warns = append(warns, Warning{Source: source, Path: name, Line: line, Msg: msg})
	}
	header, body, delim, _ := splitFrontMatter(data)
	fm := frontMatter{}
	if delim == "---" {
		var err error
		var line int
		fm, line, err = parseFrontMatter(header)
		if err != nil {
			warn(line, err.Error()+" (page indexée sans ses métadonnées)")
			fm = frontMatter{}
		}
	}
	if fm.Skip {
		return nil, warns
	}
	if looksBinary(body) {
		warn(0, "fichier binaire, ignoré")
		return nil, warns
	}
	if n := bytes.Count(body, []byte{0}); n > 0 {
		// A stray NUL in a text page (an editor's or a copy's slip) is
		// no reason to lose the page: CommonMark reads it as a
		// replacement character; a space keeps excerpts clean.
		body = bytes.ReplaceAll(body, []byte{0}, []byte{' '})
		warn(0, fmt.Sprintf("%d octet(s) nul(s) remplacé(s) par une espace", n))
	}
	if !utf8.Valid(body) {
		// Older docs are often saved in Latin-1: read them rather than
		// losing them, and say so.
		body = latin1ToUTF8(body)
		warn(0, "pas en UTF-8 : lu comme du Latin-1 (Windows-1252)")
	}
	// Container fences become their title: "::: tip Astuce" keeps "Astuce".
	body = containerRE.ReplaceAll(body, []byte("$2"))
	// Template tags of Jekyll (Liquid), Hugo and MDX are not prose.
	body = templateRE.ReplaceAll(body, nil)
	if strings.EqualFold(path.Ext(name), ".mdx") {
		body = mdxImportRE.ReplaceAll(body, nil)
	}

	doc := parseMarkdown(body)

	p := &Page{Source: source, Path: name, Title: fm.Title, Summary: fm.Summary,
		Parcours: fm.Parcours, Niveau: fm.Niveau, Tags: fm.Tags, Questions: fm.Questions, URL: fm.URL}
	cur := &Section{}
	var buf strings.Builder
	buf.WriteString(htmlText(fm.Extra))
	textLeft, folded, cut := MaxPageText, 0, false
	var fold strings.Builder // text of the sections beyond MaxSections
	var code strings.Builder // text of the code blocks
	// take spends the page's text budget on text, cut when it runs out.
	take := func(text string) string {
		kept := cutText(text, textLeft)
		if len(kept) < len(text) {
			cut, textLeft = true, 0
		} else {
			textLeft -= len(kept) + 1
		}
		return kept
	}
	flush := func() {
		text := normalizeSpace(buf.String())
		buf.Reset()
		if text == "" && cur.Anchor == "" || cut {
			return
		}
		if len(p.Sections) >= MaxSections {
			// Beyond the limit, a section's title and text go to the last.
			fold.WriteString("\n" + take(strings.TrimSpace(cur.Title+"\n"+text)))
			folded++
			return
		}
		cur.Text = take(text)
		p.Sections = append(p.Sections, *cur)
	}
	p.links = relativeLinks(doc, name)
	titleTaken := false
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok {
			title := normalizeSpace(inlineText(h, body))
			id, _ := h.AttributeString("id")
			anchor, _ := id.([]byte)
			// The first level-1 heading is the page's title, not a section.
			if h.Level == 1 && !titleTaken && len(p.Sections) == 0 && buf.Len() == 0 {
				titleTaken = true
				if p.Title == "" {
					p.Title = title
				}
				continue
			}
			flush()
			cur = &Section{Anchor: string(anchor), Title: title, Level: h.Level}
			continue
		}
		if cut {
			continue
		}
		blockText(&buf, n, body)
		if code.Len() < MaxPageCode {
			codeText(&code, n, body)
		}
		p.Definitions = collectDefinitions(p.Definitions, n, body, cur.Anchor,
			glossaryWords.MatchString(p.Title) || glossaryWords.MatchString(cur.Title))
	}
	flush()
	p.Code = cutText(strings.TrimSpace(code.String()), MaxPageCode)
	if folded > 0 {
		last := &p.Sections[len(p.Sections)-1]
		last.Text = strings.TrimSpace(last.Text + fold.String())
		warn(0, fmt.Sprintf("%d sections : au-delà de %d, leur texte est indexé dans la dernière", len(p.Sections)+folded, MaxSections))
	}
	if cut {
		warn(0, fmt.Sprintf("plus de %d Mo de texte : seul le début est indexé", MaxPageText>>20))
	}
	if p.Title == "" {
		p.Title = titleFromFileName(name)
	}
	if words(p) < minWords {
		return nil, warns
	}
	return p, warns
}

// cutText keeps at most n bytes of s, cut between words.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	cut := strings.LastIndexAny(s[:n+1], " \n")
	if cut < n/2 {
		// No space near the end: cut on a character boundary.
		cut = n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimSpace(s[:cut])
}

// relativeLinks lists the links of a page to other Markdown files of the
// same source, as paths from the source root.
func relativeLinks(doc ast.Node, name string) []string {
	var out []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		l, ok := n.(*ast.Link)
		if !ok || !entering {
			return ast.WalkContinue, nil
		}
		dest := string(l.Destination)
		if strings.Contains(dest, "://") || strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "mailto:") {
			return ast.WalkContinue, nil
		}
		target, frag, _ := strings.Cut(dest, "#")
		target, _, _ = strings.Cut(target, "?")
		if !isMarkdown(target) {
			return ast.WalkContinue, nil
		}
		resolved := path.Clean(path.Join(path.Dir(name), target))
		if frag != "" {
			resolved += "#" + frag
		}
		out = append(out, resolved)
		return ast.WalkContinue, nil
	})
	return out
}

// parseMarkdown parses a Markdown body and gives every heading its anchor.
func parseMarkdown(body []byte) ast.Node {
	doc := markdown.Parser().Parse(text.NewReader(body))
	assignAnchors(doc, body)
	return doc
}

// assignAnchors sets a GitHub-style id on every heading that has no explicit
// one ("## Titre {#id}"), computed from its visible text as GitHub does.
func assignAnchors(doc ast.Node, src []byte) {
	ids := newAnchorIDs()
	var auto []*ast.Heading
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			if v, ok := h.AttributeString("id"); ok {
				if b, ok := v.([]byte); ok {
					ids.Put(b)
					return ast.WalkSkipChildren, nil
				}
			}
			auto = append(auto, h)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, h := range auto {
		h.SetAttributeString("id", ids.Generate([]byte(normalizeSpace(inlineText(h, src))), ast.KindHeading))
	}
}

// blockText appends the plain text of a block node.
func blockText(buf *strings.Builder, n ast.Node, src []byte) {
	switch n := n.(type) {
	case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.ThematicBreak:
		// Code is noise for questions in natural language.
		return
	case *ast.HTMLBlock:
		var raw bytes.Buffer
		for i := 0; i < n.Lines().Len(); i++ {
			seg := n.Lines().At(i)
			raw.Write(seg.Value(src))
		}
		if n.HasClosure() {
			raw.Write(n.ClosureLine.Value(src))
		}
		s := raw.String()
		if isScriptOrStyle(s) {
			return
		}
		buf.WriteString(htmlText(s))
		buf.WriteString("\n")
		return
	case *ast.Paragraph, *ast.TextBlock:
		buf.WriteString(inlineText(n, src))
		buf.WriteString("\n")
		return
	case *extast.TableCell:
		buf.WriteString(inlineText(n, src))
		buf.WriteString(" ; ")
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		blockText(buf, c, src)
	}
	if _, ok := n.(*extast.TableRow); ok {
		buf.WriteString("\n")
	}
	if _, ok := n.(*extast.TableHeader); ok {
		buf.WriteString("\n")
	}
}

// codeText appends the lines of the code blocks in a block node.
func codeText(buf *strings.Builder, n ast.Node, src []byte) {
	switch n.(type) {
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len() && buf.Len() < MaxPageCode; i++ {
			seg := lines.At(i)
			buf.Write(seg.Value(src))
		}
		buf.WriteByte('\n')
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		codeText(buf, c, src)
	}
}

// inlineText is the readable text of an inline container: link text kept,
// images and raw tags dropped.
func inlineText(n ast.Node, src []byte) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				b.Write(c.Segment.Value(src))
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.Image:
				// alt text of images is rarely content; skip it
			case *ast.RawHTML:
				// inline tags like <br> or <kbd>: the text around them stays
			case *ast.AutoLink:
				b.Write(c.Label(src))
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

func htmlText(s string) string {
	s = tagRE.ReplaceAllString(s, " ")
	r := strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", "\"", "&#39;", "'", "&rsquo;", "’", "&eacute;", "é", "&egrave;", "è", "&agrave;", "à")
	return r.Replace(s)
}

func isScriptOrStyle(s string) bool {
	t := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(t, "<script") || strings.HasPrefix(t, "<style")
}

func normalizeSpace(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func words(p *Page) int {
	n := len(strings.Fields(p.Summary))
	for _, s := range p.Sections {
		n += len(strings.Fields(s.Text)) + len(strings.Fields(s.Title))
	}
	return n
}

func titleFromFileName(name string) string {
	base := strings.TrimSuffix(path.Base(name), path.Ext(name))
	if base == "index" || base == "README" || base == "readme" {
		if d := path.Dir(name); d != "." {
			base = path.Base(d)
		}
	}
	base = strings.NewReplacer("-", " ", "_", " ").Replace(base)
	r := []rune(base)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// latin1ToUTF8 decodes Windows-1252, Latin-1 with the punctuation word
// processors put in 0x80-0x9F (quotes, dashes, euro sign, œ): every one of
// its characters, from golang.org/x/text's table.
func latin1ToUTF8(b []byte) []byte {
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		// The decoder maps every byte; an error cannot come from the text.
		return b
	}
	return out
}
