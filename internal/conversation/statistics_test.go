package conversation

import (
	"context"
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
)

// forgetting is a recorder and a welcome store that can erase a user.
type forgetting struct {
	memQuestions
	memWelcomed
	forgot, welcomesForgot []string
}

func (f *forgetting) Forget(_ context.Context, user string) (int, error) {
	f.forgot = append(f.forgot, user)
	return 1, nil
}

func (f *forgetting) ForgetUserWelcomes(_ context.Context, user string) (int, error) {
	f.welcomesForgot = append(f.welcomesForgot, user)
	return 1, nil
}

// TestTeamsAreNamedFollowedAndForgotten: "/parcours diagnostic equipe NOM"
// names the team of the diagnostic, "/parcours resultat equipe" shows the
// caller's team diagnostics, "/parcours oublier" erases them with the
// statistics and welcomes that name the caller.
func TestTeamsAreNamedFollowedAndForgotten(t *testing.T) {
	fg := &forgetting{}
	f := newFixture(t, func(cfg *Config) {
		cfg.Stores.Record = fg
		cfg.Stores.Welcomed = fg
	})
	b := &box{}
	lead := User{ID: "lead"}
	cmd := func(text string) string {
		t.Helper()
		if err := f.c.Command(t.Context(), Message{User: lead, Place: Direct, Text: text}, b); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range b.take() {
			out = append(out, s.Text)
		}
		return strings.Join(out, "\n")
	}
	if got := cmd("resultat equipe"); !strings.Contains(got, "pas encore fait de diagnostic pour une équipe") {
		t.Errorf("no team yet: %q", got)
	}
	if got := cmd("diagnostic equipe @here **x**"); !strings.Contains(got, "refusé") {
		t.Errorf("a name with a mention and Markdown: %q", got)
	}
	cmd("diagnostic equipe Les Castors")
	sess, _ := f.store.GetSession(t.Context(), "lead")
	if sess == nil || !sess.Team || sess.TeamName != "Les Castors" {
		t.Fatalf("session %+v: want a team diagnostic for Les Castors", sess)
	}
	// Finish it through the engine, as clicks would.
	st, err := f.diag.Current(t.Context(), "lead")
	for err == nil && st.Kind == diagnostic.StepQuestion {
		st, err = f.diag.Choose(t.Context(), "lead", st.Question.ID, st.Question.Options[0].ID)
	}
	if err != nil || st.Kind != diagnostic.StepResult || st.Result.TeamName != "Les Castors" {
		t.Fatalf("result %+v %v", st, err)
	}
	if got := cmd("resultat equipe"); !strings.Contains(got, "#### Équipe Les Castors : 1 diagnostic") || !strings.Contains(got, "| Date | Parcours | Niveau | Global |") {
		t.Errorf("team view:\n%s", got)
	}
	if got := cmd("oublier"); !strings.Contains(got, "C'est effacé") {
		t.Errorf("oublier: %q", got)
	}
	if strings.Join(fg.forgot, ",") != "lead" || strings.Join(fg.welcomesForgot, ",") != "lead" {
		t.Errorf("erased statistics of %v and welcomes of %v, want lead's", fg.forgot, fg.welcomesForgot)
	}
	if got := cmd("resultat equipe"); !strings.Contains(got, "pas encore fait de diagnostic pour une équipe") {
		t.Errorf("after oublier: %q", got)
	}
}
