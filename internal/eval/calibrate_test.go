package eval

import (
	"math"
	"math/rand/v2"
	"testing"
)

// On questions whose first signal tells right from wrong and whose third
// tells answerable from off-topic, the learned calibration meets its two
// targets: sure answers right SurePrecision of the time, at most
// MaxRefused of the answerable refused.
func TestFitMeetsItsTargets(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var samples []Sample
	for range 400 {
		s := Sample{X: make([]float64, 12)}
		s.Answerable = r.Float64() < 0.85
		if s.Answerable {
			s.Correct = r.Float64() < 0.7
		}
		for j := range s.X {
			s.X[j] = r.Float64()
		}
		if s.Correct {
			s.X[0] = 0.5 + 0.5*r.Float64()
		} else {
			s.X[0] = 0.6 * r.Float64()
		}
		if s.Answerable {
			s.X[2] = 0.5 * r.Float64()
		} else {
			s.X[2] = 0.4 + 0.6*r.Float64()
		}
		samples = append(samples, s)
	}
	c, err := Fit(samples)
	if err != nil {
		t.Fatal(err)
	}
	var sure, sureRight, ans, refused int
	for _, s := range samples {
		pc, pa := c.Correct.PInputs(s.X), c.Answerable.PInputs(s.X)
		if pc >= c.SureAt {
			sure++
			if s.Correct {
				sureRight++
			}
		}
		if s.Answerable {
			ans++
			if pc < c.SureAt && pa < c.AnswerAt {
				refused++
			}
		}
	}
	if sure == 0 || float64(sureRight) < SurePrecision*float64(sure) {
		t.Errorf("sure answers right %d/%d, want at least %.0f %%", sureRight, sure, 100*SurePrecision)
	}
	if float64(refused) > MaxRefused*float64(ans)+1 {
		t.Errorf("%d/%d answerable refused, want at most %.0f %%", refused, ans, 100*MaxRefused)
	}
	if c.Correct.Weights[0] <= 0 || c.Answerable.Weights[2] >= 0 {
		t.Errorf("the models did not learn the signals' direction: %+v", c)
	}
	if _, err := Fit(samples[:5]); err == nil {
		t.Error("five questions cannot calibrate anything")
	}
}

// Separation compares signals whatever the thresholds: margins that put
// every answerable question above every off-topic one separate perfectly,
// and a refusal line at the answerable questions' 4th percentile refuses
// the off-topic questions below it.
func TestSeparation(t *testing.T) {
	ans := make([]float64, 100)
	for i := range ans {
		ans[i] = float64(i) / 100 // 0 .. 0.99
	}
	auc, off := Separation(ans, []float64{-1, -0.5, 0.02, 0.5}, 0.04)
	// Answerable margins above each off-topic one, ties counting half:
	// 100, 100, 97.5 and 49.5 of 100. Three are below the line (0.04).
	if want := (100 + 100 + 97.5 + 49.5) / 400.0; math.Abs(auc-want) > 1e-9 || off != 0.75 {
		t.Errorf("Separation = %.4f, %.2f; want %.4f, 0.75", auc, off, want)
	}
	if auc, _ := Separation([]float64{1, 2}, []float64{0, 0}, 0); auc != 1 {
		t.Errorf("perfect separation: AUC %v", auc)
	}
}
