package conversation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.uber.org/zap"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/fr"
	"github.com/cloud-pi-native/parcours/internal/quote"
)

// cmdDiagnostic starts (or resumes) the diagnostic in the direct
// conversation: "/parcours diagnostic [equipe|moi] [recommencer]".
func (c *Conversation) cmdDiagnostic(ctx context.Context, req Request, args []string) (string, error) {
	aud, restart := diagnostic.AudienceAsk, false
	for _, a := range args {
		switch fold(strings.ToLower(strings.Trim(a, "«»\"'"))) {
		case "equipe", "team":
			aud = diagnostic.AudienceTeam
		case "moi", "me", "perso":
			aud = diagnostic.AudienceSelf
		case "recommencer", "nouveau", "restart":
			restart = true
		default:
			return fmt.Sprintf("Option « %s » inconnue. Exemples : `/parcours diagnostic`, `/parcours diagnostic equipe`, `/parcours diagnostic recommencer`.", quote.Text(a, 40)), nil
		}
	}
	if err := c.startDiagnostic(ctx, req.User, aud, restart, req.out); err != nil {
		return "", err
	}
	if req.Place.private() {
		return "", nil // the question is right here
	}
	return fmt.Sprintf("Je vous écris en message direct pour le diagnostic : ouvrez la conversation avec @%s.", c.botName), nil
}

// result shows the user's latest result and its change since the previous
// one, and says when a diagnostic is in progress.
func (c *Conversation) result(ctx context.Context, req Request, _ []string) (string, error) {
	h, err := c.diag.History(ctx, req.User.ID)
	if err != nil {
		return "", err
	}
	cur, err := c.diag.Current(ctx, req.User.ID)
	if err != nil {
		return "", err
	}
	progress := inProgress(cur)
	if h.Latest == nil {
		if progress != "" {
			return fmt.Sprintf("Vous n'avez pas encore de résultat : votre diagnostic est en cours (%s). Écrivez « reprendre » dans notre conversation pour le terminer.", progress), nil
		}
		return "Vous n'avez pas encore de résultat de diagnostic. `/parcours diagnostic` le lance (cinq minutes environ).", nil
	}
	var b strings.Builder
	b.WriteString(c.diag.Questionnaire().ResultMarkdown(h.Latest, h.Advice, h.Change, c.renderOptions()))
	kept := fr.Count(h.Count, "résultat gardé", "résultats gardés")
	if c.diag.Volatile() {
		kept += " jusqu'à la fin de cette session"
	}
	fmt.Fprintf(&b, "\n\n_Diagnostic du %s ; %s. `/parcours oublier` les efface._",
		h.Latest.FinishedAt.Local().Format("02/01/2006 à 15:04"), kept)
	if h.Change == nil && h.Count > 1 {
		b.WriteString("\n_Pas de résultat précédent comparable (autre périmètre ou autre public)._")
	}
	if progress != "" {
		fmt.Fprintf(&b, "\n\nUn nouveau diagnostic est en cours (%s) : écrivez « reprendre » dans notre conversation pour le terminer.", progress)
	}
	return b.String(), nil
}

// inProgress says where a diagnostic in progress stands ("question 3/8",
// "en pause à la question 3/8"), "" when there is none.
func inProgress(cur *diagnostic.Step) string {
	if cur == nil || cur.Question == nil || cur.Kind != diagnostic.StepQuestion && cur.Notice != diagnostic.NoticePaused {
		return ""
	}
	where := "questions d'ouverture"
	if cur.Question.Number > 0 {
		where = fmt.Sprintf("question %d/%d", cur.Question.Number, cur.Question.Total)
	}
	if cur.Notice == diagnostic.NoticePaused {
		return "en pause, " + where
	}
	return where
}

// forget erases the user's results and diagnostic in progress (RGPD).
func (c *Conversation) forget(ctx context.Context, req Request, _ []string) (string, error) {
	cur, err := c.diag.Current(ctx, req.User.ID)
	if err != nil {
		return "", err
	}
	progress := inProgress(cur) != ""
	n, err := c.diag.Forget(ctx, req.User.ID)
	if err != nil {
		return "", err
	}
	s := c.state(req.User.ID)
	s.question, s.questionMsg = "", ""
	c.logger(ctx).Info("diagnostic data erased", zap.String("user_id", req.User.ID))
	var what []string
	if n > 0 {
		what = append(what, fr.Count(n, "résultat", "résultats"))
	}
	if progress {
		what = append(what, "votre diagnostic en cours")
	}
	if len(what) == 0 {
		return "Je ne gardais aucun résultat ni diagnostic en cours pour vous : rien à effacer.", nil
	}
	return fmt.Sprintf("C'est effacé : %s. Il ne reste rien de vos réponses au diagnostic.", strings.Join(what, " et ")), nil
}

// cmdWelcome shows the welcome to an admin, or sends it again to someone:
// "/parcours bienvenue [@nom]".
func (c *Conversation) cmdWelcome(ctx context.Context, req Request, args []string) (string, error) {
	teamName := "votre équipe"
	if req.Team != "" {
		if t, err := c.dir.TeamName(ctx, req.Team); err == nil && t != "" {
			teamName = t
		}
	}
	if len(args) == 0 {
		name := req.User.Name
		if u, err := c.dir.User(ctx, req.User.ID); err == nil {
			name = u.Name
		}
		return c.preview(name, teamName), nil
	}
	username := strings.ToLower(strings.TrimPrefix(args[0], "@"))
	if req.Team == "" {
		return "Lancez cette commande depuis un canal de l'équipe concernée : l'accueil est envoyé une fois par équipe.", nil
	}
	u, err := c.dir.UserByName(ctx, username)
	if err != nil {
		return fmt.Sprintf("Utilisateur « %s » introuvable.", quote.Text("@"+username, 40)), nil
	}
	sent, err := c.welcomeUser(ctx, req.User.ID, u, req.Team, teamName, true, req.out)
	if errors.Is(err, errNotWelcomed) {
		return fmt.Sprintf("Pas de message de bienvenue pour @%s : %s.", u.Username, strings.TrimPrefix(err.Error(), errNotWelcomed.Error()+" : ")), nil
	}
	if err != nil {
		return "", err
	}
	if !sent {
		return fmt.Sprintf("Le message de bienvenue n'a pas pu être renvoyé à @%s.", u.Username), nil
	}
	c.logger(ctx).Info("welcome re-sent", zap.String("by", req.User.ID), zap.String("user_id", u.ID))
	return fmt.Sprintf("Message de bienvenue renvoyé à @%s en message direct (équipe %s).", u.Username, teamName), nil
}
