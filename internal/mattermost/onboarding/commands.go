package onboarding

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/command"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/httpapi"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
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
	return []*command.Sub{
		{Name: "diagnostic", Aliases: []string{"diag"}, Usage: "diagnostic [equipe] [recommencer]",
			Help: "faire le diagnostic de maturité (en message direct), pour vous ou votre équipe", Run: ob.cmdDiagnostic},
		{Name: "resultat", Aliases: []string{"resultats", "result"},
			Help: "voir votre dernier résultat de diagnostic et son évolution", Run: ob.cmdResult},
		{Name: "oublier", Aliases: []string{"effacer", "forget"},
			Help: "effacer vos résultats et votre diagnostic en cours (droit à l'effacement, RGPD)", Run: ob.cmdForget},
		{Name: "bienvenue", Aliases: []string{"accueil", "welcome"}, Usage: "bienvenue [@nom]",
			Help: "voir le message de bienvenue, ou le renvoyer à quelqu'un", Admin: true, Run: ob.cmdWelcome},
	}
}

func (ob *Onboarding) cmdDiagnostic(ctx context.Context, req command.Request, args []string) (command.Response, error) {
	aud, restart := diagnostic.AudienceAsk, false
	for _, a := range args {
		switch strings.ToLower(strings.Trim(a, "«»\"'")) {
		case "equipe", "équipe", "team":
			aud = diagnostic.AudienceTeam
		case "moi", "me", "perso":
			aud = diagnostic.AudienceSelf
		case "recommencer", "nouveau", "restart":
			restart = true
		default:
			return command.Response{Text: fmt.Sprintf("Option « %s » inconnue. Exemples : `/parcours diagnostic`, `/parcours diagnostic equipe`, `/parcours diagnostic recommencer`.", a)}, nil
		}
	}
	dm, err := ob.StartInDM(ctx, req.UserID, aud, restart)
	if err != nil {
		return command.Response{}, err
	}
	if req.ChannelID == dm.Id {
		return command.Response{Text: "C'est parti : la question est ci-dessous."}, nil
	}
	return command.Response{Text: fmt.Sprintf("Je vous écris en message direct pour le diagnostic : ouvrez la conversation avec @%s.", ob.o.BotUsername)}, nil
}

func (ob *Onboarding) cmdResult(ctx context.Context, req command.Request, args []string) (command.Response, error) {
	h, err := ob.o.Diagnostic.History(ctx, req.UserID)
	if err != nil {
		return command.Response{}, err
	}
	if h.Latest == nil {
		return command.Response{Text: "Vous n'avez pas encore de résultat de diagnostic. `/parcours diagnostic` le lance en message direct (cinq minutes environ)."}, nil
	}
	q := ob.o.Diagnostic.Questionnaire()
	var b strings.Builder
	b.WriteString(q.ResultMarkdown(h.Latest, h.Advice, h.Change, ob.renderOptions()))
	fmt.Fprintf(&b, "\n\n_Diagnostic du %s ; %d résultat(s) gardé(s). `/parcours oublier` les efface._",
		h.Latest.FinishedAt.Local().Format("02/01/2006 à 15:04"), h.Count)
	if h.Change == nil && h.Count > 1 {
		b.WriteString("\n_Pas de résultat précédent comparable (autre périmètre ou autre public)._")
	}
	return command.Response{Text: b.String()}, nil
}

func (ob *Onboarding) cmdForget(ctx context.Context, req command.Request, args []string) (command.Response, error) {
	inProgress := false
	if ob.o.Store != nil {
		s, err := ob.o.Store.GetSession(ctx, req.UserID)
		if err != nil {
			return command.Response{}, err
		}
		inProgress = s != nil
	}
	n, err := ob.o.Diagnostic.Forget(ctx, req.UserID)
	if err != nil {
		return command.Response{}, err
	}
	ob.untrack(req.UserID)
	ob.o.Logger.Info("diagnostic data erased", zap.String("user_id", req.UserID), zap.Int("results", n))
	var what []string
	switch n {
	case 0:
	case 1:
		what = append(what, "1 résultat")
	default:
		what = append(what, fmt.Sprintf("%d résultats", n))
	}
	if inProgress {
		what = append(what, "votre diagnostic en cours")
	}
	if len(what) == 0 {
		return command.Response{Text: "Je ne gardais aucun résultat ni diagnostic en cours pour vous : rien à effacer."}, nil
	}
	return command.Response{Text: fmt.Sprintf("C'est effacé : %s. Il ne reste rien de vos réponses au diagnostic.", strings.Join(what, " et "))}, nil
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
		return command.Response{Text: fmt.Sprintf("Utilisateur « @%s » introuvable.", username)}, nil
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
