package diagnostic

import "strings"

// startFillers are the words around a request to start the diagnostic
// ("je voudrais faire le diagnostic, svp").
var startFillers = map[string]bool{
	"je": true, "j": true, "veux": true, "voudrais": true, "aimerais": true, "souhaite": true,
	"lancer": true, "lance": true, "faire": true, "fais": true, "commencer": true, "commence": true,
	"demarrer": true, "demarre": true, "passer": true, "refaire": true, "recommencer": true,
	"le": true, "la": true, "l": true, "un": true, "une": true, "mon": true, "ma": true,
	"notre": true, "nouveau": true, "nouvel": true, "nouvelle": true, "on": true, "peut": true,
	"s": true, "il": true, "te": true, "vous": true, "plait": true, "stp": true, "svp": true,
	"merci": true, "bonjour": true, "salut": true, "pour": true, "moi": true, "start": true,
	"de": true, "d": true, "ton": true, "votre": true, "go": true, "ok": true,
	// English
	"i": true, "want": true, "would": true, "like": true, "to": true, "the": true, "a": true,
	"take": true, "run": true, "begin": true, "do": true, "please": true, "my": true, "let": true, "me": true,
	"team": true,
}

// startTargets are what remains of a start request once fillers are gone.
var startTargets = map[string]bool{
	"diagnostic": true, "diag": true, "diagnostique": true, "diagnostic maturite": true,
	"test maturite": true, "evaluation": true, "auto evaluation": true, "autoevaluation": true,
	"evaluation maturite": true, "questionnaire": true, "questionnaire maturite": true,
	"auto diagnostic": true, "autodiagnostic": true,
	"maturity assessment": true, "maturity check": true, "maturity test": true, "assessment": true,
	"self assessment": true,
}

// StartRequest reports whether a typed message asks to start the
// diagnostic ("diagnostic", "faire le diagnostic", "test de maturité",
// "diagnostic pour mon équipe"), and for whom. A question about the
// diagnostic ("à quoi sert le diagnostic ?") is not a request.
func StartRequest(text string) (Audience, bool) {
	t := normalize(text)
	if strings.Contains(text, "?") || t == "" {
		return AudienceAsk, false
	}
	audience := AudienceAsk
	var kept []string
	for _, w := range strings.Fields(strings.Map(wordRune, t)) {
		switch {
		case w == "equipe" || w == "team":
			audience = AudienceTeam
		case !startFillers[w]:
			kept = append(kept, w)
		}
	}
	if !startTargets[strings.Join(kept, " ")] {
		return AudienceAsk, false
	}
	return audience, true
}
