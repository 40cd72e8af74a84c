package kb

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
)

// Anchor is the GitHub-style anchor of a heading text: lower case, letters
// (accents kept), digits, "-" and "_" kept, spaces turned into "-", anything
// else dropped. GitHub, GitLab and most doc sites link sections this way.
func Anchor(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(text)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// anchorIDs gives headings GitHub-style ids, numbering duplicates the way
// GitHub does ("etapes", "etapes-1"), for goldmark's parser context.
type anchorIDs struct {
	used map[string]bool
	next map[string]int // first number worth trying for a base: ids are never freed
}

func newAnchorIDs() *anchorIDs { return &anchorIDs{used: map[string]bool{}, next: map[string]int{}} }

func (s *anchorIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	base := Anchor(string(value))
	if base == "" {
		base = "section"
	}
	// 20,000 headings of the same text must not cost 20,000² lookups.
	id := base
	for i := max(s.next[base], 1); s.used[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
		s.next[base] = i + 1
	}
	s.used[id] = true
	return []byte(id)
}

func (s *anchorIDs) Put(value []byte) { s.used[string(value)] = true }
