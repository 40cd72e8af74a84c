package fr

import "testing"

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 autre sujet"}, {1, "1 autre sujet"}, {2, "2 autres sujets"}, {12, "12 autres sujets"}} {
		if got := Count(c.n, "autre sujet", "autres sujets"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for in, want := range map[float64]string{0.946: "94,6\u00a0%", 0.95: "95\u00a0%", 1: "100\u00a0%", 0: "0\u00a0%", 0.0004: "0\u00a0%"} {
		if got := Percent(in); got != want {
			t.Errorf("Percent(%v) = %q, want %q", in, got, want)
		}
	}
}
