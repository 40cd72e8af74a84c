package eval

import (
	"context"
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/knowledge"
)

// TestShippedQuestionSet measures the search on the shipped knowledge base
// with its question set, the way content owners measure their own.
func TestShippedQuestionSet(t *testing.T) {
	data, err := knowledge.FS.ReadFile("_data/questions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set, err := Parse("questions.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := answer.Open(context.Background(), answer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	rep, err := Run(context.Background(), eng, set)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("hit@1 %.3f hit@3 %.3f MRR %.3f answered %.3f refused %.3f (%d in scope, %d off topic)",
		rep.Hit1, rep.Hit3, rep.MRR, rep.AnsweredRate, rep.RefusedRate, rep.InScope, rep.OffTopic)
	if rep.InScope < 50 || rep.OffTopic < 10 {
		t.Fatalf("the shipped set is too small to measure anything: %d/%d", rep.InScope, rep.OffTopic)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"hit@1", rep.Hit1, 0.85},
		{"hit@3", rep.Hit3, 0.95},
		{"answered", rep.AnsweredRate, 0.85},
		// The set holds ten off-topic questions written next to the
		// practical pages on purpose ("ma voiture est en panne, qui
		// appeler", "ouvrir un compte en banque"): a few of them get a
		// tentative answer: 19 of 25 are refused when the tiers are
		// learned without this set ("parcours calibrate"), 20 with it.
		// The tiers are learned to refuse at most 3 % of real questions
		// over every training documentation, and a wrong refusal costs
		// more than a hedged answer. The blind sets' figures are in the
		// README.
		{"off-topic refused", rep.RefusedRate, 0.80},
	} {
		if c.got < c.want {
			t.Errorf("%s = %.3f, want at least %.2f", c.name, c.got, c.want)
		}
	}
	if !t.Failed() {
		return
	}
	for _, o := range rep.Outcomes {
		if !o.OK {
			t.Logf("miss: %q rank %d answered %v got %v", o.Question.Text, o.Rank, o.Answered, o.Got)
		}
	}
}

func TestParseErrorsNameLines(t *testing.T) {
	_, err := Parse("q.yaml", []byte("questions:\n  - question: \"\"\n    attendu: [a.md]\n  - question: sans attente\n"))
	if err == nil || !strings.Contains(err.Error(), "q.yaml:2") || !strings.Contains(err.Error(), "q.yaml:4") {
		t.Errorf("err = %v", err)
	}
	if _, err := Parse("q.yaml", []byte("autre: 1\n")); err == nil {
		t.Error("a file without questions must be refused")
	}
}

type fakeAsker map[string]*answer.Answer

func (f fakeAsker) AskN(_ context.Context, q string, _ int) (*answer.Answer, error) { return f[q], nil }

func TestMetrics(t *testing.T) {
	set := &Set{Questions: []Question{
		{Text: "a", Expected: []string{"a.md"}},
		{Text: "b", Expected: []string{"b.md#x"}},
		{Text: "c", Expected: []string{"c.md"}},
		{Text: "meteo", OffTopic: true},
	}}
	f := fakeAsker{
		"a":     {Answered: true, Tier: answer.TierSure, Passages: []answer.Passage{{Path: "a.md"}}},
		"b":     {Answered: true, Tier: answer.TierSure, Passages: []answer.Passage{{Path: "z.md"}, {Path: "b.md", Anchor: "x"}}},
		"c":     {Answered: false, Tier: answer.TierNone, Passages: []answer.Passage{{Path: "z.md"}}},
		"meteo": {Answered: true, Tier: answer.TierTentative, Passages: []answer.Passage{{Path: "z.md"}}},
	}
	rep, err := Run(context.Background(), f, set)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Hit1 != 1.0/3 || rep.Hit3 != 2.0/3 || rep.MRR != 0.5 || rep.RefusedRate != 0 || rep.AnsweredWrong != 1 || rep.SectionMatches != 1 ||
		rep.Tiers[answer.TierSure] != 2 || rep.Tiers[answer.TierNone] != 1 || rep.OffTopicTiers[answer.TierTentative] != 1 {
		t.Errorf("report = %+v", rep)
	}
}
