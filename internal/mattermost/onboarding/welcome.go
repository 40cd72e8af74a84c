package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/httpapi"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/cloud-pi-native/parcours/internal/welcome"
	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"
)

// Welcome buttons, in the signed data.
const (
	welcomeDiagnostic = "diagnostic"
	welcomePaths      = "parcours"
	welcomeQuestion   = "question"
)

// OnUserAdded is the hook of the "user_added" WebSocket event. Mattermost
// sends no team-wide event when someone joins a team, but it adds them to
// the team's default channel (Town Square), whose members, the bot among
// them, receive "user_added" with the user and the team: that is the join.
// Additions to other channels are ignored. The work runs off the event loop.
func (ob *Onboarding) OnUserAdded(ctx context.Context, ev *model.WebSocketEvent) {
	if !ob.o.WelcomeEnabled || ob.o.Welcomed == nil {
		return
	}
	userID, _ := ev.GetData()["user_id"].(string)
	teamID, _ := ev.GetData()["team_id"].(string)
	channelID := ev.GetBroadcast().ChannelId
	if userID == "" || teamID == "" || channelID == "" || userID == ob.o.BotID {
		return
	}
	ob.wg.Add(1)
	go func() {
		defer ob.wg.Done()
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		log := ob.o.Logger.With(zap.String("user_id", userID), zap.String("team_id", teamID))
		ok, err := ob.isTownSquare(wctx, channelID)
		if err != nil {
			log.Warn("welcome: reading the channel failed", zap.Error(err))
			return
		}
		if !ok {
			return
		}
		sent, err := ob.Welcome(wctx, teamID, userID, false)
		if err != nil {
			log.Error("welcome failed", zap.Error(err))
			return
		}
		if sent {
			log.Info("welcome sent")
		}
	}()
}

func (ob *Onboarding) isTownSquare(ctx context.Context, channelID string) (bool, error) {
	ob.channelsMu.Lock()
	v, ok := ob.townSquare[channelID]
	ob.channelsMu.Unlock()
	if ok {
		return v, nil
	}
	ch, err := ob.o.API.GetChannel(ctx, channelID)
	if err != nil {
		return false, err
	}
	v = ch.Name == model.DefaultChannelName && ch.TeamId != ""
	ob.channelsMu.Lock()
	if len(ob.townSquare) > 10000 {
		clear(ob.townSquare)
	}
	ob.townSquare[channelID] = v
	ob.channelsMu.Unlock()
	return v, nil
}

// errNotWelcomed says why a user gets no welcome.
var errNotWelcomed = errors.New("pas d'accueil")

// Welcome sends the welcome to a member of a team, once per team: false
// when they had it already, or are a bot, a deactivated account or a guest
// (unless guests are welcomed). force sends it again (an admin's re-send).
func (ob *Onboarding) Welcome(ctx context.Context, teamID, userID string, force bool) (bool, error) {
	msg := ob.welcome.Load()
	if msg == nil || ob.o.Welcomed == nil {
		return false, errors.New("message de bienvenue non chargé")
	}
	u, err := ob.o.API.GetUser(ctx, userID)
	if err != nil {
		return false, err
	}
	if why := ob.skip(u); why != "" {
		if force {
			return false, fmt.Errorf("%w : %s", errNotWelcomed, why)
		}
		return false, nil
	}
	team, err := ob.o.API.GetTeam(ctx, teamID)
	if err != nil {
		return false, err
	}
	if force {
		if err := ob.o.Welcomed.ForgetWelcome(ctx, teamID, userID); err != nil {
			return false, err
		}
	}
	first, err := ob.o.Welcomed.MarkWelcomed(ctx, teamID, userID)
	if err != nil || !first {
		return false, err
	}
	if err := ob.sendWelcome(ctx, msg, u, team); err != nil {
		// Not sent: the next join event (or an admin) may try again.
		if ferr := ob.o.Welcomed.ForgetWelcome(ctx, teamID, userID); ferr != nil {
			ob.o.Logger.Warn("welcome: forgetting a failed welcome failed", zap.Error(ferr))
		}
		return false, err
	}
	return true, nil
}

// skip says why a user gets no welcome, or "".
func (ob *Onboarding) skip(u *model.User) string {
	switch {
	case u.IsBot:
		return "c'est un bot"
	case u.DeleteAt != 0:
		return "compte désactivé"
	case u.IsGuest() && !ob.o.WelcomeGuests:
		return "c'est un invité (PARCOURS_WELCOME_GUESTS=false)"
	}
	return ""
}

