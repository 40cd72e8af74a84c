// Package lexicon is French lexical data for search: the lemmas of about
// 500,000 word forms with their parts of speech, noun–verb families, a
// pruned thesaurus, English–French translations and how common a word is
// in general French. The tables are built by the generator in ./gen from
// Debian's packages of the Dicollecte dictionary (hunspell-fr-comprehensive),
// the LibreOffice French thesaurus (mythes-fr) and the FreeDict
// English–French dictionaries, and from the French word frequencies of the
// OpenSubtitles corpus (Hermit Dave's FrequencyWords), and embedded in the
// binary; see data/LICENCES.md for their licences.
//
// Lookups are accent- and case-tolerant in the same way as the search
// analyzer: words are compared by Fold, so "conserves", "Conservés" and
// "conservés" are the same key. The tables are mapped in place on first use
// (no start-up cost, no heap for the data); each lookup decodes a few bytes.
package lexicon

import (
	"strings"
	"sync"
)

// POS is a set of parts of speech.
type POS uint16

// Parts of speech, as the Dicollecte dictionary tags its entries.
const (
	Noun         POS = 1 << iota // nom commun
	Verb                         // verbe
	Adjective                    // adjectif
	Adverb                       // adverbe
	ProperNoun                   // nom propre, prénom, patronyme
	Determiner                   // déterminant (le, ce, mon, quelques)
	Pronoun                      // pronom (je, nous, qui, celui)
	Preposition                  // préposition (de, pour, avec)
	Conjunction                  // conjonction (et, mais, que, quand)
	Interjection                 // interjection
	Number                       // nombre
	Auxiliary                    // verbe auxiliaire (être, avoir)
	Grammatical                  // mot grammatical (the dictionary's "po:mg": the above closed classes, ne, pas, comment, où…)
	Locution                     // part of a fixed expression ("a priori", "ad hoc")
)

// grammatical are the closed classes: words that carry no topic.
const grammatical = Determiner | Pronoun | Preposition | Conjunction | Auxiliary | Grammatical

var posNames = []string{"nom", "verbe", "adjectif", "adverbe", "nom propre", "déterminant",
	"pronom", "préposition", "conjonction", "interjection", "nombre", "auxiliaire",
	"mot grammatical", "locution"}

// String lists the parts of speech in French, separated by "|".
func (p POS) String() string {
	var parts []string
	for i, name := range posNames {
		if p&(1<<i) != 0 {
			parts = append(parts, name)
		}
	}
	return strings.Join(parts, "|")
}

// Reading is one analysis of a word form: its lemma (as the dictionary
// spells it, with accents) and the lemma's parts of speech.
type Reading struct {
	Lemma string
	POS   POS
}

// Lookup returns the readings of a word form: "conservés" gives the verb
// conserver and the noun conserve, "journaux" the noun journal. A word
// unknown to the dictionary gives nil; an elided word ("l'équipe",
// "qu’il") is looked up without its elision.
func (t *Table) Lookup(word string) []Reading {
	refs, _ := t.refs(word)
	if len(refs) == 0 {
		return nil
	}
	out := make([]Reading, 0, len(refs))
	for _, r := range refs {
		if rec, ok := t.record(r); ok {
			out = append(out, Reading{Lemma: string(rec.spelling), POS: rec.pos})
		}
	}
	return out
}

// LookupSpelled returns the readings of a word form spelled exactly so,
// accents included: where Lookup("de") also gives dé, LookupSpelled("de")
// gives only de. It is for text known to be spelled right.
func (t *Table) LookupSpelled(word string) []Reading {
	lower := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(word)), "’", "'")
	own, _ := t.spelledRefs(lower, Fold(lower))
	out := make([]Reading, 0, len(own))
	for _, r := range own {
		if rec, ok := t.record(r); ok {
			out = append(out, Reading{Lemma: string(rec.spelling), POS: rec.pos})
		}
	}
	return out
}

