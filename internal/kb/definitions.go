package kb

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
)

// Definition is a term a page defines: a row of a two-column table
// ("| CCT | Cadre de Cohérence Technique |"), an entry of a definition
// list, or a list item or paragraph led by a bold term ("**PVC** : un
// volume persistant..."). Glossaries are written these ways.
type Definition struct {
	Term   string // as written
	Text   string // the definition, plain text
	Anchor string // section holding it ("" for the page top)
}

// Bounds of a definition: a term is a few words, a definition a sentence
// or more. A table of versions ("| Harbor | 2.9 |") defines nothing.
const (
	maxTermWords   = 6
	maxTermLen     = 60
	minDefWords    = 3
	maxDefinitions = 2000 // per page
)

// glossaryWords name a glossary, in a page or section title or in a table's
// header: only there are bold-led lines and table rows definitions ("-
// **MVP** : livrer tôt" in a list of topics is not one).
var glossaryWords = regexp.MustCompile(`(?i)(glossaire|glossary|lexique|vocabulaire|définition|definition|acronyme|abréviation|abreviation|sigle|signification|terme|\bterms?\b|meaning)`)

// collectDefinitions appends the definitions found in a block node. In a
// glossary (its page or section titled so), tables and bold-led lines
// define; elsewhere only definition lists and tables whose header says so.
func collectDefinitions(defs []Definition, n ast.Node, src []byte, anchor string, glossary bool) []Definition {
	add := func(term, text string) {
		term = strings.Trim(normalizeSpace(term), " :–—-*_")
		text = strings.TrimLeft(normalizeSpace(text), " :–—-")
		if term == "" || len(term) > maxTermLen || len(strings.Fields(term)) > maxTermWords ||
			len(strings.Fields(text)) < minDefWords || len(defs) >= maxDefinitions {
			return
		}
		defs = append(defs, Definition{Term: term, Text: text, Anchor: anchor})
	}
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *extast.Table:
			if !glossary {
				h, ok := c.FirstChild().(*extast.TableHeader)
				if !ok || !glossaryWords.MatchString(inlineText(h, src)) {
					return ast.WalkSkipChildren, nil
				}
			}
			for row := c.FirstChild(); row != nil; row = row.NextSibling() {
				if _, ok := row.(*extast.TableRow); !ok {
					continue // the header names the columns
				}
				first := row.FirstChild()
				if first == nil || first.NextSibling() == nil {
					continue
				}
				add(inlineText(first, src), inlineText(first.NextSibling(), src))
			}
			return ast.WalkSkipChildren, nil
		case *extast.DefinitionList:
			var term string
			for d := c.FirstChild(); d != nil; d = d.NextSibling() {
				switch d.(type) {
				case *extast.DefinitionTerm:
					term = inlineText(d, src)
				case *extast.DefinitionDescription:
					var b strings.Builder
					blockText(&b, d, src)
					add(term, b.String())
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.Paragraph, *ast.TextBlock:
			// "**PVC** : un volume..." or "**PVC**, un volume...".
			lead, ok := c.FirstChild().(*ast.Emphasis)
			if !glossary || !ok || lead.Level != 2 {
				return ast.WalkSkipChildren, nil
			}
			term := inlineText(lead, src)
			rest := strings.TrimPrefix(inlineText(c, src), term)
			r, _ := utf8.DecodeRuneInString(strings.TrimLeft(rest, " "))
			if strings.ContainsRune(":–—-,", r) {
				add(term, rest)
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return defs
}
