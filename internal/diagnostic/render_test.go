package diagnostic

import (
	"strings"
	"testing"
	"time"
)

func TestResultMarkdown(t *testing.T) {
	q := mini(t)
	prev := q.Score("produit", true, []Answer{{"freq", "rare"}, {"tests", "aucun"}, {"secu", "fin"}})
	prev.FinishedAt = time.Date(2026, 10, 12, 9, 0, 0, 0, time.UTC)
	cur := q.Score("produit", true, []Answer{{"freq", "mois"}, {"tests", "tous"}, {"secu", "fin"}, {"x", "y"}})
	cur.Skipped = 0
	o := RenderOptions{
		Link:      func(p string) string { return "https://doc.example/" + strings.Replace(p, ".md", "", 1) },
		PathTitle: func(id string) string { return map[string]string{"produit": "Qualité du produit"}[id] },
	}
	md := q.ResultMarkdown(cur, nil, q.Compare(prev, cur), o)
	for _, want := range []string{
		"pour votre équipe",
		"Parcours conseillé : **Qualité du produit, niveau 2 (Avancé)** — [voir le programme](https://doc.example/parcours/produit#niveau-2--avancé)",
		"1. [Secrets](https://doc.example/pratiques/secrets) — Sécurité",
		"Livraison 33 · Qualité 100 · Sécurité 0 · **global 44**",
		"Sécurité 0/100 — Sécurité : « Audit en fin de projet ».",
		"**Depuis le diagnostic du 12/10/2026 :** niveau 1 → 2, score global +44 (Livraison +33, Qualité +100).",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("absent du résumé: %q\n---\n%s", want, md)
		}
	}
	// Without a linker, pages are shown as paths.
	plain := q.ResultMarkdown(cur, nil, nil, RenderOptions{})
	if !strings.Contains(plain, "Secrets (`pratiques/secrets.md`)") || strings.Contains(plain, "Depuis") {
		t.Errorf("sans liens:\n%s", plain)
	}
}

func TestQuestionMarkdownNumbered(t *testing.T) {
	e, _, _ := newEngine(t, mini(t))
	s := must(t)(e.Start(ctx, "u", StartOptions{Audience: AudienceSelf}))
	s = must(t)(e.Choose(ctx, "u", PerimeterQuestionID, "produit"))
	md := s.Markdown(e.Questionnaire(), RenderOptions{Numbered: true})
	for _, want := range []string{"_Question 1/3_", "**À quelle fréquence livrez-vous ?**", "\n2. Tous les mois", "\n5. Ne s'applique pas / je ne sais pas"} {
		if !strings.Contains(md, want) {
			t.Errorf("absent: %q\n%s", want, md)
		}
	}
	if strings.Contains(s.Question.Markdown(RenderOptions{}), "1. ") {
		t.Error("sans Numbered, les options vont dans les boutons")
	}
}

func TestTeamHistoryShowsEachTeamOverTime(t *testing.T) {
	q := mini(t)
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.Local)
	res := func(days int, team bool, name string, overall, level int) *Result {
		r := q.Score("produit", team, []Answer{{Question: "freq", Option: "jour"}})
		r.TeamName, r.Overall, r.Level, r.FinishedAt = name, overall, level, at.AddDate(0, 0, days)
		return r
	}
	if got := q.TeamHistoryMarkdown([]*Result{res(0, false, "", 50, 2)}, RenderOptions{}); got != "" {
		t.Errorf("self results only: %q", got)
	}
	got := q.TeamHistoryMarkdown([]*Result{
		res(0, true, "Alpha", 30, 1), res(1, false, "", 90, 3), res(7, true, "alpha", 55, 2), res(8, true, "**Beta**", 40, 1),
	}, RenderOptions{PathTitle: func(id string) string { return "Parcours " + id }})
	for _, want := range []string{
		"#### Équipe alpha : 2 diagnostics", "| 02/11/2026 | Parcours produit | 1 | 30 |", "| 09/11/2026 | Parcours produit | 2 | 55 |",
		"Depuis le premier diagnostic : score global +25, niveau 1 → 2.",
		`#### Équipe \*\*Beta\*\* : 1 diagnostic`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("team history lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "| 90 |") {
		t.Errorf("a self result in the team view:\n%s", got)
	}
}
