package kb

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cloud-pi-native/parcours/internal/lexicon"
)

// A documentation states much of its own vocabulary: "mise en production
// (MEP)", "MOE (maîtrise d'œuvre)", a glossary section titled "PRA" whose
// text begins "Plan de reprise d'activité". learnVocabulary collects those
// pairs at indexing time, so that a new source brings its abbreviations
// without anyone editing synonymes.yaml.
//
// An abbreviation is paired with a long form only when its letters can be
// read, in order, in the long form, its first letter starting the long form
// and every content word giving at least one letter (Schwartz and Hearst's
// rule, "A simple algorithm for identifying abbreviation definitions in
// biomedical text", 2003, made stricter). Translated abbreviations ("produit
// minimum viable (MVP)") do not match and are left to the synonyms file.

// parentheses calls f for each short parenthesised text ("(MEP)", "(mise
// en production)") with the text just before it. A scan, not a regular
// expression: a 16 MB base is read in a fraction of a second.
func parentheses(t string, f func(before, inside string)) {
	const maxInside, maxBefore = 80, 200
	for i := 0; i < len(t); {
		open := strings.IndexByte(t[i:], '(')
		if open < 0 {
			return
		}
		open += i
		end := strings.IndexByte(t[open+1:min(len(t), open+1+maxInside+1)], ')')
		if end < 0 {
			i = open + 1
			continue
		}
		inside := t[open+1 : open+1+end]
		if !strings.ContainsAny(inside, "()") {
			f(t[max(0, open-maxBefore):open], inside)
		}
		i = open + 1 + end
	}
}

// lastWords returns the last n words of s.
func lastWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[len(f)-n:]
	}
	return strings.Join(f, " ")
}

// maxLearnedPairs bounds what one base can add to the lexicon;
// maxAbbreviationTries bounds the work: a base made of parenthesised
// capitals cannot make indexing slow.
const (
	maxLearnedPairs      = 2000
	maxAbbreviationTries = 10_000
)

// learnVocabulary returns synonym groups of [long form, abbreviation]
// stated by the pages, each pair once, in a stable order.
func learnVocabulary(pages []*Page) [][]string {
	seen := map[string]bool{}
	tried := map[string]bool{}
	tries := 0
	var out [][]string
	add := func(long, short string) {
		long = strings.TrimSpace(long)
		key := strings.ToLower(short) + "\x00" + strings.ToLower(long)
		if seen[key] || len(out) >= maxLearnedPairs {
			return
		}
		seen[key] = true
		out = append(out, []string{long, short})
	}
	// try runs find once for each abbreviation and text, within the budget.
	try := func(abbr, text string, find func(string, string) string) {
		key := abbr + "\x00" + text
		if tried[key] || tries >= maxAbbreviationTries {
			return
		}
		tried[key] = true
		tries++
		if long := find(abbr, text); long != "" {
			add(long, abbr)
		}
	}
	for _, p := range pages {
		texts := make([]string, 0, len(p.Sections)+2)
		texts = append(texts, p.Title, p.Summary)
		for _, s := range p.Sections {
			texts = append(texts, s.Title, s.Text)
			// A glossary entry: a heading "PRA" over "Plan de reprise
			// d'activité : ...".
			if isAbbreviation(s.Title) {
				try(s.Title, firstWords(s.Text, 12), expansionAtStart)
			}
		}
		// A glossary row: "| BATN | Bureau Appui à la Transformation
		// Numérique |".
		for _, d := range p.Definitions {
			if isAbbreviation(d.Term) {
				try(d.Term, firstWords(d.Text, 12), expansionAtStart)
			}
		}
		for _, t := range texts {
			parentheses(t, func(before, inside string) {
				// "long form (ABR)"
				if abbr := strings.TrimSpace(inside); isAbbreviation(abbr) {
					try(abbr, lastWords(before, 8), expansion)
				}
				// "ABR (long form)"
				if f := strings.Fields(before); len(f) > 0 {
					abbr := strings.Trim(f[len(f)-1], ",;:")
					if k := strings.LastIndexAny(abbr, "'’"); k >= 0 {
						abbr = abbr[k+len(string(abbr[k])):] // l'IaC
					}
					if isAbbreviation(abbr) && len(inside) >= 4 {
						try(abbr, inside, expansionAtStart)
					}
				}
			})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i][1]) < strings.ToLower(out[j][1]) })
	return out
}

// isAbbreviation reports whether a word looks like an abbreviation: two to
// ten letters or digits with at least two capitals ("MEP", "IaC", "CI/CD",
// "k8s" is not: it is a numeronym, left to the synonyms file).
func isAbbreviation(w string) bool {
	n := utf8.RuneCountInString(w)
	if n < 2 || n > 10 {
		return false
	}
	upper, letters := 0, 0
	for _, r := range w {
		switch {
		case unicode.IsUpper(r):
			upper++
			letters++
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r) || strings.ContainsRune("&/.-", r):
		default:
			return false
		}
	}
	return upper >= 2 && letters >= 2 && (upper*2 >= letters || upper >= 2 && letters <= 4)
}

