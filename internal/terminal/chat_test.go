package terminal

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/command"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/knowledge"
)

func newChat(t *testing.T, input string, out *bytes.Buffer) *Chat {
	t.Helper()
	eng, err := answer.Open(context.Background(), answer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	q, err := diagnostic.Load(knowledge.FS, diagnostic.File)
	if err != nil {
		t.Fatal(err)
	}
	d, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: diagnostic.NewMemStore()})
	if err != nil {
		t.Fatal(err)
	}
	cmds := command.New(command.Deps{Catalog: eng.Catalog, Answers: eng})
	for _, s := range command.DiagnosticResults(d, func() diagnostic.RenderOptions { return diagnostic.RenderOptions{} }, nil) {
		cmds.Register(s)
	}
	return &Chat{
		Router:        &conversation.Router{Answers: eng, Diagnostic: d},
		Commands:      cmds,
		Questionnaire: q,
		Welcome:       "Bonjour **Camille** !",
		Link:          eng.PageURL,
		UserID:        "terminal:test",
		In:            strings.NewReader(input),
		Out:           out,
	}
}

func TestChatRunsADiagnosticToItsResult(t *testing.T) {
	var out bytes.Buffer
	// Menu choice 1 starts the diagnostic; then "pour moi", the role "piloter
	// des projets", and the second option of every practice question.
	input := "1\n1\n3\n" + strings.Repeat("2\n", 12) + "/parcours resultat\n/parcours oublier\n/parcours resultat\nquitter\n"
	if err := newChat(t, input, &out).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"Bonjour Camille !", "Que voulez-vous faire ?", "Question 1/", "projet", "1 résultat(s) gardé(s)",
		"C'est effacé : 1 résultat", "pas encore de résultat", "À bientôt"} {
		if !strings.Contains(s, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if !strings.Contains(strings.ToLower(s), "niveau") || strings.Contains(s, "**") || strings.Contains(s, "](") {
		t.Errorf("the result must be shown as plain terminal text:\n%s", s[max(0, len(s)-1500):])
	}
}

func TestChatAnswersQuestionsAndCommands(t *testing.T) {
	var out bytes.Buffer
	input := "c'est quoi k8s ?\n/parcours sre 2\n/parcours inconnu\nquel temps fera-t-il demain ?\n"
	if err := newChat(t, input, &out).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"pratiques/conteneurs-kubernetes.md", "Niveau 2", "pas trouvé"} {
		if !strings.Contains(s, want) {
			t.Errorf("transcript lacks %q:\n%s", want, s)
		}
	}
}
