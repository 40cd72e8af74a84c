package eval

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
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
// most this share of answerable questions is refused. MaxRefused is chosen
// on calibrate's cross-check (each training file learned without it): 3 %
// refuses 89.2 % of the off-topic questions and 4.2 % of the real ones, 4 %
// refuses 91.5 % and 5.2 % (more than the 5 % a user can bear: a wrong
// refusal costs more than a hedged answer to an off-topic question).
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
		out[i] = m.PInputs(s.X)
	}
	return out
}

// Margin is how far a calibration is from refusing a question: negative
// when it refuses it (neither sure nor answerable enough).
func Margin(c answer.Calibration, x []float64) float64 {
	return max(c.Correct.PInputs(x)-c.SureAt, c.Answerable.PInputs(x)-c.AnswerAt)
}

// Separation tells how well margins tell answerable questions from
// off-topic ones, whatever the thresholds: the probability that an
// answerable question has the higher margin (AUC), and the share of
// off-topic questions refused when the refusal line leaves refused share of
// the answerable ones.
func Separation(answerable, offTopic []float64, refused float64) (auc, offRefused float64) {
	if len(answerable) == 0 || len(offTopic) == 0 {
		return 0, 0
	}
	a := slices.Sorted(slices.Values(answerable))
	o := slices.Sorted(slices.Values(offTopic))
	// AUC by a merge of the two sorted lists; ties count half.
	wins, j, k := 0.0, 0, 0
	for _, x := range a {
		for j < len(o) && o[j] < x {
			j++
		}
		for k < len(o) && o[k] <= x {
			k++
		}
		wins += float64(j) + float64(k-j)/2
	}
	line := a[int(math.Floor(refused*float64(len(a))))]
	n := 0
	for _, x := range o {
		if x < line {
			n++
		}
	}
	return wins / float64(len(a)*len(o)), float64(n) / float64(len(o))
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
		pc, pa := c.Correct.PInputs(s.X), c.Answerable.PInputs(s.X)
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
