// Package terminal is the terminal adapter of parcours: it renders answers
// for a person reading a console, with no server at all.
package terminal

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/answer"
)

// Style says how bold text is shown.
type Style int

// Styles.
const (
	Plain Style = iota // no escape codes: pipes, files, tests
	ANSI               // bold with terminal escape codes
)

// StyleFor returns ANSI for a terminal and Plain otherwise (or when NO_COLOR
// is set, by convention).
func StyleFor(w io.Writer) Style {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return Plain
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return Plain
	}
	return ANSI
}

// bold turns the **markers** of excerpts into the style's bold, and drops the
// backslashes that escaped Markdown characters.
func bold(s string, st Style) string {
	var b strings.Builder
	on := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case strings.HasPrefix(s[i:], "**"):
			i++
			if st == ANSI {
				if on {
					b.WriteString("\x1b[0m")
				} else {
					b.WriteString("\x1b[1m")
				}
			}
			on = !on
		default:
			b.WriteByte(s[i])
		}
	}
	if on && st == ANSI {
		b.WriteString("\x1b[0m")
	}
	return b.String()
}

// RenderAnswer writes an answer as a person reads it in a terminal.
func RenderAnswer(w io.Writer, a *answer.Answer, st Style) {
	en := a.Lang == "en"
	t := func(fr, eng string) string {
		if en {
			return eng
		}
		return fr
	}
	if !a.Answered {
		fmt.Fprintln(w, t("Je n'ai pas trouvé de réponse sûre dans la base de connaissances.",
			"I could not find a reliable answer in the knowledge base."))
		if len(a.Suggestions) > 0 {
			fmt.Fprintln(w, t("Essayez :", "Try:"))
			for _, s := range a.Suggestions {
				fmt.Fprintf(w, "  - %s\n", bold(s, st))
			}
		}
		if a.Path != nil {
			renderPath(w, a.Path, t)
		}
		return
	}
	if a.Tier == answer.TierTentative {
		fmt.Fprintln(w, t("Je ne suis pas sûr d'avoir la bonne réponse ; voici les pages les plus proches :",
			"I am not sure I have the right answer; here are the closest pages:"))
		fmt.Fprintln(w)
	}
	for i, p := range a.Shown() {
		title := p.PageTitle
		if p.Title != p.PageTitle {
			title += " › " + p.Title
		}
		fmt.Fprintf(w, "%d. %s\n", i+1, bold("**"+title+"**", st))
		if p.Excerpt != "" {
			fmt.Fprintf(w, "   %s\n", bold(p.Excerpt, st))
		}
		fmt.Fprintf(w, "   → %s\n\n", p.URL)
	}
	if a.Path != nil {
		renderPath(w, a.Path, t)
	}
	fmt.Fprintf(w, "%s %.0f %%\n", t("Confiance :", "Confidence:"), a.Confidence*100)
}

func renderPath(w io.Writer, p *answer.PathRef, t func(string, string) string) {
	line := t("Parcours conseillé : ", "Suggested learning path: ") + p.Title
	if p.Level > 0 {
		line += fmt.Sprintf(t(", niveau %d (%s)", ", level %d (%s)"), p.Level, p.LevelTitle)
	}
	if p.Reason != "" {
		line += " — " + p.Reason
	}
	fmt.Fprintln(w, line)
	if p.URL != "" {
		fmt.Fprintf(w, "   → %s\n", p.URL)
	}
}
