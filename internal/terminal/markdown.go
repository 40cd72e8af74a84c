package terminal

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown parses the chat Markdown of replies; goldmark is the parser the
// knowledge pages already use, so escapes, emphasis and links are read as
// Mattermost reads them, not guessed with patterns.
var markdown = goldmark.New()

// Text renders chat Markdown for a terminal: bold with the style, italics
// and code as plain text, links as "text (url)", quotes and lists indented.
// Escaped characters and entities come out as the characters they stand
// for; single line breaks are kept, as a chat shows them.
func Text(md string, st Style) string {
	src := []byte(md)
	r := &textRenderer{src: src, st: st}
	r.blocks(markdown.Parser().Parse(text.NewReader(src)), "")
	return strings.TrimRight(r.b.String(), "\n ")
}

type textRenderer struct {
	src  []byte
	st   Style
	b    strings.Builder
	bold int
}

// blocks writes the children of a block node, a blank line apart where the
// Markdown has one (a quote right under a title stays under it), every line
// starting with indent.
func (r *textRenderer) blocks(n ast.Node, indent string) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c != n.FirstChild() && c.HasBlankPreviousLines() {
			r.b.WriteString(strings.TrimRight(indent, " ") + "\n")
		}
		r.block(c, indent)
	}
}

func (r *textRenderer) block(n ast.Node, indent string) {
	switch n := n.(type) {
	case *ast.Heading:
		r.b.WriteString(indent)
		r.on()
		r.inlines(n, indent)
		r.off()
		r.b.WriteString("\n")
	case *ast.Paragraph, *ast.TextBlock:
		r.b.WriteString(indent)
		r.inlines(n, indent)
		r.b.WriteString("\n")
	case *ast.Blockquote:
		r.blocks(n, indent+"   ")
	case *ast.List:
		num := n.Start
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if c != n.FirstChild() && !n.IsTight {
				r.b.WriteString(strings.TrimRight(indent, " ") + "\n")
			}
			marker := "- "
			if n.IsOrdered() {
				marker = strconv.Itoa(num) + ". "
				num++
			}
			r.b.WriteString(indent + marker)
			// The item's first line follows the marker; the rest aligns.
			sub := &textRenderer{src: r.src, st: r.st, bold: r.bold}
			sub.blocks(c, indent+strings.Repeat(" ", len(marker)))
			r.b.WriteString(strings.TrimPrefix(sub.b.String(), indent+strings.Repeat(" ", len(marker))))
		}
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			r.b.WriteString(indent + "    " + strings.TrimRight(string(seg.Value(r.src)), "\n") + "\n")
		}
	case *ast.ThematicBreak:
		r.b.WriteString(indent + "———\n")
	case *ast.HTMLBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			r.b.WriteString(indent + strings.TrimRight(string(seg.Value(r.src)), "\n") + "\n")
		}
	default:
		r.blocks(n, indent)
	}
}

func (r *textRenderer) inlines(n ast.Node, indent string) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		r.inline(c, indent)
	}
}

func (r *textRenderer) inline(n ast.Node, indent string) {
	switch n := n.(type) {
	case *ast.Text:
		r.b.Write(unescape(n.Segment.Value(r.src)))
		if n.SoftLineBreak() || n.HardLineBreak() {
			r.b.WriteString("\n" + indent)
		}
	case *ast.String:
		r.b.Write(unescape(n.Value))
	case *ast.Emphasis:
		if n.Level >= 2 {
			r.on()
			r.inlines(n, indent)
			r.off()
			return
		}
		r.inlines(n, indent)
	case *ast.CodeSpan:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if t, ok := c.(*ast.Text); ok {
				r.b.Write(t.Segment.Value(r.src))
			}
		}
	case *ast.Link:
		start := r.b.Len()
		r.inlines(n, indent)
		label := r.b.String()[start:]
		if dest := string(n.Destination); dest != "" && plain(label) != dest {
			r.b.WriteString(" (" + dest + ")")
		}
	case *ast.AutoLink:
		r.b.Write(n.URL(r.src))
	case *ast.Image:
		r.inlines(n, indent)
	case *ast.RawHTML:
		for i := 0; i < n.Segments.Len(); i++ {
			seg := n.Segments.At(i)
			r.b.Write(seg.Value(r.src))
		}
	default:
		r.inlines(n, indent)
	}
}

// on and off start and end bold; nested bold stays bold.
func (r *textRenderer) on() {
	if r.bold == 0 && r.st == ANSI {
		r.b.WriteString("\x1b[1m")
	}
	r.bold++
}

func (r *textRenderer) off() {
	r.bold--
	if r.bold == 0 && r.st == ANSI {
		r.b.WriteString("\x1b[0m")
	}
}

// plain drops the escape codes of a label.
func plain(s string) string {
	return strings.NewReplacer("\x1b[1m", "", "\x1b[0m", "").Replace(s)
}

func unescape(b []byte) []byte {
	b = util.UnescapePunctuations(b)
	b = util.ResolveNumericReferences(b)
	return bytes.Clone(util.ResolveEntityNames(b))
}
