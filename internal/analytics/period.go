package analytics

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Period is a span of whole days ending today: Days calendar days in the
// server's time zone, from the start of the first one (From) to To (now).
type Period struct {
	Days     int
	From, To time.Time
}

// DefaultDays is the period of `/parcours stats` and of the dashboard
// when none is given.
const DefaultDays = 30

// MaxDays bounds a period: a year.
const MaxDays = 366

// LastDays is the period of the n calendar days ending at now (today
// included).
func LastDays(n int, now time.Time) Period {
	y, m, d := now.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, now.Location()).AddDate(0, 0, -(n - 1))
	return Period{Days: n, From: start, To: now}
}

// ParsePeriod reads a period as users type it: "7j", "30j", "90j" ("j"
// for jours; "d", "jours", "days" or a bare number work too). Empty is
// DefaultDays.
func ParsePeriod(s string, now time.Time) (Period, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return LastDays(DefaultDays, now), nil
	}
	num := strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyz ")
	unit := strings.TrimSpace(s[len(num):])
	switch unit {
	case "", "j", "jour", "jours", "d", "day", "days":
	default:
		return Period{}, fmt.Errorf("période « %s » invalide : attendu un nombre de jours, par exemple 7j, 30j ou 90j", clip(s, 20))
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > MaxDays {
		return Period{}, fmt.Errorf("période « %s » invalide : attendu de 1j à %dj, par exemple 7j, 30j ou 90j", clip(s, 20), MaxDays)
	}
	return LastDays(n, now), nil
}

// String is the period as typed: "30j".
func (p Period) String() string { return strconv.Itoa(p.Days) + "j" }

// Label is the period in words: "7 derniers jours", "aujourd'hui".
func (p Period) Label() string {
	if p.Days == 1 {
		return "aujourd'hui"
	}
	return fmt.Sprintf("%d derniers jours", p.Days)
}

// Dates are the first instants of the period's days, in order.
func (p Period) Dates() []time.Time {
	out := make([]time.Time, p.Days)
	for i := range out {
		out[i] = p.From.AddDate(0, 0, i)
	}
	return out
}

// dayIndex is the index of t's day in the period, or -1.
func (p Period) dayIndex(t time.Time) int {
	t = t.In(p.From.Location())
	if t.Before(p.From) || t.After(p.To) {
		return -1
	}
	y, m, d := t.Date()
	fy, fm, fd := p.From.Date()
	// Dates at noon UTC: a difference in days immune to DST changes.
	a := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	b := time.Date(fy, fm, fd, 12, 0, 0, 0, time.UTC)
	i := int(a.Sub(b).Hours()+0.5) / 24
	if i < 0 || i >= p.Days {
		return -1
	}
	return i
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
