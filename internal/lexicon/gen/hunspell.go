package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cloud-pi-native/parcours/internal/lexicon"
)

// A Hunspell dictionary: the affix file's suffix rules and special flags,
// and the .dic entries, expanded to (form, lemma) pairs. Only suffixes are
// expanded: the prefixes of the French dictionary are elisions (l', d',
// qu'...) that the search analyzer removes, and unit prefixes (kilo-,
// méga-) that we do not need.

// affix is one suffix rule: remove strip from the end of a root whose end
// matches cond, then append add.
type affix struct {
	strip, add string
	cond       []charClass
}

// charClass is one position of a rule condition: a letter, "." or a
// bracketed set, possibly negated.
type charClass struct {
	any    bool
	negate bool
	runes  []rune
}

func (c charClass) match(r rune) bool {
	if c.any {
		return true
	}
	in := false
	for _, x := range c.runes {
		if x == r {
			in = true
			break
		}
	}
	return in != c.negate
}

// parseCondition parses a Hunspell affix condition ("[^sxz]", "[aeo]u",
// "ail", ".").
func parseCondition(s string) ([]charClass, error) {
	var out []charClass
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '.':
			out = append(out, charClass{any: true})
		case '[':
			j := i + 1
			c := charClass{}
			if j < len(rs) && rs[j] == '^' {
				c.negate = true
				j++
			}
			for ; j < len(rs) && rs[j] != ']'; j++ {
				c.runes = append(c.runes, rs[j])
			}
			if j == len(rs) {
				return nil, fmt.Errorf("condition %q: crochet non fermé", s)
			}
			out = append(out, c)
			i = j
		case ']':
			return nil, fmt.Errorf("condition %q: crochet non ouvert", s)
		default:
			out = append(out, charClass{runes: []rune{rs[i]}})
		}
	}
	return out, nil
}

// apply returns the form a rule makes of a root, if the rule applies.
func (a affix) apply(root string) (string, bool) {
	if !strings.HasSuffix(root, a.strip) {
		return "", false
	}
	rs := []rune(root)
	if len(a.cond) > len(rs) {
		return "", false
	}
	tail := rs[len(rs)-len(a.cond):]
	for i, c := range a.cond {
		if !c.match(tail[i]) {
			return "", false
		}
	}
	form := root[:len(root)-len(a.strip)] + a.add
	if form == "" {
		return "", false
	}
	return form, true
}

// affixFile is what the generator needs of a .aff file.
type affixFile struct {
	suffixes  map[string][]affix // flag → rules
	needAffix string             // flag of roots that are not words alone
	forbidden string             // flag of forbidden words
}