// shortStopWords are the words a French or English abbreviation skips.
var shortStopWords = map[string]bool{
	"de": true, "du": true, "des": true, "la": true, "le": true, "les": true, "l": true, "d": true,
	"en": true, "et": true, "a": true, "au": true, "aux": true, "pour": true, "par": true, "sur": true,
	"un": true, "une": true, "of": true, "the": true, "and": true, "for": true, "to": true, "in": true, "as": true,
}

// expansion returns the shortest ending of text (whole words) that abbr
// abbreviates, or "".
func expansion(abbr, text string) string { return findExpansion(abbr, text, false) }

// expansionAtStart returns the shortest beginning of text that abbr
// abbreviates, or "".
func expansionAtStart(abbr, text string) string { return findExpansion(abbr, text, true) }

func findExpansion(abbr, text string, atStart bool) string {
	letters := []rune(lexicon.Fold(abbr))
	letters = slices.DeleteFunc(letters, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(letters) < 2 {
		return ""
	}
	// "Behaviour-Driven Development": each part of a compound gives its
	// initial.
	words := strings.Fields(strings.NewReplacer("’", "' ", "'", "' ", "-", "- ").Replace(text))
	maxWords := min(len(letters)+5, 2*len(letters)+1, len(words))
	// Initials only first ("responsable de la sécurité des systèmes
	// d'information"), then letters inside words too ("DevSecOps").
	for pass := 0; pass < 2; pass++ {
		for n := 1; n <= maxWords; n++ {
			cand := words[len(words)-n:]
			if atStart {
				cand = words[:n]
			}
			if !matchesAbbreviation(letters, cand, pass == 1) {
				continue
			}
			long := strings.NewReplacer("' ", "'", "- ", "-").Replace(strings.Join(cand, " "))
			if lexicon.Fold(long) == lexicon.Fold(abbr) {
				return "" // "Git (GIT)": the same word
			}
			return strings.TrimRight(long, ",.;:")
		}
	}
	return ""
}

// matchesAbbreviation: the abbreviation's letters appear in order in the
// words, the first letter starts the first word, each content word gives at
// least one letter, and a word's letters start at its beginning
// ("DevSecOps" gives D, S, O; "maîtrise d'œuvre" gives M, O, E). Memoised:
// hostile text cannot make it explode.
func matchesAbbreviation(letters []rune, words []string, inside bool) bool {
	ws := make([][]letter, len(words))
	for i, w := range words {
		ws[i] = foldLetters(strings.Trim(w, "'’-,.;:"))
	}
	if len(ws) == 0 || len(ws[0]) == 0 || ws[0][0].r != letters[0] || isShortStop(ws[0]) {
		return false
	}
	type key struct{ li, wi, k int }
	memo := map[key]bool{}
	// at reports whether letters[li:] can be read from word wi at rune k
	// (k == 0: the word has given nothing yet) and the words after it.
	var at func(li, wi, k int) bool
	at = func(li, wi, k int) bool {
		if wi == len(ws) {
			return li == len(letters)
		}
		kk := key{li, wi, k}
		if v, ok := memo[kk]; ok {
			return v
		}
		w := ws[wi]
		ok := false
		if k == 0 {
			switch {
			case len(w) == 0:
				ok = at(li, wi+1, 0)
			case isShortStop(w) && at(li, wi+1, 0):
				ok = true
			case li < len(letters) && w[0].r == letters[li]:
				ok = at(li+1, wi, 1)
			}
		} else {
			ok = at(li, wi+1, 0) // this word is done
			// Inside a word, only a capital ("DevSecOps") or the letter
			// right after the last one given ("œuvre" gives o, e).
			for j := k; inside && !ok && j < len(w) && li < len(letters); j++ {
				if w[j].r == letters[li] && (w[j].upper || j == k) {
					ok = at(li+1, wi, j+1)
				}
			}
		}
		memo[kk] = ok
		return ok
	}
	return at(0, 0, 0)
}

// letter is a folded letter of a word and whether it was a capital.
type letter struct {
	r     rune
	upper bool
}

// foldLetters folds a word letter by letter (œ gives o, e), at most 40.
func foldLetters(w string) []letter {
	out := make([]letter, 0, min(len(w), 40))
	for _, r := range w {
		if r < utf8.RuneSelf {
			out = append(out, letter{r: unicode.ToLower(r), upper: 'A' <= r && r <= 'Z'})
		} else {
			for i, f := range lexicon.Fold(string(r)) {
				out = append(out, letter{r: f, upper: i == 0 && unicode.IsUpper(r)})
			}
		}
		if len(out) >= 40 {
			break
		}
	}
	return out
}

func isShortStop(w []letter) bool {
	if len(w) > 4 {
		return false
	}
	var b strings.Builder
	for _, l := range w {
		b.WriteRune(l.r)
	}
	return shortStopWords[b.String()]
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}
