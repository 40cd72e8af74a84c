package analytics

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/cloud-pi-native/parcours/internal/lexicon"
)

// MaxTeamName bounds a team's name, in characters.
const MaxTeamName = 40

// ErrTeamName says what a team name may hold.
var ErrTeamName = errors.New("nom d'équipe invalide : de 1 à 40 lettres, chiffres, espaces, tirets, points, apostrophes ou &")

// CleanTeamName checks a team name typed by a user and returns it with its
// spaces collapsed. Letters, digits, spaces and - . ' ’ & are allowed:
// enough for "Équipe Cœur de métier", not for Markdown or mentions.
func CleanTeamName(s string) (string, error) {
	s = norm.NFC.String(strings.Join(strings.Fields(s), " "))
	n := utf8.RuneCountInString(s)
	if n == 0 || n > MaxTeamName {
		return "", ErrTeamName
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" -.'’&", r) {
			return "", ErrTeamName
		}
	}
	return s, nil
}

// TeamKey is what makes two spellings of a team's name the same team:
// case, accents, ligatures and spaces aside ("Équipe  Alpha" and "equipe
// alpha"), folded as everywhere else (lexicon.Fold).
func TeamKey(name string) string {
	return lexicon.Fold(strings.Join(strings.Fields(name), " "))
}
