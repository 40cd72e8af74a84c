package conversation

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
)

// backID is the choice that goes back one question.
const backID = "retour"

// waiting introduces the pending question again after an interruption.
const waiting = "Le diagnostic vous attend :"

// typedInDiagnostic takes what a private message means for the diagnostic:
// a request to start it (or resume it), an answer or a command while one is
// in progress ("2", "retour", "annuler"), "reprendre". A question or small
// talk in the middle is answered, then the pending question is asked again.
func (c *Conversation) typedInDiagnostic(ctx context.Context, m Message, text string, out Outbox) (bool, error) {
	user := m.User.ID
	var (
		st  *diagnostic.Step
		err error
	)
	if aud, ok := diagnostic.StartRequest(text); ok {
		st, err = c.diag.Start(ctx, user, diagnostic.StartOptions{Audience: aud})
	} else {
		active := diagnostic.IsCommand(text)
		if !active {
			if active, err = c.diag.Active(ctx, user); err != nil {
				return true, c.failed(ctx, m.User, out, fmt.Errorf("état du diagnostic: %w", err))
			}
		}
		if !active {
			return false, nil
		}
		st, err = c.diag.Reply(ctx, user, text)
	}
	if err != nil {
		return true, c.failed(ctx, m.User, out, err)
	}
	message := ""
	if st.Notice == diagnostic.NoticeUnclear {
		if kind := smallTalk(text); kind != notSmallTalk {
			r := c.smallTalkReply(kind, text)
			r.Choices = nil // the question's options are the choices now
			if _, err := c.send(ctx, user, out, r); err != nil {
				return true, err
			}
			message = waiting
		} else if looksLikeQuestion(text) {
			a, err := c.know.Ask(ctx, text)
			if err != nil {
				return true, c.failed(ctx, m.User, out, err)
			}
			if err := c.showAnswer(ctx, m, a, ToThread, out); err != nil {
				return true, err
			}
			message = waiting
		}
	}
	_, err = c.showStep(ctx, m.User, m.Place, st, message, "", out)
	return true, err
}

// failed tells the user something went wrong with their diagnostic.
func (c *Conversation) failed(ctx context.Context, u User, out Outbox, err error) error {
	c.send(ctx, u.ID, out, Reply{Text: "Désolé, une erreur est survenue. Réessayez dans un instant : vos réponses déjà données sont gardées."})
	return err
}

var questionRE = regexp.MustCompile(`\b(quoi|comment|pourquoi|combien|c'est|qu'est-ce|what|why|how|sert|servir|ou|quel|quelle|qui)\b`)

// looksLikeQuestion tells a question typed during a diagnostic from an
// unclear answer to the current question.
func looksLikeQuestion(text string) bool {
	t := fold(strings.ToLower(text))
	n := len(strings.Fields(t))
	return n >= 3 && (strings.Contains(t, "?") || questionRE.MatchString(t))
}

// startDiagnostic starts (or resumes) the user's diagnostic in their direct
// conversation with the bot.
func (c *Conversation) startDiagnostic(ctx context.Context, u User, aud diagnostic.Audience, restart bool, out Outbox) error {
	return c.startDiagnosticWith(ctx, u, diagnostic.StartOptions{Audience: aud, Restart: restart}, out)
}

func (c *Conversation) startDiagnosticWith(ctx context.Context, u User, opts diagnostic.StartOptions, out Outbox) error {
	st, err := c.diag.Start(ctx, u.ID, opts)
	if err != nil {
		return err
	}
	_, err = c.showStep(ctx, u, Direct, st, "", "", out)
	return err
}

// showStep shows a step in the user's direct conversation. The message that
// showed the previous question (unless it is keep, which the caller closes)
// loses its choices first, saying what was answered, so that only the
// current question can be clicked.
func (c *Conversation) showStep(ctx context.Context, u User, place Place, st *diagnostic.Step, message, keep string, out Outbox) (string, error) {
	s := c.state(u.ID)
	if s.questionMsg != "" && s.questionMsg != keep {
		c.closeShown(ctx, u.ID, s, st, out)
	}
	id, err := c.send(ctx, u.ID, out, c.stepReply(place, st, message))
	if err != nil {
		return "", err
	}
	if c.metrics != nil {
		c.metrics.DiagnosticSteps.WithLabelValues(string(st.Kind)).Inc()
	}
	if st.Kind == diagnostic.StepResult && c.stores.Record != nil {
		if err := c.stores.Record.Diagnostic(ctx, st.Result, st.Advice); err != nil {
			c.logger(ctx).Warn("recording diagnostic failed", zap.Error(err))
		}
	}
	switch {
	case st.Kind == diagnostic.StepQuestion:
		s.question, s.questionMsg, s.menu = st.Question.ID, id, nil
	case st.Kind == diagnostic.StepResult || st.Notice == diagnostic.NoticeCancelled:
		s.question, s.questionMsg = "", ""
	}
	return id, nil
}

