package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/lexicon"
)

// The MyThes thesaurus (thes_fr.dat): a "UTF-8" line, then entries of a
// "word|n" line followed by n sense lines "(Part of speech)|syn|syn...".

// parseMythes returns each headword's neighbours in file order, without
// duplicates.
func parseMythes(r io.Reader) (map[string][]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	if !sc.Scan() {
		return nil, errors.New("fichier vide")
	}
	if enc := strings.TrimSpace(sc.Text()); !strings.EqualFold(enc, "UTF-8") {
		return nil, fmt.Errorf("encodage %q non pris en charge", enc)
	}
	out := map[string][]string{}
	line := 1
	for sc.Scan() {
		line++
		text := sc.Text()
		if strings.TrimSpace(text) == "" {
			continue
		}
		i := strings.LastIndexByte(text, '|')
		if i <= 0 {
			return nil, fmt.Errorf("ligne %d: entrée sans nombre de sens", line)
		}
		word := text[:i]
		n, err := strconv.Atoi(text[i+1:])
		if err != nil || n < 0 || n > 1000 {
			return nil, fmt.Errorf("ligne %d: nombre de sens %q", line, text[i+1:])
		}
		seen := map[string]bool{word: true}
		for _, x := range out[word] {
			seen[x] = true
		}
		for range n {
			if !sc.Scan() {
				return nil, fmt.Errorf("ligne %d: sens manquants", line)
			}
			line++
			parts := strings.Split(sc.Text(), "|")
			for _, s := range parts[1:] {
				s = strings.TrimSpace(s)
				if s != "" && !seen[s] {
					seen[s] = true
					out[word] = append(out[word], s)
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("lecture: %w", err)
	}
	return out, nil
}

// Thesaurus pruning. The thesaurus mixes every sense of a word ("perdre":
// corrompre, égarer, gaspiller, mourir...), so a neighbour is kept when it
// is close in the graph: the two words share many of their own neighbours
// (cosine of the two neighbour sets).
const (
	maxNeighbours = 10  // per headword
	minCosine     = 0.2 // below, a neighbour is another sense's
	smallEntry    = 3   // entries this small are precise: kept whole
)

// contentPOS are the parts of speech a neighbour must share with its
// headword.
const contentPOS = lexicon.Noun | lexicon.Verb | lexicon.Adjective | lexicon.Adverb

// thesaurusStats counts what addThesaurus kept.
type thesaurusStats struct {
	headwords, kept, neighbours int
}

// addThesaurus maps the thesaurus to the lemmas of b, prunes it and sets
// each lemma's neighbours.
func addThesaurus(raw map[string][]string, b *lexicon.Builder) thesaurusStats {
	st := thesaurusStats{headwords: len(raw)}
	// toLemma maps a thesaurus word to a lemma of b: itself, or the only
	// lemma of its form ("torrentielle" → torrentiel). Expressions are
	// dropped.
	toLemma := func(w string) (string, lexicon.POS, bool) {
		if strings.ContainsAny(w, " ") {
			return "", 0, false
		}
		if p, ok := b.HasLemma(w); ok {
			return w, p, true
		}
		ls := b.LemmasOf(lexicon.Fold(w))
		if len(ls) != 1 {
			return "", 0, false
		}
		p, _ := b.HasLemma(ls[0])
		return ls[0], p, true
	}
	graph := map[string][]string{}
	for w, ns := range raw {
		hp, ok := b.HasLemma(w)
		if !ok || hp&lexicon.Auxiliary != 0 {
			// An inflected headword duplicates its lemma's entry; the
			// auxiliaries' entries are about the nouns "être" and "avoir",
			// which "sont" or "a" never mean.
			continue
		}
		seen := map[string]bool{w: true}
		for _, n := range ns {
			l, p, ok := toLemma(n)
			if !ok || seen[l] || p&hp&contentPOS == 0 {
				continue
			}
			seen[l] = true
			graph[w] = append(graph[w], l)
		}
	}
	sets := map[string]map[string]bool{}
	set := func(w string) map[string]bool {
		if s, ok := sets[w]; ok {
			return s
		}
		s := map[string]bool{}
		for _, n := range graph[w] {
			s[n] = true
		}
		sets[w] = s
		return s
	}
	cosine := func(a, c string) float64 {
		sa, sc := set(a), set(c)
		common := 0
		for x := range sa {
			if sc[x] {
				common++
			}
		}
		if common == 0 {
			return 0
		}
		return float64(common) / math.Sqrt(float64(len(sa)*len(sc)))
	}
	heads := make([]string, 0, len(graph))
	for w := range graph {
		heads = append(heads, w)
	}
	sort.Strings(heads)
	for _, w := range heads {
		ns := graph[w]
		if len(ns) > smallEntry {
			type scored struct {
				w     string
				score float64
			}
			sc := make([]scored, 0, len(ns))
			for _, n := range ns {
				if s := cosine(w, n); s >= minCosine {
					sc = append(sc, scored{n, s})
				}
			}
			sort.SliceStable(sc, func(i, j int) bool { return sc[i].score > sc[j].score })
			ns = ns[:0:0]
			for _, s := range sc {
				if len(ns) == maxNeighbours {
					break
				}
				ns = append(ns, s.w)
			}
		}
		if len(ns) == 0 {
			continue
		}
		b.SetRelated(w, ns)
		st.kept++
		st.neighbours += len(ns)
	}
	return st
}
