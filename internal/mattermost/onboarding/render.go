package onboarding

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/mattermost/mattermost/server/public/model"
)

// Post props of a question post: what is needed to show, once it is
// answered, the question without its buttons and with the chosen answer,
// even after a restart.
const (
	propQuestion = "parcours_question" // question id
	propHead     = "parcours_head"     // the text above the options
	propOptions  = "parcours_options"  // option id -> label
)

// maxButtonLabel is the longest option label shown on its button; longer
// labels are listed in the message and their button shows the number.
const maxButtonLabel = 32

// backID is the button that goes back one question.
const backID = "retour"

// renderOptions are the links of results and questions.
func (ob *Onboarding) renderOptions() diagnostic.RenderOptions {
	return diagnostic.RenderOptions{Link: ob.o.Link, PathTitle: ob.o.PathTitle}
}

// stepPost renders a step as a post for channelID. A question gets one
// button per option (signed, bound to the user, with the question and
// option ids) and a back button; message replaces the step's message when
// not empty.
func (ob *Onboarding) stepPost(userID, channelID string, st *diagnostic.Step, message string) *model.Post {
	if message == "" {
		message = st.Message
	}
	p := &model.Post{ChannelId: channelID}
	switch st.Kind {
	case diagnostic.StepQuestion:
		head, list := questionText(st.Question, message)
		p.Message = head + "\n" + list + "\n\n_Cliquez sur une réponse ou écrivez son numéro ; « retour » revient à la question précédente, « annuler » interrompt le diagnostic._"
		opts := map[string]any{}
		for _, o := range st.Question.Options {
			opts[o.ID] = o.Label
		}
		p.AddProp(propQuestion, st.Question.ID)
		p.AddProp(propHead, head)
		p.AddProp(propOptions, opts)
		model.ParseMessageAttachment(p, []*model.MessageAttachment{ob.buttons(userID, st.Question)})
	case diagnostic.StepResult:
		q := ob.o.Diagnostic.Questionnaire()
		var parts []string
		if message != "" {
			parts = append(parts, message)
		}
		parts = append(parts, q.ResultMarkdown(st.Result, st.Advice, st.Change, ob.renderOptions()))
		parts = append(parts, "_`/parcours resultat` affiche ce résultat à tout moment, `/parcours oublier` l'efface ; écrivez « diagnostic » pour le refaire plus tard._")
		p.Message = strings.Join(parts, "\n\n")
	default:
		p.Message = message
	}
	return p
}

// questionText returns the text above the options (message, progress,
// question, help) and the numbered options.
func questionText(v *diagnostic.QuestionView, message string) (head, list string) {
	head = v.Markdown(diagnostic.RenderOptions{})
	if message != "" {
		head = message + "\n\n" + head
	}
	var b strings.Builder
	for i, o := range v.Options {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%d. %s", o.Number, o.Label)
	}
	return head, b.String()
}

// buttons returns the attachment with one button per option.
func (ob *Onboarding) buttons(userID string, v *diagnostic.QuestionView) *model.MessageAttachment {
	short := true
	for _, o := range v.Options {
		if utf8.RuneCountInString(o.Label) > maxButtonLabel {
			short = false
		}
	}
	nonce := mattermost.NewNonce()
	var expires int64
	if ob.o.ButtonTTL > 0 {
		expires = time.Now().Add(ob.o.ButtonTTL).Unix()
	}
	action := func(id, name, style string, data map[string]string) *model.PostAction {
		return &model.PostAction{Id: id, Name: name, Type: model.PostActionTypeButton, Style: style,
			Integration: &model.PostActionIntegration{URL: ob.o.ActionURL, Context: ob.o.Signer.Context(mattermost.Claims{
				Action: ActionDiagnostic, UserID: userID, Nonce: nonce, Data: data, Expires: expires})}}
	}
	att := &model.MessageAttachment{}
	for _, o := range v.Options {
		name := o.Label
		if !short {
			name = fmt.Sprint(o.Number)
			if o.Skip {
				name = "Passer"
			}
		}
		style := "primary"
		if o.Skip {
			style = "default"
		}
		att.Actions = append(att.Actions, action(fmt.Sprintf("opt%d", o.Number), name, style,
			map[string]string{"q": v.ID, "o": o.ID}))
	}
	if v.CanGoBack {
		att.Actions = append(att.Actions, action(backID, "← Retour", "default", map[string]string{"q": v.ID, "c": backID}))
	}
	return att
}

// closed returns the question post without its buttons and with a line
// saying what became of it ("→ **Souvent**"). A post without the props
// (not one of ours, or damaged) keeps its message.
func closed(p *model.Post, line string) (message string, props model.StringInterface) {
	head, _ := p.GetProp(propHead).(string)
	if head == "" {
		head = p.Message
	}
	props = model.StringInterface{}
	for k, v := range p.GetProps() {
		if k != model.PostPropsAttachments && k != propOptions {
			props[k] = v
		}
	}
	if line == "" {
		return head, props
	}
	return head + "\n\n" + line, props
}

// optionLabel returns the label of an option of a question post.
func optionLabel(p *model.Post, optionID string) string {
	if m, ok := p.GetProp(propOptions).(map[string]any); ok {
		if s, ok := m[optionID].(string); ok {
			return s
		}
	}
	return optionID
}

func answeredLine(label string) string { return "→ **" + label + "**" }
