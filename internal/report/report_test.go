package report

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/dashboard"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
)

type sent struct {
	user, text string
	files      []analytics.File
}

type fakeDirect struct{ sent []sent }

func (f *fakeDirect) SendDirect(ctx context.Context, userID, text string, files []analytics.File) error {
	f.sent = append(f.sent, sent{userID, text, files})
	return nil
}

var now = time.Date(2026, 12, 1, 15, 0, 0, 0, time.Local)

func setup(t *testing.T) (*Reports, *fakeDirect, Recorder) {
	st := analytics.NewMemStore()
	rec := &analytics.Recorder{Store: st, Now: func() time.Time { return now }}
	d := &fakeDirect{}
	r := &Reports{Store: st, Direct: d, Now: func() time.Time { return now },
		Links: dashboard.NewLinks([]byte("0123456789abcdef0123456789abcdef"), time.Hour, "https://parcours.exemple.gouv.fr"),
		Names: func() analytics.Names {
			return analytics.Names{Path: func(id string) string { return map[string]string{"sre": "Fiabilité (SRE)"}[id] }}
		}}
	return r, d, Recorder{R: rec}
}

func TestRecorderMapsTheConversation(t *testing.T) {
	r, _, rec := setup(t)
	ctx := context.Background()
	sure := &answer.Answer{Query: "déployer", Tier: answer.TierSure, Answered: true, Passages: []answer.Passage{{Path: "deploy.md", PageTitle: "Déployer"}}}
	none := &answer.Answer{Query: "météo", Tier: answer.TierNone, Passages: []answer.Passage{{Path: "bruit.md"}}}
	for _, q := range []conversation.Asked{
		{Question: "déployer", Tier: answer.TierSure, Place: conversation.Direct, User: "u1", At: now.Add(-time.Hour), Answer: sure},
		{Question: "météo", Tier: answer.TierNone, Place: conversation.Channel, User: "u1", At: now.Add(-time.Minute), Answer: none},
		{Question: "météo demain", Place: conversation.Terminal, At: now.Add(-time.Second)},
	} {
		if err := rec.Question(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var got []analytics.Event
	r.Store.Scan(ctx, analytics.KindQuestion, time.Time{}, now.Add(time.Hour), func(e *analytics.Event) error {
		got = append(got, *e)
		return nil
	})
	if len(got) != 3 {
		t.Fatalf("%d events", len(got))
	}
	if got[0].Channel != analytics.ChannelDM || got[0].Page != "deploy.md" || got[0].Title != "Déployer" || got[0].Tier != "sure" || got[0].User != "" {
		t.Errorf("sure answer in a DM recorded as %+v (and without its user by default)", got[0])
	}
	if got[1].Channel != analytics.ChannelPublic || got[1].Page != "" || got[1].Tier != "none" {
		t.Errorf("refusal in a channel recorded as %+v: no page for an answer not given", got[1])
	}
	if got[2].Channel != analytics.ChannelTerminal || got[2].Tier != "none" {
		t.Errorf("terminal question recorded as %+v", got[2])
	}
}

func TestStatsSaysWhatTheIssueAsks(t *testing.T) {
	r, _, rec := setup(t)
	ctx := context.Background()
	ask := func(q string, tier answer.Tier, page string, ago time.Duration) {
		a := &answer.Answer{Query: q, Tier: tier, Answered: tier != answer.TierNone}
		if page != "" {
			a.Passages = []answer.Passage{{Path: page, PageTitle: "Page " + page}}
		}
		rec.Question(ctx, conversation.Asked{Question: q, Tier: tier, Place: conversation.Direct, At: now.Add(-ago), Answer: a})
	}
	ask("déployer", answer.TierSure, "deploy.md", time.Hour)
	ask("runner", answer.TierTentative, "runner.md", time.Hour)
	ask("quel temps demain", answer.TierNone, "", time.Hour)
	ask("le temps de demain", answer.TierNone, "", 2*time.Hour)
	ask("@channel [clic](http://x) cantine", answer.TierNone, "", 3*time.Hour)
	ask("ancienne", answer.TierNone, "", 10*24*time.Hour)
	rec.Feedback(ctx, conversation.Rated{Answer: "a1", Page: "deploy.md", User: "u", Useful: true})
	rec.Feedback(ctx, conversation.Rated{Answer: "a2", Page: "runner.md", User: "u", Useful: false})
	rec.Diagnostic(ctx, &diagnostic.Result{Level: 2, Overall: 50, Team: true, TeamName: "Alpha", FinishedAt: now.Add(-time.Hour)}, &diagnostic.Advice{Path: "sre"})
	rec.Welcome(ctx, "u")

	text, err := r.Stats(ctx, Caller{UserID: "admin"}, []string{"7j"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"#### Statistiques des 7 derniers jours",
		"**5 questions** : 20 % de réponses sûres (1), 20 % hésitantes (1), 60 % sans réponse (3).",
		"- 2 × « quel temps demain »\n",
		"- 1 × « @\u200bchannel \\[clic\\]\\(http://x\\) cantine »",
		"**Avis** : 1 « Utile », 1 « Pas utile ».",
		"Pages les plus utiles :\n- Page deploy.md : 1 utile, 0 pas utile",
		"Pages jugées les moins utiles :\n- Page runner.md : 1 pas utile, 0 utile",
		"**Diagnostics** : 1.\n- Fiabilité \\(SRE\\) : niveau 1 : 0, niveau 2 : 1, niveau 3 : 0",
		"Équipes : Alpha (50/100, niveau 2).",
		"**Accueils envoyés** : 1.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("stats lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "ancienne") {
		t.Error("a question older than the period")
	}
	all, _ := r.Stats(ctx, Caller{}, []string{"30j"})
	if !strings.Contains(all, "**6 questions**") {
		t.Errorf("30 days:\n%s", all)
	}
	bad, _ := r.Stats(ctx, Caller{}, []string{"demain"})
	if !strings.Contains(bad, "7j, 30j ou 90j") {
		t.Errorf("bad period: %q", bad)
	}
}

func TestTableauSendsAPersonalLinkInTheDM(t *testing.T) {
	r, d, _ := setup(t)
	text, err := r.Tableau(context.Background(), Caller{UserID: "admin1"}, nil)
	if err != nil || !strings.Contains(text, "message direct") {
		t.Fatalf("%q %v", text, err)
	}
	if len(d.sent) != 1 || d.sent[0].user != "admin1" || strings.Contains(text, "https://") {
		t.Fatalf("sent %+v; the reply in the channel %q must not hold the link", d.sent, text)
	}
	msg := d.sent[0].text
	i := strings.Index(msg, "(https://parcours.exemple.gouv.fr/tableau?")
	if i < 0 || !strings.Contains(msg, "ne le transmettez pas") {
		t.Fatalf("DM %q", msg)
	}
	link := msg[i+1 : strings.Index(msg[i:], ")")+i]
	u, _ := url.Parse(link)
	if user, err := r.Links.Check(u.Query().Get("t")); err != nil || user != "admin1" {
		t.Errorf("the link names %q (%v), want admin1", user, err)
	}
}

func TestExportPostsThreeCSVFilesInTheDM(t *testing.T) {
	r, d, rec := setup(t)
	ctx := context.Background()
	rec.Question(ctx, conversation.Asked{Question: "=1+1", Tier: answer.TierNone, Place: conversation.Direct, At: now.Add(-time.Hour)})
	text, err := r.Export(ctx, Caller{UserID: "admin1"}, []string{"30j"})
	if err != nil || text != "Je vous ai envoyé l'export en message direct." {
		t.Fatalf("%q %v", text, err)
	}
	if len(d.sent) != 1 || len(d.sent[0].files) != 3 {
		t.Fatalf("sent %+v", d.sent)
	}
	f := d.sent[0].files
	if f[0].Name != "parcours-30j-questions.csv" || f[1].Name != "parcours-30j-avis.csv" || f[2].Name != "parcours-30j-diagnostics.csv" {
		t.Errorf("names %s %s %s", f[0].Name, f[1].Name, f[2].Name)
	}
	if !bytes.Contains(f[0].Data, []byte(";'=1+1;aucune;")) {
		t.Errorf("questions.csv %q", f[0].Data)
	}
	if !strings.Contains(d.sent[0].text, "questions.csv (1 ligne), avis.csv (0 ligne), diagnostics.csv (0 ligne)") {
		t.Errorf("DM text %q", d.sent[0].text)
	}
}
