package search

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/cloud-pi-native/parcours/internal/lexicon"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Alt is one way of saying a concept: the words as written and their terms.
type Alt struct {
	Text  string
	Terms []string
	// Root, when set, also matches any indexed term starting with it: the
	// light stemmer leaves "superviser" and "supervision" apart.
	Root string
	// Weight is how much this way of saying the concept counts, in the
	// query and in the page's coverage: 1 when zero (the user's words and
	// the synonyms files); less for words the French lexicon relates.
	Weight float64
}

// weight is the alternative's weight, 1 by default.
func (a Alt) weight() float64 {
	if a.Weight == 0 {
		return 1
	}
	return a.Weight
}

// Concept is one meaningful unit of a question: a word, or an expression
// found in the synonyms, with every way of saying it.
type Concept struct {
	Surface string // the question's words
	Alts    []Alt  // the question's own words first, then synonyms
	Fuzzy   bool   // the word was unknown and corrected to a close one
	Unknown bool   // no page holds any of its alternatives
	// Word says the concept is one word of the French dictionary or has an
	// English-French translation. Unknown to the pages, such a word says
	// the question is about something they do not cover (an unknown
	// non-word is more often a typo or a name); known to them, it is
	// general language, where a non-word (a tool's name, jargon, an
	// acronym) is the documentation's own vocabulary.
	Word bool
	// Rescued says no page holds the user's own word, only words the
	// French lexicon relates to it: weaker evidence that the question is
	// covered.
	Rescued  bool
	Weight   float64
	group    int  // synonym group, -1 for a plain word
	generic  bool // a word of intent ("ranger", "use"): weighs little
	everyday bool // a word of daily life ("temps", "match"): weighs little when pages hold it
}

