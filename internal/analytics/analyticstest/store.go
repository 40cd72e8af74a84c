// Package analyticstest checks that an analytics.Store behaves as the
// analytics expect, whatever holds the events: the bbolt store and the
// in-memory one run it, and so must any other.
package analyticstest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
)

// Run runs the conformance tests; each gets a new, empty store.
func Run(t *testing.T, newStore func(t *testing.T) analytics.Store) {
	t.Run("RoundTrip", func(t *testing.T) { roundTrip(t, newStore(t)) })
	t.Run("ScanIsARangeOldestFirst", func(t *testing.T) { scanRange(t, newStore(t)) })
	t.Run("SameIDReplaces", func(t *testing.T) { sameID(t, newStore(t)) })
	t.Run("PurgeDropsOnlyOlder", func(t *testing.T) { purge(t, newStore(t)) })
	t.Run("ForgetUserDropsOnlyTheirs", func(t *testing.T) { forget(t, newStore(t)) })
	t.Run("ScanStopsOnError", func(t *testing.T) { scanStops(t, newStore(t)) })
}

var base = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

func all(t *testing.T, st analytics.Store, kind analytics.Kind) []analytics.Event {
	t.Helper()
	var out []analytics.Event
	err := st.Scan(context.Background(), kind, time.Time{}, base.AddDate(10, 0, 0), func(e *analytics.Event) error {
		c := *e
		c.Dimensions = append([]analytics.Score(nil), e.Dimensions...)
		out = append(out, c)
		return nil
	})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return out
}

func record(t *testing.T, st analytics.Store, e analytics.Event) {
	t.Helper()
	if err := st.Record(context.Background(), &e); err != nil {
		t.Fatalf("record %+v: %v", e, err)
	}
}

func roundTrip(t *testing.T, st analytics.Store) {
	d := analytics.Event{Kind: analytics.KindDiagnostic, At: base, User: "u1", Path: "sre", Level: 2, Perimeter: "ops",
		Overall: 58, Team: "Équipe Alpha", TeamMode: true, Incomplete: true,
		Dimensions: []analytics.Score{{Dimension: "securite", Score: 33}, {Dimension: "livraison", Score: 100}}}
	q := analytics.Event{Kind: analytics.KindQuestion, At: base.Add(time.Second), Text: "où sont « les » journaux ? 🙂",
		Key: "journal", Tier: "tentative", Channel: analytics.ChannelDM, Page: "guide/logs.md", Title: "Journaux"}
	f := analytics.Event{Kind: analytics.KindFeedback, At: base.Add(2 * time.Second), ID: "abc", Page: "p.md", Title: "P", Useful: true}
	w := analytics.Event{Kind: analytics.KindWelcome, At: base.Add(3 * time.Second)}
	for _, e := range []analytics.Event{d, q, f, w} {
		record(t, st, e)
	}
	for _, want := range []analytics.Event{d, q, f, w} {
		got := all(t, st, want.Kind)
		if len(got) != 1 {
			t.Fatalf("%s: %d events, want 1", want.Kind, len(got))
		}
		if g := fmt.Sprintf("%+v", norm(got[0])); g != fmt.Sprintf("%+v", norm(want)) {
			t.Errorf("%s read back as\n%s\nwant\n%s", want.Kind, g, fmt.Sprintf("%+v", norm(want)))
		}
	}
}

func norm(e analytics.Event) analytics.Event {
	e.At = e.At.UTC()
	return e
}

