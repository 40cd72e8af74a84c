package onboarding

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/httpapi"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"
)

// Intercept is the bot's interceptor: in a direct message it takes what
// belongs to the diagnostic (an answer while one is in progress, a command
// such as "reprendre", a request to start it); in a channel, a mention
// asking for the diagnostic starts it in the direct message. Everything else
// goes on to the knowledge base.
func (ob *Onboarding) Intercept(ctx context.Context, m mattermost.Message) (bool, error) {
	user := m.Post.UserId
	if m.ChannelType != model.ChannelTypeDirect {
		aud, ok := diagnostic.StartRequest(m.Text)
		if !ok || m.FollowUp {
			return false, nil
		}
		if _, err := ob.StartInDM(ctx, user, aud, false); err != nil {
			return true, err
		}
		_, err := ob.o.API.CreatePost(ctx, &model.Post{ChannelId: m.Post.ChannelId, RootId: m.RootID,
			Message: fmt.Sprintf("Je vous écris en message direct pour le diagnostic (conversation avec @%s).", ob.o.BotUsername)})
		return true, err
	}
	if strings.TrimSpace(m.Text) == "" {
		return false, nil // a file or an empty mention: not an answer
	}
	_, start := diagnostic.StartRequest(m.Text)
	if !start && !diagnostic.IsCommand(m.Text) {
		active, err := ob.o.Diagnostic.Active(ctx, user)
		if err != nil {
			return false, fmt.Errorf("état du diagnostic: %w", err)
		}
		if !active {
			return false, nil
		}
	}
	defer ob.lock(user)()
	rep, err := ob.o.Router.Handle(ctx, user, m.Text)
	if err != nil {
		ob.post(ctx, &model.Post{ChannelId: m.Post.ChannelId, Message: "Désolé, une erreur est survenue. Réessayez dans un instant : vos réponses déjà données sont gardées."})
		return true, err
	}
	message := ""
	if rep.Answer != nil {
		// A real question typed mid-diagnostic: the answer in its
		// thread, as any answer, then the question again.
		btn := &mattermost.Buttons{Signer: ob.o.Signer, URL: ob.o.ActionURL, UserID: user}
		text, atts := mattermost.RenderAnswer(rep.Answer, btn)
		p := &model.Post{ChannelId: m.Post.ChannelId, RootId: m.RootID, Message: text}
		if len(atts) > 0 {
			model.ParseMessageAttachment(p, atts)
		}
		ob.post(ctx, p)
		if ob.o.Questions != nil {
			q := conversation.Asked{Question: m.Text, Tier: rep.Answer.Tier, Place: conversation.Direct, User: user, At: time.Now(), Answer: rep.Answer}
			if err := ob.o.Questions.Question(ctx, q); err != nil {
				ob.o.Logger.Warn("recording question failed", zap.Error(err))
			}
		}
		message = "Le diagnostic vous attend :"
	}
	if rep.Step != nil {
		ob.postStep(ctx, user, m.Post.ChannelId, rep.Step, message, "")
	}
	return true, nil
}

// StartInDM starts (or resumes) the user's diagnostic in their direct
// message with the bot and returns that channel.
func (ob *Onboarding) StartInDM(ctx context.Context, userID string, aud diagnostic.Audience, restart bool) (*model.Channel, error) {
	return ob.startInDM(ctx, userID, diagnostic.StartOptions{Audience: aud, Restart: restart})
}

func (ob *Onboarding) startInDM(ctx context.Context, userID string, opts diagnostic.StartOptions) (*model.Channel, error) {
	dm, err := ob.o.API.DirectChannel(ctx, ob.o.BotID, userID)
	if err != nil {
		return nil, fmt.Errorf("ouverture du message direct: %w", err)
	}
	defer ob.lock(userID)()
	st, err := ob.o.Diagnostic.Start(ctx, userID, opts)
	if err != nil {
		return nil, err
	}
	if _, err := ob.postStep(ctx, userID, dm.Id, st, "", ""); err != nil {
		return nil, err
	}
	return dm, nil
}

