package conversation

// Router is the routing of the Mattermost adapter until it is moved onto
// the Conversation (issue 9): it will go with it.

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
)

// RouteKind says what a Routed holds.
type RouteKind int

// Kinds of routes.
const (
	KindAnswer     RouteKind = iota // Answer: the knowledge base answered (or did not find)
	KindDiagnostic                  // Step: a step of the diagnostic
)

// Routed is what the Router found to say back.
type Routed struct {
	Kind   RouteKind
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
func (r *Router) Handle(ctx context.Context, userID, text string) (*Routed, error) {
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
			if step.Notice == diagnostic.NoticeUnclear && routerLooksLikeQuestion(text) {
				a, err := r.Answers.Ask(ctx, text)
				if err != nil {
					return nil, err
				}
				if a.Answered {
					return &Routed{Kind: KindAnswer, Answer: a, Step: step}, nil
				}
			}
			return &Routed{Kind: KindDiagnostic, Step: step}, nil
		}
		if aud, ok := diagnostic.StartRequest(text); ok {
			step, err := r.Diagnostic.Start(ctx, userID, diagnostic.StartOptions{Audience: aud})
			if err != nil {
				return nil, err
			}
			return &Routed{Kind: KindDiagnostic, Step: step}, nil
		}
	}
	a, err := r.Answers.Ask(ctx, text)
	if err != nil {
		return nil, err
	}
	return &Routed{Kind: KindAnswer, Answer: a}, nil
}

// looksLikeQuestion is replaced by the Conversation's; kept for Router.
var routerQuestionRE = regexp.MustCompile(`\b(quoi|comment|pourquoi|combien|c'est|qu'est-ce|what|why|how|sert|servir)\b`)

func routerLooksLikeQuestion(text string) bool {
	t := routerFold(text)
	return strings.Contains(t, "?") && len(strings.Fields(t)) >= 3 || routerQuestionRE.MatchString(t) && len(strings.Fields(t)) >= 3
}

var folder = asciifolding.New()

func routerFold(s string) string {
	s = strings.ToLower(strings.NewReplacer("’", "'", "!", " ", ".", " ", "?", " ? ").Replace(s))
	return string(folder.Filter([]byte(s)))
}
