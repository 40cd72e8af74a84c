package onboarding

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/command"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/httpapi"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/cloud-pi-native/parcours/internal/quote"
	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"
)

// Register plugs the onboarding into the bot: the interceptor of direct
// messages, the join event, the button actions and the sub-commands
// (replacing the placeholders of the command package).
func (ob *Onboarding) Register(bot *mattermost.Bot, srv *httpapi.Server, cmd *command.Handler) {
	bot.Intercept(ob.Intercept)
	bot.OnEvent(model.WebsocketEventUserAdded, ob.OnUserAdded)
	srv.HandleAction(ActionDiagnostic, ob.HandleClick)
	srv.HandleAction(ActionWelcome, ob.HandleWelcomeClick)
	for _, s := range ob.Commands() {
		cmd.Register(s)
	}
}

// Commands are the sub-commands of the diagnostic and the welcome.
func (ob *Onboarding) Commands() []*command.Sub {
	subs := []*command.Sub{
		{Name: "diagnostic", Aliases: []string{"diag"}, Usage: "diagnostic [equipe [nom]] [recommencer]",
			Help: "faire le diagnostic de maturité (en message direct), pour vous ou votre équipe", Run: ob.cmdDiagnostic},
	}
	subs = append(subs, command.DiagnosticResults(ob.o.Diagnostic, ob.renderOptions, ob.forgotten)...)
	return append(subs, &command.Sub{Name: "bienvenue", Aliases: []string{"accueil", "welcome"}, Usage: "bienvenue [@nom]",
		Help: "voir le message de bienvenue, ou le renvoyer à quelqu'un", Admin: true, Run: ob.cmdWelcome})
}

func (ob *Onboarding) cmdDiagnostic(ctx context.Context, req command.Request, args []string) (command.Response, error) {
	aud, restart := diagnostic.AudienceAsk, false
	var name []string
	for _, a := range args {
		switch w := strings.ToLower(strings.Trim(a, "«»\"'")); {
		case aud == diagnostic.AudienceTeam && (w == "recommencer" || w == "nouveau" || w == "restart"):
			restart = true
		case aud == diagnostic.AudienceTeam:
			name = append(name, a) // "/parcours diagnostic equipe Les Castors"
		case w == "equipe" || w == "équipe" || w == "team":
			aud = diagnostic.AudienceTeam
		case w == "moi" || w == "me" || w == "perso":
			aud = diagnostic.AudienceSelf
		case w == "recommencer" || w == "nouveau" || w == "restart":
			restart = true
		default:
			return command.Response{Text: fmt.Sprintf("Option « %s » inconnue. Exemples : `/parcours diagnostic`, `/parcours diagnostic equipe Nom de l'équipe`, `/parcours diagnostic recommencer`.", quote.Text(a, 40))}, nil
		}
	}
	opts := diagnostic.StartOptions{Audience: aud, Restart: restart}
	if len(name) > 0 {
		n, err := analytics.CleanTeamName(strings.Join(name, " "))
		if err != nil {
			return command.Response{Text: "Nom d'équipe « " + quote.Text(strings.Join(name, " "), 40) + " » refusé : " + strings.TrimPrefix(err.Error(), "nom d'équipe invalide : ") + ". Exemple : `/parcours diagnostic equipe Les Castors`."}, nil
		}
		opts.TeamName = n
	}
	dm, err := ob.startInDM(ctx, req.UserID, opts)
	if err != nil {
		return command.Response{}, err
	}
	if req.ChannelID == dm.Id {
		return command.Response{Text: "C'est parti : la question est ci-dessous."}, nil
	}
	return command.Response{Text: fmt.Sprintf("Je vous écris en message direct pour le diagnostic : ouvrez la conversation avec @%s.", ob.o.BotUsername)}, nil
}

// forgotten drops what the adapter remembers of a user whose diagnostic
// data was just erased.
func (ob *Onboarding) forgotten(userID string) {
	ob.untrack(userID)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Whom the bot welcomed where.
	if f, ok := ob.o.Welcomed.(interface {
		ForgetUserWelcomes(context.Context, string) (int, error)
	}); ok {
		if _, err := f.ForgetUserWelcomes(ctx, userID); err != nil {
			ob.o.Logger.Error("erasing the user's welcomes failed", zap.String("user_id", userID), zap.Error(err))
		}
	}
	// The statistics too, when they name people (identity recording on).
	if f, ok := ob.o.Questions.(interface {
		Forget(context.Context, string) (int, error)
	}); ok {
		if _, err := f.Forget(ctx, userID); err != nil {
			ob.o.Logger.Error("erasing the user's statistics failed", zap.String("user_id", userID), zap.Error(err))
		}
	}
	ob.o.Logger.Info("diagnostic data erased", zap.String("user_id", userID))
}

func (ob *Onboarding) cmdWelcome(ctx context.Context, req command.Request, args []string) (command.Response, error) {
	teamName := "votre équipe"
	if req.TeamID != "" {
		if t, err := ob.o.API.GetTeam(ctx, req.TeamID); err == nil {
			teamName = t.DisplayName
		}
	}
	if len(args) == 0 {
		name := req.UserName
		if u, err := ob.o.API.GetUser(ctx, req.UserID); err == nil {
			name = displayName(u)
		}
		return command.Response{Text: ob.Preview(name, teamName)}, nil
	}
	username := strings.ToLower(strings.TrimPrefix(args[0], "@"))
	if req.TeamID == "" {
		return command.Response{Text: "Lancez cette commande depuis un canal de l'équipe concernée : l'accueil est envoyé une fois par équipe."}, nil
	}
	u, err := ob.o.API.GetUserByUsername(ctx, username)
	if err != nil {
		return command.Response{Text: fmt.Sprintf("Utilisateur « %s » introuvable.", quote.Text("@"+username, 40))}, nil
	}
	sent, err := ob.Welcome(ctx, req.TeamID, u.Id, true)
	if errors.Is(err, errNotWelcomed) {
		return command.Response{Text: fmt.Sprintf("Pas de message de bienvenue pour @%s : %s.", u.Username, strings.TrimPrefix(err.Error(), errNotWelcomed.Error()+" : "))}, nil
	}
	if err != nil {
		return command.Response{}, err
	}
	if !sent {
		return command.Response{Text: fmt.Sprintf("Le message de bienvenue n'a pas pu être renvoyé à @%s.", u.Username)}, nil
	}
	ob.o.Logger.Info("welcome re-sent", zap.String("by", req.UserID), zap.String("user_id", u.Id))
	return command.Response{Text: fmt.Sprintf("Message de bienvenue renvoyé à @%s en message direct (équipe %s).", u.Username, teamName)}, nil
}
