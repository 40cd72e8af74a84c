package command

import (
	"context"
	"fmt"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
)

// DiagnosticResults are the sub-commands that read and erase a user's
// diagnostic results, the same in every channel: "resultat" and "oublier".
// render gives the links of the channel; forgotten, if set, runs after an
// erasure (an adapter drops what it remembers of the user).
func DiagnosticResults(d *diagnostic.Engine, render func() diagnostic.RenderOptions, forgotten func(userID string)) []*Sub {
	return []*Sub{
		{Name: "resultat", Aliases: []string{"resultats", "result"}, Usage: "resultat [equipe]",
			Help: "voir votre dernier résultat de diagnostic et son évolution ; `equipe` : ceux de vos équipes dans le temps",
			Run: func(ctx context.Context, req Request, args []string) (Response, error) {
				if len(args) > 0 && IsTeamWord(args[0]) {
					return teamResults(ctx, d, render(), req.UserID)
				}
				return result(ctx, d, render(), req.UserID)
			}},
		{Name: "oublier", Aliases: []string{"effacer", "forget"},
			Help: "effacer vos résultats et votre diagnostic en cours (droit à l'effacement, RGPD)",
			Run: func(ctx context.Context, req Request, _ []string) (Response, error) {
				resp, err := forget(ctx, d, req.UserID)
				if err == nil && forgotten != nil {
					forgotten(req.UserID)
				}
				return resp, err
			}},
	}
}

func result(ctx context.Context, d *diagnostic.Engine, opts diagnostic.RenderOptions, userID string) (Response, error) {
	h, err := d.History(ctx, userID)
	if err != nil {
		return Response{}, err
	}
	if h.Latest == nil {
		return Response{Text: "Vous n'avez pas encore de résultat de diagnostic. `/parcours diagnostic` le lance (cinq minutes environ)."}, nil
	}
	var b strings.Builder
	b.WriteString(d.Questionnaire().ResultMarkdown(h.Latest, h.Advice, h.Change, opts))
	fmt.Fprintf(&b, "\n\n_Diagnostic du %s ; %d résultat(s) gardé(s). `/parcours oublier` les efface._",
		h.Latest.FinishedAt.Local().Format("02/01/2006 à 15:04"), h.Count)
	if h.Change == nil && h.Count > 1 {
		b.WriteString("\n_Pas de résultat précédent comparable (autre périmètre ou autre public)._")
	}
	return Response{Text: b.String()}, nil
}

// IsTeamWord says whether a word asks for the team: "equipe", "équipe",
// "team".
func IsTeamWord(w string) bool {
	switch fold(strings.Trim(w, "«»\"'")) {
	case "equipe", "equipes", "team":
		return true
	}
	return false
}

// teamResults is "/parcours resultat equipe": the team diagnostics the
// user ran, over time; only their own results are read.
func teamResults(ctx context.Context, d *diagnostic.Engine, opts diagnostic.RenderOptions, userID string) (Response, error) {
	rs, err := d.Results(ctx, userID)
	if err != nil {
		return Response{}, err
	}
	md := d.Questionnaire().TeamHistoryMarkdown(rs, opts)
	if md == "" {
		return Response{Text: "Vous n'avez pas encore fait de diagnostic pour une équipe. `/parcours diagnostic equipe Nom de l'équipe` le lance ; " +
			"son évolution se suit ici à chaque nouveau diagnostic."}, nil
	}
	return Response{Text: md + "\n\n_Les diagnostics d'équipe que vous avez faits (vos 10 derniers résultats sont gardés) ; `/parcours oublier` les efface._"}, nil
}

func forget(ctx context.Context, d *diagnostic.Engine, userID string) (Response, error) {
	cur, err := d.Current(ctx, userID)
	if err != nil {
		return Response{}, err
	}
	inProgress := cur != nil && (cur.Kind == diagnostic.StepQuestion || cur.Notice == diagnostic.NoticePaused)
	n, err := d.Forget(ctx, userID)
	if err != nil {
		return Response{}, err
	}
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
		return Response{Text: "Je ne gardais aucun résultat ni diagnostic en cours pour vous : rien à effacer."}, nil
	}
	return Response{Text: fmt.Sprintf("C'est effacé : %s. Il ne reste rien de vos réponses au diagnostic.", strings.Join(what, " et "))}, nil
}
