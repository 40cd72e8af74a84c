package mattermost

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/terminal"
	"github.com/cloud-pi-native/parcours/knowledge"
)

// script is a conversation a new user might have: small talk, a question,
// the diagnostic with a question and a thanks in the middle, a number with
// no menu.
var script = []string{"bonjour", "c'est quoi un déploiement ?", "diagnostic", "1", "c'est quoi un déploiement ?", "merci",
	"2", "qui es-tu ?", "au revoir"}

// newScriptConversation is a fresh conversation for the script.
func newScriptConversation(t *testing.T) *conversation.Conversation {
	t.Helper()
	q, err := diagnostic.Load(knowledge.FS, diagnostic.File)
	if err != nil {
		t.Fatal(err)
	}
	d, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: diagnostic.NewMemStore()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := conversation.New(conversation.Config{Knowledge: knowledgeOf{deployAsk{}}, Diagnostic: d})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// recorded keeps the texts the core sends, in order.
type recorded struct {
	texts []string
	n     int
}

func (r *recorded) Send(_ context.Context, rep conversation.Reply) (string, error) {
	r.texts = append(r.texts, rep.Text)
	r.n++
	return fmt.Sprint("m", r.n), nil
}
func (r *recorded) Close(context.Context, string, string) error { return nil }

// coreReplies runs the script through the core alone, at a place.
func coreReplies(t *testing.T, place conversation.Place) []string {
	t.Helper()
	c := newScriptConversation(t)
	out := &recorded{}
	for _, line := range script {
		if err := c.Message(t.Context(), conversation.Message{User: conversation.User{ID: "u1"}, Place: place, Text: line}, out); err != nil {
			t.Fatal(err)
		}
	}
	return out.texts
}

// The same scripted conversation through the core, the Mattermost adapter
// and the terminal gives the same replies: each adapter only translates.
func TestOneConversationInEveryChannel(t *testing.T) {
	want := coreReplies(t, conversation.Direct)
	if len(want) < len(script) {
		t.Fatalf("the core replied %d times to %d messages", len(want), len(script))
	}

	// Mattermost: the posts of the bot, in order, are the core's replies.
	api := &fakeAPI{}
	b := New(Options{API: api, Conversation: newScriptConversation(t),
		Poster: &Poster{Signer: NewSigner([]byte(strings.Repeat("k", 32)), 0), ActionURL: "http://bot/a"}},
		&model.User{Id: "bot", Username: "parcours", IsBot: true})
	for i, line := range script {
		b.feed(posted(&model.Post{Id: fmt.Sprint("s", i), UserId: "u1", ChannelId: "dm-u1", Message: line}, model.ChannelTypeDirect))
	}
	got := api.created
	if strings.Join(got, "\n===\n") != strings.Join(want, "\n===\n") {
		t.Errorf("Mattermost posts differ from the core's replies:\n%s\n--- want ---\n%s", strings.Join(got, "\n===\n"), strings.Join(want, "\n===\n"))
	}

	// The terminal: after its welcome, each core reply rendered for a
	// console, in order.
	want = coreReplies(t, conversation.Terminal)
	var out bytes.Buffer
	chat := &terminal.Chat{Conversation: newScriptConversation(t), User: conversation.User{ID: "u1"},
		In: strings.NewReader(strings.Join(script, "\n") + "\n"), Out: &out}
	if err := chat.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	transcript := out.String()
	at := strings.Index(transcript, "\n> ")
	for _, w := range want {
		text := terminal.Text(w, terminal.Plain)
		i := strings.Index(transcript[at:], text)
		if i < 0 {
			t.Fatalf("the terminal does not show, after what came before, the core's reply:\n%s\n--- transcript from there ---\n%s", text, transcript[at:])
		}
		at += i + len(text)
	}
}
