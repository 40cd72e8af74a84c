package analyticstest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
)

// Fill records n questions spread over the 29 days before now,
// with a mix: a quarter unanswered (in a few thousand wordings), feedback on
// a tenth, a diagnostic of one of twelve named teams and a welcome every
// 500 questions. Benchmarks use it; so can a store's own.
func Fill(tb testing.TB, st analytics.Store, n int, now time.Time) {
	tb.Helper()
	words := []string{"déploiement", "kubernetes", "secret", "mot de passe", "runner", "pipeline", "sauvegarde",
		"journal", "alerte", "console", "projet", "quota", "réseau", "certificat", "registre", "image", "sonde",
		"gitlab", "argocd", "vault", "ingress", "namespace", "stockage", "base de données", "météo", "cantine",
		"congés", "badge", "imprimante", "parking", "mutuelle", "télétravail"}
	verbs := []string{"comment configurer", "c'est quoi", "où trouver", "pourquoi", "comment supprimer", "erreur avec"}
	pages := 120
	ctx := context.Background()
	rec := &analytics.Recorder{Store: st}
	span := 29 * 24 * time.Hour
	// Workers write together, so that a store grouping its commits (as the
	// bbolt one does) fills in seconds, not minutes.
	const workers = 64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fill(ctx, rec, rand.New(rand.NewPCG(1, uint64(wk))), wk, workers, n, now, span, pages, words, verbs); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		tb.Fatal(err)
	}
}

func fill(ctx context.Context, rec *analytics.Recorder, r *rand.Rand, wk, workers, n int, now time.Time, span time.Duration,
	pages int, words, verbs []string) error {
	for i := wk; i < n; i += workers {
		at := now.Add(-time.Duration(r.Int64N(int64(span))))
		tier := []string{analytics.TierSure, analytics.TierSure, analytics.TierTentative, analytics.TierNone}[r.IntN(4)]
		text := fmt.Sprintf("%s %s %s", verbs[r.IntN(len(verbs))], words[r.IntN(len(words))], words[r.IntN(len(words))])
		if r.IntN(3) == 0 {
			text += fmt.Sprintf(" %d", r.IntN(50))
		}
		e := analytics.Event{Kind: analytics.KindQuestion, At: at, Text: text, Tier: tier,
			Channel: []analytics.Channel{analytics.ChannelDM, analytics.ChannelPublic}[r.IntN(2)]}
		if tier != analytics.TierNone {
			p := r.IntN(pages)
			e.Page, e.Title = fmt.Sprintf("guide/page-%d.md", p), fmt.Sprintf("Page %d", p)
		}
		if err := rec.Record(ctx, e); err != nil {
			return err
		}
		if i%10 == 0 {
			p := r.IntN(pages)
			if err := rec.Record(ctx, analytics.Event{Kind: analytics.KindFeedback, At: at, ID: fmt.Sprint(i),
				Page: fmt.Sprintf("guide/page-%d.md", p), Title: fmt.Sprintf("Page %d", p), Useful: r.IntN(3) > 0}); err != nil {
				return err
			}
		}
		if i%500 == 0 {
			dims := []analytics.Score{{Dimension: "livraison", Score: r.IntN(101)}, {Dimension: "qualite", Score: r.IntN(101)}, {Dimension: "securite", Score: r.IntN(101)}, {Dimension: "exploitation", Score: r.IntN(101)}}
			if err := rec.Record(ctx, analytics.Event{Kind: analytics.KindDiagnostic, At: at, Path: []string{"produit", "sre", "projet", "strategie"}[r.IntN(4)],
				Level: 1 + r.IntN(3), Overall: r.IntN(101), Team: fmt.Sprintf("Équipe %d", r.IntN(12)), TeamMode: true, Dimensions: dims}); err != nil {
				return err
			}
			if err := rec.Record(ctx, analytics.Event{Kind: analytics.KindWelcome, At: at}); err != nil {
				return err
			}
		}
	}
	return nil
}

// CPUTime is the processor time the process used so far (user and system):
// on a shared machine, a benchmark's wall time says more about the
// neighbours than about the code.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