// postStep posts a step in the user's direct channel. The post that showed
// the previous question (unless it is keep, which the caller updates) loses
// its buttons first, with the answer given when there was one, so that only
// the current question can be clicked.
func (ob *Onboarding) postStep(ctx context.Context, userID, channelID string, st *diagnostic.Step, message, keep string) (*model.Post, error) {
	if t, ok := ob.trackedOf(userID); ok && t.postID != keep {
		ob.closeTracked(ctx, userID, t, st)
	}
	p, err := mattermost.CreatePost(ctx, ob.o.API, ob.stepPost(userID, channelID, st, message), ob.o.Logger.With(zap.String("user_id", userID)))
	if err != nil {
		return nil, err
	}
	if m := ob.o.Metrics; m != nil {
		m.DiagnosticSteps.WithLabelValues(string(st.Kind)).Inc()
	}
	if st.Kind == diagnostic.StepResult && st.Notice == diagnostic.NoticeNone && st.Result != nil && ob.o.Questions != nil {
		// A diagnostic just finished (a result shown again has a notice).
		if err := ob.o.Questions.Diagnostic(ctx, st.Result, st.Advice); err != nil {
			ob.o.Logger.Warn("recording diagnostic failed", zap.Error(err))
		}
	}
	if st.Kind == diagnostic.StepQuestion {
		ob.track(userID, tracked{postID: p.Id, channelID: channelID, questionID: st.Question.ID})
	} else if st.Kind == diagnostic.StepResult || st.Notice == diagnostic.NoticeCancelled {
		ob.untrack(userID)
	}
	return p, nil
}

// closeTracked removes the buttons of the post of the user's previous
// question, showing the answer now recorded for it, if any.
func (ob *Onboarding) closeTracked(ctx context.Context, userID string, t tracked, next *diagnostic.Step) {
	if next.Kind == diagnostic.StepNotice && next.Notice != diagnostic.NoticeCancelled {
		return // nothing changed ("no diagnostic", "paused"...): the post stays as is
	}
	p, err := ob.o.API.GetPost(ctx, t.postID)
	if err != nil {
		ob.o.Logger.Warn("reading the previous question failed", zap.Error(err))
		ob.untrack(userID)
		return
	}
	line := ""
	switch opt, ok := ob.recorded(ctx, userID, t.questionID); {
	case ok && !(next.Kind == diagnostic.StepQuestion && next.Question.ID == t.questionID):
		line = answeredLine(optionLabel(p, opt))
	case next.Notice == diagnostic.NoticeCancelled:
		line = "_Diagnostic interrompu._"
	case next.Kind == diagnostic.StepQuestion && next.Question.ID != t.questionID && next.Notice == diagnostic.NoticeNone:
		line = "_← Retour à la question précédente._"
	default:
		line = "_Question reposée plus bas._"
	}
	ob.patch(ctx, p, line)
	ob.untrack(userID)
}

// recorded returns the option recorded for a question: in the diagnostic
// in progress, else in the result just finished.
func (ob *Onboarding) recorded(ctx context.Context, userID, questionID string) (string, bool) {
	if ob.o.Store == nil {
		return "", false
	}
	s, err := ob.o.Store.GetSession(ctx, userID)
	if err == nil && s != nil {
		for _, a := range s.Answers {
			if a.Question == questionID {
				return a.Option, true
			}
		}
		return "", false
	}
	rs, err := ob.o.Store.Results(ctx, userID)
	if err != nil || len(rs) == 0 {
		return "", false
	}
	last := rs[len(rs)-1]
	if time.Since(last.FinishedAt) > time.Hour {
		return "", false
	}
	for _, a := range last.Answers {
		if a.Question == questionID {
			return a.Option, true
		}
	}
	if questionID == diagnostic.PerimeterQuestionID {
		return last.Perimeter, true
	}
	return "", false
}

// patch replaces a question post by its closed form.
func (ob *Onboarding) patch(ctx context.Context, p *model.Post, line string) {
	msg, props := closed(p, line)
	if _, err := ob.o.API.PatchPost(ctx, p.Id, &model.PostPatch{Message: &msg, Props: &props}); err != nil {
		ob.o.Logger.Warn("updating a question post failed", zap.String("post_id", p.Id), zap.Error(err))
	}
}

func (ob *Onboarding) post(ctx context.Context, p *model.Post) {
	mattermost.CreatePost(ctx, ob.o.API, p, ob.o.Logger)
}

func ephemeral(text string) *model.PostActionIntegrationResponse {
	return &model.PostActionIntegrationResponse{EphemeralText: text}
}

