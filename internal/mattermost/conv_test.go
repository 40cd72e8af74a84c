package mattermost

import (
	"context"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/parcours"
)

// asker answers questions, as a fake knowledge base.
type asker interface {
	Ask(ctx context.Context, question string) (*answer.Answer, error)
}

// knowledgeOf makes a knowledge base of an asker: no paths, no pages.
type knowledgeOf struct{ asker }

func (knowledgeOf) Catalog() *parcours.Catalog { return &parcours.Catalog{} }
func (knowledgeOf) PageURL(string) string      { return "" }

// conv is the conversation on a fake knowledge base.
func conv(a asker) *conversation.Conversation {
	var k conversation.Knowledge = knowledgeOf{a}
	if e, ok := a.(*answer.Engine); ok {
		k = e
	}
	c, err := conversation.New(conversation.Config{Knowledge: k})
	if err != nil {
		panic(err)
	}
	return c
}