// closeShown closes the message of the user's previous question, showing
// the answer now recorded for it, if any.
func (c *Conversation) closeShown(ctx context.Context, userID string, s *userState, next *diagnostic.Step, out Outbox) {
	if next.Kind == diagnostic.StepNotice && next.Notice != diagnostic.NoticeCancelled {
		return // nothing changed ("no diagnostic", "paused"...): the message stays as is
	}
	line := ""
	switch label, ok := c.answered(ctx, userID, s.question); {
	case ok && !(next.Kind == diagnostic.StepQuestion && next.Question.ID == s.question):
		line = answeredLine(label)
	case next.Notice == diagnostic.NoticeCancelled:
		line = "_Diagnostic interrompu._"
	case next.Kind == diagnostic.StepQuestion && next.Question.ID != s.question && next.Notice == diagnostic.NoticeNone:
		line = "_← Retour à la question précédente._"
	default:
		line = "_Question reposée plus bas._"
	}
	if err := out.Close(ctx, s.questionMsg, line); err != nil {
		c.logger(ctx).Warn("closing the previous question failed", zap.Error(err))
	}
	s.question, s.questionMsg = "", ""
}

// answered returns the label of the option recorded for a question.
func (c *Conversation) answered(ctx context.Context, userID, questionID string) (string, bool) {
	opt, ok := c.diag.Answered(ctx, userID, questionID)
	if !ok {
		return "", false
	}
	return c.optionLabel(questionID, opt), true
}

func (c *Conversation) optionLabel(questionID, optionID string) string {
	if l := c.diag.Questionnaire().OptionLabel(questionID, optionID); l != "" {
		return l
	}
	return optionID
}

func answeredLine(label string) string { return "→ **" + label + "**" }

// stepReply renders a step. A question lists its options, to type or
// click, with one choice per option and a back choice; message replaces the
// step's message when not empty.
func (c *Conversation) stepReply(place Place, st *diagnostic.Step, message string) Reply {
	if message == "" {
		message = st.Message
	}
	r := Reply{To: ToDirect}
	switch st.Kind {
	case diagnostic.StepQuestion:
		v := st.Question
		head := v.Markdown(diagnostic.RenderOptions{})
		if message != "" {
			head = message + "\n\n" + head
		}
		var list []string
		for _, o := range v.Options {
			list = append(list, fmt.Sprintf("%d. %s", o.Number, o.Label))
		}
		how := "Cliquez sur une réponse ou écrivez son numéro"
		if place == Terminal {
			how = "Répondez par un numéro"
		}
		r.Text = head + "\n" + strings.Join(list, "\n") + "\n\n_" + how + " ; « retour » revient à la question précédente, « annuler » interrompt le diagnostic._"
		r.Keep, r.Question = head, v.ID
		for _, o := range v.Options {
			short, style := strconv.Itoa(o.Number), Primary
			if o.Skip {
				short, style = "Passer", Secondary
			}
			r.Choices = append(r.Choices, Choice{ID: fmt.Sprintf("opt%d", o.Number), Label: o.Label, Short: short, Style: style, Action: ActionDiagnostic,
				Data: map[string]string{"q": v.ID, "o": o.ID}, Optional: true})
		}
		if v.CanGoBack {
			r.Choices = append(r.Choices, Choice{ID: backID, Label: "← Retour", Short: "← Retour", Style: Secondary, Action: ActionDiagnostic,
				Data: map[string]string{"q": v.ID, "c": backID}, Optional: true})
		}
	case diagnostic.StepResult:
		var parts []string
		if message != "" {
			parts = append(parts, message)
		}
		parts = append(parts, c.diag.Questionnaire().ResultMarkdown(st.Result, st.Advice, st.Change, c.renderOptions()))
		parts = append(parts, "_`/parcours resultat` affiche ce résultat à tout moment, `/parcours oublier` l'efface ; écrivez « diagnostic » pour le refaire plus tard._")
		r.Text = strings.Join(parts, "\n\n")
	default:
		r.Text = message
	}
	return r
}

