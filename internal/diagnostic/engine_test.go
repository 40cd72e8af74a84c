package diagnostic

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/quote"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newEngine(t testing.TB, q *Questionnaire) (*Engine, *MemStore, *clock) {
	t.Helper()
	st := NewMemStore()
	c := &clock{t: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)}
	e, err := New(Config{Questionnaire: q, Store: st, TTL: 24 * time.Hour, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return e, st, c
}

// must checks an engine call: must(t)(e.Start(...)).
func must(t *testing.T) func(*Step, error) *Step {
	return func(s *Step, err error) *Step {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if s == nil {
			t.Fatal("étape nil")
		}
		return s
	}
}

func wantQuestion(t *testing.T, s *Step, id string) {
	t.Helper()
	if s.Kind != StepQuestion || s.Question == nil || s.Question.ID != id {
		q := "<aucune>"
		if s.Question != nil {
			q = s.Question.ID
		}
		t.Fatalf("attendu la question %q, obtenu %s/%s question=%s message=%q", id, s.Kind, s.Notice, q, s.Message)
	}
}

var ctx = context.Background()

// A user answers everything by clicking: the questions come in order with
// their progress, and the last click gives the result.
func TestClickThrough(t *testing.T) {
	e, st, _ := newEngine(t, mini(t))
	s := must(t)(e.Start(ctx, "u1", StartOptions{}))
	wantQuestion(t, s, AudienceQuestionID)
	if s.Notice != NoticeStarted || s.Message != "Introduction pour soi." {
		t.Errorf("première étape %s %q", s.Notice, s.Message)
	}
	s = must(t)(e.Choose(ctx, "u1", AudienceQuestionID, AudienceSelfOptionID))
	wantQuestion(t, s, PerimeterQuestionID)
	s = must(t)(e.Choose(ctx, "u1", PerimeterQuestionID, "produit"))
	wantQuestion(t, s, "freq")
	if s.Question.Progress != "Question 1/3" || !s.Question.CanGoBack {
		t.Errorf("progression %q retour %v", s.Question.Progress, s.Question.CanGoBack)
	}
	last := s.Question.Options[len(s.Question.Options)-1]
	if !last.Skip || last.ID != SkipOptionID || last.Label != "Ne s'applique pas / je ne sais pas" || last.Number != 5 || last.Letter != "e" {
		t.Errorf("option passer %+v", last)
	}
	s = must(t)(e.Choose(ctx, "u1", "freq", "mois"))
	wantQuestion(t, s, "tests")
	if s.Question.Progress != "Question 2/3" {
		t.Errorf("progression %q", s.Question.Progress)
	}
	s = must(t)(e.Choose(ctx, "u1", "tests", "tous"))
	wantQuestion(t, s, "secu")
	s = must(t)(e.Choose(ctx, "u1", "secu", "fin"))
	if s.Kind != StepResult || s.Result == nil || s.Advice == nil {
		t.Fatalf("attendu le résultat, obtenu %+v", s)
	}
	if s.Result.Level != 2 || s.Result.Overall != 44 || s.Result.UserID != "u1" || s.Result.Perimeter != "produit" {
		t.Errorf("résultat %+v", s.Result)
	}
	if s.Change != nil {
		t.Error("premier résultat: pas d'évolution attendue")
	}
	if got, _ := st.GetSession(ctx, "u1"); got != nil {
		t.Error("la session doit disparaître une fois le diagnostic terminé")
	}
	rs, _ := st.Results(ctx, "u1")
	if len(rs) != 1 {
		t.Fatalf("%d résultats enregistrés", len(rs))
	}
	if active, _ := e.Active(ctx, "u1"); active {
		t.Error("plus de diagnostic actif après le résultat")
	}
}

// The perimeter decides which questions follow.
func TestBranchingByPerimeter(t *testing.T) {
	e, _, _ := newEngine(t, mini(t))
	ids := func(user, perimeter string) []string {
		must(t)(e.Start(ctx, user, StartOptions{Audience: AudienceSelf}))
		s := must(t)(e.Choose(ctx, user, PerimeterQuestionID, perimeter))
		var seen []string
		for s.Kind == StepQuestion {
			seen = append(seen, s.Question.ID)
			s = must(t)(e.Choose(ctx, user, s.Question.ID, s.Question.Options[0].ID))
		}
		return seen
	}
	if got := fmt.Sprint(ids("a", "produit")); got != "[freq tests secu]" {
		t.Errorf("produit: %s", got)
	}
	if got := fmt.Sprint(ids("b", "projet")); got != "[freq backlog]" {
		t.Errorf("projet: %s", got)
	}
}

// The same through typed answers in the forms people use.
func TestTypedAnswers(t *testing.T) {
	e, _, _ := newEngine(t, mini(t))
	must(t)(e.Start(ctx, "u", StartOptions{}))
	steps := []struct{ text, next string }{
		{"  Pour mon ÉQUIPE ", PerimeterQuestionID},
		{"développeur", "freq"},
		{"B)", "tests"}, // freq = mois
		{"passer", "secu"},
		{"« Analyses automatiques. »", ""},
	}
	var s *Step
	for _, st := range steps {
		s = must(t)(e.Reply(ctx, "u", st.text))
		if st.next != "" {
			wantQuestion(t, s, st.next)
			if s.Notice == NoticeUnclear {
				t.Fatalf("%q non compris", st.text)
			}
		}
	}
	if s.Kind != StepResult {
		t.Fatalf("attendu le résultat, obtenu %+v", s)
	}
	want := "[{freq mois} {tests passer} {secu auto}]"
	if fmt.Sprint(s.Result.Answers) != want || !s.Result.Team {
		t.Errorf("réponses %v équipe %v, attendu %s en mode équipe", s.Result.Answers, s.Result.Team, want)
	}
}

func TestMatchOption(t *testing.T) {
	q := mini(t)
	v := view(q, &Session{Answers: []Answer{{PerimeterQuestionID, "produit"}}}, "freq")
	cases := map[string]string{
		"2": "mois", "b": "mois", "B)": "mois", "b.": "mois", "(c)": "semaine",
		"souvent": "semaine", "chaque JOUR": "jour", "tous les mois": "mois",
		"je ne sais pas": SkipOptionID, "5": SkipOptionID, "ne s’applique pas": SkipOptionID,
		"moins d une fois par mois": "rare", "chaque jours": "jour",
		"6": "", "z": "", "bof": "", "chaque": "", "": "",
	}
	for in, want := range cases {
		got, ok := matchOption(v.Options, in)
		if want == "" {
			if ok {
				t.Errorf("%q → %q, attendu non compris", in, got)
			}
			continue
		}
		if !ok || got != want {
			t.Errorf("%q → %q (%v), attendu %q", in, got, ok, want)
		}
	}
}

// What is not understood gets a short re-prompt and changes nothing.
func TestUnclearReplyReprompts(t *testing.T) {
	e, _, _ := newEngine(t, mini(t))
	must(t)(e.Start(ctx, "u", StartOptions{Audience: AudienceSelf}))
	s := must(t)(e.Reply(ctx, "u", "je ne comprends rien à votre truc"))
	wantQuestion(t, s, PerimeterQuestionID)
	if s.Notice != NoticeUnclear || !strings.Contains(s.Message, "Je n'ai pas compris") || !strings.Contains(s.Message, "1 à 2") {
		t.Errorf("relance %s %q", s.Notice, s.Message)
	}
	s = must(t)(e.Reply(ctx, "u", "aide"))
	if s.Notice != NoticeHelp || !strings.Contains(s.Message, "retour") {
		t.Errorf("aide %s %q", s.Notice, s.Message)
	}
	s = must(t)(e.Reply(ctx, "u", "2"))
	wantQuestion(t, s, "freq")
}

func TestBackCancelResumeRestart(t *testing.T) {
	e, _, _ := newEngine(t, mini(t))
	must(t)(e.Start(ctx, "u", StartOptions{Audience: AudienceSelf}))
	s := must(t)(e.Reply(ctx, "u", "retour"))
	if s.Notice != NoticeFirst {
		t.Errorf("retour à la première question: %s", s.Notice)
	}
	must(t)(e.Choose(ctx, "u", PerimeterQuestionID, "produit"))
	must(t)(e.Choose(ctx, "u", "freq", "jour"))
	s = must(t)(e.Reply(ctx, "u", "Retour"))
	wantQuestion(t, s, "freq")
	s = must(t)(e.Back(ctx, "u"))
	wantQuestion(t, s, PerimeterQuestionID)
	// Another perimeter after going back: its questions follow.
	s = must(t)(e.Choose(ctx, "u", PerimeterQuestionID, "projet"))
	wantQuestion(t, s, "freq")
	if s.Question.Total != 2 {
		t.Errorf("projet: %d questions", s.Question.Total)
	}
	must(t)(e.Choose(ctx, "u", "freq", "rare"))

	s = must(t)(e.Reply(ctx, "u", "annuler"))
	if s.Kind != StepNotice || s.Notice != NoticeCancelled || !strings.Contains(s.Message, "reprendre") {
		t.Fatalf("annulation %+v", s)
	}
	if active, _ := e.Active(ctx, "u"); active {
		t.Error("un diagnostic annulé n'est plus actif")
	}
	s = must(t)(e.Reply(ctx, "u", "2"))
	if s.Notice != NoticePaused {
		t.Errorf("réponse pendant la pause: %s", s.Notice)
	}
	s = must(t)(e.Reply(ctx, "u", "reprendre"))
	wantQuestion(t, s, "backlog")
	if s.Notice != NoticeResumed || !strings.Contains(s.Message, "question 2/2") {
		t.Errorf("reprise %s %q", s.Notice, s.Message)
	}
	s = must(t)(e.Reply(ctx, "u", "recommencer"))
	wantQuestion(t, s, PerimeterQuestionID) // audience was fixed at start: kept
	if s.Notice != NoticeStarted || len(s.Question.Options) != 2 {
		t.Errorf("recommencer %+v", s)
	}
	// Start while one is in progress resumes it, unless Restart.
	must(t)(e.Choose(ctx, "u", PerimeterQuestionID, "produit"))
	s = must(t)(e.Start(ctx, "u", StartOptions{}))
	wantQuestion(t, s, "freq")
	if s.Notice != NoticeResumed {
		t.Errorf("Start pendant un diagnostic: %s", s.Notice)
	}
	s = must(t)(e.Start(ctx, "u", StartOptions{Restart: true}))
	wantQuestion(t, s, AudienceQuestionID)
}

func TestNothingToResume(t *testing.T) {
	e, _, _ := newEngine(t, mini(t))
	for _, f := range []func() (*Step, error){
		func() (*Step, error) { return e.Resume(ctx, "nobody") },
		func() (*Step, error) { return e.Reply(ctx, "nobody", "reprendre") },
		func() (*Step, error) { return e.Cancel(ctx, "nobody") },
		func() (*Step, error) { return e.Reply(ctx, "nobody", "2") },
		func() (*Step, error) { return e.Current(ctx, "nobody") },
		func() (*Step, error) { return e.Choose(ctx, "nobody", "freq", "mois") },
	} {
		s := must(t)(f())
		if s.Kind != StepNotice || s.Notice != NoticeNoSession || s.Message == "" {
			t.Errorf("sans diagnostic: %+v", s)
		}
	}
}

// Old buttons: a click on a question that is not the current one changes
// nothing and shows the current question; a double click is recognised.
func TestStaleAndDuplicateClicks(t *testing.T) {
	e, st, _ := newEngine(t, mini(t))
	must(t)(e.Start(ctx, "u", StartOptions{Audience: AudienceSelf}))
	must(t)(e.Choose(ctx, "u", PerimeterQuestionID, "produit"))
	must(t)(e.Choose(ctx, "u", "freq", "mois"))

	s := must(t)(e.Choose(ctx, "u", "freq", "mois")) // double click
	wantQuestion(t, s, "tests")
	if s.Notice != NoticeDuplicate {
		t.Errorf("double clic: %s", s.Notice)
	}
	s = must(t)(e.Choose(ctx, "u", "freq", "jour")) // older post, other option
	wantQuestion(t, s, "tests")
	if s.Notice != NoticeStale {
		t.Errorf("clic périmé: %s", s.Notice)
	}
	s = must(t)(e.Choose(ctx, "u", "secu", "auto")) // a question not reached yet
	wantQuestion(t, s, "tests")
	s = must(t)(e.Choose(ctx, "u", "tests", "inexistante"))
	wantQuestion(t, s, "tests")
	if s.Notice != NoticeUnclear {
		t.Errorf("option inconnue: %s", s.Notice)
	}
	s = must(t)(e.Choose(ctx, "u", "inconnue", "x"))
	wantQuestion(t, s, "tests")
	got, _ := st.GetSession(ctx, "u")
	if fmt.Sprint(got.Answers) != "[{perimetre produit} {freq mois}]" {
		t.Errorf("les clics périmés ont modifié les réponses: %v", got.Answers)
	}

	// After "retour", the post of the question asked again works.
	must(t)(e.Reply(ctx, "u", "retour"))
	s = must(t)(e.Choose(ctx, "u", "freq", "jour"))
	wantQuestion(t, s, "tests")
	if s.Notice != NoticeNone {
		t.Errorf("clic sur la question redevenue courante: %s", s.Notice)
	}

	// A click on a paused diagnostic resumes it.
	must(t)(e.Cancel(ctx, "u"))
	s = must(t)(e.Choose(ctx, "u", "tests", "tous"))
	wantQuestion(t, s, "secu")
	s = must(t)(e.Choose(ctx, "u", "secu", "auto"))
	if s.Kind != StepResult {
		t.Fatalf("attendu le résultat: %+v", s)
	}
	// Double click on the last answer, once finished.
	s = must(t)(e.Choose(ctx, "u", "secu", "auto"))
	if s.Notice != NoticeFinished {
		t.Errorf("clic après la fin: %+v", s)
	}
}

func TestExpiry(t *testing.T) {
	e, st, c := newEngine(t, mini(t))
	must(t)(e.Start(ctx, "old", StartOptions{Audience: AudienceSelf}))
	must(t)(e.Choose(ctx, "old", PerimeterQuestionID, "produit"))
	c.advance(23 * time.Hour)
	must(t)(e.Start(ctx, "recent", StartOptions{}))
	// Still within the TTL: goes on, and activity pushes the deadline.
	s := must(t)(e.Choose(ctx, "old", "freq", "jour"))
	wantQuestion(t, s, "tests")
	c.advance(24*time.Hour + time.Minute)
	s = must(t)(e.Choose(ctx, "old", "tests", "tous"))
	if s.Notice != NoticeExpired || !strings.Contains(s.Message, "expiré") {
		t.Fatalf("après expiration: %+v", s)
	}
	if got, _ := st.GetSession(ctx, "old"); got != nil {
		t.Error("la session expirée doit être supprimée")
	}
	s = must(t)(e.Reply(ctx, "old", "2"))
	if s.Notice != NoticeNoSession {
		t.Errorf("une seule annonce d'expiration, puis rien: %s", s.Notice)
	}
	// Sweeping deletes abandoned sessions no one came back to.
	must(t)(e.Start(ctx, "fresh", StartOptions{}))
	n, err := e.Expire(ctx)
	if err != nil || n != 1 {
		t.Errorf("Expire: %d, %v; attendu 1 (recent)", n, err)
	}
	if got, _ := st.GetSession(ctx, "fresh"); got == nil {
		t.Error("une session récente ne doit pas expirer")
	}
}

func TestTeamWording(t *testing.T) {
	e, _, _ := newEngine(t, mini(t))
	s := must(t)(e.Start(ctx, "lead", StartOptions{Audience: AudienceTeam}))
	if !s.Team || s.Message != "Introduction pour une équipe." || s.Question.Text != "Le rôle de votre équipe ?" {
		t.Errorf("mode équipe: %+v %+v", s, s.Question)
	}
	s = must(t)(e.Choose(ctx, "lead", PerimeterQuestionID, "produit"))
	if s.Question.Text != "À quelle fréquence votre équipe livre-t-elle ?" {
		t.Errorf("texte équipe: %q", s.Question.Text)
	}
	s = must(t)(e.Choose(ctx, "lead", "freq", "jour"))
	if s.Question.Text != "Vos tests ?" { // no texte_equipe: the plain text
		t.Errorf("texte sans variante: %q", s.Question.Text)
	}
}

// A team's name given at start reaches its result, survives a typed
// "recommencer", and a change is measured against the same team only.
func TestTeamNameFollowsTheTeam(t *testing.T) {
	e, _, c := newEngine(t, mini(t))
	team := func(name string, opts ...string) *Step {
		t.Helper()
		s := must(t)(e.Start(ctx, "lead", StartOptions{Audience: AudienceTeam, TeamName: name, Restart: true}))
		s = must(t)(e.Choose(ctx, "lead", PerimeterQuestionID, "produit"))
		for _, o := range opts {
			s = must(t)(e.Choose(ctx, "lead", s.Question.ID, o))
		}
		c.advance(time.Hour)
		return s
	}
	s := team("Alpha", "rare", "aucun", "fin")
	if s.Kind != StepResult || !s.Result.Team || s.Result.TeamName != "Alpha" {
		t.Fatalf("result %+v", s.Result)
	}
	s = team("Beta", "jour", "tous", "auto")
	if s.Change != nil {
		t.Errorf("Beta compared with Alpha: %+v", s.Change)
	}
	must(t)(e.Start(ctx, "lead", StartOptions{Audience: AudienceTeam, TeamName: "Alpha", Restart: true}))
	must(t)(e.Reply(ctx, "lead", "recommencer"))
	s = must(t)(e.Choose(ctx, "lead", PerimeterQuestionID, "produit"))
	for _, o := range []string{"jour", "tous", "auto"} {
		s = must(t)(e.Choose(ctx, "lead", s.Question.ID, o))
	}
	if s.Result.TeamName != "Alpha" || s.Change == nil || s.Change.Previous.TeamName != "Alpha" {
		t.Errorf("after « recommencer »: team %q, change %+v; want Alpha compared with Alpha", s.Result.TeamName, s.Change)
	}
	// A diagnostic in progress for Alpha resumes for Alpha, not for Gamma.
	must(t)(e.Start(ctx, "lead", StartOptions{Audience: AudienceTeam, TeamName: "Alpha", Restart: true}))
	must(t)(e.Choose(ctx, "lead", PerimeterQuestionID, "produit"))
	if s := must(t)(e.Start(ctx, "lead", StartOptions{Audience: AudienceTeam, TeamName: "alpha"})); s.Notice != NoticeResumed {
		t.Errorf("same team: %s, want resumed", s.Notice)
	}
	if s := must(t)(e.Start(ctx, "lead", StartOptions{Audience: AudienceTeam, TeamName: "Gamma"})); s.Notice != NoticeStarted {
		t.Errorf("another team: %s, want a new diagnostic", s.Notice)
	}
	self := finish(t, e, "lead", "produit", "rare", "aucun", "fin")
	must(t)(e.Start(ctx, "solo", StartOptions{Audience: AudienceSelf, TeamName: "ignoré"}))
	if self.Result.TeamName != "" {
		t.Errorf("a self diagnostic has a team name %q", self.Result.TeamName)
	}
}

func finish(t *testing.T, e *Engine, user, perimeter string, options ...string) *Step {
	t.Helper()
	must(t)(e.Start(ctx, user, StartOptions{Audience: AudienceSelf, Restart: true}))
	s := must(t)(e.Choose(ctx, user, PerimeterQuestionID, perimeter))
	for _, o := range options {
		s = must(t)(e.Choose(ctx, user, s.Question.ID, o))
	}
	if s.Kind != StepResult {
		t.Fatalf("pas de résultat: %+v", s)
	}
	return s
}

func TestHistoryChangeAndForget(t *testing.T) {
	e, st, c := newEngine(t, mini(t))
	h, err := e.History(ctx, "u")
	if err != nil || h.Latest != nil || h.Count != 0 {
		t.Fatalf("historique vide: %+v %v", h, err)
	}
	finish(t, e, "u", "produit", "rare", "aucun", "fin")
	c.advance(time.Hour)
	finish(t, e, "u", "projet", "jour", "backlog")
	c.advance(time.Hour)
	s := finish(t, e, "u", "produit", "jour", "tous", "auto")
	// Compared with the previous produit result, not the projet one.
	if s.Change == nil || s.Change.Previous.Perimeter != "produit" || s.Change.LevelDelta != 2 {
		t.Fatalf("évolution %+v", s.Change)
	}
	h, err = e.History(ctx, "u")
	if err != nil || h.Count != 3 || h.Latest.Overall != s.Result.Overall || h.Change == nil || h.Advice == nil {
		t.Fatalf("historique %+v %v", h, err)
	}
	finish(t, e, "other", "produit", "rare", "aucun", "fin")
	must(t)(e.Start(ctx, "u", StartOptions{}))
	n, err := e.Forget(ctx, "u")
	if err != nil || n != 3 {
		t.Errorf("Forget: %d, %v", n, err)
	}
	if rs, _ := st.Results(ctx, "u"); len(rs) != 0 {
		t.Error("résultats encore présents après oubli")
	}
	if got, _ := st.GetSession(ctx, "u"); got != nil {
		t.Error("diagnostic en cours encore présent après oubli")
	}
	if s := must(t)(e.Current(ctx, "u")); s.Notice != NoticeNoSession {
		t.Errorf("après oubli, le moteur voit encore un diagnostic: %+v", s)
	}
	if rs, _ := st.Results(ctx, "other"); len(rs) != 1 {
		t.Error("l'oubli d'un utilisateur ne doit pas toucher les autres")
	}
}

func TestKeepsOnlyLatestResults(t *testing.T) {
	q := mini(t)
	st := NewMemStore()
	e, _ := New(Config{Questionnaire: q, Store: st, KeepResults: 2})
	for _, o := range []string{"rare", "mois", "jour"} {
		finish(t, e, "u", "projet", o, "backlog")
	}
	rs, _ := st.Results(ctx, "u")
	if len(rs) != 2 || rs[0].Answers[0].Option != "mois" || rs[1].Answers[0].Option != "jour" {
		t.Errorf("résultats gardés: %+v", rs)
	}
}

// An admin edit that removes a question does not block a user mid-way.
func TestQuestionnaireEditMidway(t *testing.T) {
	q := mini(t)
	e, _, _ := newEngine(t, q)
	must(t)(e.Start(ctx, "u", StartOptions{Audience: AudienceSelf}))
	must(t)(e.Choose(ctx, "u", PerimeterQuestionID, "produit"))
	must(t)(e.Choose(ctx, "u", "freq", "jour"))
	text := strings.Replace(miniText(t), "  - id: freq\n", "  - id: frequence\n", 1)
	q2, err := Parse("mini.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	e.SetQuestionnaire(q2)
	s := must(t)(e.Current(ctx, "u"))
	wantQuestion(t, s, "frequence")

	// The questions left unanswered disappear: the last answered one is
	// asked again, and answering it finishes.
	must(t)(e.Choose(ctx, "u", "frequence", "jour"))
	must(t)(e.Choose(ctx, "u", "tests", "tous"))
	text = strings.Replace(text, "    perimetres: [produit]\n    texte: La sécurité ?", "    perimetres: [projet]\n    texte: La sécurité ?", 1)
	q3, err := Parse("mini.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	e.SetQuestionnaire(q3)
	s = must(t)(e.Current(ctx, "u"))
	wantQuestion(t, s, "tests")
	s = must(t)(e.Choose(ctx, "u", "tests", "quelques"))
	if s.Kind != StepResult || len(s.Result.Answers) != 2 {
		t.Fatalf("attendu le résultat sur les deux questions restantes: %+v", s)
	}
}

func TestEmptyUserIsRefused(t *testing.T) {
	e, _, _ := newEngine(t, mini(t))
	if _, err := e.Start(ctx, "", StartOptions{}); err == nil {
		t.Error("utilisateur vide accepté")
	}
	if _, err := e.Forget(ctx, ""); err == nil {
		t.Error("oubli d'un utilisateur vide accepté")
	}
}

// Many users at once never mix their answers; one user's simultaneous
// clicks are serialised (run with -race).
func TestConcurrentUsers(t *testing.T) {
	e, st, _ := newEngine(t, mini(t))
	const users = 40
	var wg sync.WaitGroup
	errs := make(chan error, users)
	for i := 0; i < users; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			u := fmt.Sprintf("user-%d", i)
			opts := []string{"rare", "mois", "semaine", "jour"}
			answers := []string{opts[i%4], "tous", "fin"}
			if _, err := e.Start(ctx, u, StartOptions{Audience: AudienceSelf}); err != nil {
				errs <- err
				return
			}
			if _, err := e.Choose(ctx, u, PerimeterQuestionID, "produit"); err != nil {
				errs <- err
				return
			}
			for j, id := range []string{"freq", "tests", "secu"} {
				// Three simultaneous clicks on the same button.
				var inner sync.WaitGroup
				for k := 0; k < 3; k++ {
					inner.Add(1)
					go func() {
						defer inner.Done()
						if _, err := e.Choose(ctx, u, id, answers[j]); err != nil {
							errs <- err
						}
					}()
				}
				inner.Wait()
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := 0; i < users; i++ {
		u := fmt.Sprintf("user-%d", i)
		rs, _ := st.Results(ctx, u)
		if len(rs) != 1 {
			t.Fatalf("%s: %d résultats, attendu 1 malgré les clics multiples", u, len(rs))
		}
		want := []string{"rare", "mois", "semaine", "jour"}[i%4]
		if rs[0].UserID != u || rs[0].Answers[0].Option != want {
			t.Errorf("%s: résultat %+v, attendu freq=%s", u, rs[0], want)
		}
	}
}

func TestFrDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		7 * 24 * time.Hour: "7 jours", 24 * time.Hour: "24 heures", 90 * time.Minute: "90 minutes", time.Minute: "1 minute",
	} {
		if got := frDuration(d); got != want {
			t.Errorf("frDuration(%v) = %q, attendu %q", d, got, want)
		}
	}
}

// A typed answer not understood is quoted back without its mentions or
// Markdown, and shortened.
func TestUnclearAnswerQuotedSafely(t *testing.T) {
	e, _, _ := newEngine(t, mini(t))
	must(t)(e.Start(ctx, "u", StartOptions{}))
	s := must(t)(e.Reply(ctx, "u", "euh\n    @channel **urgent** [clic](http://evil.example) "+strings.Repeat("bla ", 50)))
	if s.Notice != NoticeUnclear {
		t.Fatalf("notice %q", s.Notice)
	}
	if m := quote.LiveMentions(s.Message); len(m) != 0 || strings.Contains(s.Message, "**urgent**") {
		t.Errorf("mentions %v or Markdown in %q", m, s.Message)
	}
	if strings.Count(s.Message, "bla") > 20 {
		t.Errorf("answer not shortened: %q", s.Message)
	}
}
