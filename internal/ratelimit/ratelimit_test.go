package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newTest(perMinute, burst int) (*Limiter, *clock) {
	c := &clock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	l := New(perMinute, burst)
	l.now = c.now
	return l, c
}

// 200 messages in 4 s from one user: the burst is answered, one polite
// message, then silence until the bucket refills; others are not affected.
func TestFloodIsCutAndWarnedOnce(t *testing.T) {
	l, c := newTest(10, 5)
	counts := map[Verdict]int{}
	for range 200 {
		counts[l.Allow("alice").Verdict]++
		c.advance(20 * time.Millisecond)
	}
	if counts[Allowed] != 5 || counts[Warn] != 1 || counts[Silent] != 194 {
		t.Errorf("verdicts %v: want 5 allowed, 1 warned, 194 silent", counts)
	}
	if d := l.Allow("bob"); d.Verdict != Allowed {
		t.Errorf("bob limited by alice's flood: %+v", d)
	}
	// One message every 6 s is 10 a minute: answered again, and a new
	// flood warns again.
	c.advance(6 * time.Second)
	if d := l.Allow("alice"); d.Verdict != Allowed {
		t.Errorf("after the window: %+v", d)
	}
	if d := l.Allow("alice"); d.Verdict != Warn || d.Retry <= 0 || d.Retry > 6*time.Second {
		t.Errorf("second flood: %+v, want a warning with the wait", d)
	}
}

func TestOffWhenZero(t *testing.T) {
	l, _ := newTest(0, 0)
	for range 1000 {
		if d := l.Allow("alice"); d.Verdict != Allowed {
			t.Fatalf("limited with the limit off: %+v", d)
		}
	}
}

// Users idle long enough to have a full bucket again are forgotten: the
// map does not grow with everyone who ever wrote.
func TestIdleUsersForgotten(t *testing.T) {
	l, c := newTest(10, 5)
	for i := range 10000 {
		l.Allow(fmt.Sprint("u", i))
	}
	c.advance(2 * time.Minute)
	l.Allow("last")
	if n := l.Len(); n > 1 {
		t.Errorf("%d users remembered after they went idle", n)
	}
}
