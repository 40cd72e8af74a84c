package answer

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/cloud-pi-native/parcours/internal/lexicon"
	"github.com/cloud-pi-native/parcours/internal/parcours"
	"github.com/cloud-pi-native/parcours/internal/search"
)

// intent is what the question says about the person asking.
type intent struct {
	path      string // learning path of a role the user stated ("chef de projet")
	role      string // the words of that role, for the reason
	level     int    // level the user stated or implied ("débutant"), 0 if none
	levelWord string
	wantsPath bool // "par où commencer", "quel parcours": the path page is the answer
}

// phrase is an analyzed expression to find in a question.
type phrase struct {
	text  string
	terms []string
	path  string
	level int
}

// understanding holds the analyzed role and level words of a catalogue.
type understanding struct {
	roles        []phrase
	levels       []phrase
	parcoursTerm string
	pathNames    []struct{ term, path string }
}

// pathWords say the user looks for a learning path or a starting point.
var pathWords = lazyWordSet(`commencer commence débuter débute démarrer démarre début parcours formation
	former formations apprendre apprends progresser monter compétence compétences orienter orientation
	conseiller conseilles recommandes recommander pour moi adapté adaptée concerne concerné concernée
	start begin beginning learn learning path training onboarding where`)

// wordSet maps analyzed terms to the words that gave them.
type wordSet map[string][]string

// lazyWordSet analyzes words on first use, once the analyzer is registered.
func lazyWordSet(words string) func() wordSet {
	return sync.OnceValue(func() wordSet {
		ws := wordSet{}
		for _, w := range strings.Fields(words) {
			for _, t := range search.Terms(w) {
				ws[t] = append(ws[t], w)
			}
		}
		return ws
	})
}

// has reports whether the word, analyzed as term, is one of the set's:
// same term and, where the dictionary knows both, a lemma in common. The
// light stemmer makes "conseils" (advice) and "conseiller" (to advise, an
// adviser) one term; their lemmas tell them apart.
func (ws wordSet) has(term, word string) bool {
	for _, w := range ws[term] {
		if sameLemma(word, w) {
			return true
		}
	}
	return false
}

// sameLemma reports whether two words share a lemma, or whether the
// dictionary lacks one of them (then the analyzer's term is all we have).
func sameLemma(a, b string) bool {
	la, lb := lexicon.Lemmas(a), lexicon.Lemmas(b)
	if len(la) == 0 || len(lb) == 0 {
		return true
	}
	for _, x := range la {
		for _, y := range lb {
			if lexicon.Fold(x) == lexicon.Fold(y) {
				return true
			}
		}
	}
	return false
}

func newUnderstanding(c *parcours.Catalog) *understanding {
	u := &understanding{}
	if t := search.Terms("parcours"); len(t) == 1 {
		u.parcoursTerm = t[0]
	}
	for _, p := range c.Paths {
		for _, t := range search.Terms(p.ID) {
			u.pathNames = append(u.pathNames, struct{ term, path string }{t, p.ID})
		}
		// Not the id: "projet" or "produit" alone name a thing, not a role.
		for _, r := range append([]string{p.Title}, p.Roles...) {
			if terms := search.Terms(r); len(terms) > 0 {
				u.roles = append(u.roles, phrase{text: r, terms: terms, path: p.ID})
			}
		}
	}
	for _, l := range c.Levels {
		for _, w := range l.Words {
			if terms := search.Terms(w); len(terms) > 0 {
				u.levels = append(u.levels, phrase{text: w, terms: terms, level: l.Number})
			}
		}
	}
	return u
}

var interrogativeRE = regexp.MustCompile(`(?i)\?|\b(pourquoi|comment|combien|quand|où|est-ce|quel|quelle|quels|quelles|why|how|when|where|what|which)\b`)

var selfIntroRE = regexp.MustCompile(`(?i)\b(je suis|j'suis|chuis|je travaille|je bosse|je fais partie|je m'occupe|en tant que|nous sommes|on est|i am|i'm|i work)\b`)

var levelNumberRE = regexp.MustCompile(`(?i)\b(?:niveau|level|niv\.?)\s*([123])\b`)

// read finds the role, level and path intent of a question.
func (u *understanding) read(question string) intent {
	var in intent
	analyzed := search.Analyze(question)
	toks := make([]string, len(analyzed))
	for i, t := range analyzed {
		toks[i] = t.Term
	}
	if p, ok := u.role(question, analyzed); ok {
		in.path, in.role = p.path, p.text
	} else if id := u.namedPath(toks); id != "" {
		// "le parcours produit", "parcours sre niveau 2": the path by its name.
		in.path, in.role = id, "parcours "+id
	}
	if m := levelNumberRE.FindStringSubmatch(question); m != nil {
		in.level, _ = strconv.Atoi(m[1])
		in.levelWord = m[0]
	} else if p, ok := longestMatch(u.levels, toks); ok {
		in.level, in.levelWord = p.level, p.text
	}
	for _, t := range analyzed {
		if pathWords().has(t.Term, question[t.Start:t.End]) {
			in.wantsPath = true
		}
	}
	// "je suis SRE", "niveau expert sre": a role with a level, or a person
	// introducing themselves by their role, asks for their path, unless the
	// question has a subject of its own ("je suis devops, pourquoi mon push
	// vers harbor échoue ?").
	if in.path != "" && (in.level > 0 || selfIntroRE.MatchString(question)) {
		limit := 1 // a question of its own: one subject word at most
		if !interrogativeRE.MatchString(question) {
			limit = 3 // describing one's job: "je gère les clusters k8s"
		}
		in.wantsPath = in.wantsPath || u.topics(toks, in) <= limit
	}
	return in
}