func scanRange(t *testing.T, st analytics.Store) {
	for i := 9; i >= 0; i-- { // recorded newest first: the scan must sort
		record(t, st, analytics.Event{Kind: analytics.KindQuestion, At: base.Add(time.Duration(i) * time.Hour), Text: fmt.Sprint(i)})
	}
	record(t, st, analytics.Event{Kind: analytics.KindWelcome, At: base.Add(3 * time.Hour)})
	var got []string
	err := st.Scan(context.Background(), analytics.KindQuestion, base.Add(2*time.Hour), base.Add(5*time.Hour), func(e *analytics.Event) error {
		got = append(got, e.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[2 3 4]" {
		t.Errorf("scan [2h, 5h) gave %v, want [2 3 4] (from included, to excluded, oldest first, one kind)", got)
	}
}

func sameID(t *testing.T, st analytics.Store) {
	record(t, st, analytics.Event{Kind: analytics.KindFeedback, At: base, ID: "x", Page: "a.md", Useful: true})
	record(t, st, analytics.Event{Kind: analytics.KindFeedback, At: base.Add(time.Minute), ID: "y", Page: "a.md", Useful: true})
	record(t, st, analytics.Event{Kind: analytics.KindFeedback, At: base.Add(time.Hour), ID: "x", Page: "a.md", Useful: false})
	got := all(t, st, analytics.KindFeedback)
	if len(got) != 2 || got[0].ID != "y" || got[1].ID != "x" || got[1].Useful {
		t.Errorf("after x changed its verdict: %+v, want y (useful) then x (not useful)", got)
	}
}

func purge(t *testing.T, st analytics.Store) {
	for _, k := range analytics.Kinds {
		record(t, st, analytics.Event{Kind: k, At: base.AddDate(0, 0, -100), ID: "old", Text: "vieux"})
		record(t, st, analytics.Event{Kind: k, At: base.AddDate(0, 0, -10), Text: "récent"})
	}
	n, err := st.Purge(context.Background(), base.AddDate(0, 0, -90))
	if err != nil {
		t.Fatal(err)
	}
	if n != len(analytics.Kinds) {
		t.Errorf("purge removed %d events, want %d", n, len(analytics.Kinds))
	}
	for _, k := range analytics.Kinds {
		got := all(t, st, k)
		if len(got) != 1 || got[0].Text != "récent" {
			t.Errorf("%s after purge: %+v, want the recent event only", k, got)
		}
	}
	// The purged event's ID is free again: a new event with it adds, and
	// does not remove anything else.
	record(t, st, analytics.Event{Kind: analytics.KindFeedback, At: base, ID: "old", Text: "nouveau"})
	if got := all(t, st, analytics.KindFeedback); len(got) != 2 {
		t.Errorf("after re-using a purged ID: %d events, want 2", len(got))
	}
	if n, err := st.Purge(context.Background(), base.AddDate(0, 0, -90)); err != nil || n != 0 {
		t.Errorf("second purge: %d, %v; want 0, nil", n, err)
	}
}

func forget(t *testing.T, st analytics.Store) {
	for _, k := range analytics.Kinds {
		record(t, st, analytics.Event{Kind: k, At: base, User: "alice", ID: "a" + k.String()})
		record(t, st, analytics.Event{Kind: k, At: base.Add(time.Second), User: "bob"})
		record(t, st, analytics.Event{Kind: k, At: base.Add(2 * time.Second)})
	}
	n, err := st.ForgetUser(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if n != len(analytics.Kinds) {
		t.Errorf("forgot %d events of alice, want %d", n, len(analytics.Kinds))
	}
	for _, k := range analytics.Kinds {
		got := all(t, st, k)
		if len(got) != 2 || got[0].User != "bob" || got[1].User != "" {
			t.Errorf("%s after forgetting alice: %+v", k, got)
		}
	}
	if n, _ := st.ForgetUser(context.Background(), ""); n != 0 {
		t.Errorf("forgetting the empty user removed %d anonymous events", n)
	}
}

func scanStops(t *testing.T, st analytics.Store) {
	for i := range 5 {
		record(t, st, analytics.Event{Kind: analytics.KindWelcome, At: base.Add(time.Duration(i) * time.Second)})
	}
	stop := fmt.Errorf("assez")
	seen := 0
	err := st.Scan(context.Background(), analytics.KindWelcome, time.Time{}, base.AddDate(1, 0, 0), func(*analytics.Event) error {
		seen++
		if seen == 2 {
			return stop
		}
		return nil
	})
	if seen != 2 || err == nil {
		t.Errorf("scan went on after an error: seen %d, err %v", seen, err)
	}
}
