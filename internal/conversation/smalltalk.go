package conversation

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/cloud-pi-native/parcours/internal/answer"
)

// talkKind is what a short social message is, so that "merci" or "qui
// es-tu ?" is answered as a person would, never sent to the knowledge base.
type talkKind int

const (
	notSmallTalk talkKind = iota
	greeting
	thanks  // thanks and acknowledgements ("ok", "parfait")
	goodbye // "au revoir", "bonne journée"
	who     // "qui es-tu ?", "tu sers à quoi ?"
	help    // "aide", "menu", "comment ça marche ?"
)

var (
	greetingWords = set("bonjour", "bonsoir", "salut", "coucou", "hello", "hi", "hey", "ca", "va", "comment", "vas", "tu",
		"allez", "vous", "tout", "le", "monde", "a", "tous", "et", "toi", "bien")
	thanksWords = set("merci", "beaucoup", "bien", "mille", "fois", "thanks", "thank", "you", "thx", "ok", "okay", "oki",
		"d", "accord", "dac", "super", "parfait", "top", "genial", "cool", "nickel", "ca", "marche", "entendu", "tres",
		"vraiment", "c", "est", "clair", "compris", "great", "perfect", "got", "it", "a", "toi", "vous", "pour", "tout",
		"l", "aide", "ton", "votre", "de", "la", "reponse")
	// politeness is what may stand around a phrase below ("bonjour, qui
	// es-tu ?", "merci, au revoir").
	politeness = set("bonjour", "bonsoir", "salut", "hello", "hi", "hey", "merci", "beaucoup", "stp", "svp", "please",
		"parcours", "dis", "dites", "alors", "et", "ok", "donc")
	phrases = map[string]talkKind{
		"au revoir": goodbye, "bye": goodbye, "bye bye": goodbye, "a plus": goodbye, "a plus tard": goodbye,
		"a bientot": goodbye, "a demain": goodbye, "bonne journee": goodbye, "bonne soiree": goodbye,
		"bonne fin de journee": goodbye, "bonne nuit": goodbye, "ciao": goodbye, "tchao": goodbye,
		"goodbye": goodbye, "see you": goodbye, "bonne continuation": goodbye,

		"qui es tu": who, "qui etes vous": who, "t es qui": who, "tu es qui": who, "vous etes qui": who,
		"c est qui": who, "t qui": who, "tu es quoi": who, "t es quoi": who, "qu est ce que tu es": who, "tu sers a quoi": who,
		"a quoi tu sers": who, "a quoi sers tu": who, "a quoi servez vous": who, "que sais tu faire": who,
		"que fais tu": who, "tu fais quoi": who, "qu est ce que tu sais faire": who, "qu est ce que tu fais": who,
		"presente toi": who, "presentez vous": who, "who are you": who, "what are you": who, "what can you do": who,

		"aide": help, "help": help, "menu": help, "aide moi": help, "aidez moi": help, "besoin d aide": help,
		"j ai besoin d aide": help, "au secours": help, "comment ca marche": help, "comment ca fonctionne": help,
		"comment tu marches": help, "comment t utiliser": help, "mode d emploi": help,
	}
	emoji = regexp.MustCompile(`:[a-z0-9_+\-]+:`)
)

// smallTalk classifies a short message made only of social words; anything
// with a word of a real question is not small talk.
func smallTalk(text string) talkKind {
	text = emoji.ReplaceAllString(strings.ToLower(answer.StandardSpelling(text)), " ")
	words := strings.FieldsFunc(fold(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if strings.TrimSpace(text) == "?" {
		return help
	}
	if len(words) == 0 || len(words) > 8 {
		return notSmallTalk
	}
	core := words
	for len(core) > 0 && politeness[core[0]] {
		core = core[1:]
	}
	for len(core) > 0 && politeness[core[len(core)-1]] {
		core = core[:len(core)-1]
	}
	if k, ok := phrases[strings.Join(core, " ")]; ok {
		return k
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

// IsSmallTalk reports whether a message is small talk ("merci", "bonjour",
// "au revoir"): in a thread the bot follows, adapters leave it to the people
// talking.
func IsSmallTalk(text string) bool { return smallTalk(text) != notSmallTalk }

// english tells the few small-talk messages written in English.
var english = set("hello", "hi", "hey", "thanks", "thank", "thx", "great", "perfect", "got", "bye", "goodbye",
	"see", "who", "what", "help")

func isEnglish(text string) bool {
	for _, w := range strings.FieldsFunc(fold(strings.ToLower(text)), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if english[w] {
			return true
		}
	}
	return false
}

// smallTalkReply is the answer to small talk, in the user's language.
func (c *Conversation) smallTalkReply(kind talkKind, text string) Reply {
	en := isEnglish(text)
	t := func(fr, eng string) string {
		if en {
			return eng
		}
		return fr
	}
	switch kind {
	case thanks:
		return Reply{Text: t("Avec plaisir ! N'hésitez pas si vous avez une autre question.",
			"You're welcome! Ask me anything else about the Cloud Pi Native offer.")}
	case goodbye:
		return Reply{Text: t("Au revoir, et bonne continuation ! Je reste là si une autre question vous vient.",
			"Goodbye! I am here if another question comes up.")}
	case who:
		return Reply{Text: t("Je suis **"+c.botName+"**, l'assistant d'accueil de l'offre Cloud Pi Native. Je réponds à vos questions "+
			"avec les passages de la base de connaissances et leurs liens, je vous oriente vers un parcours de formation "+
			"selon votre rôle, et je propose un diagnostic de maturité DevSecOps. Je n'invente rien : quand je ne trouve pas, je le dis.",
			"I am **"+c.botName+"**, the onboarding assistant of the Cloud Pi Native offer. I answer questions with passages "+
				"of the knowledge base and their links, point you to a learning path for your role, and run a DevSecOps "+
				"maturity diagnostic. I never make answers up: when I find nothing, I say so."),
			Choices: c.menu()}
	case help:
		return Reply{Text: "Voici ce que je sais faire :\n" +
			"- répondre à vos questions : écrivez-les simplement, par exemple « c'est quoi une mise en production ? » ;\n" +
			"- vous présenter les parcours de formation : écrivez « parcours » ;\n" +
			"- faire avec vous le diagnostic de maturité : écrivez « diagnostic ».\n\n" +
			"`/parcours aide` liste toutes les commandes.", Choices: c.menu()}
	default:
		return Reply{Text: t("Bonjour ! Posez-moi une question sur l'offre Cloud Pi Native, par exemple « comment déployer mon application ? ». "+
			"`/parcours aide` liste ce que je sais faire.",
			"Hello! Ask me a question about the Cloud Pi Native offer, for example “how do I deploy my application?”. "+
				"`/parcours aide` lists what I can do.")}
	}
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// IsGoodbye reports whether a message takes leave ("au revoir"): a terminal
// ends the session after answering it.
func IsGoodbye(text string) bool { return smallTalk(text) == goodbye }
