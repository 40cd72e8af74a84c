package bolt

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/analytics/analyticstest"
	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
)

func openAnalytics(t testing.TB, dir string) (*DB, *AnalyticsStore) {
	t.Helper()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.Analytics()
	if err != nil {
		t.Fatal(err)
	}
	return db, st
}

func TestAnalyticsStoreConforms(t *testing.T) {
	analyticstest.Run(t, func(t *testing.T) analytics.Store {
		db, st := openAnalytics(t, t.TempDir())
		t.Cleanup(func() { db.Close() })
		return st
	})
}

// TestAnalyticsFileHoldsNoUserIDByDefault records everything a user can
// leave (a question, a verdict, a team diagnostic, a welcome) with the
// default settings, and looks for the user's id in the bytes of the store
// file itself, and survives a reopen.
func TestAnalyticsFileHoldsNoUserIDByDefault(t *testing.T) {
	dir := t.TempDir()
	db, st := openAnalytics(t, dir)
	const user = "k9x3userid0000000000000042"
	rec := &analytics.Recorder{Store: st}
	ctx := context.Background()
	a := &answer.Answer{Query: "où sont les journaux ?", Tier: answer.TierSure, Answered: true,
		Passages: []answer.Passage{{Path: "guide/logs.md", PageTitle: "Journaux"}}}
	if err := rec.Question(ctx, a, analytics.ChannelDM, user); err != nil {
		t.Fatal(err)
	}
	if err := rec.Feedback(ctx, "nonce1", user, "guide/logs.md", "Journaux", true); err != nil {
		t.Fatal(err)
	}
	res := &diagnostic.Result{UserID: user, Team: true, TeamName: "Alpha", Perimeter: "dev", Level: 2, Overall: 50,
		Dimensions: []diagnostic.DimensionScore{{Dimension: "securite", Score: 50, Answered: 2}}, FinishedAt: time.Now()}
	if err := rec.Diagnostic(ctx, res, &diagnostic.Advice{Path: "produit"}); err != nil {
		t.Fatal(err)
	}
	if err := rec.Welcome(ctx, user); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(user)) {
		t.Fatal("the store file holds the user id although identity recording is off")
	}
	if !bytes.Contains(data, []byte("où sont les journaux")) || !bytes.Contains(data, []byte("Alpha")) {
		t.Fatal("the events themselves are missing from the file: the check above proves nothing")
	}

	// With identity on, the id is kept, and forgetting the user removes it
	// from the file.
	db, st = openAnalytics(t, dir)
	rec = &analytics.Recorder{Store: st, Identity: true}
	if err := rec.Question(ctx, a, analytics.ChannelDM, user); err != nil {
		t.Fatal(err)
	}
	if n, err := rec.Forget(ctx, user); err != nil || n != 1 {
		t.Fatalf("forget: %d, %v; want the 1 event recorded with identity", n, err)
	}
	db.Close()
	data, _ = os.ReadFile(filepath.Join(dir, FileName))
	if bytes.Contains(data, []byte(user)) {
		// bbolt may keep freed pages: acceptable only if the id is not in a
		// live record, which the scan below checks.
		db, st = openAnalytics(t, dir)
		defer db.Close()
		st.Scan(ctx, analytics.KindQuestion, time.Time{}, time.Now().Add(time.Hour), func(e *analytics.Event) error {
			if e.User == user {
				t.Error("a forgotten user's event is still readable")
			}
			return nil
		})
	}
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add(encodeEvent(&analytics.Event{Kind: analytics.KindDiagnostic, Text: "x", Dimensions: []analytics.Score{{Dimension: "a", Score: 3}}}))
	f.Add(encodeEvent(&analytics.Event{Kind: analytics.KindQuestion, Text: "où ?", Tier: "sure", Channel: "dm"}))
	f.Add([]byte{eventVersion, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		var e analytics.Event
		if decodeEvent(data, &e) != nil {
			return
		}
		// What decodes survives a round trip unchanged.
		var again analytics.Event
		if err := decodeEvent(encodeEvent(&e), &again); err != nil {
			t.Fatalf("a decoded event does not decode once re-encoded: %v", err)
		}
		if fmt.Sprintf("%+v", again) != fmt.Sprintf("%+v", e) {
			t.Fatalf("round trip changed the event:\n%+v\n%+v", e, again)
		}
	})
}

func TestMissesOfEarlierVersionsMoveIntoTheAnalytics(t *testing.T) {
	db, st := openAnalytics(t, t.TempDir())
	defer db.Close()
	now := time.Now()
	db.RecordQuestion("quel temps demain", false, now.Add(-time.Hour))
	db.RecordQuestion("trouvée", true, now)
	rec := &analytics.Recorder{Store: st}
	n, err := db.MigrateMisses(context.Background(), rec)
	if err != nil || n != 1 {
		t.Fatalf("migrated %d, %v; want the 1 unanswered question", n, err)
	}
	var got []analytics.Event
	st.Scan(context.Background(), analytics.KindQuestion, time.Time{}, now.Add(time.Hour), func(e *analytics.Event) error {
		got = append(got, *e)
		return nil
	})
	if len(got) != 1 || got[0].Text != "quel temps demain" || got[0].Tier != analytics.TierNone || got[0].Key == "" {
		t.Errorf("analytics after migration: %+v", got)
	}
	if m, _ := db.RecentMisses(10); len(m) != 0 {
		t.Errorf("old misses still there: %v", m)
	}
	if n, err := db.MigrateMisses(context.Background(), rec); n != 0 || err != nil {
		t.Errorf("second migration: %d, %v", n, err)
	}
}