// parseAffix reads a .aff file with "FLAG long" (two-character flags), as
// the French dictionary has.
func parseAffix(r io.Reader) (*affixFile, error) {
	af := &affixFile{suffixes: map[string][]affix{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	line := 0
	long := false
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "FLAG":
			if len(f) < 2 || f[1] != "long" {
				return nil, fmt.Errorf("ligne %d: seul FLAG long est pris en charge", line)
			}
			long = true
		case "NEEDAFFIX":
			if len(f) > 1 {
				af.needAffix = f[1]
			}
		case "FORBIDDENWORD":
			if len(f) > 1 {
				af.forbidden = f[1]
			}
		case "SFX":
			if len(f) == 4 {
				// Header: SFX flag cross count.
				if _, err := strconv.Atoi(f[3]); err != nil {
					return nil, fmt.Errorf("ligne %d: en-tête SFX: %w", line, err)
				}
				continue
			}
			if len(f) < 5 {
				return nil, fmt.Errorf("ligne %d: règle SFX incomplète", line)
			}
			a := affix{strip: f[2], add: f[3]}
			if a.strip == "0" {
				a.strip = ""
			}
			if i := strings.IndexByte(a.add, '/'); i >= 0 {
				a.add = a.add[:i] // continuation flags: elision prefixes only
			}
			if a.add == "0" {
				a.add = ""
			}
			cond, err := parseCondition(f[4])
			if err != nil {
				return nil, fmt.Errorf("ligne %d: %w", line, err)
			}
			a.cond = cond
			af.suffixes[f[1]] = append(af.suffixes[f[1]], a)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("lecture: %w", err)
	}
	if !long {
		return nil, errors.New("FLAG long absent")
	}
	return af, nil
}

// entry is one line of a .dic file.
type entry struct {
	word  string
	flags []string
	morph []string // po:nom, is:mas, st:stem...
}

// parseEntry parses "word/flags morph..." (flags optional).
func parseEntry(line string) (entry, bool) {
	line = strings.TrimSpace(line)
	if line == "" {
		return entry{}, false
	}
	head, rest, _ := strings.Cut(strings.ReplaceAll(line, "\t", " "), " ")
	e := entry{morph: strings.Fields(rest)}
	word, flags, _ := strings.Cut(head, "/")
	if word == "" || !utf8.ValidString(word) {
		return entry{}, false
	}
	e.word = word
	rs := []rune(flags)
	for i := 0; i+1 < len(rs); i += 2 {
		e.flags = append(e.flags, string(rs[i:i+2]))
	}
	return e, true
}

func (e entry) has(flag string) bool {
	for _, f := range e.flags {
		if f == flag {
			return true
		}
	}
	return false
}

// field returns the value of the first morphological field with a prefix
// ("st:").
func (e entry) field(prefix string) string {
	for _, m := range e.morph {
		if strings.HasPrefix(m, prefix) {
			return m[len(prefix):]
		}
	}
	return ""
}

// partsOfSpeech maps the dictionary's "po:" tags to lexicon.POS.
func (e entry) partsOfSpeech() lexicon.POS {
	var p lexicon.POS
	for _, m := range e.morph {
		tag, ok := strings.CutPrefix(m, "po:")
		if !ok {
			continue
		}
		switch {
		case tag == "nom" || tag == "titr":
			p |= lexicon.Noun
		case tag == "adj":
			p |= lexicon.Adjective
		case strings.HasPrefix(tag, "v0"):
			p |= lexicon.Verb | lexicon.Auxiliary
		case len(tag) >= 2 && tag[0] == 'v' && '1' <= tag[1] && tag[1] <= '3':
			p |= lexicon.Verb
		case tag == "adv" || tag == "advint" || tag == "negadv":
			p |= lexicon.Adverb
		case tag == "npr" || tag == "prn" || tag == "patr":
			p |= lexicon.ProperNoun
		case tag == "mg":
			p |= lexicon.Grammatical
		case strings.HasPrefix(tag, "det"):
			p |= lexicon.Determiner
		case strings.HasPrefix(tag, "pro") || tag == "preverb":
			p |= lexicon.Pronoun
		case tag == "prep" || tag == "prepv":
			p |= lexicon.Preposition
		case strings.HasPrefix(tag, "cj"):
			p |= lexicon.Conjunction
		case tag == "interj":
			p |= lexicon.Interjection
		case tag == "nb" || tag == "nbro":
			p |= lexicon.Number
		case strings.HasPrefix(tag, "loc."):
			p |= lexicon.Locution
		}
	}
	return p
}

// skipFlags mark entries left out: unit symbols, which take the metric
// prefixes ("A" for ampère would make "a" a noun).
var skipFlags = []string{"Um", "Ui", "U."}

// expand returns the forms of an entry: the root (unless it needs an
// affix) and what each of its suffix rules makes of it.
func (af *affixFile) expand(e entry) []string {
	var out []string
	if !e.has(af.needAffix) {
		out = append(out, e.word)
	}
	for _, f := range e.flags {
		for _, a := range af.suffixes[f] {
			if form, ok := a.apply(e.word); ok {
				out = append(out, form)
			}
		}
	}
	return out
}

// dicStats counts what loadDic did.
type dicStats struct {
	entries, skipped, forms int
}

// loadDic reads a .dic file and adds every form with its lemma to b.
func loadDic(r io.Reader, af *affixFile, b *lexicon.Builder) (dicStats, error) {
	var st dicStats
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	first := true
	for sc.Scan() {
		if first {
			first = false
			if _, err := strconv.Atoi(strings.TrimSpace(sc.Text())); err == nil {
				continue // the entry count
			}
		}
		e, ok := parseEntry(sc.Text())
		if !ok {
			continue
		}
		st.entries++
		pos := e.partsOfSpeech()
		if pos == 0 || e.has(af.forbidden) || !hasLetter(e.word) || e.field("po:") == "err" {
			st.skipped++
			continue
		}
		skip := false
		for _, f := range skipFlags {
			skip = skip || e.has(f)
		}
		if skip {
			st.skipped++
			continue
		}
		lemma := e.word
		if s := e.field("st:"); s != "" {
			lemma = s
		}
		for _, form := range af.expand(e) {
			b.AddForm(form, lemma, pos)
			st.forms++
		}
	}
	if err := sc.Err(); err != nil {
		return st, fmt.Errorf("lecture: %w", err)
	}
	return st, nil
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
