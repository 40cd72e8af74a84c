package analytics

import (
	"sort"
	"strings"
	"time"
)

// Group is a set of similar unanswered questions.
type Group struct {
	Count   int
	Example string    // the most frequent wording (the latest of its kind)
	Terms   []string  // the significant terms the group is built around
	Last    time.Time // when one of them was last asked
	// Wordings is how many different wordings the group holds.
	Wordings int
}

// Grouper gathers similar questions, one at a time, then Groups sorts
// them. The rule is simple enough to explain to a content owner:
//
//  1. each question is reduced to its key, its significant terms
//     (QuestionKey): "Comment déployer mon appli ?" and "déploiement
//     appli" both become "appli deploi";
//  2. questions with the same key are one wording;
//  3. wordings, most frequent first, join the first group whose own key
//     shares at least half of the terms of the two together (Jaccard
//     index >= 1/2: "mdp oubli" joins "mdp", "cle ssh" does not join
//     "cle gpg"); otherwise they start a group.
type Grouper struct {
	byKey map[string]*wording
}

type wording struct {
	key      string
	terms    []string
	count    int
	example  string
	examples map[string]int // texts and their counts, bounded
	last     time.Time
}

// maxExamples bounds the distinct texts remembered per wording.
const maxExamples = 8

// NewGrouper returns an empty grouper.
func NewGrouper() *Grouper { return &Grouper{byKey: map[string]*wording{}} }

// Add counts one question; key is QuestionKey(text), or "" to compute it.
func (g *Grouper) Add(text, key string, at time.Time) {
	if key == "" {
		key = QuestionKey(text)
	}
	if key == "" {
		key = "\x00" + strings.ToLower(strings.Join(strings.Fields(text), " "))
	}
	w := g.byKey[key]
	if w == nil {
		w = &wording{key: key, examples: map[string]int{}}
		if !strings.HasPrefix(key, "\x00") {
			w.terms = strings.Fields(key)
		}
		g.byKey[key] = w
	}
	w.count++
	if at.After(w.last) {
		w.last = at
	}
	if n, ok := w.examples[text]; ok || len(w.examples) < maxExamples {
		w.examples[text] = n + 1
		if w.example == "" || w.examples[text] > w.examples[w.example] ||
			(w.examples[text] == w.examples[w.example] && !at.Before(w.last)) {
			w.example = text
		}
	}
}

// Groups returns the groups, largest first (then the most recent).
func (g *Grouper) Groups() []Group {
	ws := make([]*wording, 0, len(g.byKey))
	for _, w := range g.byKey {
		ws = append(ws, w)
	}
	sort.Slice(ws, func(i, j int) bool {
		if ws[i].count != ws[j].count {
			return ws[i].count > ws[j].count
		}
		if !ws[i].last.Equal(ws[j].last) {
			return ws[i].last.After(ws[j].last)
		}
		return ws[i].key < ws[j].key
	})
	type group struct {
		Group
		size  int // terms in the group's key
		first *wording
	}
	var groups []*group
	byTerm := map[string][]int{} // term -> groups whose key holds it
	var shared []int             // per group, terms shared with the wording at hand
	var touched []int            // groups with shared > 0
	for _, w := range ws {
		best := -1
		if len(w.terms) > 0 {
			for _, t := range w.terms {
				for _, gi := range byTerm[t] {
					if shared[gi] == 0 {
						touched = append(touched, gi)
					}
					shared[gi]++
				}
			}
			bestScore := 0.0
			for _, gi := range touched {
				n := shared[gi]
				shared[gi] = 0
				union := len(w.terms) + groups[gi].size - n
				score := float64(n) / float64(union)
				if score >= 0.5 && (score > bestScore || score == bestScore && gi < best) {
					best, bestScore = gi, score
				}
			}
			touched = touched[:0]
		}
		if best < 0 {
			gr := &group{Group: Group{Terms: w.terms, Example: w.example}, size: len(w.terms), first: w}
			groups = append(groups, gr)
			shared = append(shared, 0)
			for _, t := range w.terms {
				byTerm[t] = append(byTerm[t], len(groups)-1)
			}
			best = len(groups) - 1
		}
		gr := groups[best]
		gr.Count += w.count
		gr.Wordings++
		if w.last.After(gr.Last) {
			gr.Last = w.last
		}
	}
	out := make([]Group, len(groups))
	for i, gr := range groups {
		out[i] = gr.Group
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Last.After(out[j].Last)
	})
	return out
}
