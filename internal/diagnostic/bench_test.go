package diagnostic_test

import (
	"context"
	"fmt"
	"math/rand/v2"
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
// the shipped questionnaire, without pause: it measures the capacity
// (steps/s) and the latencies at saturation, where they are mostly queueing
// for the CPU. One op is one step (a start or a click).
func BenchmarkDiagnosticSteps(b *testing.B) { benchSteps(b, 0) }

// BenchmarkDiagnosticStepsPaced is the same with each user pausing about
// 50 ms between clicks (jittered): 200 users offer up to 4,000 steps/s, far
// more than 200 people reading questions, but below saturation, so its p99
// is the latency a user would see (target: p99 under 20 ms per step).
func BenchmarkDiagnosticStepsPaced(b *testing.B) { benchSteps(b, 50*time.Millisecond) }

func benchSteps(b *testing.B, think time.Duration) {
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
			rng := rand.New(rand.NewPCG(uint64(u), 1))
			for i := 0; i < share; i++ {
				if think > 0 {
					time.Sleep(think/2 + time.Duration(rng.Int64N(int64(think))))
				}
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
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms/step")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms/step")
	b.ReportMetric(float64(all[len(all)-1].Microseconds())/1000, "max-ms/step")
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "steps/s")
}