// refs returns the lemma records of a word and the folded key that found
// them, trying the word without its elision when the whole is unknown.
func (t *Table) refs(word string) ([]uint32, string) {
	lower := strings.ToLower(strings.TrimSpace(word))
	lower = strings.ReplaceAll(lower, "’", "'")
	key := Fold(lower)
	if r := t.lemmaRefs(lower, key); len(r) > 0 {
		return r, key
	}
	if i := strings.LastIndexByte(lower, '\''); i >= 0 && i < len(lower)-1 {
		lower = lower[i+1:]
		key = Fold(lower)
		return t.lemmaRefs(lower, key), key
	}
	return nil, key
}

// Lemmas returns the lemmas of a word form, the word itself first when it
// is a lemma: "paumé" gives [paumer], "déploiement" [déploiement],
// "porte" [porte porter].
func (t *Table) Lemmas(word string) []string {
	rs := t.Lookup(word)
	if len(rs) == 0 {
		return nil
	}
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		if len(out) == 0 || out[len(out)-1] != r.Lemma {
			out = append(out, r.Lemma)
		}
	}
	return out
}

// POS returns the parts of speech of all the lemmas of a word form, 0 for
// an unknown word.
func (t *Table) POS(word string) POS {
	var p POS
	for _, r := range t.Lookup(word) {
		p |= r.POS
	}
	return p
}

// Grammatical reports whether one of the parts of speech is a grammatical
// word's (determiner, pronoun, preposition, conjunction, auxiliary...).
func (p POS) Grammatical() bool { return p&grammatical != 0 }

// IsGrammatical reports whether a word form can be a grammatical word
// (determiner, pronoun, preposition, conjunction, auxiliary, negation,
// interrogative adverb...): "les", "aux", "quand", "est", "sont", "où".
// One such reading suffices: "car" and "or" are conjunctions as well as
// nouns.
func (t *Table) IsGrammatical(word string) bool {
	return t.POS(word).Grammatical()
}

// Known reports whether the dictionary holds the word form.
func (t *Table) Known(word string) bool {
	r, _ := t.refs(word)
	return len(r) > 0
}

// own returns the lemma records a word stands for: the lemmas it spells
// itself when it is one ("porte" is the noun, not a form of porter), else
// all its lemmas ("conservés" stands for conserver and conserve).
func (t *Table) own(word string) []uint32 {
	refs, key := t.refs(word)
	var self []uint32
	for _, r := range refs {
		if rec, ok := t.record(r); ok && Fold(string(rec.spelling)) == key {
			self = append(self, r)
		}
	}
	if len(self) > 0 {
		return self
	}
	return refs
}

// spellings returns the lemma spellings of records, without duplicates,
// leaving out the excluded ones.
func (t *Table) spellings(refs []uint32, exclude []uint32) []string {
	var out []string
	seen := map[uint32]bool{}
	for _, r := range exclude {
		seen[r] = true
	}
	for _, r := range refs {
		if seen[r] {
			continue
		}
		seen[r] = true
		if rec, ok := t.record(r); ok {
			out = append(out, string(rec.spelling))
		}
	}
	return out
}

// Related returns the thesaurus neighbours of a word, closest first: lemmas
// that share most of their own neighbours with it, in a part of speech it
// has ("conserver" gives sauvegarder, garder, préserver, stocker...). The
// word is taken as the lemma it spells, or else as its lemmas. The
// thesaurus is general French and noisy: weigh its words low, and only use
// those the documents hold.
func (t *Table) Related(word string) []string {
	own := t.own(word)
	var refs []uint32
	for _, r := range own {
		refs = append(refs, t.thesaurus(r)...)
	}
	return t.spellings(refs, own)
}

// Family returns the nouns and verbs derived from one another with the
// word's lemma, found by French suffixes and checked against the
// dictionary: "déployer" gives [déploiement], "conservation" [conserver],
// "utiliser" [utilisation utilisateur...]. The word is taken as the lemma
// it spells, or else as its lemmas.
func (t *Table) Family(word string) []string {
	own := t.own(word)
	var refs []uint32
	for _, r := range own {
		rec, ok := t.record(r)
		if !ok {
			continue
		}
		for i := range rec.nfamily {
			if f, ok := ref(t.lemmas, rec.family+i*refSize); ok {
				refs = append(refs, f)
			}
		}
	}
	return t.spellings(refs, own)
}

