package answer

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

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

// highlight puts the words whose term is wanted in Markdown bold, whole
// words only, one bold run for an expression ("**mot de passe**", not
// "**mot** de **passe**"), and escapes characters that Markdown would read
// as formatting.
func highlight(s string, terms map[string]bool) string {
	type span struct{ start, end int }
	var spans []span
	for _, t := range search.Analyze(s) {
		if !terms[t.Term] {
			continue
		}
		start, end := wordAround(s, t.Start, t.End)
		if n := len(spans); n > 0 && start <= spans[n-1].end {
			spans[n-1].end = max(spans[n-1].end, end)
			continue
		}
		if n := len(spans); n > 0 && joins(s[spans[n-1].end:start]) {
			spans[n-1].end = end
			continue
		}
		spans = append(spans, span{start, end})
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(escapeMarkdown(s[last:sp.start]))
		b.WriteString("**" + escapeMarkdown(s[sp.start:sp.end]) + "**")
		last = sp.end
	}
	b.WriteString(escapeMarkdown(s[last:]))
	return b.String()
}

// wordAround widens [start, end) to the whole word around it: the analyzer
// may match a part of a word ("l'intégration", "re-déployer").
func wordAround(s string, start, end int) (int, int) {
	inWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' }
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:start])
		if !inWord(r) {
			break
		}
		start -= n
	}
	for end < len(s) {
		r, n := utf8.DecodeRuneInString(s[end:])
		if !inWord(r) {
			break
		}
		end += n
	}
	// The elided article stays out of the bold: "l'**intégration**".
	if m := elision.FindStringIndex(s[start:end]); m != nil && start+m[1] < end {
		start += m[1]
	}
	return start, end
}

var elision = regexp.MustCompile(`^(?i:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]`)

// joins says whether what stands between two bold words makes them one
// expression: spaces, with at most one short linking word ("mot de passe",
// "mise en production").
func joins(gap string) bool {
	words := strings.Fields(gap)
	if strings.TrimSpace(gap) == "" {
		return gap != ""
	}
	return len(words) == 1 && utf8.RuneCountInString(words[0]) <= 3 && strings.IndexFunc(words[0], func(r rune) bool { return !unicode.IsLetter(r) }) < 0
}

var mdEscaper = strings.NewReplacer("*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`)

func escapeMarkdown(s string) string { return mdEscaper.Replace(s) }
