package diagnostic

import (
	"bufio"
	"io/fs"
	"strings"
	"testing"
	"unicode"

	"github.com/cloud-pi-native/parcours/knowledge"
)

func shipped(t testing.TB) *Questionnaire {
	t.Helper()
	q, err := Load(knowledge.FS, File)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// The shipped questionnaire loads from the embedded knowledge base, every
// perimeter has 6 to 10 practice questions, and its links lead to embedded
// pages and to headings that exist in them.
func TestShippedQuestionnaire(t *testing.T) {
	q := shipped(t)
	if len(q.Perimeter.Options) != 4 {
		t.Errorf("%d périmètres, attendu 4", len(q.Perimeter.Options))
	}
	for _, p := range q.Perimeter.Options {
		n := len(q.QuestionsFor(p.ID))
		if n < 6 || n > 10 {
			t.Errorf("périmètre %s: %d questions, 6 à 10 attendues", p.ID, n)
		}
	}
	for _, x := range q.Questions {
		if n := len(x.Options); n < 3 || n > 5 {
			t.Errorf("question %s: %d options, 3 à 5 attendues", x.ID, n)
		}
	}
	if err := q.CheckPages(knowledge.FS); err != nil {
		t.Error(err)
	}
	var links []string
	for _, p := range q.Perimeter.Options {
		for _, l := range q.Levels {
			links = append(links, p.Page+"#"+l.Anchor)
		}
	}
	for _, r := range q.Recommendations {
		for _, tp := range r.Topics {
			links = append(links, tp.Page)
		}
	}
	for _, link := range links {
		file, anchor, ok := strings.Cut(link, "#")
		if !ok {
			continue
		}
		if !headingAnchors(t, file)[anchor] {
			t.Errorf("%s: ancre « %s » absente (titres: %v)", file, anchor, headingAnchors(t, file))
		}
	}
}

// headingAnchors lists the GitHub-style anchors of a page's headings.
func headingAnchors(t *testing.T, file string) map[string]bool {
	data, err := fs.ReadFile(knowledge.FS, file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		out[b.String()] = true
	}
	return out
}

// Typing an option's label or one of its words picks that option, in every
// question of the shipped questionnaire: its words are not ambiguous.
func TestShippedOptionsCanBeTyped(t *testing.T) {
	q := shipped(t)
	for _, p := range q.Perimeter.Options {
		s := &Session{AskAudience: true, Answers: []Answer{{AudienceQuestionID, AudienceSelfOptionID}, {PerimeterQuestionID, p.ID}}}
		ids := []string{AudienceQuestionID, PerimeterQuestionID}
		for _, x := range q.QuestionsFor(p.ID) {
			ids = append(ids, x.ID)
		}
		for _, id := range ids {
			v := view(q, s, id)
			for _, o := range v.Options {
				for _, typed := range append([]string{o.Label}, o.words...) {
					if got, ok := matchOption(v.Options, typed); !ok || got != o.ID {
						t.Errorf("%s/%s: « %s » → %q (%v), attendu %q", p.ID, id, typed, got, ok, o.ID)
					}
				}
			}
		}
	}
}

// A whole diagnostic on the shipped questionnaire, for each perimeter:
// a middle-of-the-road profile lands on level 2 with topics linked to pages.
func TestShippedEndToEnd(t *testing.T) {
	q := shipped(t)
	e, _, _ := newEngine(t, q)
	for _, p := range q.Perimeter.Options {
		s := must(t)(e.Start(ctx, "u-"+p.ID, StartOptions{Audience: AudienceSelf}))
		s = must(t)(e.Choose(ctx, "u-"+p.ID, PerimeterQuestionID, p.ID))
		for i := 0; s.Kind == StepQuestion; i++ {
			// Alternate the 2nd and 3rd options: a score of 33 or 67 → 50.
			s = must(t)(e.Choose(ctx, "u-"+p.ID, s.Question.ID, s.Question.Options[1+i%2].ID))
		}
		if s.Kind != StepResult || s.Result.Level != 2 {
			t.Fatalf("%s: %+v", p.ID, s.Result)
		}
		a := s.Advice
		if len(a.Topics) != 3 || a.Path != p.Path || !strings.HasPrefix(a.Page, "parcours/") {
			t.Errorf("%s: conseil %+v", p.ID, a)
		}
	}
}
