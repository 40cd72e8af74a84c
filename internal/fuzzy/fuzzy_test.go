package fuzzy

import "testing"

func TestClosest(t *testing.T) {
	cands := []string{"ask", "search", "index", "eval", "serve", "check", "chat"}
	for in, want := range map[string]string{
		"serach": "search", "indx": "index", "CHAT": "chat", "zzzzzz": "", "sevre": "serve",
	} {
		if got := Closest(in, cands); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDistance(t *testing.T) {
	if d := Distance("déploiement", "deploiement"); d != 1 {
		t.Errorf("accent counts as one edit, got %d", d)
	}
}
