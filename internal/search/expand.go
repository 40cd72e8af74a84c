package search

import (
	"github.com/cloud-pi-native/parcours/internal/lexicon"
)

// Expansion from the French lexicon (internal/lexicon), restricted to the
// words the index holds: for a word no page holds, its dictionary form
// ("envoient" finds "envoyer") and its noun–verb family ("déployer" finds
// "déploiement"); for English questions and unknown words, English–French
// translations ("keep" finds "conserver"). A dictionary form weighs as the
// user's word; the others weigh less, in the query and in the coverage that
// makes the confidence.
//
// The thesaurus (mythes-fr) is not used for ranking: measured on four blind
// sets, its neighbours on every word moved MRR by +0.03 on two sets and
// -0.05 on another, and on unknown words only they made off-topic questions
// look answerable ("les misérables" met pages through its neighbours).
const (
	familyWeight  = 0.8
	englishWeight = 0.9

	maxFamily  = 3
	maxEnglish = 4
)

// expand adds to a one-word concept the related words the index holds.
func (ix *Index) expand(c *Concept, req Request) {
	own := c.Alts[0].Terms[0]
	if IsFiller(own) || isDigit(own) {
		return
	}
	word := c.Alts[0].Text
	seen := map[string]bool{}
	for _, a := range c.Alts {
		for _, t := range a.Terms {
			seen[t] = true
		}
	}
	add := func(words []string, weight float64, limit int) {
		n := 0
		for _, w := range words {
			if n == limit {
				return
			}
			ts := Terms(w)
			if len(ts) == 0 || seen[ts[len(ts)-1]] && len(ts) == 1 {
				continue
			}
			known := true
			for _, t := range ts {
				known = known && ix.df[t] > 0 && !IsFiller(t)
			}
			if !known {
				continue
			}
			for _, t := range ts {
				seen[t] = true
			}
			c.Alts = append(c.Alts, Alt{Text: w, Terms: ts, Weight: weight})
			n++
		}
	}
	unknown := ix.df[own] == 0
	// In a French question, an unknown word of the French dictionary is
	// French: read as English, "misérables" became "mal", "mauvais".
	if req.English || unknown && !lexicon.Known(word) {
		add(lexicon.English(word), englishWeight, maxEnglish)
	}
	// Families only rescue a word no page holds: for a word the pages
	// use, they added more noise than they found.
	if unknown {
		// Another form of the same word first: the light stemmer leaves
		// "usagère" and "usager", "envoient" and "envoyer" apart.
		add(lexicon.Lemmas(word), 1, maxFamily)
		add(lexicon.Family(word), familyWeight, maxFamily)
	}
}

// Neighbours returns up to n words the French thesaurus relates to word
// and that the index holds, closest first: what to suggest when the word
// itself is unknown ("rétention" for "gardés"). The thesaurus is too noisy
// to rank with, not to suggest.
func (ix *Index) Neighbours(word string, n int) []string {
	var out []string
	for _, w := range lexicon.Related(word) {
		if len(out) == n {
			break
		}
		ts := Terms(w)
		if len(ts) == 1 && ix.df[ts[0]] > 0 && !IsFiller(ts[0]) && !IsEveryday(ts[0]) {
			out = append(out, w)
		}
	}
	return out
}
