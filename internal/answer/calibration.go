package answer

import (
	"math"

	"github.com/cloud-pi-native/parcours/internal/search"
)

// Signals are the query-normalised evidence about the first page of a
// ranking, from which parcours decides how sure it is. Raw scores cannot
// tell an off-topic question from a real one (their ranges overlap); these
// can, in combination, and the combination is learned from question sets
// (see Model and "parcours calibrate"), not written by hand.
type Signals struct {
	Coverage  float64 // weighted share of the question's concepts the first page holds
	Gap       float64 // 1 - second score / first score
	Unknown   float64 // weighted share of the question's concepts no page holds
	Rarest    float64 // weight of the heaviest concept the first page holds / heaviest of the question
	Proximity float64 // how close together the first page holds them
	Concepts  float64 // substantive concepts of the question, up to 8, over 8
	Second    float64 // coverage of the second page
	English   float64 // 1 for a question in English
	// UnknownWords is the weighted share of the question's concepts no
	// page holds (or only through related words) that are dictionary words (French, or English with a
	// translation): "remboursement", "imprimante". Typos and names are not.
	UnknownWords float64
	// Jargon is the weighted share of the concepts the first page holds
	// that are not dictionary words: tool names, acronyms, jargon, the
	// documentation's own vocabulary. Off-topic questions meet pages
	// through general words ("bleu", "taux", "ministère").
	Jargon float64
	// Matched is the number of substantive concepts the first page holds,
	// up to 4, over 4; Specific the weight of the rarest of them over the
	// highest weight a word can have in this base.
	Matched, Specific float64
}

// Vector returns the signals in the models' order (SignalNames).
func (s Signals) Vector() []float64 {
	return []float64{s.Coverage, s.Gap, s.Unknown, s.Rarest, s.Proximity, s.Concepts, s.Second, s.English, s.UnknownWords, s.Jargon, s.Matched, s.Specific}
}

// SignalNames name the entries of the vector, for the calibration report.
var SignalNames = []string{"coverage", "gap", "unknown", "rarest", "proximity", "concepts", "second", "english", "unknown_words", "jargon", "matched", "specific"}

// Model is a logistic model over Signals.
type Model struct {
	Weights []float64
	Bias    float64
}

// Expand returns the model's inputs for a signal vector: the signals,
// then the products of every pair of them (how sure coverage is depends on
// how many concepts the question has, on whether they are jargon...).
func Expand(x []float64) []float64 {
	out := append([]float64(nil), x...)
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			out = append(out, x[i]*x[j])
		}
	}
	return out
}

// P is the model's probability for these signals.
func (m Model) P(s Signals) float64 { return m.PInputs(Expand(s.Vector())) }

// PInputs is the model's probability for inputs already expanded.
func (m Model) PInputs(x []float64) float64 {
	z := m.Bias
	for i, w := range m.Weights {
		if i < len(x) {
			z += w * x[i]
		}
	}
	return 1 / (1 + math.Exp(-z))
}

// signalsOf computes the signals of a search result.
func signalsOf(res *search.Result, english bool) Signals {
	var s Signals
	if english {
		s.English = 1
	}
	total, unknown, words, heaviest, subst := 0.0, 0.0, 0.0, 0.0, 0
	for i := range res.Concepts {
		c := &res.Concepts[i]
		total += c.Weight
		heaviest = math.Max(heaviest, c.Weight)
		switch {
		case c.Unknown:
			unknown += c.Weight
		case c.Rescued:
			// Known only through the lexicon: half unknown.
			unknown += c.Weight / 2
		}
		if (c.Unknown || c.Rescued) && c.Word {
			words += c.Weight
		}
		if c.Substantive() {
			subst++
		}
	}
	if total > 0 {
		s.Unknown, s.UnknownWords = unknown/total, words/total
	}
	s.Concepts = float64(min(subst, 8)) / 8
	if len(res.Hits) == 0 {
		return s
	}
	top := res.Hits[0]
	s.Coverage, s.Proximity, s.Gap = top.Coverage, top.Proximity, 1
	if len(res.Hits) > 1 && top.Score > 0 {
		s.Gap = 1 - res.Hits[1].Score/top.Score
		s.Second = res.Hits[1].Coverage
	}
	rarest, matched, jargon, n := 0.0, 0.0, 0.0, 0
	for i, m := range top.Matched {
		if m && i < len(res.Concepts) {
			c := &res.Concepts[i]
			rarest = math.Max(rarest, c.Weight)
			matched += c.Weight
			if !c.Word {
				jargon += c.Weight
			}
			if c.Substantive() {
				n++
			}
		}
	}
	s.Matched = float64(min(n, 4)) / 4
	if res.MaxWeight > 0 {
		s.Specific = math.Min(1, rarest/res.MaxWeight)
	}
	if matched > 0 {
		s.Jargon = jargon / matched
	}
	if heaviest > 0 {
		s.Rarest = rarest / heaviest
	}
	return s
}

// Calibration decides the tier of an answer: sure when the probability
// that the first page is right reaches SureAt, tentative when the
// probability that the question is answerable reaches AnswerAt, none
// otherwise.
type Calibration struct {
	Correct, Answerable Model
	SureAt, AnswerAt    float64
}
