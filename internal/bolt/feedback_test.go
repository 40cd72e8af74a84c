package bolt

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTest(t *testing.T) (*DB, string) {
	dir := t.TempDir()
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, dir
}

func TestFeedbackDedupedPerUserAndPost(t *testing.T) {
	d, dir := openTest(t)
	now := time.Now()
	steps := []struct {
		post, user string
		useful     bool
		changed    bool
	}{
		{"p1", "u1", true, true},
		{"p1", "u1", true, false}, // replayed click: counted once
		{"p1", "u2", false, true},
		{"p2", "u1", false, true},
		{"p1", "u2", true, true}, // changed her mind
	}
	for _, s := range steps {
		changed, err := d.RecordFeedback("answer-"+s.post, s.post, s.user, s.useful, now)
		if err != nil {
			t.Fatal(err)
		}
		if changed != s.changed {
			t.Errorf("RecordFeedback(%s,%s,%v) changed=%v, want %v", s.post, s.user, s.useful, changed, s.changed)
		}
	}
	c, err := d.FeedbackCounts()
	if err != nil {
		t.Fatal(err)
	}
	if c != (FeedbackCounts{Useful: 2, NotUseful: 1}) {
		t.Errorf("counts %+v", c)
	}
	d.Close()
	raw, _ := os.ReadFile(filepath.Join(dir, FileName))
	if strings.Contains(string(raw), "u1") || strings.Contains(string(raw), "u2") {
		t.Error("user ids stored in clear")
	}
}

func TestMissesCappedAndAged(t *testing.T) {
	d, _ := openTest(t)
	now := time.Now()
	if err := d.RecordQuestion("vieille question", false, now.Add(-MissRetention-time.Hour)); err != nil {
		t.Fatal(err)
	}
	for i := range MaxMisses + 10 {
		if err := d.RecordQuestion(fmt.Sprintf("q%d", i), false, now.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.RecordQuestion("trouvée", true, now); err != nil {
		t.Fatal(err)
	}
	all, err := d.RecentMisses(10 * MaxMisses)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != MaxMisses {
		t.Fatalf("kept %d misses, want %d", len(all), MaxMisses)
	}
	if all[0].Question != fmt.Sprintf("q%d", MaxMisses+9) {
		t.Errorf("newest first expected, got %q", all[0].Question)
	}
	for _, m := range all {
		if m.Question == "vieille question" || m.Question == "trouvée" {
			t.Errorf("%q should not be kept", m.Question)
		}
	}
	q, err := d.QuestionCounts()
	if err != nil {
		t.Fatal(err)
	}
	if q.Answered != 1 || q.Missed != MaxMisses+11 {
		t.Errorf("counts %+v", q)
	}
}

func TestMissesOldDropped(t *testing.T) {
	d, _ := openTest(t)
	now := time.Now()
	d.RecordQuestion("ancienne", false, now.Add(-MissRetention-time.Hour))
	d.RecordQuestion("récente", false, now)
	got, _ := d.RecentMisses(10)
	if len(got) != 1 || got[0].Question != "récente" {
		t.Errorf("got %+v", got)
	}
}
