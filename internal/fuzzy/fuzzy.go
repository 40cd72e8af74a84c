// Package fuzzy finds the nearest word in a small list, for "did you mean"
// hints on mistyped commands and answers.
package fuzzy

import "strings"

// Distance is the Levenshtein edit distance between a and b, in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Closest returns the candidate nearest to s (case-insensitive), or "" when
// none is within a plausible typo: 1 edit for short words, 2 for longer ones.
func Closest(s string, candidates []string) string {
	s = strings.ToLower(s)
	maxD := 1
	if len([]rune(s)) > 4 {
		maxD = 2
	}
	best, bestD := "", maxD+1
	for _, c := range candidates {
		if d := Distance(s, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
