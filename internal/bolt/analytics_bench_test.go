package bolt

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
)

// fillAnalytics records n questions spread over the 29 days before now,
// with a mix: a quarter unanswered, feedback on a tenth, a diagnostic and a
// welcome every 500 questions.
func fillAnalytics(tb testing.TB, st analytics.Store, n int, now time.Time) {
	tb.Helper()
	words := []string{"déploiement", "kubernetes", "secret", "mot de passe", "runner", "pipeline", "sauvegarde",
		"journal", "alerte", "console", "projet", "quota", "réseau", "certificat", "registre", "image", "sonde",
		"gitlab", "argocd", "vault", "ingress", "namespace", "stockage", "base de données", "météo", "cantine",
		"congés", "badge", "imprimante", "parking", "mutuelle", "télétravail"}
	verbs := []string{"comment configurer", "c'est quoi", "où trouver", "pourquoi", "comment supprimer", "erreur avec"}
	pages := 120
	r := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	rec := &analytics.Recorder{Store: st}
	span := 29 * 24 * time.Hour
	for i := range n {
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
			tb.Fatal(err)
		}
		if i%10 == 0 {
			p := r.IntN(pages)
			if err := rec.Record(ctx, analytics.Event{Kind: analytics.KindFeedback, At: at, ID: fmt.Sprint(i),
				Page: fmt.Sprintf("guide/page-%d.md", p), Title: fmt.Sprintf("Page %d", p), Useful: r.IntN(3) > 0}); err != nil {
				tb.Fatal(err)
			}
		}
		if i%500 == 0 {
			dims := []analytics.Score{{Dimension: "livraison", Score: r.IntN(101)}, {Dimension: "qualite", Score: r.IntN(101)}, {Dimension: "securite", Score: r.IntN(101)}, {Dimension: "exploitation", Score: r.IntN(101)}}
			if err := rec.Record(ctx, analytics.Event{Kind: analytics.KindDiagnostic, At: at, Path: []string{"produit", "sre", "projet", "strategie"}[r.IntN(4)],
				Level: 1 + r.IntN(3), Overall: r.IntN(101), Team: fmt.Sprintf("Équipe %d", r.IntN(12)), TeamMode: true, Dimensions: dims}); err != nil {
				tb.Fatal(err)
			}
			if err := rec.Record(ctx, analytics.Event{Kind: analytics.KindWelcome, At: at}); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

func BenchmarkAnalyticsReport100k(b *testing.B) {
	db, st := openAnalytics(b, b.TempDir())
	defer db.Close()
	now := time.Now()
	db.db.NoSync = true // filling only: a sync per event would take minutes
	fillAnalytics(b, st, 100_000, now)
	db.db.NoSync = false
	p := analytics.LastDays(30, now)
	cpu := CPUTime()
	for b.Loop() {
		r, err := analytics.Build(context.Background(), st, p)
		if err != nil || r.Questions != 100_000 {
			b.Fatalf("%v %d", err, r.Questions)
		}
	}
	b.ReportMetric(float64((CPUTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
}
