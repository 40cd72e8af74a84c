package lexicon

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
)

// Fold returns the key a word is looked up under: lower case, accents and
// ligatures folded as the search analyzer folds them ("Œuvré" → "oeuvre"),
// and the typographic apostrophe made straight.
func Fold(word string) string {
	ascii := true
	for i := 0; i < len(word); i++ {
		c := word[i]
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			ascii = false
			break
		}
	}
	if ascii {
		return word
	}
	// French letters are folded here; any other non-ASCII letter goes
	// through the analyzer's own folding.
	var b strings.Builder
	b.Grow(len(word) + 2)
	for _, r := range word {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		case frenchFold[r] != "":
			b.WriteString(frenchFold[r])
		default:
			return string(asciifolding.New().Filter([]byte(strings.ToLower(word))))
		}
	}
	return b.String()
}

// frenchFold is the folding of the accented letters of French, as the
// analyzer's ASCII folding does it (a test checks they agree).
var frenchFold = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'À': "a", 'Â': "a", 'Ä': "a",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'É': "e", 'È': "e", 'Ê': "e", 'Ë': "e",
	'î': "i", 'ï': "i", 'Î': "i", 'Ï': "i",
	'ô': "o", 'ö': "o", 'Ô': "o", 'Ö': "o",
	'ù': "u", 'û': "u", 'ü': "u", 'Ù': "u", 'Û': "u", 'Ü': "u",
	'ÿ': "y", 'Ÿ': "y", 'ç': "c", 'Ç': "c",
	'œ': "oe", 'Œ': "oe", 'æ': "ae", 'Æ': "ae",
	'’': "'",
}
