package search

import (
	"sort"
	"strings"
	"sync"
)

// Alt is one way of saying a concept: the words as written and their terms.
type Alt struct {
	Text  string
	Terms []string
}

// Concept is one meaningful unit of a question: a word, or an expression
// found in the synonyms, with every way of saying it.
type Concept struct {
	Surface string // the question's words
	Alts    []Alt  // the question's own words first, then synonyms
	Fuzzy   bool   // the word was unknown and corrected to a close one
	Unknown bool   // no page holds any of its alternatives
	Weight  float64
}

// Lexicon holds the synonym groups, analyzed, for query expansion.
type Lexicon struct {
	groups [][]Alt
	// byFirst indexes each alternative by its first term; longest first.
	byFirst map[string][]entry
}

type entry struct {
	terms []string
	group int
}

// NewLexicon analyzes synonym groups. Expressions that analyze to nothing
// (only stop words) are dropped.
func NewLexicon(groups [][]string) *Lexicon {
	lx := &Lexicon{byFirst: map[string][]entry{}}
	seen := map[string]int{} // alternative key -> group, to merge overlapping groups
	for _, g := range groups {
		var alts []Alt
		target := -1
		for _, w := range g {
			terms := Terms(w)
			if len(terms) == 0 {
				continue
			}
			key := strings.Join(terms, " ")
			if gi, ok := seen[key]; ok && target < 0 {
				target = gi
			}
			alts = append(alts, Alt{Text: w, Terms: terms})
		}
		if len(alts) < 2 && target < 0 {
			continue
		}
		if target < 0 {
			target = len(lx.groups)
			lx.groups = append(lx.groups, nil)
		}
		for _, a := range alts {
			key := strings.Join(a.Terms, " ")
			if _, dup := seen[key]; dup {
				continue
			}
			seen[key] = target
			lx.groups[target] = append(lx.groups[target], a)
			lx.byFirst[a.Terms[0]] = append(lx.byFirst[a.Terms[0]], entry{terms: a.Terms, group: target})
		}
	}
	for k, es := range lx.byFirst {
		sort.SliceStable(es, func(i, j int) bool { return len(es[i].terms) > len(es[j].terms) })
		lx.byFirst[k] = es
	}
	return lx
}

// Group returns the alternatives of the group holding exactly these terms.
func (lx *Lexicon) Group(terms []string) []Alt {
	if len(terms) == 0 {
		return nil
	}
	for _, e := range lx.byFirst[terms[0]] {
		if equalTerms(e.terms, terms) {
			return lx.groups[e.group]
		}
	}
	return nil
}

func equalTerms(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fillerWords are chat words that carry no topic: they would match every
// page phrased as a question ("Étape 2 : comment ...") and pull it up.
var fillerWords = strings.Fields(`
	comment combien quoi quel quelle quels quelles lequel laquelle où ou quand pourquoi qui
	est-ce qu'est-ce c'est voudrais voudrait veux veut souhaite souhaiterais aimerais
	peux peut pouvez pourrais pourriez dois doit devons devez faut faire fait fais
	savoir sais sait connaître trouver trouve avoir besoin aide aider question questions
	bonjour bonsoir salut hello coucou merci svp stp please thanks thank
	explique expliquer expliquez dire dis dites montre montrer chose truc trucs
	moi toi vous nous mon ma mes ton ta tes votre vos notre nos là ici ça cela ceci
	y-a-t-il y-a il-y-a a-t-on existe-t-il bien alors donc oui non
	what how why when where which who whom whose is are was be been do does did can could
	should would will shall may might must the a an of to for in on at by with about from
	i me my we our you your it its this that these those there here please hi hey
	get find know tell explain some any thing things need want wanna like
`)

var (
	fillerOnce  sync.Once
	fillerTerms map[string]bool
)

// IsFiller reports whether an analyzed term is chat filler.
func IsFiller(term string) bool {
	fillerOnce.Do(func() {
		fillerTerms = map[string]bool{}
		for _, w := range fillerWords {
			for _, t := range Terms(w) {
				fillerTerms[t] = true
			}
		}
	})
	return fillerTerms[term]
}

// Concepts splits a question into concepts: synonym expressions first
// (longest match), then the remaining words, filler dropped.
func (lx *Lexicon) Concepts(question string) []Concept {
	toks := Analyze(question)
	var out []Concept
	seen := map[string]bool{}
	add := func(c Concept) {
		key := strings.Join(c.Alts[0].Terms, " ")
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, c)
	}
	for i := 0; i < len(toks); {
		matched := false
		for _, e := range lx.byFirst[toks[i].Term] {
			n := len(e.terms)
			if i+n > len(toks) {
				continue
			}
			ok := true
			for k := 1; k < n; k++ {
				// Terms must follow each other (stop words may sit between).
				if toks[i+k].Term != e.terms[k] || toks[i+k].Pos-toks[i+k-1].Pos > 2 {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			surface := question[toks[i].Start:toks[i+n-1].End]
			own := Alt{Text: surface, Terms: e.terms}
			alts := []Alt{own}
			for _, a := range lx.groups[e.group] {
				if !equalTerms(a.Terms, e.terms) {
					alts = append(alts, a)
				}
			}
			add(Concept{Surface: surface, Alts: alts})
			i += n
			matched = true
			break
		}
		if matched {
			continue
		}
		t := toks[i]
		i++
		if IsFiller(t.Term) || len([]rune(t.Term)) < 2 && !isDigit(t.Term) {
			continue
		}
		add(Concept{Surface: question[t.Start:t.End], Alts: []Alt{{Text: question[t.Start:t.End], Terms: []string{t.Term}}}})
	}
	return out
}

func isDigit(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
