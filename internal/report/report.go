// Package report is what the programme's people ask the bot about its use:
// `/parcours stats [7j|30j|90j]`, `/parcours tableau` (a link to the
// dashboard in a direct message), `/parcours export [30j]` (CSV files in a
// direct message). It also adapts the analytics to the conversation's Recorder,
// so that every channel records the same way.
package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/dashboard"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/quote"
)

// Caller is who runs a command.
type Caller struct {
	UserID   string
	UserName string
}

// Direct posts in the direct conversation of a user with the bot, files
// attached (the Mattermost adapter uploads them).
type Direct interface {
	SendDirect(ctx context.Context, userID, text string, files []analytics.File) error
}

// Reports runs the sub-commands. Nil fields make the matching sub-command
// say it is unavailable.
type Reports struct {
	Store  analytics.Store
	Links  *dashboard.Links
	Direct Direct
	// Names gives titles to paths and dimensions.
	Names func() analytics.Names
	Now   func() time.Time
}

func (r *Reports) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Reports) names() analytics.Names {
	if r.Names != nil {
		return r.Names()
	}
	return analytics.Names{}
}

// Help texts of the sub-commands, for their registration.
const (
	HelpStats   = "questions, réponses, questions sans réponse regroupées, avis, diagnostics et accueils sur une période"
	HelpTableau = "recevoir en message direct le lien du tableau de bord (valable une heure)"
	HelpExport  = "recevoir en message direct les données de la période en CSV"
	UsageStats  = "stats [7j|30j|90j]"
	UsageExport = "export [30j]"
)

// Stats is `/parcours stats [période]`.
func (r *Reports) Stats(ctx context.Context, c Caller, args []string) (string, error) {
	if r.Store == nil {
		return "Les statistiques ne sont pas enregistrées sur ce serveur.", nil
	}
	p, err := analytics.ParsePeriod(strings.Join(args, " "), r.now())
	if err != nil {
		return err.Error() + ".", nil
	}
	rep, err := analytics.Build(ctx, r.Store, p)
	if err != nil {
		return "", err
	}
	return StatsMarkdown(rep, r.names()), nil
}

// StatsMarkdown is the text of `/parcours stats`.
func StatsMarkdown(rep *analytics.Report, names analytics.Names) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#### Statistiques des %s\n", rep.Period.Label())
	if rep.Period.Days == 1 {
		b.Reset()
		b.WriteString("#### Statistiques d'aujourd'hui\n")
	}
	n := rep.Questions
	fmt.Fprintf(&b, "**%s** : %d %% de réponses sûres (%d), %d %% hésitantes (%d), %d %% sans réponse (%d).\n",
		count(n, "question", "questions"), analytics.Percent(rep.Tiers.Sure, n), rep.Tiers.Sure,
		analytics.Percent(rep.Tiers.Tentative, n), rep.Tiers.Tentative, analytics.Percent(rep.Tiers.None, n), rep.Tiers.None)
	if n > 0 {
		var parts []string
		for _, c := range []analytics.Channel{analytics.ChannelDM, analytics.ChannelPublic, analytics.ChannelTerminal} {
			if k := rep.Channels[c]; k > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", analytics.ChannelLabel(c), k))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(&b, "Par canal : %s.\n", strings.Join(parts, ", "))
		}
	}
	if len(rep.Unanswered) > 0 {
		fmt.Fprintf(&b, "\n**Sans réponse, regroupées** (%s) :\n", count(len(rep.Unanswered), "groupe", "groupes"))
		for i, g := range rep.Unanswered {
			if i == 10 {
				fmt.Fprintf(&b, "- … et %s (`/parcours tableau` ou `/parcours export` pour tout voir)\n", count(len(rep.Unanswered)-10, "autre groupe", "autres groupes"))
				break
			}
			fmt.Fprintf(&b, "- %d × « %s »", g.Count, quote.Text(g.Example, 120))
			if g.Wordings > 1 {
				fmt.Fprintf(&b, " (%d formulations)", g.Wordings)
			}
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "\n**Avis** : %d « Utile », %d « Pas utile ».\n", rep.Feedback.Useful, rep.Feedback.NotUseful)
	if most := rep.MostUseful(5); len(most) > 0 {
		b.WriteString("Pages les plus utiles :\n")
		for _, p := range most {
			fmt.Fprintf(&b, "- %s : %d utile, %d pas utile\n", pageName(p), p.Useful, p.NotUseful)
		}
	}
	if least := rep.LeastUseful(5); len(least) > 0 {
		b.WriteString("Pages jugées les moins utiles :\n")
		for _, p := range least {
			fmt.Fprintf(&b, "- %s : %d pas utile, %d utile\n", pageName(p), p.NotUseful, p.Useful)
		}
	}
	fmt.Fprintf(&b, "\n**Diagnostics** : %d.\n", rep.Diagnostics)
	for _, p := range rep.Paths {
		fmt.Fprintf(&b, "- %s : niveau 1 : %d, niveau 2 : %d, niveau 3 : %d\n", quote.Text(names.PathName(p.Path), 80), p.Levels[0], p.Levels[1], p.Levels[2])
	}
	if len(rep.Teams) > 0 {
		var teams []string
		for _, t := range rep.Teams {
			l := t.Latest()
			teams = append(teams, fmt.Sprintf("%s (%d/100, niveau %d)", quote.Text(t.Name, 40), l.Overall, l.Level))
		}
		fmt.Fprintf(&b, "Équipes : %s.\n", strings.Join(teams, ", "))
	}
	fmt.Fprintf(&b, "\n**Accueils envoyés** : %d.", rep.Welcomes)
	return b.String()
}

