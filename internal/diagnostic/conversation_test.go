package diagnostic

import (
	"strings"
	"testing"
	"time"
)

// « je suis DSI » at the perimeter question picks the perimeter of the path
// the role points to, as the answer engine reads roles.
func TestPerimeterFromARole(t *testing.T) {
	q := mini(t)
	st := NewMemStore()
	role := func(text string) string {
		if strings.Contains(strings.ToLower(text), "dsi") {
			return "projet"
		}
		return ""
	}
	e, err := New(Config{Questionnaire: q, Store: st, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	must(t)(e.Start(ctx, "u", StartOptions{Audience: AudienceSelf}))
	if s := must(t)(e.Reply(ctx, "u", "je suis DSI")); s.Notice == NoticeUnclear {
		t.Fatalf("not understood: %s", s.Message)
	}
	if p, ok := e.Answered(ctx, "u", PerimeterQuestionID); !ok || p != "projet" {
		t.Errorf("perimeter %q %v", p, ok)
	}
	if s := must(t)(e.Reply(ctx, "u", "je suis DSI")); s.Notice != NoticeUnclear {
		t.Error("a role is no answer to a practice question")
	}
}

// Nothing kept beyond the process: no message promises days.
func TestVolatileKeepsNoPromise(t *testing.T) {
	e, err := New(Config{Questionnaire: mini(t), Store: NewMemStore(), Volatile: true})
	if err != nil {
		t.Fatal(err)
	}
	must(t)(e.Start(ctx, "u", StartOptions{}))
	s := must(t)(e.Reply(ctx, "u", "annuler"))
	if strings.Contains(s.Message, "jour") || !strings.Contains(s.Message, "jusqu'à la fin de cette session") {
		t.Errorf("cancel message: %s", s.Message)
	}
	kept, err := New(Config{Questionnaire: mini(t), Store: NewMemStore()})
	if err != nil {
		t.Fatal(err)
	}
	if kept.KeptFor() != "7 jours" {
		t.Errorf("KeptFor = %q", kept.KeptFor())
	}
}

func TestAnsweredAndOptionLabels(t *testing.T) {
	e, _, clk := newEngine(t, mini(t))
	q := e.Questionnaire()
	must(t)(e.Start(ctx, "u", StartOptions{}))
	must(t)(e.Choose(ctx, "u", AudienceQuestionID, AudienceTeamOptionID))
	if o, ok := e.Answered(ctx, "u", AudienceQuestionID); !ok || q.OptionLabel(AudienceQuestionID, o) != q.Audience.Team {
		t.Errorf("audience: %q %v", o, ok)
	}
	if q.OptionLabel("freq", SkipOptionID) != q.SkipLabel || q.OptionLabel("freq", "inconnue") != "" || q.OptionLabel(PerimeterQuestionID, "produit") == "" {
		t.Error("labels")
	}
	// The last answer lives in the result, for an hour.
	must(t)(e.Choose(ctx, "u", PerimeterQuestionID, "produit"))
	for range 10 {
		cur := must(t)(e.Current(ctx, "u"))
		if cur.Kind != StepQuestion {
			break
		}
		must(t)(e.Choose(ctx, "u", cur.Question.ID, cur.Question.Options[0].ID))
	}
	if p, ok := e.Answered(ctx, "u", PerimeterQuestionID); !ok || p != "produit" {
		t.Errorf("perimeter after the end: %q %v", p, ok)
	}
	clk.t = clk.t.Add(2 * time.Hour)
	if _, ok := e.Answered(ctx, "u", PerimeterQuestionID); ok {
		t.Error("an answer of a result finished long ago")
	}
}

func TestSkippedQuestionsInFrench(t *testing.T) {
	q := mini(t)
	r := q.Score("produit", false, []Answer{{"freq", SkipOptionID}, {"tests", "aucun"}, {"secu", "fin"}})
	if md := q.ResultMarkdown(r, nil, nil, RenderOptions{}); !strings.Contains(md, "_1 question passée, non comptée._") || strings.Contains(md, "(s)") {
		t.Errorf("result:\n%s", md)
	}
}
