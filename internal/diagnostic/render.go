package diagnostic

import (
	"fmt"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/fr"
	"github.com/cloud-pi-native/parcours/internal/quote"
)

// RenderOptions tune the Markdown of the render functions; adapters give
// their own links.
type RenderOptions struct {
	// Link turns a page path relative to knowledge/ ("pratiques/ci-cd.md")
	// into a URL; when nil or when it returns "", the path is shown as code.
	Link func(page string) string
	// PathTitle names a learning path ("Qualité du produit"), after the
	// words "Parcours conseillé :"; when nil or "", the path's id.
	PathTitle func(id string) string
	// Numbered lists the options with their numbers (terminal, or a channel
	// without buttons); otherwise options are left to the buttons.
	Numbered bool
}

func (o RenderOptions) link(title, page string) string {
	if o.Link != nil {
		if u := o.Link(page); u != "" {
			return fmt.Sprintf("[%s](%s)", title, u)
		}
	}
	return fmt.Sprintf("%s (`%s`)", title, page)
}

func (o RenderOptions) pathTitle(id string) string {
	if o.PathTitle != nil {
		if t := o.PathTitle(id); t != "" {
			return t
		}
	}
	return id
}

// Markdown renders a step in French: the message, then the question or the
// result. Adapters with buttons render Question.Options as buttons.
func (s *Step) Markdown(q *Questionnaire, o RenderOptions) string {
	var parts []string
	if s.Message != "" {
		parts = append(parts, s.Message)
	}
	switch s.Kind {
	case StepQuestion:
		parts = append(parts, s.Question.Markdown(o))
	case StepResult:
		parts = append(parts, q.ResultMarkdown(s.Result, s.Advice, s.Change, o))
	}
	return strings.Join(parts, "\n\n")
}

// Markdown renders a question: progress, text, help, and the numbered
// options when o.Numbered.
func (v *QuestionView) Markdown(o RenderOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "_%s_\n**%s**", v.Progress, v.Text)
	if v.Help != "" {
		fmt.Fprintf(&b, "\n%s", v.Help)
	}
	if o.Numbered {
		for _, opt := range v.Options {
			fmt.Fprintf(&b, "\n%d. %s", opt.Number, opt.Label)
		}
		b.WriteString("\n\n_Répondez par un numéro ; « retour » pour revenir, « annuler » pour interrompre._")
	}
	return b.String()
}

// ResultMarkdown renders a result as a French summary: the advice, the
// topics to start with, the scores, why, and the change since the previous
// result when c is not nil.
func (q *Questionnaire) ResultMarkdown(r *Result, a *Advice, c *Change, o RenderOptions) string {
	if a == nil {
		a = q.Advise(r)
	}
	var b strings.Builder
	who := "vous"
	if r.Team {
		who = "votre équipe"
	}
	fmt.Fprintf(&b, "#### Résultat du diagnostic pour %s\n", who)
	if p := q.PerimeterOption(r.Perimeter); p != nil {
		fmt.Fprintf(&b, "Périmètre : %s\n", p.Label)
	}
	level := fmt.Sprintf("%s, niveau %d", o.pathTitle(a.Path), a.Level)
	if a.LevelTitle != "" {
		level += " (" + a.LevelTitle + ")"
	}
	fmt.Fprintf(&b, "\nParcours conseillé : **%s** — %s\n", level, o.link("voir le programme", a.Page))
	if len(a.Topics) > 0 {
		b.WriteString("\n**Pour commencer :**\n")
		for i, t := range a.Topics {
			dim := ""
			if d := q.Dimension(t.Dimension); d != nil {
				dim = " — " + d.Title
			}
			fmt.Fprintf(&b, "%d. %s%s\n", i+1, o.link(t.Title, t.Page), dim)
		}
	}
	b.WriteString("\n**Scores** (sur 100) :")
	for _, d := range r.Dimensions {
		title := d.Dimension
		if dd := q.Dimension(d.Dimension); dd != nil {
			title = dd.Title
		}
		fmt.Fprintf(&b, " %s %d ·", title, d.Score)
	}
	fmt.Fprintf(&b, " **global %d**\n", r.Overall)
	if len(a.Reasons) > 0 {
		b.WriteString("\n**Pourquoi :**\n")
		for _, reason := range a.Reasons {
			fmt.Fprintf(&b, "- %s\n", reason.Text)
		}
	}
	if c != nil {
		fmt.Fprintf(&b, "\n**Depuis le diagnostic du %s :** niveau %d → %d, score global %s",
			c.Previous.FinishedAt.Format("02/01/2006"), c.Previous.Level, r.Level, signed(c.OverallDelta))
		var moves []string
		for _, d := range c.Dimensions {
			if d.Delta() != 0 {
				title := d.Dimension
				if dd := q.Dimension(d.Dimension); dd != nil {
					title = dd.Title
				}
				moves = append(moves, fmt.Sprintf("%s %s", title, signed(d.Delta())))
			}
		}
		if len(moves) > 0 {
			b.WriteString(" (" + strings.Join(moves, ", ") + ")")
		}
		b.WriteString(".\n")
	}
	if r.Skipped > 0 {
		fmt.Fprintf(&b, "\n_%s._\n", fr.Count(r.Skipped, "question passée, non comptée", "questions passées, non comptées"))
	}
	return strings.TrimRight(b.String(), "\n")
}

