package conversation

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/quote"
)

// maxTitle and maxExcerpt bound a page title and an excerpt shown in an
// answer: each passage stays readable and leaves room for the others.
const (
	maxTitle   = 200
	maxExcerpt = 800
)

// ask sends a question to the knowledge base, shows the answer and records
// the question, once, with its tier and place.
func (c *Conversation) ask(ctx context.Context, m Message, question string, out Outbox) error {
	a, err := c.know.Ask(ctx, question)
	if err != nil {
		c.logger(ctx).Error("answering failed", zap.Error(err))
		_, serr := c.send(ctx, m.User.ID, out, Reply{Text: "Désolé, je n'arrive pas à consulter la base de connaissances pour le moment. Réessayez dans un instant."})
		c.count(ctx, m, "error", "", serr)
		return err
	}
	return c.showAnswer(ctx, m, a, ToThread, out)
}

// showAnswer sends an answer and records its question.
func (c *Conversation) showAnswer(ctx context.Context, m Message, a *answer.Answer, to Target, out Outbox) error {
	r := AnswerReply(a)
	r.To = to
	id, err := c.send(ctx, m.User.ID, out, r)
	outcome := "not_found"
	if a.Answered {
		outcome = "answered"
	}
	c.count(ctx, m, outcome, id, err)
	// Recorded once the reply is out: the disk sync is not the user's wait.
	if c.stores.Record != nil {
		q := Asked{Question: a.Query, Tier: a.Tier, Place: m.Place, User: m.User.ID, At: time.Now(), Answer: a}
		if len(a.Passages) > 0 {
			q.Page = a.Passages[0].Path
		}
		if rerr := c.stores.Record.Question(ctx, q); rerr != nil {
			c.logger(ctx).Warn("recording question failed", zap.Error(rerr))
		}
	}
	return err
}

// AnswerReply renders an answer: how sure the bot is, in words chosen here
// once for every channel (sure: what the base says; tentative: not sure,
// the closest pages; none: a short refusal with what to try), the passages
// with their links, the learning path that fits, and the feedback choices
// under a found answer.
func AnswerReply(a *answer.Answer) Reply {
	en := a.Lang == "en"
	t := func(fr, eng string) string {
		if en {
			return eng
		}
		return fr
	}
	var b strings.Builder
	shown := a.Shown()
	if !a.Answered || len(shown) == 0 {
		fmt.Fprintf(&b, t("Je n'ai pas trouvé de réponse sûre à « %s » dans la base de connaissances.",
			"I could not find a reliable answer to “%s” in the knowledge base."), quote.Text(a.Query, quote.Excerpt))
		if len(a.Suggestions) > 0 {
			b.WriteString(t("\nVous pouvez essayer :", "\nYou could try:"))
			for _, s := range a.Suggestions {
				fmt.Fprintf(&b, "\n- %s", quote.Mentions(oneLine(s)))
			}
		}
		// The engine's suggestions may already point at the paths and the
		// diagnostic.
		if !strings.Contains(strings.Join(a.Suggestions, "\n"), "/parcours") {
			b.WriteString(t("\n\nDécouvrez les parcours avec `/parcours liste`, ou faites le diagnostic de maturité avec `/parcours diagnostic` pour savoir par où commencer.",
				"\n\nSee the learning paths with `/parcours liste`, or take the maturity diagnostic with `/parcours diagnostic` to know where to start."))
		}
		writePath(&b, a.Path, en)
		return Reply{Text: b.String(), Answer: a}
	}
	if a.Tier == answer.TierTentative {
		b.WriteString(t("Je ne suis pas sûr d'avoir la bonne réponse", "I am not sure I have the right answer"))
		if len(a.Missing) > 0 {
			words := make([]string, len(a.Missing))
			for i, w := range a.Missing {
				words[i] = quote.Text(w, 40)
			}
			switch {
			case en:
				fmt.Fprintf(&b, " (the knowledge base never mentions “%s”)", strings.Join(words, "”, “"))
			case len(words) == 1:
				fmt.Fprintf(&b, " (« %s » n'apparaît pas dans la base)", words[0])
			default:
				fmt.Fprintf(&b, " (« %s » n'apparaissent pas dans la base)", strings.Join(words, " », « "))
			}
		}
		b.WriteString(t(" ; voici les pages les plus proches :", "; here are the closest pages:"))
	} else {
		b.WriteString(t("Voici ce que dit la base de connaissances :", "Here is what the knowledge base says:"))
	}
	b.WriteString("\n")
	for _, p := range shown {
		title := clip(p.Title, maxTitle)
		if p.PageTitle != "" && p.PageTitle != p.Title {
			title = clip(p.PageTitle, maxTitle) + " › " + title
		}
		// Knowledge pages come from outside too: their mentions notify no
		// one through the bot.
		if p.URL != "" {
			fmt.Fprintf(&b, "\n**[%s](%s)**", quote.Mentions(escapeLink(title)), p.URL)
		} else {
			fmt.Fprintf(&b, "\n**%s**", quote.Mentions(oneLine(title)))
		}
		if ex := clip(oneLine(p.Excerpt), maxExcerpt); ex != "" {
			fmt.Fprintf(&b, "\n> %s", quote.Mentions(ex))
		}
		b.WriteString("\n")
	}
	writePath(&b, a.Path, en)
	useful, notUseful := t("Utile", "Useful"), t("Pas utile", "Not useful")
	feedback := func(id, label, v string, style Style) Choice {
		// The page the verdict is about goes with it, for the statistics.
		return Choice{ID: id, Label: label, Style: style, Action: ActionFeedback, Data: map[string]string{"v": v, "p": shown[0].Path}, Optional: true}
	}
	return Reply{Text: strings.TrimRight(b.String(), "\n"), Answer: a,
		Prompt:  t("Cette réponse vous a-t-elle aidé ?", "Did this answer help you?"),
		Choices: []Choice{feedback("utile", useful, "1", Positive), feedback("pasutile", notUseful, "0", Secondary)}}
}

