package diagnostic

import "testing"

func TestStartRequest(t *testing.T) {
	cases := map[string]struct {
		ok       bool
		audience Audience
	}{
		"diagnostic":                           {true, AudienceAsk},
		"Diagnostic !":                         {true, AudienceAsk},
		"faire le diagnostic":                  {true, AudienceAsk},
		"Je voudrais faire le diagnostic, svp": {true, AudienceAsk},
		"test de maturité":                     {true, AudienceAsk},
		"lancer le diagnostic de maturité":     {true, AudienceAsk},
		"diagnostic pour mon équipe":           {true, AudienceTeam},
		"auto-évaluation":                      {true, AudienceAsk},
		"à quoi sert le diagnostic ?":          {false, AudienceAsk},
		"le diagnostic est-il obligatoire":     {false, AudienceAsk},
		"comment déployer sur kubernetes":      {false, AudienceAsk},
		"":                                     {false, AudienceAsk},
	}
	for text, want := range cases {
		a, ok := StartRequest(text)
		if ok != want.ok || a != want.audience {
			t.Errorf("StartRequest(%q) = %q, %v; attendu %q, %v", text, a, ok, want.audience, want.ok)
		}
	}
}
