package diagnostic_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/bolt"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/knowledge"
)

// BenchmarkDiagnosticSteps runs 200 simulated users at once through the
// engine and the bbolt store, each clicking through whole diagnostics with
// the shipped questionnaire. One op is one step (a click, or a start); it
// reports the throughput in steps/s and the p99 latency of a step in ms
// (target: under 20 ms).
func BenchmarkDiagnosticSteps(b *testing.B) {
	const users = 200
	q, err := diagnostic.Load(knowledge.FS, diagnostic.File)
	if err != nil {
		b.Fatal(err)
	}
	db, err := bolt.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	st, err := db.Diagnostics()
	if err != nil {
		b.Fatal(err)
	}
	e, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: st})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	perims := []string{"produit", "sre", "projet", "strategie"}

	lat := make([][]time.Duration, users)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for u := 0; u < users; u++ {
		share := b.N / users
		if u < b.N%users {
			share++
		}
		wg.Add(1)
		go func(u, share int) {
			defer wg.Done()
			user := fmt.Sprintf("bench-%d", u)
			var s *diagnostic.Step
			var err error
			for i := 0; i < share; i++ {
				t0 := time.Now()
				switch {
				case s == nil || s.Kind != diagnostic.StepQuestion:
					s, err = e.Start(ctx, user, diagnostic.StartOptions{Audience: diagnostic.AudienceSelf, Restart: true})
				case s.Question.ID == diagnostic.PerimeterQuestionID:
					s, err = e.Choose(ctx, user, s.Question.ID, perims[u%len(perims)])
				default:
					s, err = e.Choose(ctx, user, s.Question.ID, s.Question.Options[(u+i)%len(s.Question.Options)].ID)
				}
				lat[u] = append(lat[u], time.Since(t0))
				if err != nil {
					b.Error(err)
					return
				}
			}
		}(u, share)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	all := slices.Concat(lat...)
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	p99 := all[min(len(all)-1, len(all)*99/100)]
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms/step")
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "steps/s")
}
