package kb

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// frontMatter is what parcours reads from a page's YAML header. Unknown keys
// are ignored: doc sites carry many of their own (layout, nav_order, ...).
type frontMatter struct {
	Title       string
	Summary     string
	Parcours    string
	Niveau      int
	Tags        []string
	Questions   []string // typical questions the page answers, in users' words
	URL         string
	Skip        bool   // search: false, draft: true, published: false
	Extra       string // text held in the header itself (VitePress home "features")
	hasMatter   bool
	bodyLineOff int // lines taken by the front matter, to report body lines
}

// splitFrontMatter separates a leading "---" YAML block (or "+++" TOML block,
// which is skipped) from the Markdown body.
func splitFrontMatter(data []byte) (header, body []byte, delim string, lines int) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for _, d := range []string{"---", "+++"} {
		if !bytes.HasPrefix(data, []byte(d)) {
			continue
		}
		first := bytes.IndexByte(data, '\n')
		if first < 0 || strings.TrimSpace(string(data[:first])) != d {
			continue
		}
		rest := data[first+1:]
		n := 1
		for off := 0; off < len(rest); {
			end := bytes.IndexByte(rest[off:], '\n')
			line := rest[off:]
			next := len(rest)
			if end >= 0 {
				line = rest[off : off+end]
				next = off + end + 1
			}
			n++
			if t := strings.TrimSpace(string(line)); t == d || (d == "---" && t == "...") {
				return rest[:off], rest[next:], d, n
			}
			off = next
		}
		// An opening delimiter without a closing one: not front matter.
		return nil, data, "", 0
	}
	return nil, data, "", 0
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// Bounds of a page's typical questions.
const (
	maxQuestions   = 50
	maxQuestionLen = 300
)

// parseFrontMatter decodes a YAML header. A malformed header returns an error
// whose line is counted from the top of the file.
func parseFrontMatter(header []byte) (frontMatter, int, error) {
	var fm frontMatter
	fm.hasMatter = true
	var raw map[string]yaml.Node
	if err := yaml.Unmarshal(header, &raw); err != nil {
		line := 0
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
			line++ // the opening "---"
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = yamlLineRE.ReplaceAllString(msg, "")
		msg = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(msg), ":"))
		return fm, line, fmt.Errorf("front matter YAML invalide: %s", msg)
	}
	str := func(keys ...string) string {
		for _, k := range keys {
			if n, ok := raw[k]; ok && n.Kind == yaml.ScalarNode {
				return strings.TrimSpace(n.Value)
			}
		}
		return ""
	}
	fm.Title = str("title", "titre")
	fm.Summary = str("summary", "description", "resume", "résumé", "excerpt")
	if fm.Summary == "" {
		if hero, ok := raw["hero"]; ok { // VitePress home page
			var h struct{ Name, Text, Tagline string }
			if hero.Decode(&h) == nil {
				fm.Summary = strings.TrimSpace(h.Text + " " + h.Tagline)
				if fm.Title == "" {
					fm.Title = h.Name
				}
			}
		}
	}
	if feats, ok := raw["features"]; ok && feats.Kind == yaml.SequenceNode {
		var list []struct{ Title, Details string }
		if feats.Decode(&list) == nil {
			var b strings.Builder
			for _, f := range list {
				b.WriteString(strings.TrimSpace(f.Title + ". " + f.Details))
				b.WriteString("\n")
			}
			fm.Extra = b.String()
		}
	}
	fm.Parcours = strings.ToLower(str("parcours"))
	if n := str("niveau", "level"); n != "" {
		if v, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(n), "niveau ")); err == nil && v >= 1 && v <= 3 {
			fm.Niveau = v
		} else {
			return fm, raw["niveau"].Line + 1, fmt.Errorf("front matter: niveau %q invalide (attendu 1, 2 ou 3)", n)
		}
	}
	for _, k := range []string{"tags", "keywords", "mots_cles", "categories"} {
		n, ok := raw[k]
		if !ok {
			continue
		}
		switch n.Kind {
		case yaml.SequenceNode:
			for _, c := range n.Content {
				if c.Kind == yaml.ScalarNode && strings.TrimSpace(c.Value) != "" {
					fm.Tags = append(fm.Tags, strings.TrimSpace(c.Value))
				}
			}
		case yaml.ScalarNode:
			for _, t := range strings.FieldsFunc(n.Value, func(r rune) bool { return r == ',' || r == ';' }) {
				if t = strings.TrimSpace(t); t != "" {
					fm.Tags = append(fm.Tags, t)
				}
			}
		}
	}
	// "questions:": how users ask what the page answers, written by its
	// owners (for instance from the questions the bot could not answer).
	for _, k := range []string{"questions", "questions_types", "faq"} {
		if n, ok := raw[k]; ok && n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				q := strings.TrimSpace(c.Value)
				if c.Kind != yaml.ScalarNode || q == "" || len(fm.Questions) == maxQuestions {
					continue
				}
				if r := []rune(q); len(r) > maxQuestionLen {
					q = string(r[:maxQuestionLen])
				}
				fm.Questions = append(fm.Questions, q)
			}
		}
	}
	fm.URL = str("url", "permalink", "canonical")
	switch {
	case str("search") == "false", str("draft") == "true", str("published") == "false":
		fm.Skip = true
	}
	return fm, 0, nil
}
