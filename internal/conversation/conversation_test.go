package conversation

import (
	"context"
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/knowledge"
)

func TestStartRequests(t *testing.T) {
	yes := []string{"diagnostic", "Diagnostic !", "faire le diagnostic", "je veux passer le test de maturité",
		"lancer l'auto-évaluation", "refaire le diag pour mon équipe", "start the maturity assessment"}
	no := []string{"à quoi sert le diagnostic ?", "comment fonctionne le diagnostic", "c'est quoi le test de maturité",
		"kubernetes", "je veux faire une MEP", "what is the maturity assessment for?"}
	for _, s := range yes {
		if _, ok := diagnostic.StartRequest(s); !ok {
			t.Errorf("%q should start the diagnostic", s)
		}
	}
	for _, s := range no {
		if _, ok := diagnostic.StartRequest(s); ok {
			t.Errorf("%q should not start the diagnostic", s)
		}
	}
	if aud, _ := diagnostic.StartRequest("refaire le diag pour mon équipe"); aud != diagnostic.AudienceTeam {
		t.Error("« pour mon équipe » should start in team mode")
	}
}

func newRouter(t *testing.T) *Router {
	t.Helper()
	eng, err := answer.Open(context.Background(), answer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	q, err := diagnostic.Load(knowledge.FS, "_data/diagnostic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: diagnostic.NewMemStore()})
	if err != nil {
		t.Fatal(err)
	}
	return &Router{Answers: eng, Diagnostic: d}
}

func TestRouting(t *testing.T) {
	r := newRouter(t)
	ctx := context.Background()
	rep, err := r.Handle(ctx, "u1", "c'est quoi k8s ?")
	if err != nil || rep.Kind != KindAnswer || !rep.Answer.Answered {
		t.Fatalf("a question outside a diagnostic goes to the knowledge base: %+v %v", rep, err)
	}
	rep, err = r.Handle(ctx, "u1", "faire le diagnostic")
	if err != nil || rep.Kind != KindDiagnostic || rep.Step.Question == nil {
		t.Fatalf("the diagnostic should start with a question: %+v %v", rep, err)
	}
	first := rep.Step.Question.ID
	// Another user is not in a diagnostic.
	if rep, _ := r.Handle(ctx, "u2", "1"); rep.Kind != KindAnswer {
		t.Errorf("u2 has no diagnostic: %+v", rep)
	}
	// u1's typed answer moves the diagnostic on.
	rep, err = r.Handle(ctx, "u1", "1")
	if err != nil || rep.Kind != KindDiagnostic || rep.Step.Question == nil || rep.Step.Question.ID == first {
		t.Fatalf("a typed answer should lead to the next question: %+v %v", rep, err)
	}
	// A real question in the middle is answered, and the diagnostic waits.
	rep, err = r.Handle(ctx, "u1", "où ranger les mots de passe de mon appli ?")
	if err != nil || rep.Kind != KindAnswer || rep.Step == nil || rep.Step.Question == nil {
		t.Fatalf("a question during a diagnostic: answer plus the pending question: %+v %v", rep, err)
	}
	if !strings.Contains(rep.Answer.Passages[0].Path, "secrets") {
		t.Errorf("answer %+v", rep.Answer.Passages)
	}
	// "annuler" is for the diagnostic.
	rep, err = r.Handle(ctx, "u1", "annuler")
	if err != nil || rep.Kind != KindDiagnostic || rep.Step.Notice != diagnostic.NoticeCancelled {
		t.Fatalf("annuler: %+v %v", rep, err)
	}
}