func displayName(u *model.User) string {
	if u.FirstName != "" {
		return u.FirstName
	}
	return u.GetDisplayName(model.ShowNicknameFullName)
}

func (ob *Onboarding) sendWelcome(ctx context.Context, msg *welcome.Message, u *model.User, team *model.Team) error {
	dm, err := ob.o.API.DirectChannel(ctx, ob.o.BotID, u.Id)
	if err != nil {
		return fmt.Errorf("ouverture du message direct: %w", err)
	}
	p := &model.Post{ChannelId: dm.Id, Message: msg.Render(welcome.Vars{Name: displayName(u), Team: team.DisplayName})}
	model.ParseMessageAttachment(p, []*model.MessageAttachment{ob.welcomeButtons(u.Id, msg.Buttons)})
	if _, err := ob.o.API.CreatePost(ctx, p); err != nil {
		return err
	}
	if m := ob.o.Metrics; m != nil {
		m.Welcomes.Inc()
	}
	if ob.o.Questions != nil {
		if err := ob.o.Questions.Welcome(ctx, u.Id); err != nil {
			ob.o.Logger.Warn("recording welcome failed", zap.Error(err))
		}
	}
	return nil
}

func (ob *Onboarding) welcomeButtons(userID string, b welcome.Buttons) *model.MessageAttachment {
	nonce := mattermost.NewNonce()
	btn := func(id, name, style string) *model.PostAction {
		return &model.PostAction{Id: id, Name: name, Type: model.PostActionTypeButton, Style: style,
			Integration: &model.PostActionIntegration{URL: ob.o.ActionURL, Context: ob.o.Signer.Context(mattermost.Claims{
				Action: ActionWelcome, UserID: userID, Nonce: nonce, Data: map[string]string{"b": id}})}}
	}
	return &model.MessageAttachment{Actions: []*model.PostAction{
		btn(welcomeDiagnostic, b.Diagnostic, "primary"),
		btn(welcomePaths, b.Paths, "default"),
		btn(welcomeQuestion, b.Question, "default"),
	}}
}

// HandleWelcomeClick handles the welcome's buttons, in the direct message
// where the welcome was posted. The welcome keeps its buttons: each may be
// used again.
func (ob *Onboarding) HandleWelcomeClick(ctx context.Context, r httpapi.ActionRequest) (*model.PostActionIntegrationResponse, error) {
	switch r.Claims.Data["b"] {
	case welcomeDiagnostic:
		if _, err := ob.StartInDM(ctx, r.UserID, diagnostic.AudienceAsk, false); err != nil {
			return nil, err
		}
	case welcomePaths:
		text := "Les parcours ne sont pas disponibles pour le moment : réessayez dans un instant."
		if ob.o.Paths != nil {
			text = ob.o.Paths(ctx)
		}
		text += "\n\nPour savoir par où commencer, écrivez « diagnostic »."
		ob.post(ctx, &model.Post{ChannelId: r.ChannelID, Message: text})
	case welcomeQuestion:
		ob.post(ctx, &model.Post{ChannelId: r.ChannelID, Message: "Je vous écoute : écrivez votre question ici, en une phrase, " +
			"par exemple « comment déployer mon application ? » ou « c'est quoi le mode produit ? ». " +
			"Je réponds avec les passages de la base de connaissances et leurs liens."})
	default:
		return ephemeral("Ce bouton n'est plus disponible."), nil
	}
	return &model.PostActionIntegrationResponse{}, nil
}

// Preview is the welcome as a newcomer would get it, for an admin.
func (ob *Onboarding) Preview(name, team string) string {
	msg := ob.welcome.Load()
	if msg == nil {
		return "Aucun message de bienvenue n'est chargé."
	}
	var b strings.Builder
	state := "activé"
	if !ob.o.WelcomeEnabled {
		state = "désactivé (PARCOURS_WELCOME=false)"
	}
	fmt.Fprintf(&b, "_Aperçu du message de bienvenue (accueil %s), tel qu'il serait envoyé en message direct :_\n\n---\n", state)
	b.WriteString(msg.Render(welcome.Vars{Name: name, Team: team}))
	labels := []string{msg.Buttons.Diagnostic, msg.Buttons.Paths, msg.Buttons.Question}
	labels = slices.DeleteFunc(labels, func(s string) bool { return s == "" })
	fmt.Fprintf(&b, "\n\nBoutons : **[%s]**\n---\n_`/parcours bienvenue @nom` le renvoie à quelqu'un._", strings.Join(labels, "]** **["))
	return b.String()
}
