package mattermost

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/quote"
	"github.com/mattermost/mattermost/server/public/model"
)

// Action names routed by the bot's HTTP server; the diagnostic adds its own.
const (
	ActionFeedback = "feedback"
)

// Buttons builds what the feedback buttons need: the signer, the URL
// Mattermost posts clicks to, and the person they are for.
type Buttons struct {
	Signer *Signer
	URL    string // <public URL>/mattermost/action
	UserID string
}

// RenderAnswer turns an answer into a Mattermost post message and, when
// buttons are given and the answer was found, the "Utile"/"Pas utile"
// attachment.
func RenderAnswer(a *answer.Answer, btn *Buttons) (string, []*model.MessageAttachment) {
	en := a.Lang == "en"
	var b strings.Builder
	if !a.Answered || len(a.Passages) == 0 {
		if en {
			fmt.Fprintf(&b, "I could not find a reliable answer to “%s” in the knowledge base.", quote.Text(a.Query, quote.Excerpt))
		} else {
			fmt.Fprintf(&b, "Je n'ai pas trouvé de réponse sûre à « %s » dans la base de connaissances.", quote.Text(a.Query, quote.Excerpt))
		}
		if len(a.Suggestions) > 0 {
			if en {
				b.WriteString("\nYou could try:")
			} else {
				b.WriteString("\nVous pouvez essayer :")
			}
			for _, s := range a.Suggestions {
				fmt.Fprintf(&b, "\n- %s", quote.Mentions(oneLine(s)))
			}
		}
		if strings.Contains(strings.Join(a.Suggestions, "\n"), "/parcours") {
			// The engine's suggestions already point at the paths and the
			// diagnostic.
			writePath(&b, a.Path, en)
			return b.String(), nil
		}
		if en {
			b.WriteString("\n\nSee the learning paths with `/parcours liste`, or take the maturity diagnostic with `/parcours diagnostic` to know where to start.")
		} else {
			b.WriteString("\n\nDécouvrez les parcours avec `/parcours liste`, ou faites le diagnostic de maturité avec `/parcours diagnostic` pour savoir par où commencer.")
		}
		writePath(&b, a.Path, en)
		return b.String(), nil
	}
	switch {
	case a.Tier == answer.TierTentative && en:
		b.WriteString("I am not sure I have the right answer; here are the closest pages:\n")
	case a.Tier == answer.TierTentative:
		b.WriteString("Je ne suis pas sûr d'avoir la bonne réponse ; voici les pages les plus proches :\n")
	case en:
		b.WriteString("Here is what the knowledge base says:\n")
	default:
		b.WriteString("Voici ce que dit la base de connaissances :\n")
	}
	for _, p := range a.Shown() {
		title := clip(p.Title, maxTitle)
		if p.PageTitle != "" && p.PageTitle != p.Title {
			title = clip(p.PageTitle, maxTitle) + " › " + title
		}
		// Knowledge pages come from outside too: their mentions notify
		// no one through the bot.
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
	if btn == nil || btn.Signer == nil {
		return b.String(), nil
	}
	nonce := NewNonce()
	claims := func(v string) map[string]any {
		data := map[string]string{"v": v}
		if len(a.Passages) > 0 {
			// The page judged, for the statistics: signed with the rest.
			data["p"] = a.Passages[0].Path
		}
		return btn.Signer.Context(Claims{Action: ActionFeedback, UserID: btn.UserID, Nonce: nonce, Data: data})
	}
	useful, notUseful, q := "Utile", "Pas utile", "Cette réponse vous a-t-elle aidé ?"
	if en {
		useful, notUseful, q = "Useful", "Not useful", "Did this answer help you?"
	}
	att := &model.MessageAttachment{
		Text: q,
		Actions: []*model.PostAction{
			{Id: "utile", Name: useful, Type: model.PostActionTypeButton, Style: "good",
				Integration: &model.PostActionIntegration{URL: btn.URL, Context: claims("1")}},
			{Id: "pasutile", Name: notUseful, Type: model.PostActionTypeButton, Style: "default",
				Integration: &model.PostActionIntegration{URL: btn.URL, Context: claims("0")}},
		},
	}
	return b.String(), []*model.MessageAttachment{att}
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
		fmt.Fprintf(b, "\n:compass: Learning path: **%s**", title)
	} else {
		fmt.Fprintf(b, "\n:compass: Parcours conseillé : **%s**", title)
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
