package bolt

import (
	"context"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/analytics/analyticstest"
)

func BenchmarkAnalyticsReport100k(b *testing.B) {
	db, st := openAnalytics(b, b.TempDir())
	defer db.Close()
	now := time.Now()
	analyticstest.Fill(b, st, 100_000, now)
	p := analytics.LastDays(30, now)
	cpu := analyticstest.CPUTime()
	for b.Loop() {
		r, err := analytics.Build(context.Background(), st, p)
		if err != nil || r.Questions != 100_000 {
			b.Fatalf("%v %d", err, r.Questions)
		}
	}
	b.ReportMetric(float64((analyticstest.CPUTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
}
