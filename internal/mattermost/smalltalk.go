package mattermost

import (
	"regexp"
	"strings"
	"unicode"
)

// talkKind is what a short social message is, so that "merci" is not sent
// to the knowledge base as a question.
type talkKind int

const (
	notSmallTalk talkKind = iota
	greeting
	thanks // thanks and acknowledgements ("ok", "parfait")
)

var (
	greetingWords = set("bonjour", "bonsoir", "salut", "coucou", "hello", "hi", "hey", "ca", "va", "comment", "vas", "tu",
		"allez", "vous", "tout", "le", "monde", "a", "tous", "et", "toi", "bien")
	thanksWords = set("merci", "beaucoup", "bien", "mille", "fois", "thanks", "thank", "you", "thx", "ok", "okay", "oki",
		"d", "accord", "dac", "super", "parfait", "top", "genial", "cool", "nickel", "ca", "marche", "entendu", "tres",
		"vraiment", "c", "est", "clair", "compris", "great", "perfect", "got", "it", "a", "toi", "vous", "pour", "tout",
		"l", "aide", "ton", "votre", "de", "la", "reponse")
	emoji = regexp.MustCompile(`:[a-z0-9_+\-]+:`)
)

// smallTalk classifies a short message made only of greeting or thanking
// words; anything with a word of a question is not small talk.
func smallTalk(text string) talkKind {
	text = emoji.ReplaceAllString(strings.ToLower(text), " ")
	words := strings.FieldsFunc(foldAccents(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) == 0 || len(words) > 8 {
		return notSmallTalk
	}
	greet, thank := true, true
	anyGreet, anyThank := false, false
	for _, w := range words {
		g, t := greetingWords[w], thanksWords[w]
		greet = greet && (g || t)
		thank = thank && t
		switch w {
		case "bonjour", "bonsoir", "salut", "coucou", "hello", "hi", "hey":
			anyGreet = true
		case "merci", "thanks", "thank", "thx", "ok", "okay", "oki", "accord", "dac", "super", "parfait", "top",
			"genial", "cool", "nickel", "marche", "entendu", "clair", "compris", "great", "perfect", "got":
			anyThank = true
		}
	}
	switch {
	case greet && anyGreet:
		return greeting
	case thank && anyThank:
		return thanks
	}
	return notSmallTalk
}

func foldAccents(s string) string {
	return strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "î", "i", "ï", "i",
		"ô", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c", "’", "'").Replace(s)
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
