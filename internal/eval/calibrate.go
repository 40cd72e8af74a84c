package eval

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/answer"
)

// Sample is one question's signals and what was true of it.
type Sample struct {
	X          []float64
	Answerable bool // in scope
	Correct    bool // in scope and the first page is an expected one
}

// Collect asks every question of a set and keeps its signals.
func Collect(ctx context.Context, a Asker, set *Set) ([]Sample, error) {
	var out []Sample
	for _, q := range set.Questions {
		res, err := a.AskN(ctx, q.Text, 5)
		if err != nil {
			return nil, fmt.Errorf("question %q: %w", q.Text, err)
		}
		if res.Signals == nil {
			continue
		}
		s := Sample{X: answer.Expand(res.Signals.Vector()), Answerable: !q.OffTopic}
		if !q.OffTopic && len(res.Passages) > 0 && expected(q.Expected, res.Passages[0].Path) {
			s.Correct = true
		}
		out = append(out, s)
	}
	return out, nil
}

// Calibration targets: a sure answer is right at least this often, and at
// most this share of answerable questions is refused. MaxRefused is the
// smallest share at which, on each training file learned without it
// (calibrate's cross-check), at least 90 % of the off-topic questions are
// refused while at most 5 % of the real ones are: 2 % refused 88 % of the
// off-topic questions and 2.5 % of the real ones, 3 % gives 90 % and 3.6 %.
const (
	SurePrecision = 0.85
	MaxRefused    = 0.03
)

// Fit learns the two logistic models of an answer.Calibration and picks
// its thresholds: SureAt, the lowest probability at which sure answers are
// right SurePrecision of the time; AnswerAt, the highest at which no more
// than MaxRefused of the answerable questions are refused.
func Fit(samples []Sample) (answer.Calibration, error) {
	if len(samples) < 20 {
		return answer.Calibration{}, fmt.Errorf("trop peu de questions pour calibrer (%d, au moins 20)", len(samples))
	}
	var c answer.Calibration
	c.Correct = fitLogistic(samples, func(s Sample) bool { return s.Correct })
	c.Answerable = fitLogistic(samples, func(s Sample) bool { return s.Answerable })

	pc := probs(c.Correct, samples)
	idx := make([]int, len(samples))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return pc[idx[i]] > pc[idx[j]] })
	c.SureAt = 1
	right := 0
	for n, i := range idx {
		if samples[i].Correct {
			right++
		}
		if float64(right) >= SurePrecision*float64(n+1) {
			c.SureAt = pc[i]
		}
	}
	c.SureAt = math.Max(0.5, round3(c.SureAt))

	pa := probs(c.Answerable, samples)
	var ans []float64
	for i, s := range samples {
		if s.Answerable {
			ans = append(ans, pa[i])
		}
	}
	sort.Float64s(ans)
	if len(ans) == 0 {
		return c, fmt.Errorf("aucune question dans le sujet")
	}
	k := int(math.Floor(MaxRefused * float64(len(ans))))
	c.AnswerAt = round3(math.Max(0, ans[k]-1e-3))
	return c, nil
}

func probs(m answer.Model, samples []Sample) []float64 {
	out := make([]float64, len(samples))
	for i, s := range samples {
		z := m.Bias
		for j, w := range m.Weights {
			z += w * s.X[j]
		}
		out[i] = 1 / (1 + math.Exp(-z))
	}
	return out
}

// fitLogistic is L2-regularised logistic regression by gradient descent:
// a handful of signals in [0, 1] and a few hundred questions need nothing
// more.
func fitLogistic(samples []Sample, label func(Sample) bool) answer.Model {
	d := len(samples[0].X)
	w := make([]float64, d)
	b := 0.0
	const (
		rate   = 0.5
		l2     = 1e-3
		rounds = 20000
	)
	n := float64(len(samples))
	gw := make([]float64, d)
	for range rounds {
		for j := range gw {
			gw[j] = l2 * w[j]
		}
		gb := 0.0
		for _, s := range samples {
			z := b
			for j := range w {
				z += w[j] * s.X[j]
			}
			p := 1 / (1 + math.Exp(-z))
			y := 0.0
			if label(s) {
				y = 1
			}
			for j := range w {
				gw[j] += (p - y) * s.X[j] / n
			}
			gb += (p - y) / n
		}
		for j := range w {
			w[j] -= rate * gw[j]
		}
		b -= rate * gb
	}
	for j := range w {
		w[j] = round3(w[j])
	}
	return answer.Model{Weights: w, Bias: round3(b)}
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// Tally counts how a calibration splits questions into tiers.
type Tally struct {
	In, InSure, InSureRight, InRefused int // answerable questions
	Off, OffRefused                    int // off-topic questions
}

// Count tallies the tiers a calibration gives samples.
func Count(c answer.Calibration, samples []Sample) Tally {
	var t Tally
	for _, s := range samples {
		sig := signalsFrom(s.X)
		pc, pa := c.Correct.P(sig), c.Answerable.P(sig)
		none := pc < c.SureAt && pa < c.AnswerAt
		if !s.Answerable {
			t.Off++
			if none {
				t.OffRefused++
			}
			continue
		}
		t.In++
		if pc >= c.SureAt {
			t.InSure++
			if s.Correct {
				t.InSureRight++
			}
		}
		if none {
			t.InRefused++
		}
	}
	return t
}

// Summary tells how a calibration splits samples into tiers.
func Summary(c answer.Calibration, samples []Sample) string {
	t := Count(c, samples)
	return fmt.Sprintf("%d questions dans le sujet : %d sûres (dont %d justes), %d refusées ; %d hors sujet : %d refusées",
		t.In, t.InSure, t.InSureRight, t.InRefused, t.Off, t.OffRefused)
}

// signalsFrom reads the signals back from a sample's inputs (the first
// entries; the pair products follow).
func signalsFrom(x []float64) answer.Signals {
	get := func(i int) float64 {
		if i < len(x) {
			return x[i]
		}
		return 0
	}
	return answer.Signals{Coverage: get(0), Gap: get(1), Unknown: get(2), Rarest: get(3), Proximity: get(4),
		Concepts: get(5), Second: get(6), English: get(7), UnknownWords: get(8), Jargon: get(9), Matched: get(10), Specific: get(11)}
}

// GoSource is the generated file holding a calibration.
func GoSource(c answer.Calibration, sets []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by \"parcours calibrate\"; DO NOT EDIT.\n\npackage answer\n\n")
	fmt.Fprintf(&b, "// calibration was learned by \"parcours calibrate\" from these question sets:\n")
	for _, s := range sets {
		fmt.Fprintf(&b, "//   - %s\n", s)
	}
	fmt.Fprintf(&b, "//\n// Signals: %s.\n", strings.Join(answer.SignalNames, ", "))
	model := func(m answer.Model) string {
		ws := make([]string, len(m.Weights))
		for i, w := range m.Weights {
			ws[i] = fmt.Sprint(w)
		}
		return fmt.Sprintf("Model{Weights: []float64{%s}, Bias: %v}", strings.Join(ws, ", "), m.Bias)
	}
	fmt.Fprintf(&b, "var calibration = Calibration{\n\tCorrect:    %s,\n\tAnswerable: %s,\n\tSureAt:     %v,\n\tAnswerAt:   %v,\n}\n",
		model(c.Correct), model(c.Answerable), c.SureAt, c.AnswerAt)
	return b.Bytes()
}