func signed(n int) string {
	if n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	if n < 0 {
		return fmt.Sprintf("−%d", -n)
	}
	return "inchangé"
}

// TeamHistoryMarkdown renders the team diagnostics among a user's results
// (oldest first), one table per team: date, path, level, overall score and
// the score of each dimension, with the change since the team's first
// result. "" when there is none.
func (q *Questionnaire) TeamHistoryMarkdown(results []*Result, o RenderOptions) string {
	type team struct {
		name string
		rs   []*Result
	}
	var teams []*team
	byName := map[string]*team{}
	for _, r := range results {
		if !r.Team {
			continue
		}
		key := strings.ToLower(strings.Join(strings.Fields(r.TeamName), " "))
		t := byName[key]
		if t == nil {
			t = &team{}
			byName[key] = t
			teams = append(teams, t)
		}
		t.name = r.TeamName
		t.rs = append(t.rs, r)
	}
	if len(teams) == 0 {
		return ""
	}
	var b strings.Builder
	for i, t := range teams {
		if i > 0 {
			b.WriteString("\n\n")
		}
		name := "Votre équipe (sans nom)"
		if t.name != "" {
			name = "Équipe " + quote.Text(t.name, 40)
		}
		fmt.Fprintf(&b, "#### %s : %s\n\n", name, fr.Count(len(t.rs), "diagnostic", "diagnostics"))
		var dims []*Dimension
		for _, d := range q.Dimensions {
			for _, r := range t.rs {
				if _, ok := r.Score(d.ID); ok {
					dims = append(dims, d)
					break
				}
			}
		}
		b.WriteString("| Date | Parcours | Niveau | Global |")
		for _, d := range dims {
			fmt.Fprintf(&b, " %s |", d.Title)
		}
		b.WriteString("\n|---|---|---|---|")
		for range dims {
			b.WriteString("---|")
		}
		for _, r := range t.rs {
			adv := q.Advise(r)
			fmt.Fprintf(&b, "\n| %s | %s | %d | %d |", r.FinishedAt.Local().Format("02/01/2006"), o.pathTitle(adv.Path), r.Level, r.Overall)
			for _, d := range dims {
				if s, ok := r.Score(d.ID); ok {
					fmt.Fprintf(&b, " %d |", s)
				} else {
					b.WriteString(" – |")
				}
			}
		}
		if len(t.rs) > 1 {
			first, last := t.rs[0], t.rs[len(t.rs)-1]
			fmt.Fprintf(&b, "\n\nDepuis le premier diagnostic : score global %s, niveau %d → %d.",
				signed(last.Overall-first.Overall), first.Level, last.Level)
		}
	}
	return b.String()
}