// renderOptions are the links of results.
func (c *Conversation) renderOptions() diagnostic.RenderOptions {
	return diagnostic.RenderOptions{Link: c.know.PageURL, PathTitle: c.pathTitle}
}

// pathTitle names a learning path after "Parcours conseillé :".
func (c *Conversation) pathTitle(id string) string {
	if p := c.know.Catalog().Path(id); p != nil {
		return p.Title
	}
	return ""
}

// clickDiagnostic handles a click on a diagnostic choice. The clicked
// message is closed: once answered it shows the answer and loses its
// choices. Clicks on an old question, after the end or after a restart are
// answered as the engine says, never with an error.
func (c *Conversation) clickDiagnostic(ctx context.Context, k Click, out Outbox) error {
	if c.diag == nil {
		return notice(ctx, out, "Le diagnostic n'est pas disponible ici.")
	}
	user := k.User.ID
	q, opt, cmd := k.Data["q"], k.Data["o"], k.Data["c"]
	if cmd == backID {
		cur, err := c.diag.Current(ctx, user)
		if err != nil {
			return err
		}
		if cur.Kind != diagnostic.StepQuestion || cur.Question.ID != q {
			return c.notCurrent(ctx, k, cur, out)
		}
		st, err := c.diag.Back(ctx, user)
		if err != nil {
			return err
		}
		if st.Notice == diagnostic.NoticeFirst {
			return notice(ctx, out, st.Message)
		}
		if _, err := c.showStep(ctx, k.User, k.Place, st, "", k.Message, out); err != nil {
			return err
		}
		return out.Close(ctx, k.Message, "_← Retour à la question précédente._")
	}
	st, err := c.diag.Choose(ctx, user, q, opt)
	if err != nil {
		return err
	}
	if st.Kind == diagnostic.StepResult || st.Kind == diagnostic.StepQuestion && st.Notice == diagnostic.NoticeNone {
		if _, err := c.showStep(ctx, k.User, k.Place, st, "", k.Message, out); err != nil {
			return err
		}
		return out.Close(ctx, k.Message, answeredLine(c.optionLabel(q, opt)))
	}
	return c.notCurrent(ctx, k, st, out)
}

// notCurrent answers a click on a message that is not the current question:
// the message loses its choices, and the user is told why and shown the
// current question when it is not already the last one shown.
func (c *Conversation) notCurrent(ctx context.Context, k Click, st *diagnostic.Step, out Outbox) error {
	user, s := k.User.ID, c.state(k.User.ID)
	switch {
	case st.Notice == diagnostic.NoticeDuplicate:
		if label, ok := c.answered(ctx, user, k.Data["q"]); ok {
			if err := out.Close(ctx, k.Message, answeredLine(label)); err != nil {
				return err
			}
		}
		if s.question != st.Question.ID || s.questionMsg == "" {
			// The next question was never shown (the first click failed
			// half-way): show it now.
			_, err := c.showStep(ctx, k.User, k.Place, st, "Réponse déjà prise en compte. Voici la question suivante.", k.Message, out)
			return err
		}
		return notice(ctx, out, "Réponse déjà prise en compte : la question suivante est plus bas.")
	case st.Kind == diagnostic.StepQuestion:
		if err := out.Close(ctx, k.Message, "_Question remplacée : la question en cours est plus bas._"); err != nil {
			return err
		}
		if s.question == st.Question.ID && s.questionMsg != "" && s.questionMsg != k.Message {
			return notice(ctx, out, "Ce bouton correspond à une autre question que celle en cours : répondez à la dernière question posée, plus bas.")
		}
		_, err := c.showStep(ctx, k.User, k.Place, st, "", k.Message, out)
		return err
	default: // finished, no diagnostic, expired, paused
		if err := out.Close(ctx, k.Message, ""); err != nil {
			return err
		}
		msg := st.Message
		if msg == "" {
			msg = "Ce diagnostic n'est plus en cours."
		}
		return notice(ctx, out, msg)
	}
}

// notice shows a text to the person who clicked only.
func notice(ctx context.Context, out Outbox, text string) error {
	_, err := out.Send(ctx, Reply{To: ToCaller, Text: text})
	return err
}
