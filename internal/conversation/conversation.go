// Package conversation routes what a user writes to the bot, whatever the
// channel: a diagnostic in progress takes the message as an answer, a request
// to start the diagnostic starts it, anything else is a question for the
// knowledge base. The Mattermost and terminal adapters share it, so a user
// gets the same conversation in both.
package conversation

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
)

// Kind says what a Reply holds.
type Kind int

// Kinds of replies.
const (
	KindAnswer     Kind = iota // Answer: the knowledge base answered (or did not find)
	KindDiagnostic             // Step: a step of the diagnostic
)

// Reply is what the bot says back. A KindAnswer reply may also carry a Step:
// the user asked a question in the middle of a diagnostic, which waits for
// them; adapters show the answer, then the question again.
type Reply struct {
	Kind   Kind
	Answer *answer.Answer
	Step   *diagnostic.Step
}

// Asker answers questions (the answer engine).
type Asker interface {
	Ask(ctx context.Context, question string) (*answer.Answer, error)
}

// Router routes a user's messages.
type Router struct {
	Answers    Asker
	Diagnostic *diagnostic.Engine // nil: no diagnostic, every message is a question
}

// Handle routes one message of a user.
func (r *Router) Handle(ctx context.Context, userID, text string) (*Reply, error) {
	if r.Diagnostic != nil {
		active, err := r.Diagnostic.Active(ctx, userID)
		if err != nil {
			return nil, fmt.Errorf("état du diagnostic: %w", err)
		}
		if active || diagnostic.IsCommand(text) {
			step, err := r.Diagnostic.Reply(ctx, userID, text)
			if err != nil {
				return nil, err
			}
			if step.Notice == diagnostic.NoticeUnclear && looksLikeQuestion(text) {
				a, err := r.Answers.Ask(ctx, text)
				if err != nil {
					return nil, err
				}
				if a.Answered {
					return &Reply{Kind: KindAnswer, Answer: a, Step: step}, nil
				}
			}
			return &Reply{Kind: KindDiagnostic, Step: step}, nil
		}
		if aud, ok := diagnostic.StartRequest(text); ok {
			step, err := r.Diagnostic.Start(ctx, userID, diagnostic.StartOptions{Audience: aud})
			if err != nil {
				return nil, err
			}
			return &Reply{Kind: KindDiagnostic, Step: step}, nil
		}
	}
	a, err := r.Answers.Ask(ctx, text)
	if err != nil {
		return nil, err
	}
	return &Reply{Kind: KindAnswer, Answer: a}, nil
}

var questionRE = regexp.MustCompile(`\b(quoi|comment|pourquoi|combien|c'est|qu'est-ce|what|why|how|sert|servir)\b`)

// looksLikeQuestion tells a question typed during a diagnostic from an
// unclear answer to the current question.
func looksLikeQuestion(text string) bool {
	t := fold(text)
	return strings.Contains(t, "?") && len(strings.Fields(t)) >= 3 || questionRE.MatchString(t) && len(strings.Fields(t)) >= 3
}

var folder = asciifolding.New()

func fold(s string) string {
	s = strings.ToLower(strings.NewReplacer("’", "'", "!", " ", ".", " ", "?", " ? ").Replace(s))
	return string(folder.Filter([]byte(s)))
}
