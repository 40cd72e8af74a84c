package kb

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/yuin/goldmark/ast"
)

// RenderHTML renders a page's Markdown (front matter dropped) to an HTML
// fragment whose heading ids are the anchors used in answers. Relative links
// to other Markdown pages lose their ".md", for a server of clean URLs.
func RenderHTML(data []byte) ([]byte, error) {
	_, body, _, _ := splitFrontMatter(data)
	body = containerRE.ReplaceAll(body, []byte("$2"))
	doc := parseMarkdown(body)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering {
			l.Destination = []byte(cleanLink(string(l.Destination)))
		}
		return ast.WalkContinue, nil
	})
	var buf bytes.Buffer
	if err := markdown.Renderer().Render(&buf, body, doc); err != nil {
		return nil, fmt.Errorf("rendu HTML: %w", err)
	}
	return buf.Bytes(), nil
}

// cleanLink rewrites a relative link to a Markdown file into its clean URL.
func cleanLink(dest string) string {
	if strings.Contains(dest, "://") || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "mailto:") {
		return dest
	}
	p, frag, _ := strings.Cut(dest, "#")
	if !isMarkdown(p) {
		return dest
	}
	out := LinkPath(p, LinkClean)
	if strings.HasSuffix(p, "/index.md") || p == "index.md" {
		out = strings.TrimSuffix(p, path.Base(p))
		if out == "" {
			out = "./"
		}
	}
	if frag != "" {
		out += "#" + frag
	}
	return out
}