// Substantive reports whether a concept can carry an answer on its own: a
// known word that is neither a number nor an everyday word. "2" or "marche"
// alone must not get a confident answer.
func (c *Concept) Substantive() bool {
	return !c.Unknown && !c.generic && !c.everyday && !(len(c.Alts) == 1 && len(c.Alts[0].Terms) == 1 && isDigit(c.Alts[0].Terms[0]))
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
	word  string // the synonym as written
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
			lx.byFirst[a.Terms[0]] = append(lx.byFirst[a.Terms[0]], entry{terms: a.Terms, group: target, word: a.Text})
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
	fera ferai ferait feront font faisons faites
	savoir sais sait connaître trouver trouve avoir besoin aide aider question questions
	bonjour bonsoir salut hello coucou merci svp stp please thanks thank sert servent servir
	ok okay d'accord super génial parfait cool top nickel yes yep ouais
	explique expliquer expliquez dire dis dites montre montrer chose truc trucs
	moi toi vous nous mon ma mes ton ta tes votre vos notre nos là ici ça cela ceci
	concrètement exactement vraiment simplement rapidement précisément globalement
	gros bref résumé grosso modo trop très assez plutôt exactly really basically actually
	y-a-t-il y-a il-y-a a-t-on existe-t-il bien alors donc oui non
	what how why when where which who whom whose is are was be been do does did can could
	should would will shall may might must the a an of to for in on at by with about from
	i me my we our you your it its this that these those there here please hi hey
	get find know tell explain some any thing things need want wanna like
`)

// genericWords are everyday verbs and nouns that say what the user wants to
// do, not what about: "où ranger mes mdp", "how do feature flags work".
// They still rank pages, but weigh little in the question's coverage, so an
// unknown everyday verb does not turn a real question into "not found".
var genericWords = strings.Fields(`
	ranger range stocker stocke mettre mets met utiliser utilise employer appliquer
	créer crée ajouter ajoute supprimer enlever retirer modifier changer installer lancer
	chercher cherche voir regarder aller va venir prendre donner montrer marcher marche
	fonctionner fonctionne signifie signifier veut dire passer obtenir demander
	accéder accède garder conserver réaliser effectuer organiser préparer suivre choisir
	comprendre expliquer décrire définir résoudre régler corriger éviter démarche démarches
	travaille travailler bosse bosser gère gérer gere occupe occuper
	moyen moyens façon manière exemple exemples info infos information informations
	sujet problème souci marche étape étapes liste idée conseil conseils bonne bonnes meilleur meilleure
	work works working use using used set setup make made run running manage handle store keep put add
	remove change update install see look go take give show fix solve help mean means happen
	way ways example examples best good
`)

// wordLists are the filler, generic and everyday word lists, analyzed on
// first use (the analyzer is registered at package init).
var wordLists = sync.OnceValue(func() (w struct{ filler, generic, everyday map[string]bool }) {
	w.filler, w.generic, w.everyday = TermSet(fillerWords), TermSet(genericWords), TermSet(everydayWords)
	return w
})

// TermSet is the set of the analyzed terms of words.
func TermSet(words []string) map[string]bool {
	m := map[string]bool{}
	for _, word := range words {
		for _, t := range Terms(word) {
			m[t] = true
		}
	}
	return m
}

// IsFiller reports whether an analyzed term is chat filler.
func IsFiller(term string) bool { return wordLists().filler[term] }

// IsGeneric reports whether an analyzed term is a word of intent ("ranger",
// "use").
func IsGeneric(term string) bool { return wordLists().generic[term] }

// IsEveryday reports whether an analyzed term is a word of daily life.
func IsEveryday(term string) bool { return wordLists().everyday[term] }

// Concepts splits a question into concepts: synonym expressions first
// (longest match), then the remaining words, filler dropped.
func (lx *Lexicon) Concepts(question string) []Concept {
	question = demonstrativeRE.ReplaceAllString(question, "$1$2")
	toks := Analyze(question)
	var out []Concept
	seen := map[string]bool{}
	add := func(c Concept) {
		key := strings.Join(c.Alts[0].Terms, " ")
		if c.group >= 0 {
			// "pipeline CI/CD": two words of one group are one concept.
			key = "g" + strconv.Itoa(c.group)
		}
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
			if n == 1 && !sameWord(surface, e.word) {
				continue // "pris" and "prix" share a stem, not a meaning
			}
			own := Alt{Text: surface, Terms: e.terms}
			alts := []Alt{own}
			for _, a := range lx.groups[e.group] {
				if !equalTerms(a.Terms, e.terms) {
					alts = append(alts, a)
				}
			}
			add(Concept{Surface: surface, Alts: alts, group: e.group})
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
		if w := question[t.Start:t.End]; strings.ToLower(w) == w && onlyGrammatical(w) {
			continue
		}
		alt := Alt{Text: question[t.Start:t.End], Terms: []string{t.Term}}
		if r := []rune(t.Term); len(r) >= minRootTerm {
			alt.Root = string(r[:max(minRoot, len(r)-rootCut)])
		}
		add(Concept{Surface: alt.Text, Alts: []Alt{alt}, group: -1})
	}
	return out
}

// Roots: words of 7 letters or more also match the indexed words that share
// their first letters (all but the last two, at least 6). Shorter roots
// made false friends (capitale/capitaliser).
const (
	minRootTerm = 7
	minRoot     = 6
	rootCut     = 2
)

// demonstrativeRE finds "ce mois-ci", "cette fois là": the "ci"/"là" is
// grammar, not the abbreviation CI.
var demonstrativeRE = regexp.MustCompile(`(?i)\b(ce|cet|cette|ces|celui|celle|ceux|celles)(\s+\p{L}+)?[\s-]+(ci|là|la)\b`)

func isDigit(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// englishStopWords are the Snowball project's English stop words, as bleve
// ships them: in an English question, "and", "or", "into" carry no topic
// (the French analyzer keeps them as words no page holds).
var englishStopWords = sync.OnceValue(func() analysis.TokenMap {
	m := analysis.NewTokenMap()
	if err := m.LoadBytes(en.EnglishStopWords); err != nil {
		panic(err) // bleve's own list
	}
	return m
})

func isEnglishStopWord(w string) bool {
	_, ok := englishStopWords()[strings.ToLower(w)]
	return ok
}

// onlyGrammatical reports whether the dictionary reads a word only as a
// grammatical word or an adverb ("depuis", "chez", "après", "presque"): it
// carries no topic. A word with one noun, verb or adjective reading
// ("audit", "personne", "point") may.
func onlyGrammatical(w string) bool {
	pos := lexicon.PartsOfSpeech(w)
	return pos.Grammatical() && pos&(lexicon.Noun|lexicon.Verb|lexicon.Adjective|lexicon.ProperNoun) == 0
}

// sameWord reports whether two single words may be the same word: they
// share a lemma, or the dictionary does not know one of them (an acronym,
// a tool's name, an English word).
func sameWord(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	la, lb := lexicon.Lemmas(a), lexicon.Lemmas(b)
	if len(la) == 0 || len(lb) == 0 {
		return true
	}
	for _, x := range la {
		for _, y := range lb {
			if strings.EqualFold(x, y) {
				return true
			}
		}
	}
	return false
}
