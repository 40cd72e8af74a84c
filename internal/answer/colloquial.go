package answer

import (
	"regexp"
	"strings"
)

// colloquial are the spellings of chat French ("SMS" French) people type to
// a bot, with the words they stand for. It is a closed set, kept short: the
// domain's own abbreviations (mdp, MEP, prod) are synonyms of the knowledge
// base, and typos are the search's business.
var colloquial = map[string]string{
	"koi": "quoi", "kwa": "quoi", "ki": "qui", "koman": "comment", "cmt": "comment", "kan": "quand", "qd": "quand",
	"pk": "pourquoi", "pq": "pourquoi", "pkoi": "pourquoi", "pourkoi": "pourquoi",
	"jsp": "je ne sais pas", "chui": "je suis", "chuis": "je suis", "jsuis": "je suis",
	"keske": "qu'est-ce que", "kesako": "qu'est-ce que c'est", "ya": "il y a",
	"qqn": "quelqu'un", "qqch": "quelque chose", "bcp": "beaucoup", "tjrs": "toujours",
	"pb": "problème", "pbm": "problème", "svp": "s'il vous plaît", "stp": "s'il te plaît",
	"dsl": "désolé", "cad": "c'est-à-dire",
}

// cForCest is "c" standing for "c'est" before a question word: "c koi",
// "c ki", "c quoi".
var cForCest = regexp.MustCompile(`(?i)(^|[\s,;:(])c\s+(koi|kwa|quoi|ki|qui)\b`)

var chatWord = regexp.MustCompile(`[\p{L}]+`)

// StandardSpelling returns a question with the chat spellings of its words
// replaced by standard French: "kubernets c koi" → "kubernets c'est quoi",
// so that it is read as a definition question in every channel.
func StandardSpelling(q string) string {
	q = cForCest.ReplaceAllString(q, "${1}c'est $2")
	return chatWord.ReplaceAllStringFunc(q, func(w string) string {
		if s, ok := colloquial[strings.ToLower(w)]; ok {
			return s
		}
		return w
	})
}
