package eval

import (
	"go/parser"
	"go/token"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/search"
)

// rankQueries builds questions where the expected page is the one feature k
// marks, while bleve's score prefers another page.
func rankQueries(k int, n int) []RankQuery {
	var qs []RankQuery
	for i := range n {
		good := make([]float64, search.NumFeatures)
		bad := make([]float64, search.NumFeatures)
		good[k] = 1
		good[0] = -0.3 // bleve's score is lower for the expected page
		other := make([]float64, search.NumFeatures)
		other[0] = -2
		rq := RankQuery{X: [][]float64{bad, good, other}, Offset: []float64{0, 0, 0}, Relevant: []bool{false, true, false}}
		if i%5 == 0 { // some questions where the feature misleads
			rq.Relevant = []bool{true, false, false}
		}
		qs = append(qs, rq)
	}
	return qs
}

func TestFitRankingLearnsWhatPutsTheExpectedPageFirst(t *testing.T) {
	const k = 3 // a feature the hand-set formula ignores
	qs := rankQueries(k, 50)
	before := RankQuality(search.PriorRanking, qs).Hit1
	w := FitRanking(qs)
	after := RankQuality(w, qs).Hit1
	if w[k] <= 0.3 {
		t.Errorf("weight of a feature marking the expected page: %v", w[k])
	}
	if after <= before {
		t.Errorf("first page expected: %.2f before learning, %.2f after", before, after)
	}
	if after < 0.75 || after > 0.85 {
		t.Errorf("the misleading fifth of questions should stay wrong: %.2f", after)
	}
}

func TestFitRankingStaysAtTheFormulaWithoutEvidence(t *testing.T) {
	if w := FitRanking(nil); w != search.PriorRanking {
		t.Errorf("no questions: %v, want %v", w, search.PriorRanking)
	}
	// Questions a feature does not tell apart leave it where it was.
	qs := rankQueries(3, 30)
	w := FitRanking(qs)
	for k := range w {
		if k != 0 && k != 3 && w[k] != search.PriorRanking[k] {
			t.Errorf("feature %s moved without evidence: %v", search.FeatureNames[k], w[k])
		}
	}
}

// The figures count where the first expected page stands: first (hit@1),
// among three (hit@3), its reciprocal rank; pooled by question count.
func TestRankQuality(t *testing.T) {
	x := func(v float64) []float64 { f := make([]float64, search.NumFeatures); f[0] = v; return f }
	q := func(rel int) RankQuery { // four candidates scored 3, 2, 1, 0 by bleve alone
		r := RankQuery{X: [][]float64{x(3), x(2), x(1), x(0)}, Offset: make([]float64, 4), Relevant: make([]bool, 4)}
		r.Relevant[rel] = true
		return r
	}
	f := RankQuality(search.PriorRanking, []RankQuery{q(0), q(2), q(3)})
	if f.N != 3 || f.Hit1 != 1.0/3 || f.Hit3 != 2.0/3 || f.MRR != (1+1.0/3+0.25)/3 {
		t.Errorf("RankQuality = %+v", f)
	}
	g := f.Add(RankFigures{Hit1: 1, Hit3: 1, MRR: 1, N: 1})
	if g.N != 4 || g.Hit1 != 0.5 || g.Hit3 != 0.75 {
		t.Errorf("pooled = %+v", g)
	}
}

func TestRankSourceIsGo(t *testing.T) {
	src := RankSource(search.PriorRanking, []string{"a.yaml (3 questions)"})
	if _, err := parser.ParseFile(token.NewFileSet(), "rank_model.go", src, 0); err != nil {
		t.Fatalf("generated source does not parse: %v\n%s", err, src)
	}
}