// topics counts the words of a question that are neither its role, its
// level, path words, filler nor everyday words.
func (u *understanding) topics(toks []string, in intent) int {
	skip := map[string]bool{}
	for _, w := range []string{in.role, in.levelWord} {
		for _, t := range search.Terms(w) {
			skip[t] = true
		}
	}
	n := 0
	seen := map[string]bool{}
	for _, t := range toks {
		if skip[t] || seen[t] || len(pathWords()[t]) > 0 || search.IsFiller(t) || search.IsGeneric(t) || search.IsEveryday(t) {
			continue
		}
		seen[t] = true
		n++
	}
	return n
}

// notSelfRE is what, just before a role, says it is someone else's
// ("pour mon directeur") or a verb ("une formation à conseiller").
var notSelfRE = regexp.MustCompile(`(?i)(^|[\s'’])(mon|ma|mes|notre|nos|son|sa|ses|leur|leurs|votre|vos|ton|ta|tes|à|a|my|our|his|her|their|your)\s+$`)

// englishArticleRE is "I'm a", "as a": there "a" is an article.
var englishArticleRE = regexp.MustCompile(`(?i)\b(i'm|i’m|am|as|is|was|be)\s+a\s+$`)

func notSelf(before string) bool {
	return notSelfRE.MatchString(before) && !englishArticleRE.MatchString(before)
}

// role finds the longest role phrase of the question that describes the
// person asking.
func (u *understanding) role(question string, toks []search.Token) (phrase, bool) {
	var best phrase
	found := false
	for _, p := range u.roles {
		if found && len(p.terms) <= len(best.terms) {
			continue
		}
		for i := 0; i+len(p.terms) <= len(toks); i++ {
			ok := true
			for k, t := range p.terms {
				if toks[i+k].Term != t {
					ok = false
					break
				}
			}
			// "des conseils" is no "conseiller": a one-word role must
			// be the same word, not only the same stem.
			if ok && len(p.terms) == 1 && !strings.Contains(strings.TrimSpace(p.text), " ") {
				ok = sameLemma(question[toks[i].Start:toks[i].End], p.text)
			}
			if ok && !notSelf(question[:toks[i].Start]) {
				best, found = p, true
				break
			}
		}
	}
	return best, found
}

// namedPath returns the path a question names after the word "parcours".
func (u *understanding) namedPath(toks []string) string {
	for i := 0; i+1 < len(toks); i++ {
		if toks[i] != u.parcoursTerm {
			continue
		}
		for _, n := range u.pathNames {
			if toks[i+1] == n.term {
				return n.path
			}
		}
	}
	return ""
}

// longestMatch returns the phrase with the most terms found in order in toks.
func longestMatch(ps []phrase, toks []string) (phrase, bool) {
	var best phrase
	found := false
	for _, p := range ps {
		if containsSeq(toks, p.terms) && (!found || len(p.terms) > len(best.terms)) {
			best, found = p, true
		}
	}
	return best, found
}

func containsSeq(toks, seq []string) bool {
	for i := 0; i+len(seq) <= len(toks); i++ {
		ok := true
		for k := range seq {
			if toks[i+k] != seq[k] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// englishWords are frequent English words that French questions lack.
var englishWords = map[string]bool{
	"the": true, "how": true, "what": true, "which": true, "where": true, "is": true, "are": true,
	"do": true, "does": true, "can": true, "i": true, "my": true, "to": true, "with": true, "for": true,
	"should": true, "who": true, "why": true, "when": true, "an": true, "of": true, "and": true,
	"path": true, "start": true, "getting": true, "started": true, "please": true,
}

var frenchWords = map[string]bool{
	"le": true, "la": true, "les": true, "comment": true, "est": true, "je": true, "un": true, "une": true,
	"des": true, "du": true, "de": true, "pour": true, "avec": true, "quel": true, "quelle": true,
	"où": true, "ou": true, "et": true, "mon": true, "ma": true, "qui": true, "quoi": true, "faire": true,
	"c'est": true, "qu'est-ce": true, "suis": true, "sur": true, "dans": true, "par": true, "pas": true,
}

// detectLang tells whether a question is English; French is the default.
func detectLang(q string) string {
	en, fr := 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !(r == '\'' || r == '-' || r >= 'a' && r <= 'z' || r > 127)
	}) {
		if englishWords[w] {
			en++
		}
		if frenchWords[w] {
			fr++
		}
	}
	if en > fr {
		return "en"
	}
	return "fr"
}
