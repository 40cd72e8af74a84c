package bolt

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/knowledge"
)

var bg = context.Background()

func openDiag(t *testing.T, dir string) (*DB, *DiagnosticStore) {
	t.Helper()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.Diagnostics()
	if err != nil {
		t.Fatal(err)
	}
	return db, st
}

func engineOn(t *testing.T, st diagnostic.Store, now func() time.Time) *diagnostic.Engine {
	t.Helper()
	q, err := diagnostic.Load(knowledge.FS, diagnostic.File)
	if err != nil {
		t.Fatal(err)
	}
	e, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: st, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func step(t *testing.T) func(*diagnostic.Step, error) *diagnostic.Step {
	return func(s *diagnostic.Step, err error) *diagnostic.Step {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

// The bot restarts in the middle of a diagnostic: after reopening the store,
// the user goes on where they were, the buttons of the question shown before
// the restart still work, and the result is kept across a second restart.
func TestDiagnosticSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	db, st := openDiag(t, dir)
	e := engineOn(t, st, nil)
	step(t)(e.Start(bg, "u1", diagnostic.StartOptions{Audience: diagnostic.AudienceTeam}))
	step(t)(e.Choose(bg, "u1", diagnostic.PerimeterQuestionID, "sre"))
	s := step(t)(e.Reply(bg, "u1", "2"))
	shown := s.Question // the post on screen when the bot stops
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, st = openDiag(t, dir)
	e = engineOn(t, st, nil)
	cur := step(t)(e.Current(bg, "u1"))
	if cur.Question == nil || cur.Question.ID != shown.ID || cur.Question.Progress != shown.Progress || !cur.Team {
		t.Fatalf("après redémarrage: %+v, attendu la question %s", cur, shown.ID)
	}
	s = step(t)(e.Choose(bg, "u1", shown.ID, shown.Options[0].ID))
	for s.Kind == diagnostic.StepQuestion {
		s = step(t)(e.Choose(bg, "u1", s.Question.ID, s.Question.Options[len(s.Question.Options)-2].ID))
	}
	if s.Kind != diagnostic.StepResult || s.Result.Perimeter != "sre" || !s.Result.Team {
		t.Fatalf("résultat %+v", s)
	}
	if s.Result.Answers[0].Option != "mois" || s.Result.Answers[1].Option != shown.Options[0].ID {
		t.Errorf("réponses d'avant le redémarrage perdues: %v", s.Result.Answers)
	}
	db.Close()

	db, st = openDiag(t, dir)
	defer db.Close()
	e = engineOn(t, st, nil)
	h, err := e.History(bg, "u1")
	if err != nil || h.Latest == nil || h.Latest.Overall != s.Result.Overall || h.Count != 1 {
		t.Fatalf("historique après redémarrage: %+v, %v", h, err)
	}
	if active, _ := e.Active(bg, "u1"); active {
		t.Error("diagnostic terminé encore actif")
	}
}

func TestDiagnosticStoreSessions(t *testing.T) {
	db, st := openDiag(t, t.TempDir())
	defer db.Close()
	if s, err := st.GetSession(bg, "nobody"); s != nil || err != nil {
		t.Fatalf("session absente: %v, %v", s, err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, u := range []string{"a", "b", "c"} {
		err := st.PutSession(bg, &diagnostic.Session{UserID: u, UpdatedAt: t0.Add(time.Duration(i) * time.Hour),
			Answers: []diagnostic.Answer{{Question: diagnostic.PerimeterQuestionID, Option: "produit"}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.GetSession(bg, "b")
	if err != nil || got == nil || got.UserID != "b" || len(got.Answers) != 1 || !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("session b: %+v, %v", got, err)
	}
	// A damaged record is treated as absent and swept.
	db.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucketDiagSessions)).Put([]byte("broken"), []byte("{not json"))
	})
	if s, err := st.GetSession(bg, "broken"); s != nil || err != nil {
		t.Errorf("enregistrement abîmé: %v, %v", s, err)
	}
	n, err := st.DeleteSessionsBefore(bg, t0.Add(90*time.Minute))
	if err != nil || n != 3 { // a, b and broken
		t.Errorf("DeleteSessionsBefore: %d, %v", n, err)
	}
	if s, _ := st.GetSession(bg, "c"); s == nil {
		t.Error("la session récente a disparu")
	}
	if err := st.DeleteSession(bg, "c"); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.GetSession(bg, "c"); s != nil {
		t.Error("session supprimée encore là")
	}
	cctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := st.GetSession(cctx, "c"); err == nil {
		t.Error("contexte annulé ignoré")
	}
}

func TestDiagnosticStoreResults(t *testing.T) {
	db, st := openDiag(t, t.TempDir())
	defer db.Close()
	for i := 1; i <= 4; i++ {
		st.PutSession(bg, &diagnostic.Session{UserID: "u"})
		r := &diagnostic.Result{UserID: "u", Perimeter: "produit", Overall: i * 10, Level: 1}
		if err := st.Finish(bg, r, 3); err != nil {
			t.Fatal(err)
		}
		if s, _ := st.GetSession(bg, "u"); s != nil {
			t.Fatal("Finish doit supprimer la session")
		}
	}
	st.Finish(bg, &diagnostic.Result{UserID: "v", Overall: 99}, 3)
	rs, err := st.Results(bg, "u")
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, r := range rs {
		got = append(got, r.Overall)
	}
	if fmt.Sprint(got) != "[20 30 40]" {
		t.Errorf("résultats gardés %v, attendu les 3 derniers [20 30 40]", got)
	}
	n, err := st.DeleteResults(bg, "u")
	if err != nil || n != 3 {
		t.Errorf("DeleteResults: %d, %v", n, err)
	}
	if rs, _ := st.Results(bg, "u"); len(rs) != 0 {
		t.Error("résultats encore là après suppression")
	}
	if rs, _ := st.Results(bg, "v"); len(rs) != 1 {
		t.Error("la suppression a touché un autre utilisateur")
	}
	if n, err := st.DeleteResults(bg, "nobody"); n != 0 || err != nil {
		t.Errorf("suppression sans résultats: %d, %v", n, err)
	}
}

// Many users at once through the engine and the bbolt store (run with -race).
func TestDiagnosticConcurrentUsersBolt(t *testing.T) {
	db, st := openDiag(t, t.TempDir())
	defer db.Close()
	e := engineOn(t, st, nil)
	perims := []string{"produit", "sre", "projet", "strategie"}
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			u := fmt.Sprintf("u%d", i)
			s, err := e.Start(bg, u, diagnostic.StartOptions{Audience: diagnostic.AudienceSelf})
			if err == nil {
				s, err = e.Choose(bg, u, diagnostic.PerimeterQuestionID, perims[i%4])
			}
			for err == nil && s.Kind == diagnostic.StepQuestion {
				s, err = e.Choose(bg, u, s.Question.ID, s.Question.Options[i%3].ID)
			}
			if err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	for i := 0; i < 30; i++ {
		rs, err := st.Results(bg, fmt.Sprintf("u%d", i))
		if err != nil || len(rs) != 1 || rs[0].Perimeter != perims[i%4] {
			t.Fatalf("u%d: %+v %v", i, rs, err)
		}
	}
}

func TestMarkWelcomedOncePerTeam(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts := 0
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first, err := db.MarkWelcomed(bg, "team1", "alice")
			if err != nil {
				t.Error(err)
			}
			if first {
				mu.Lock()
				firsts++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firsts != 1 {
		t.Errorf("%d accueils pour le même arrivant, attendu 1", firsts)
	}
	if first, _ := db.MarkWelcomed(bg, "team2", "alice"); !first {
		t.Error("une autre équipe doit accueillir à nouveau")
	}
	if first, _ := db.MarkWelcomed(bg, "team1", "bob"); !first {
		t.Error("un autre utilisateur doit être accueilli")
	}
	db.Close()

	db, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if first, _ := db.MarkWelcomed(bg, "team1", "alice"); first {
		t.Error("accueilli une deuxième fois après redémarrage")
	}
	if err := db.ForgetWelcome(bg, "team1", "alice"); err != nil {
		t.Fatal(err)
	}
	if first, _ := db.MarkWelcomed(bg, "team1", "alice"); !first {
		t.Error("après ForgetWelcome, l'accueil doit pouvoir être renvoyé")
	}
	if err := db.ForgetWelcome(bg, "nope", "nobody"); err != nil {
		t.Errorf("oubli d'un accueil inexistant: %v", err)
	}
}

// In a shared transaction, one failing write does not fail the others.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	db, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.ensureBuckets("g"); err != nil {
		t.Fatal(err)
	}
	g := &groupCommit{db: db.db}
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = g.update(func(tx *bbolt.Tx) error {
				if i == 7 {
					return fmt.Errorf("échec voulu")
				}
				return tx.Bucket([]byte("g")).Put([]byte(fmt.Sprint(i)), []byte("v"))
			})
		}(i)
	}
	wg.Wait()
	db.db.View(func(tx *bbolt.Tx) error {
		for i, err := range errs {
			got := tx.Bucket([]byte("g")).Get([]byte(fmt.Sprint(i)))
			if i == 7 {
				if err == nil || got != nil {
					t.Errorf("l'écriture en échec doit renvoyer son erreur et ne rien écrire: %v %q", err, got)
				}
				continue
			}
			if err != nil || string(got) != "v" {
				t.Errorf("écriture %d: %v %q", i, err, got)
			}
		}
		return nil
	})
}

func TestForgetUserWelcomesInEveryTeam(t *testing.T) {
	db, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, k := range [][2]string{{"t1", "alice"}, {"t2", "alice"}, {"t1", "malice"}, {"t1", "bob"}} {
		db.MarkWelcomed(bg, k[0], k[1])
	}
	if n, err := db.ForgetUserWelcomes(bg, "alice"); err != nil || n != 2 {
		t.Fatalf("forgot %d, %v; want alice's 2", n, err)
	}
	for _, k := range [][3]string{{"t1", "alice", "true"}, {"t2", "alice", "true"}, {"t1", "malice", "false"}, {"t1", "bob", "false"}} {
		if first, _ := db.MarkWelcomed(bg, k[0], k[1]); fmt.Sprint(first) != k[2] {
			t.Errorf("%s in %s: welcomed as new %v, want %s", k[1], k[0], first, k[2])
		}
	}
}