func writePath(b *strings.Builder, p *answer.PathRef, en bool) {
	if p == nil || p.ID == "" {
		return
	}
	title := p.Title
	if title == "" {
		title = p.ID
	}
	if p.URL != "" {
		title = fmt.Sprintf("[%s](%s)", escapeLink(title), p.URL)
	}
	if en {
		fmt.Fprintf(b, "\n🧭 Learning path: **%s**", title)
	} else {
		fmt.Fprintf(b, "\n🧭 Parcours conseillé : **%s**", title)
	}
	if p.Level > 0 {
		lt := p.LevelTitle
		if lt != "" {
			lt = " (" + lt + ")"
		}
		if en {
			fmt.Fprintf(b, ", level %d%s", p.Level, lt)
		} else {
			fmt.Fprintf(b, ", niveau %d%s", p.Level, lt)
		}
	}
	if p.Reason != "" {
		fmt.Fprintf(b, " _(%s)_", quote.Mentions(oneLine(p.Reason)))
	}
	if p.Level > 0 {
		fmt.Fprintf(b, " : `/parcours %s %d`", p.ID, p.Level)
	} else {
		fmt.Fprintf(b, " : `/parcours %s`", p.ID)
	}
}

// feedback records an "Utile"/"Pas utile" click, once per person and
// answer.
func (c *Conversation) feedback(ctx context.Context, k Click, out Outbox) error {
	useful := k.Data["v"] == "1"
	notice := func(text string) error {
		_, err := out.Send(ctx, Reply{To: ToCaller, Text: text})
		return err
	}
	if c.stores.Feedback == nil {
		return notice("Merci ! (les avis ne sont pas enregistrés ici)")
	}
	changed, err := c.stores.Feedback.RecordFeedback(k.Group, k.Message, k.User.ID, useful, time.Now())
	if err != nil {
		return err
	}
	if !changed {
		return notice("Votre avis était déjà enregistré, merci.")
	}
	if c.stores.Record != nil {
		if err := c.stores.Record.Feedback(ctx, Rated{Answer: k.Group, Page: k.Data["p"], User: k.User.ID, Useful: useful}); err != nil {
			c.logger(ctx).Warn("recording feedback failed", zap.Error(err))
		}
	}
	if c.metrics != nil {
		verdict := "not_useful"
		if useful {
			verdict = "useful"
		}
		c.metrics.Feedback.WithLabelValues(verdict).Inc()
	}
	if useful {
		return notice("Merci pour votre retour : cette réponse vous a été utile.")
	}
	return notice("Merci pour votre retour. Précisez votre question, ou essayez `/parcours liste` pour trouver le bon parcours.")
}

// escapeLink keeps a title from closing the Markdown link early.
func escapeLink(s string) string {
	return strings.NewReplacer("[", "\\[", "]", "\\]").Replace(oneLine(s))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip cuts s to n characters with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
