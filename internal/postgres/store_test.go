package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/pgtest"
	"github.com/cloud-pi-native/parcours/knowledge"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var bg = context.Background()

// open connects a "replica" to the database at url.
func open(t *testing.T, url string) *DB {
	t.Helper()
	d, err := Open(bg, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// Replicas starting together on an empty database migrate it once; a later start applies
// nothing; the schema is what the store uses.
func TestMigrationsOnceUnderConcurrentStarts(t *testing.T) {
	url := pgtest.URL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			d, err := Open(bg, url, nil)
			if err != nil {
				errs <- err
				return
			}
			d.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("démarrage concurrent: %v", err)
	}
	d := open(t, url)
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	var n, distinct int
	if err := d.pool.QueryRow(bg, "SELECT count(*), count(DISTINCT version) FROM schema_migrations").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || distinct != len(ms) {
		t.Fatalf("schema_migrations: %d lignes (%d versions), attendu %d", n, distinct, len(ms))
	}
}

// A URL that does not parse gives an error that does not repeat it (it may hold a password).
func TestOpenNeverShowsTheURL(t *testing.T) {
	_, err := Open(bg, "postgres://parcours:s3cr3t-pass@[::1/x", nil)
	if err == nil {
		t.Fatal("URL invalide acceptée")
	}
	if s := err.Error(); strings.Contains(s, "s3cr3t") {
		t.Fatalf("le mot de passe apparaît dans l'erreur: %s", s)
	}
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	_, err = Open(ctx, "postgres://parcours:s3cr3t-pass@127.0.0.1:1/parcours?connect_timeout=2", nil)
	if err == nil {
		t.Fatal("serveur absent accepté")
	}
	if s := err.Error(); strings.Contains(s, "s3cr3t") {
		t.Fatalf("le mot de passe apparaît dans l'erreur: %s", s)
	}
}

func engineOn(t *testing.T, st diagnostic.Store) *diagnostic.Engine {
	t.Helper()
	q, err := diagnostic.Load(knowledge.FS, diagnostic.File)
	if err != nil {
		t.Fatal(err)
	}
	e, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// A diagnostic started on one replica continues on another, and its result is kept: the store
// holds the session and the results, not the process.
func TestDiagnosticMovesBetweenReplicas(t *testing.T) {
	url := pgtest.URL(t)
	a := engineOn(t, open(t, url).Diagnostics())
	b := engineOn(t, open(t, url).Diagnostics())
	step := must[*diagnostic.Step](t)
	step(a.Start(bg, "u1", diagnostic.StartOptions{Audience: diagnostic.AudienceTeam}))
	s := step(a.Choose(bg, "u1", diagnostic.PerimeterQuestionID, "sre"))
	shown := s.Question

	cur := step(b.Current(bg, "u1"))
	if cur.Question == nil || cur.Question.ID != shown.ID || !cur.Team {
		t.Fatalf("sur l'autre réplica: %+v, attendu la question %s", cur, shown.ID)
	}
	// the clicks then land on either replica, as a load balancer sends them
	s = step(b.Choose(bg, "u1", shown.ID, shown.Options[0].ID))
	clicks := 1
	for s.Kind == diagnostic.StepQuestion {
		e := a
		if clicks%2 == 0 {
			e = b
		}
		next := step(e.Choose(bg, "u1", s.Question.ID, s.Question.Options[0].ID))
		if next.Kind == diagnostic.StepQuestion && next.Question.ID == s.Question.ID {
			t.Fatalf("clic %d: la même question revient (%s) : un réplica a servi un diagnostic périmé", clicks, s.Question.ID)
		}
		s = next
		clicks++
		if clicks > 200 {
			t.Fatal("le diagnostic ne finit pas : les réplicas se renvoient des questions périmées")
		}
	}
	if s.Kind != diagnostic.StepResult || s.Result.Perimeter != "sre" {
		t.Fatalf("résultat %+v", s)
	}
	rs := must[[]*diagnostic.Result](t)(open(t, url).Diagnostics().Results(bg, "u1"))
	if len(rs) != 1 || rs[0].Perimeter != "sre" {
		t.Fatalf("résultats gardés: %+v", rs)
	}
}

// The store keeps sessions and results as the bbolt one does: a record that no longer decodes
// is absent, Finish keeps the latest results only and ends the session, expiry and erasure
// delete what they say.
func TestDiagnosticStore(t *testing.T) {
	d := open(t, pgtest.URL(t))
	st := d.Diagnostics()
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i, u := range []string{"old", "new"} {
		sess := &diagnostic.Session{UserID: u, Version: 1, Answers: []diagnostic.Answer{{Question: "q", Option: "o"}},
			StartedAt: now, UpdatedAt: now.Add(time.Duration(i-1) * time.Hour)}
		if err := st.PutSession(bg, sess); err != nil {
			t.Fatal(err)
		}
	}
	got := must[*diagnostic.Session](t)(st.GetSession(bg, "new"))
	if got == nil || len(got.Answers) != 1 || got.Answers[0].Option != "o" || !got.UpdatedAt.Equal(now) {
		t.Fatalf("session relue: %+v", got)
	}
	if n := must[int](t)(st.DeleteSessionsBefore(bg, now.Add(-time.Minute))); n != 1 {
		t.Fatalf("%d sessions expirées, attendu 1", n)
	}
	if s := must[*diagnostic.Session](t)(st.GetSession(bg, "old")); s != nil {
		t.Fatalf("session expirée encore là: %+v", s)
	}
	// a record written for another user (or damaged) does not block this one
	if _, err := d.pool.Exec(bg, `UPDATE diagnostic_sessions SET data = '{"user": "someone-else"}' WHERE user_id = 'new'`); err != nil {
		t.Fatal(err)
	}
	if s := must[*diagnostic.Session](t)(st.GetSession(bg, "new")); s != nil {
		t.Fatalf("enregistrement d'un autre utilisateur rendu: %+v", s)
	}
	if s := must[*diagnostic.Session](t)(st.GetSession(bg, "nobody")); s != nil {
		t.Fatalf("session inventée: %+v", s)
	}

	for i := range 5 {
		if err := st.PutSession(bg, &diagnostic.Session{UserID: "u", UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := st.Finish(bg, &diagnostic.Result{UserID: "u", Perimeter: fmt.Sprint(i)}, 3); err != nil {
			t.Fatal(err)
		}
	}
	if s := must[*diagnostic.Session](t)(st.GetSession(bg, "u")); s != nil {
		t.Fatalf("session non close par Finish: %+v", s)
	}
	rs := must[[]*diagnostic.Result](t)(st.Results(bg, "u"))
	if len(rs) != 3 || rs[0].Perimeter != "2" || rs[2].Perimeter != "4" {
		t.Fatalf("résultats gardés: %+v", rs)
	}
	if n := must[int](t)(st.DeleteResults(bg, "u")); n != 3 {
		t.Fatalf("%d résultats effacés, attendu 3", n)
	}
	if rs := must[[]*diagnostic.Result](t)(st.Results(bg, "u")); len(rs) != 0 {
		t.Fatalf("résultats après effacement: %+v", rs)
	}
}

// Two replicas serving one user's steps at once (a click on one, a typed answer on the other)
// take turns: the second waits for the first to unlock.
func TestLockUserAcrossReplicas(t *testing.T) {
	url := pgtest.URL(t)
	a, b := open(t, url).Diagnostics(), open(t, url).Diagnostics()
	unlock := must[func()](t)(a.LockUser(bg, "u1"))
	var mu sync.Mutex
	var order []string
	got := make(chan struct{})
	go func() {
		unlockB, err := b.LockUser(bg, "u1")
		if err != nil {
			t.Error(err)
			close(got)
			return
		}
		mu.Lock()
		order = append(order, "b")
		mu.Unlock()
		unlockB()
		close(got)
	}()
	// another user is not held up meanwhile
	other := must[func()](t)(b.LockUser(bg, "u2"))
	other()
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	order = append(order, "a")
	mu.Unlock()
	unlock()
	<-got
	if len(order) != 2 || order[0] != "a" {
		t.Fatalf("ordre %v: le second réplica est passé pendant que le premier tenait le verrou", order)
	}
}

// A verdict counts once per user and answer, whichever replica records it; a second click with
// the same verdict changes nothing, another verdict replaces it; the user id is not kept.
func TestFeedbackAcrossReplicas(t *testing.T) {
	url := pgtest.URL(t)
	a, b := open(t, url), open(t, url)
	at := time.Now()
	if ch := must[bool](t)(a.RecordFeedback("ans1", "p1", "u1", true, at)); !ch {
		t.Fatal("premier avis non enregistré")
	}
	if ch := must[bool](t)(b.RecordFeedback("ans1", "p1", "u1", true, at)); ch {
		t.Fatal("même avis compté deux fois")
	}
	if ch := must[bool](t)(b.RecordFeedback("ans1", "p1", "u1", false, at)); !ch {
		t.Fatal("avis changé non enregistré")
	}
	if ch := must[bool](t)(a.RecordFeedback("ans1", "p1", "u2", true, at)); !ch {
		t.Fatal("l'avis d'une autre personne est confondu")
	}
	var n int
	if err := a.pool.QueryRow(bg, "SELECT count(*) FROM feedback WHERE position('u1' in encode(key, 'escape')) > 0").Scan(&n); err != nil || n != 0 {
		t.Fatalf("l'identifiant de l'utilisateur est gardé en clair (%d, %v)", n, err)
	}
}

// Many replicas see the same join at once: exactly one welcomes. Forgetting makes the next one
// first again.
func TestWelcomeOnceAcrossReplicas(t *testing.T) {
	url := pgtest.URL(t)
	reps := []*DB{open(t, url), open(t, url), open(t, url)}
	var mu sync.Mutex
	firsts := map[string]int{}
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			user := fmt.Sprint("user", i%5)
			first, err := reps[i%3].MarkWelcomed(bg, "team", user)
			if err != nil {
				t.Error(err)
				return
			}
			if first {
				mu.Lock()
				firsts[user]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for i := range 5 {
		if n := firsts[fmt.Sprint("user", i)]; n != 1 {
			t.Fatalf("user%d accueilli %d fois", i, n)
		}
	}
	if err := reps[1].ForgetWelcome(bg, "team", "user0"); err != nil {
		t.Fatal(err)
	}
	if first := must[bool](t)(reps[2].MarkWelcomed(bg, "team", "user0")); !first {
		t.Fatal("après oubli, l'accueil n'est pas renvoyé")
	}
	if first := must[bool](t)(reps[2].MarkWelcomed(bg, "other-team", "user0")); !first {
		t.Fatal("l'accueil d'une autre équipe est compté comme déjà fait")
	}
	// erasure: every team of the user, nobody else
	if n := must[int](t)(reps[0].ForgetUserWelcomes(bg, "user0")); n != 2 {
		t.Fatalf("%d accueils oubliés, attendu 2", n)
	}
	if first := must[bool](t)(reps[1].MarkWelcomed(bg, "other-team", "user0")); !first {
		t.Fatal("accueil encore connu après l'effacement")
	}
	if first := must[bool](t)(reps[1].MarkWelcomed(bg, "team", "user1")); first {
		t.Fatal("l'effacement d'une personne a oublié une autre")
	}
}

// The first replica to start chooses the signing key; the others get the same, so a button made
// by one is accepted by all.
func TestSharedSecret(t *testing.T) {
	url := pgtest.URL(t)
	a, b := open(t, url), open(t, url)
	ka := must[[]byte](t)(a.SharedSecret(bg, "action_key", []byte("key-of-a-0123456789abcdef0123456789")))
	kb := must[[]byte](t)(b.SharedSecret(bg, "action_key", []byte("key-of-b-0123456789abcdef0123456789")))
	if string(ka) != "key-of-a-0123456789abcdef0123456789" || string(kb) != string(ka) {
		t.Fatalf("clés %q et %q", ka, kb)
	}
}

// Many users stepping through their diagnostics at once on a pool smaller than their number:
// the per-user locks hold no connection, so nothing waits for a connection held by a step that
// itself waits.
func TestManyUsersOnASmallPool(t *testing.T) {
	url := pgtest.URL(t) + "&pool_max_conns=3"
	a := engineOn(t, open(t, url).Diagnostics())
	b := engineOn(t, open(t, url).Diagnostics())
	ctx, cancel := context.WithTimeout(bg, 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := range 20 {
		e := a
		if i%2 == 1 {
			e = b
		}
		wg.Go(func() {
			user := fmt.Sprint("u", i)
			if _, err := e.Start(ctx, user, diagnostic.StartOptions{Audience: diagnostic.AudienceTeam}); err != nil {
				t.Error(err)
				return
			}
			if _, err := e.Active(ctx, user); err != nil {
				t.Error(err)
				return
			}
			s, err := e.Choose(ctx, user, diagnostic.PerimeterQuestionID, "sre")
			if err != nil {
				t.Error(err)
				return
			}
			for range 3 {
				if s, err = e.Choose(ctx, user, s.Question.ID, s.Question.Options[0].ID); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatal("les diagnostics de 20 utilisateurs n'ont pas avancé en 60 s sur un petit pool")
	}
}
