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
	_, before := RankLoss(search.PriorRanking, qs)
	w := FitRanking(qs)
	_, after := RankLoss(w, qs)
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

func TestRankSourceIsGo(t *testing.T) {
	src := RankSource(search.PriorRanking, []string{"a.yaml (3 questions)"})
	if _, err := parser.ParseFile(token.NewFileSet(), "rank_model.go", src, 0); err != nil {
		t.Fatalf("generated source does not parse: %v\n%s", err, src)
	}
}
