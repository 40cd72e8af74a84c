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
}

// vector is the model's input; the order is the models' weights' order.
func (s Signals) vector() []float64 {
	return []float64{s.Coverage, s.Gap, s.Unknown, s.Rarest, s.Proximity, s.Concepts, s.Second, s.English}
}

// SignalNames name the entries of the vector, for the calibration report.
var SignalNames = []string{"coverage", "gap", "unknown", "rarest", "proximity", "concepts", "second", "english"}

// Vector returns the signals in model order.
func (s Signals) Vector() []float64 { return s.vector() }

// Model is a logistic model over Signals.
type Model struct {
	Weights []float64
	Bias    float64
}

// P is the model's probability for these signals.
func (m Model) P(s Signals) float64 {
	x := s.vector()
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
	total, unknown, heaviest, subst := 0.0, 0.0, 0.0, 0
	for i := range res.Concepts {
		c := &res.Concepts[i]
		total += c.Weight
		heaviest = math.Max(heaviest, c.Weight)
		if c.Unknown {
			unknown += c.Weight
		}
		if c.Substantive() {
			subst++
		}
	}
	if total > 0 {
		s.Unknown = unknown / total
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
	rarest := 0.0
	for i, m := range top.Matched {
		if m && i < len(res.Concepts) {
			rarest = math.Max(rarest, res.Concepts[i].Weight)
		}
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
