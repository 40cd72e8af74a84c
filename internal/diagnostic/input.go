package diagnostic

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/cloud-pi-native/parcours/internal/fuzzy"
	"github.com/cloud-pi-native/parcours/internal/lexicon"
)

// command is a typed conversation command.
type command int

const (
	cmdNone command = iota
	cmdBack
	cmdCancel
	cmdResume
	cmdRestart
	cmdHelp
)

// commandWords are the typed commands, normalised (see normalize).
var commandWords = map[string]command{
	"retour": cmdBack, "precedent": cmdBack, "precedente": cmdBack, "revenir": cmdBack, "back": cmdBack,
	"question precedente": cmdBack,
	"annuler":             cmdCancel, "stop": cmdCancel, "arreter": cmdCancel, "quitter": cmdCancel, "cancel": cmdCancel,
	"pause":     cmdCancel,
	"reprendre": cmdResume, "continuer": cmdResume, "resume": cmdResume,
	"recommencer": cmdRestart, "redemarrer": cmdRestart, "restart": cmdRestart, "reinitialiser": cmdRestart,
	"aide": cmdHelp, "help": cmdHelp,
}

// skipWords are typed ways to skip a question.
var skipWords = map[string]bool{
	"passer": true, "je passe": true, "skip": true, "nsp": true, "ne sais pas": true,
	"je ne sais pas": true, "sais pas": true, "jsp": true, "na": true, "n/a": true,
	"ne s'applique pas": true, "non applicable": true, "pas concerne": true, "?": true,
}

// quotes are the quotation marks around a typed answer.
var quotes = strings.NewReplacer("«", " ", "»", " ", "\"", " ")

// normalize lowercases, folds accents and ligatures as the search does
// (lexicon.Fold), strips quotes and the punctuation around an answer ("B)",
// "« Souvent. »"), and collapses spaces.
func normalize(s string) string {
	s = quotes.Replace(lexicon.Fold(s))
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(".,;:!)(]-*_`", r)
	})
	return s
}

func parseCommand(norm string) command {
	return commandWords[norm]
}

// matchOption finds the option a typed answer means, among the options shown
// (including the skip option). It accepts the option's number ("2"), its
// letter ("b"), its id, its label or one of its words, then a label
// containing the text, then a close spelling. ok is false when nothing or
// more than one option fits.
func matchOption(opts []OptionView, text string) (string, bool) {
	t := normalize(text)
	if t == "" {
		return "", false
	}
	if n, err := strconv.Atoi(t); err == nil {
		if n >= 1 && n <= len(opts) {
			return opts[n-1].ID, true
		}
		return "", false
	}
	if len(t) == 1 && t[0] >= 'a' && t[0] <= 'z' {
		if i := int(t[0] - 'a'); i < len(opts) {
			return opts[i].ID, true
		}
		return "", false
	}
	if skipWords[t] {
		for _, o := range opts {
			if o.Skip {
				return o.ID, true
			}
		}
	}
	// Exact id, label or word; else the best partial match: a candidate
	// holding the whole text beats one the text holds, and a longer
	// candidate held beats a shorter one ("moins d'une fois par mois" is
	// the option of that label, not the option "mois").
	var exact []string
	best, bestScore, tie := "", 0, false
	all := map[string]string{} // normalised candidate → option id
	for _, o := range opts {
		cands := append([]string{o.ID, o.Label}, o.words...)
		for _, c := range cands {
			nc := normalize(c)
			all[nc] = o.ID
			score := 0
			switch {
			case nc == t:
				exact = appendUnique(exact, o.ID)
			case len(t) >= 3 && containsWords(nc, t):
				score = 1000 + len(t)
			case len(nc) >= 3 && containsWords(t, nc):
				score = len(nc)
			}
			switch {
			case score > bestScore:
				best, bestScore, tie = o.ID, score, false
			case score > 0 && score == bestScore && best != o.ID:
				tie = true
			}
		}
	}
	if len(exact) == 1 {
		return exact[0], true
	}
	if len(exact) > 1 {
		return "", false
	}
	if bestScore > 0 {
		return best, !tie
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	if c := fuzzy.Closest(t, keys); c != "" {
		return all[c], true
	}
	return "", false
}

// containsWords reports whether hay contains needle on word boundaries.
func containsWords(hay, needle string) bool {
	return strings.Contains(wordsOf(hay), wordsOf(needle))
}

func wordsOf(s string) string {
	return " " + strings.Join(strings.Fields(strings.Map(wordRune, s)), " ") + " "
}

func wordRune(r rune) rune {
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return r
	}
	return ' '
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}
