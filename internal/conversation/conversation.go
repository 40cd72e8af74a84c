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
		if WantsDiagnostic(text) {
			step, err := r.Diagnostic.Start(ctx, userID, diagnostic.StartOptions{Audience: audience(text)})
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

var (
	diagnosticNounRE = regexp.MustCompile(`\b(diagnostic|diag|test de maturite|evaluation de maturite|auto-?evaluation|questionnaire de maturite|maturity (assessment|check|test)|self-?assessment|evaluer (mon|notre|ma) (niveau|maturite))\b`)
	startVerbRE      = regexp.MustCompile(`\b(faire|fais|lancer|lance|commencer|commence|demarrer|demarre|passer|debuter|refaire|veux|voudrais|aimerais|go|start|begin|take|run|do)\b`)
	questionRE       = regexp.MustCompile(`\b(quoi|comment|pourquoi|combien|c'est|qu'est-ce|what|why|how|sert|servir)\b`)
	teamRE           = regexp.MustCompile(`\b(equipe|team)\b`)
)

// WantsDiagnostic reports whether a message asks to start the diagnostic:
// "diagnostic", "faire le diagnostic", "je veux passer le test de
// maturité". A question about it ("à quoi sert le diagnostic ?") is not a
// request: the knowledge base answers it.
func WantsDiagnostic(text string) bool {
	t := fold(text)
	if !diagnosticNounRE.MatchString(t) {
		return false
	}
	if questionRE.MatchString(t) {
		return false
	}
	return len(strings.Fields(t)) <= 3 || startVerbRE.MatchString(t)
}

// looksLikeQuestion tells a question typed during a diagnostic from an
// unclear answer to the current question.
func looksLikeQuestion(text string) bool {
	t := fold(text)
	return strings.Contains(t, "?") && len(strings.Fields(t)) >= 3 || questionRE.MatchString(t) && len(strings.Fields(t)) >= 3
}

// audience reads "pour mon équipe" in a request to start.
func audience(text string) diagnostic.Audience {
	if teamRE.MatchString(fold(text)) {
		return diagnostic.AudienceTeam
	}
	return diagnostic.AudienceAsk
}

var folder = asciifolding.New()

func fold(s string) string {
	s = strings.ToLower(strings.NewReplacer("’", "'", "!", " ", ".", " ", "?", " ? ").Replace(s))
	return string(folder.Filter([]byte(s)))
}
