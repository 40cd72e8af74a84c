package answer

import (
	"strings"
	"unicode"

	"github.com/cloud-pi-native/parcours/internal/search"
)

const maxExcerpt = 280 // characters: a chat reply stays readable with three passages

// excerpt picks the sentences of text that hold the most of the question's
// terms and puts the matched words in **bold**.
func excerpt(text string, terms map[string]bool) string {
	sentences := splitSentences(text)
	if len(sentences) == 0 {
		return ""
	}
	best, bestScore := 0, -1
	for i, s := range sentences {
		seen := map[string]bool{}
		for _, t := range search.Analyze(s) {
			if terms[t.Term] {
				seen[t.Term] = true
			}
		}
		if len(seen) > bestScore {
			best, bestScore = i, len(seen)
		}
	}
	out := sentences[best]
	// A short sentence reads better with the one after it.
	for j := best + 1; j < len(sentences) && len([]rune(out)) < maxExcerpt/2; j++ {
		out += " " + sentences[j]
	}
	out = truncate(out, maxExcerpt)
	return highlight(out, terms)
}

// splitSentences cuts text at line ends and sentence ends.
func splitSentences(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		start := 0
		r := []rune(line)
		for i := 0; i < len(r); i++ {
			if (r[i] == '.' || r[i] == '!' || r[i] == '?') && (i+1 == len(r) || r[i+1] == ' ') {
				if s := strings.TrimSpace(string(r[start : i+1])); s != "" {
					out = append(out, s)
				}
				start = i + 1
			}
		}
		if s := strings.TrimSpace(string(r[start:])); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := n
	for cut > n*3/4 && !unicode.IsSpace(r[cut]) {
		cut--
	}
	return strings.TrimRightFunc(string(r[:cut]), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) + " …"
}

// highlight wraps the words whose term is wanted in Markdown bold, and
// escapes characters that Markdown would read as formatting.
func highlight(s string, terms map[string]bool) string {
	var b strings.Builder
	last := 0
	for _, t := range search.Analyze(s) {
		if !terms[t.Term] || t.Start < last {
			continue
		}
		b.WriteString(escapeMarkdown(s[last:t.Start]))
		b.WriteString("**" + escapeMarkdown(s[t.Start:t.End]) + "**")
		last = t.End
	}
	b.WriteString(escapeMarkdown(s[last:]))
	return b.String()
}

var mdEscaper = strings.NewReplacer("*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`)

func escapeMarkdown(s string) string { return mdEscaper.Replace(s) }