func pageName(p analytics.PageStats) string {
	t := p.Title
	if t == "" {
		t = p.Page
	}
	return quote.Text(t, 80)
}

func count(n int, one, many string) string {
	if n > 1 {
		return fmt.Sprintf("%d %s", n, many)
	}
	return fmt.Sprintf("%d %s", n, one)
}

// Tableau is `/parcours tableau`: the link goes to the caller's direct
// conversation, never to the channel where the command was typed.
func (r *Reports) Tableau(ctx context.Context, c Caller, args []string) (string, error) {
	if r.Links == nil || r.Direct == nil || r.Store == nil {
		return "Le tableau de bord n'est pas disponible sur ce serveur.", nil
	}
	link, exp := r.Links.New(c.UserID)
	text := fmt.Sprintf("[Ouvrir le tableau de bord de parcours](%s)\n\nCe lien est personnel et vaut jusqu'à %s (%s) : ne le transmettez pas. "+
		"`/parcours tableau` en donne un nouveau.", link, exp.Local().Format("15:04"), durationFr(r.Links.TTL()))
	if err := r.Direct.SendDirect(ctx, c.UserID, text, nil); err != nil {
		return "", fmt.Errorf("envoi du lien du tableau de bord: %w", err)
	}
	return "Je vous ai envoyé le lien du tableau de bord en message direct.", nil
}

// Export is `/parcours export [période]`: three CSV files in the caller's
// direct conversation.
func (r *Reports) Export(ctx context.Context, c Caller, args []string) (string, error) {
	if r.Direct == nil || r.Store == nil {
		return "L'export n'est pas disponible sur ce serveur.", nil
	}
	p, err := analytics.ParsePeriod(strings.Join(args, " "), r.now())
	if err != nil {
		return err.Error() + ".", nil
	}
	files, err := analytics.Export(ctx, r.Store, p, r.names())
	if err != nil {
		return "", err
	}
	var parts []string
	for i := range files {
		parts = append(parts, fmt.Sprintf("%s (%s)", files[i].Name, count(files[i].Rows, "ligne", "lignes")))
		files[i].Name = "parcours-" + p.String() + "-" + files[i].Name
	}
	text := fmt.Sprintf("Export des %s : %s. Format : CSV UTF-8, séparateur point-virgule (s'ouvre dans un tableur).",
		p.Label(), strings.Join(parts, ", "))
	if p.Days == 1 {
		text = "Export d'aujourd'hui : " + strings.Join(parts, ", ") + "."
	}
	if err := r.Direct.SendDirect(ctx, c.UserID, text, files); err != nil {
		return "", fmt.Errorf("envoi de l'export: %w", err)
	}
	return "Je vous ai envoyé l'export en message direct.", nil
}

func durationFr(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return count(int(d/time.Hour), "une heure", "heures")
	default:
		return count(int(d/time.Minute), "minute", "minutes")
	}
}

// Recorder adapts the analytics to the conversation: every channel records
// through it.
type Recorder struct {
	R *analytics.Recorder
}

var _ conversation.Recorder = Recorder{}

// Question records a question asked.
func (r Recorder) Question(ctx context.Context, q conversation.Asked) error {
	e := analytics.Event{Kind: analytics.KindQuestion, At: q.At, Text: q.Question, Tier: string(q.Tier), User: q.User,
		Channel: Channel(q.Place), Page: q.Page}
	if a := q.Answer; a != nil {
		if e.Text == "" {
			e.Text = a.Query
		}
		if e.Tier == "" {
			e.Tier = string(a.Tier)
		}
		if a.Answered && len(a.Passages) > 0 {
			e.Page, e.Title = a.Passages[0].Path, a.Passages[0].PageTitle
			if e.Title == "" {
				e.Title = a.Passages[0].Title
			}
		}
	}
	if e.Tier == "" {
		e.Tier = analytics.TierNone
	}
	if e.Tier == analytics.TierNone {
		e.Page, e.Title = "", ""
	}
	return r.R.Record(ctx, e)
}

// Feedback records a verdict on an answer's first page.
func (r Recorder) Feedback(ctx context.Context, f conversation.Rated) error {
	return r.R.Feedback(ctx, f.Answer, f.User, f.Page, "", f.Useful)
}

// Diagnostic records a finished diagnostic.
func (r Recorder) Diagnostic(ctx context.Context, res *diagnostic.Result, a *diagnostic.Advice) error {
	return r.R.Diagnostic(ctx, res, a)
}

// Welcome records a welcome sent.
func (r Recorder) Welcome(ctx context.Context, userID string) error {
	return r.R.Welcome(ctx, userID)
}

// Forget erases what the analytics hold of a user (only what was recorded
// while identity recording was on: nothing else names anyone).
func (r Recorder) Forget(ctx context.Context, userID string) (int, error) {
	return r.R.Forget(ctx, userID)
}

// Channel maps a conversation's place to the analytics' channel kind.
func Channel(p conversation.Place) analytics.Channel {
	switch p {
	case conversation.Direct:
		return analytics.ChannelDM
	case conversation.Terminal:
		return analytics.ChannelTerminal
	}
	return analytics.ChannelPublic
}
