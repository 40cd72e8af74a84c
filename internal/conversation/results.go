package conversation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.uber.org/zap"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/fr"
	"github.com/cloud-pi-native/parcours/internal/quote"
)

// cmdDiagnostic starts (or resumes) the diagnostic in the direct
// conversation: "/parcours diagnostic [equipe [nom]|moi] [recommencer]".
// A team's name lets its maturity be followed over time.
func (c *Conversation) cmdDiagnostic(ctx context.Context, req Request, args []string) (string, error) {
	opts := diagnostic.StartOptions{Audience: diagnostic.AudienceAsk}
	var name []string
	for _, a := range args {
		switch w := fold(strings.ToLower(strings.Trim(a, "«»\"'"))); {
		case opts.Audience == diagnostic.AudienceTeam && (w == "recommencer" || w == "nouveau" || w == "restart"):
			opts.Restart = true
		case opts.Audience == diagnostic.AudienceTeam:
			name = append(name, a) // "/parcours diagnostic equipe Les Castors"
		case w == "equipe" || w == "team":
			opts.Audience = diagnostic.AudienceTeam
		case w == "moi" || w == "me" || w == "perso":
			opts.Audience = diagnostic.AudienceSelf
		case w == "recommencer" || w == "nouveau" || w == "restart":
			opts.Restart = true
		default:
			return fmt.Sprintf("Option « %s » inconnue. Exemples : `/parcours diagnostic`, `/parcours diagnostic equipe Nom de l'équipe`, `/parcours diagnostic recommencer`.", quote.Text(a, 40)), nil
		}
	}
	if len(name) > 0 {
		n, err := analytics.CleanTeamName(strings.Join(name, " "))
		if err != nil {
			return "Nom d'équipe « " + quote.Text(strings.Join(name, " "), 40) + " » refusé : " +
				strings.TrimPrefix(err.Error(), "nom d'équipe invalide : ") + ". Exemple : `/parcours diagnostic equipe Les Castors`.", nil
		}
		opts.TeamName = n
	}
	if err := c.startDiagnosticWith(ctx, req.User, opts, req.out); err != nil {
		return "", err
	}
	switch req.Place {
	case Terminal:
		return "", nil // the question is right here
	case Direct:
		return "C'est parti : la première question est dans cette conversation.", nil
	}
	return fmt.Sprintf("Je vous écris en message direct pour le diagnostic : ouvrez la conversation avec @%s.", c.botName), nil
}

// result shows the user's latest result and its change since the previous
// one, and says when a diagnostic is in progress.
func (c *Conversation) result(ctx context.Context, req Request, args []string) (string, error) {
	if len(args) > 0 {
		switch fold(strings.Trim(args[0], "«»\"'")) {
		case "equipe", "equipes", "team":
			return c.teamResults(ctx, req)
		}
	}
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

// teamResults is "/parcours resultat equipe": the team diagnostics the user
// ran, over time. Only their own results are read: someone who gave the
// same team name sees nothing of them.
func (c *Conversation) teamResults(ctx context.Context, req Request) (string, error) {
	rs, err := c.diag.Results(ctx, req.User.ID)
	if err != nil {
		return "", err
	}
	md := c.diag.Questionnaire().TeamHistoryMarkdown(rs, c.renderOptions())
	if md == "" {
		return "Vous n'avez pas encore fait de diagnostic pour une équipe. `/parcours diagnostic equipe Nom de l'équipe` le lance ; " +
			"son évolution se suit ici à chaque nouveau diagnostic.", nil
	}
	return md + "\n\n_Les diagnostics d'équipe que vous avez faits (vos 10 derniers résultats sont gardés) ; `/parcours oublier` les efface._", nil
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
	// Whom the bot welcomed where, when the store can forget it.
	if f, ok := c.stores.Welcomed.(interface {
		ForgetUserWelcomes(context.Context, string) (int, error)
	}); ok {
		if _, err := f.ForgetUserWelcomes(ctx, req.User.ID); err != nil {
			return "", fmt.Errorf("effacement des accueils: %w", err)
		}
	}
	// The statistics too, when they name people (identity recording on):
	// a recorder that can forget does.
	if f, ok := c.stores.Record.(interface {
		Forget(context.Context, string) (int, error)
	}); ok {
		if _, err := f.Forget(ctx, req.User.ID); err != nil {
			return "", fmt.Errorf("effacement des statistiques: %w", err)
		}
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
