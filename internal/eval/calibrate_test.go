package eval

import (
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
		sig := signalsFrom(s.X)
		pc, pa := c.Correct.P(sig), c.Answerable.P(sig)
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
