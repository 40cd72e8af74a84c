package terminal

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/welcome"
	"github.com/cloud-pi-native/parcours/knowledge"
)

var (
	engineOnce sync.Once
	engine     *answer.Engine
	engineErr  error
)

func newConversation(t *testing.T) *conversation.Conversation {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = answer.Open(context.Background(), answer.Options{}) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	q, err := diagnostic.Load(knowledge.FS, diagnostic.File)
	if err != nil {
		t.Fatal(err)
	}
	d, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: diagnostic.NewMemStore(), Role: engine.Role, Volatile: true})
	if err != nil {
		t.Fatal(err)
	}
	wm, _, err := welcome.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := conversation.New(conversation.Config{Knowledge: engine, Diagnostic: d, Welcome: conversation.WelcomeOptions{Message: wm}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func chat(t *testing.T, input string) string {
	t.Helper()
	var out bytes.Buffer
	c := &Chat{Conversation: newConversation(t), User: conversation.User{ID: "terminal:test", Name: "Camille"},
		Team: "Cloud Pi Native", In: strings.NewReader(input), Out: &out}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestChatRunsADiagnosticToItsResult(t *testing.T) {
	// Menu choice 1 starts the diagnostic; then "pour moi", the role "piloter
	// des projets", and the second option of every practice question.
	s := chat(t, "1\n1\n3\n"+strings.Repeat("2\n", 12)+"/parcours resultat\n/parcours oublier\n/parcours resultat\nquitter\n")
	for _, want := range []string{"Bonjour Camille, et bienvenue dans Cloud Pi Native", "1. Faire le diagnostic", "Question 1/", "projet",
		"1 résultat gardé jusqu'à la fin de cette session", "C'est effacé : 1 résultat", "pas encore de résultat", "À bientôt"} {
		if !strings.Contains(s, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if !strings.Contains(strings.ToLower(s), "niveau") || strings.Contains(s, "**") || strings.Contains(s, "](") {
		t.Errorf("the result must be shown as plain terminal text:\n%s", s[max(0, len(s)-1500):])
	}
}

// Rough edges of the terminal: no word of a chat with buttons, no raw
// Markdown, no promise to keep answers for days when nothing is kept.
func TestChatSpeaksTerminal(t *testing.T) {
	s := chat(t, "diagnostic\nannuler\n/parcours sre\nquitter\n")
	for _, bad := range []string{"bouton", "Cliquez", "\\_", "_Question", "_Pour", "**", "7 jours"} {
		if strings.Contains(s, bad) {
			t.Errorf("%q in the terminal transcript:\n%s", bad, s)
		}
	}
	for _, want := range []string{"tapez le numéro d'un choix ci-dessous", "Répondez par un numéro", "gardées jusqu'à la fin de cette session"} {
		if !strings.Contains(s, want) {
			t.Errorf("transcript lacks %q:\n%s", want, s)
		}
	}
}

func TestChatAnswersQuestionsAndCommands(t *testing.T) {
	s := chat(t, "c'est quoi k8s ?\n/parcours sre 2\n/parcours inconnu\nquel temps fera-t-il demain ?\nmerci\n2\nau revoir\nc'est quoi k8s ?\n")
	for _, want := range []string{"pratiques/conteneurs-kubernetes.md", "Niveau 2", "pas trouvé", "Avec plaisir", "aucun choix numéroté", "Au revoir"} {
		if !strings.Contains(s, want) {
			t.Errorf("transcript lacks %q:\n%s", want, s)
		}
	}
	if strings.Count(s, "pratiques/conteneurs-kubernetes.md") != 1 {
		t.Error("the chat went on after « au revoir »")
	}
}

func TestAskGoesThroughTheConversation(t *testing.T) {
	c := newConversation(t)
	for q, want := range map[string]string{"bonjour": "Bonjour !", "merci": "Avec plaisir", "kubernets c koi": "Conteneurs et Kubernetes"} {
		var out bytes.Buffer
		if err := Ask(context.Background(), c, conversation.User{ID: "t"}, q, &out, Plain); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) || strings.Contains(out.String(), "pas trouvé") {
			t.Errorf("ask %q:\n%s", q, out.String())
		}
	}
	var out bytes.Buffer
	Ask(context.Background(), c, conversation.User{ID: "t"}, "c'est quoi k8s ?", &out, Plain)
	if !strings.Contains(out.String(), "Confiance : ") || !strings.Contains(out.String(), "\u00a0%") || strings.Contains(out.String(), "1. ") {
		t.Errorf("ask shows the confidence the French way, and no menu:\n%s", out.String())
	}
	// The answer speaks the user's language; the tool's own words stay French.
	out.Reset()
	Ask(context.Background(), c, conversation.User{ID: "t"}, "how do I deploy my application?", &out, Plain)
	if s := out.String(); !strings.Contains(s, "Here is what") || strings.Contains(s, "Confidence") || !strings.Contains(s, "Confiance : ") {
		t.Errorf("English question:\n%s", s)
	}
}