// HandleClick handles a click on a diagnostic button. The clicked post is
// updated through the response: once answered it shows the answer and loses
// its buttons. Clicks on an old question, after the end or after a restart
// are answered as the engine says, never with an error page.
func (ob *Onboarding) HandleClick(ctx context.Context, r httpapi.ActionRequest) (*model.PostActionIntegrationResponse, error) {
	user := r.UserID
	q, opt, cmd := r.Claims.Data["q"], r.Claims.Data["o"], r.Claims.Data["c"]
	defer ob.lock(user)()
	clicked, err := ob.o.API.GetPost(ctx, r.PostID)
	if err != nil {
		return nil, fmt.Errorf("lecture de la question cliquée: %w", err)
	}
	update := func(line string) *model.Post {
		msg, props := closed(clicked, line)
		u := &model.Post{Id: clicked.Id, ChannelId: clicked.ChannelId, UserId: clicked.UserId, Message: msg}
		u.SetProps(props)
		return u
	}
	channel := clicked.ChannelId
	if cmd == backID {
		cur, err := ob.o.Diagnostic.Current(ctx, user)
		if err != nil {
			return nil, err
		}
		if cur.Kind != diagnostic.StepQuestion || cur.Question.ID != q {
			return ob.notCurrent(ctx, user, channel, clicked, cur, update)
		}
		st, err := ob.o.Diagnostic.Back(ctx, user)
		if err != nil {
			return nil, err
		}
		if st.Notice == diagnostic.NoticeFirst {
			return ephemeral(st.Message), nil
		}
		if _, err := ob.postStep(ctx, user, channel, st, "", clicked.Id); err != nil {
			return nil, err
		}
		return &model.PostActionIntegrationResponse{Update: update("_← Retour à la question précédente._")}, nil
	}
	st, err := ob.o.Diagnostic.Choose(ctx, user, q, opt)
	if err != nil {
		return nil, err
	}
	if st.Kind == diagnostic.StepResult || st.Kind == diagnostic.StepQuestion && st.Notice == diagnostic.NoticeNone {
		if _, err := ob.postStep(ctx, user, channel, st, "", clicked.Id); err != nil {
			return nil, err
		}
		return &model.PostActionIntegrationResponse{Update: update(answeredLine(optionLabel(clicked, opt)))}, nil
	}
	return ob.notCurrent(ctx, user, channel, clicked, st, update)
}

// notCurrent answers a click on a post that is not the current question:
// the post loses its buttons, and the user is told why and shown the current
// question when it is not already the last one posted.
func (ob *Onboarding) notCurrent(ctx context.Context, user, channel string, clicked *model.Post, st *diagnostic.Step, update func(string) *model.Post) (*model.PostActionIntegrationResponse, error) {
	resp := &model.PostActionIntegrationResponse{EphemeralText: st.Message}
	switch {
	case st.Notice == diagnostic.NoticeDuplicate:
		resp.EphemeralText = "Réponse déjà prise en compte : la question suivante est plus bas."
		qid, _ := clicked.GetProp(propQuestion).(string)
		if opt, ok := ob.recorded(ctx, user, qid); ok {
			resp.Update = update(answeredLine(optionLabel(clicked, opt)))
		}
		if t, ok := ob.trackedOf(user); !ok || t.questionID != st.Question.ID {
			// The next question was never posted (the first click failed
			// half-way): post it now.
			if _, err := ob.postStep(ctx, user, channel, st, "Réponse déjà prise en compte. Voici la question suivante.", clicked.Id); err != nil {
				return nil, err
			}
			resp.EphemeralText = ""
		}
		return resp, nil
	case st.Kind == diagnostic.StepQuestion:
		resp.Update = update("_Question remplacée : la question en cours est plus bas._")
		if t, ok := ob.trackedOf(user); ok && t.questionID == st.Question.ID && t.postID != clicked.Id {
			resp.EphemeralText = "Ce bouton correspond à une autre question que celle en cours : répondez à la dernière question posée, plus bas."
			return resp, nil
		}
		if _, err := ob.postStep(ctx, user, channel, st, "", clicked.Id); err != nil {
			return nil, err
		}
		resp.EphemeralText = ""
		return resp, nil
	default: // finished, no diagnostic, expired, paused
		resp.Update = update("")
		if resp.EphemeralText == "" {
			resp.EphemeralText = "Ce diagnostic n'est plus en cours."
		}
		return resp, nil
	}
}