// English returns the French translations of an English word or short
// expression, as FreeDict gives them (words or expressions, lemmas in
// their dictionary form): "keep" gives garder, conserver...; "password"
// gives mot de passe when the dictionary has it. Plural and inflected
// forms are tried as their base ("logs", "deployed", "storing").
func (t *Table) English(words string) []string {
	key := Fold(strings.Join(strings.Fields(words), " "))
	for _, k := range englishCandidates(key) {
		if s := t.englishText(k); s != "" {
			return strings.Split(s, "|")
		}
	}
	return nil
}

// englishCandidates are the keys to try for an English word: itself, then
// the base forms its inflection may come from ("stored" → store, stor).
func englishCandidates(w string) []string {
	out := []string{w}
	if strings.ContainsRune(w, ' ') || len(w) < 4 {
		return out
	}
	add := func(stem, suffix string) {
		if len(stem) >= 2 {
			out = append(out, stem+suffix)
		}
	}
	undouble := func(s string) {
		if n := len(s); n >= 3 && s[n-1] == s[n-2] && !strings.ContainsRune("aeiouls", rune(s[n-1])) {
			add(s[:n-1], "")
		}
	}
	switch {
	case strings.HasSuffix(w, "ies"):
		add(w[:len(w)-3], "y")
	case strings.HasSuffix(w, "ied"):
		add(w[:len(w)-3], "y")
	case strings.HasSuffix(w, "ing"):
		s := w[:len(w)-3]
		add(s, "")
		add(s, "e")
		undouble(s)
	case strings.HasSuffix(w, "ed"):
		s := w[:len(w)-2]
		add(s, "")
		add(s, "e")
		undouble(s)
	case strings.HasSuffix(w, "es"):
		add(w[:len(w)-1], "")
		add(w[:len(w)-2], "")
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		add(w[:len(w)-1], "")
	}
	return out
}

// defaultTable is the embedded table, opened on first use.
var defaultTable = sync.OnceValues(func() (*Table, error) {
	return Open(formsFST, lemmasBin, thesaurusBin, englishFST, englishTxt)
})

// Default returns the embedded table, opened on first call. It fails only
// if the embedded data is damaged, which the package's tests rule out.
func Default() (*Table, error) { return defaultTable() }

func def() *Table {
	t, err := defaultTable()
	if err != nil {
		return empty
	}
	return t
}

// empty answers nothing; it stands in for a damaged embedded table.
var empty = func() *Table {
	t, err := Open(emptyFST(), []byte(magicLemmas+"\x00\x00\x00\x00"), nil, nil, nil)
	if err != nil {
		panic(err)
	}
	return t
}()

// Lookup returns the readings of a word form in the embedded table; see
// Table.Lookup.
func Lookup(word string) []Reading { return def().Lookup(word) }

// Lemmas returns the lemmas of a word form in the embedded table; see
// Table.Lemmas.
func Lemmas(word string) []string { return def().Lemmas(word) }

// PartsOfSpeech returns the parts of speech of a word form's lemmas in the
// embedded table; see Table.POS.
func PartsOfSpeech(word string) POS { return def().POS(word) }

// IsGrammatical reports whether a word form can be a grammatical word; see
// Table.IsGrammatical.
func IsGrammatical(word string) bool { return def().IsGrammatical(word) }

// Known reports whether the embedded dictionary holds a word form.
func Known(word string) bool { return def().Known(word) }

// Related returns the thesaurus neighbours of a word in the embedded
// table; see Table.Related.
func Related(word string) []string { return def().Related(word) }

// Family returns the noun–verb family of a word in the embedded table; see
// Table.Family.
func Family(word string) []string { return def().Family(word) }

// English returns the French translations of English words in the
// embedded table; see Table.English.
func English(words string) []string { return def().English(words) }
