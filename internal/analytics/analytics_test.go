package analytics_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
)

var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

// now is a Tuesday afternoon in Paris.
var now = time.Date(2026, 12, 1, 15, 4, 5, 0, paris)

func TestRewordingsOfOneQuestionShareTheirKey(t *testing.T) {
	same := [][]string{
		{"Comment déployer mon application ?", "déploiement de l'application", "DEPLOYER L'APPLICATION !!"},
		{"j'ai oublié mon mot de passe", "mot de passe oublié", "Bonjour, mot de passe oublié, merci"},
		{"où ranger mes secrets ?", "comment stocker les secrets"},
	}
	for _, set := range same {
		k := analytics.QuestionKey(set[0])
		if k == "" {
			t.Fatalf("%q has an empty key", set[0])
		}
		for _, q := range set[1:] {
			if got := analytics.QuestionKey(q); got != k {
				t.Errorf("%q has key %q, %q has %q: the same question", set[0], k, q, got)
			}
		}
	}
	if a, b := analytics.QuestionKey("clé SSH"), analytics.QuestionKey("clé GPG"); a == b {
		t.Errorf("« clé SSH » and « clé GPG » share their key %q", a)
	}
}

func TestSimilarUnansweredQuestionsAreGrouped(t *testing.T) {
	g := analytics.NewGrouper()
	at := now.Add(-time.Hour)
	for _, q := range []string{
		"quel temps fera-t-il demain ?", "quel temps demain", "le temps de demain", "météo de demain",
		"mot de passe oublié", "j'ai oublié mon mot de passe", "mot de passe",
		"clé SSH", "clé GPG",
		"comment déployer sur mars ?",
	} {
		at = at.Add(time.Minute)
		g.Add(q, "", at)
	}
	groups := g.Groups()
	var lines []string
	for _, gr := range groups {
		lines = append(lines, fmt.Sprintf("%d %s", gr.Count, gr.Example))
	}
	got := strings.Join(lines, "\n")
	// The three "temps demain" are one wording; "météo demain" shares one
	// term of three with it: apart (no synonyms here). "mot de passe"
	// shares two of three terms with "mot de passe oublié": together.
	// "clé SSH" and "clé GPG" share one of three. Groups of the same size:
	// the most recent first; examples: the most frequent wording's latest
	// text.
	want := strings.Join([]string{
		"3 j'ai oublié mon mot de passe",
		"3 le temps de demain",
		"1 comment déployer sur mars ?",
		"1 clé GPG",
		"1 clé SSH",
		"1 météo de demain",
	}, "\n")
	if got != want {
		t.Errorf("groups:\n%s\nwant:\n%s", got, want)
	}
	if groups[0].Wordings != 2 || !groups[0].Last.Equal(at.Add(-3*time.Minute)) || groups[1].Wordings != 1 {
		t.Errorf("groups: %+v; want 2 wordings last asked with « mot de passe », then 1", groups[:2])
	}
}

func TestGroupingIsOrderIndependent(t *testing.T) {
	qs := []string{"mot de passe oublié", "mot de passe", "mot de passe perdu", "clé ssh", "ssh"}
	a, b := analytics.NewGrouper(), analytics.NewGrouper()
	for i := range qs {
		a.Add(qs[i], "", now)
		b.Add(qs[len(qs)-1-i], "", now)
	}
	if fmt.Sprint(counts(a.Groups())) != fmt.Sprint(counts(b.Groups())) {
		t.Errorf("order changes the groups: %v and %v", counts(a.Groups()), counts(b.Groups()))
	}
}

func counts(gs []analytics.Group) []int {
	var out []int
	for _, g := range gs {
		out = append(out, g.Count)
	}
	return out
}

func TestPeriodsAreWholeDaysEndingToday(t *testing.T) {
	for _, c := range []struct {
		in   string
		days int
	}{{"", 30}, {"7j", 7}, {"30j", 30}, {"90J", 90}, {"7 jours", 7}, {"14d", 14}, {"1", 1}} {
		p, err := analytics.ParsePeriod(c.in, now)
		if err != nil || p.Days != c.days {
			t.Errorf("ParsePeriod(%q) = %d days, %v; want %d", c.in, p.Days, err, c.days)
			continue
		}
		first := time.Date(2026, 12, 1, 0, 0, 0, 0, paris).AddDate(0, 0, 1-c.days)
		if !p.From.Equal(first) || !p.To.Equal(now) || len(p.Dates()) != c.days {
			t.Errorf("%q: from %v to %v with %d dates; want from %v to now", c.in, p.From, p.To, len(p.Dates()), first)
		}
	}
	for _, bad := range []string{"0j", "-7j", "abc", "7 semaines", "367j", "j", "7jj", "99999999999999999999j"} {
		if _, err := analytics.ParsePeriod(bad, now); err == nil || !strings.Contains(err.Error(), "7j, 30j ou 90j") {
			t.Errorf("ParsePeriod(%q) = %v; want an error showing valid periods", bad, err)
		}
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"7j", "30 jours", "90J", "", "-1", "1e3j", "٣j"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := analytics.ParsePeriod(s, now)
		if err != nil {
			return
		}
		if p.Days < 1 || p.Days > analytics.MaxDays || p.From.After(p.To) {
			t.Fatalf("ParsePeriod(%q) accepted %+v", s, p)
		}
	})
}

// TestReportCountsDaysAcrossMidnightAndDST puts events on both sides of
// day boundaries, including the night of the autumn clock change.
func TestReportCountsDaysAcrossMidnightAndDST(t *testing.T) {
	st := analytics.NewMemStore()
	rec := &analytics.Recorder{Store: st, Now: func() time.Time { return now }}
	ctx := context.Background()
	add := func(at time.Time, tier string) {
		t.Helper()
		if err := rec.Record(ctx, analytics.Event{Kind: analytics.KindQuestion, At: at, Text: "q", Tier: tier}); err != nil {
			t.Fatal(err)
		}
	}
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, paris)
	add(today, analytics.TierSure)                        // first instant of today
	add(today.Add(-time.Nanosecond), analytics.TierNone)  // last instant of yesterday
	add(today.AddDate(0, 0, -6), analytics.TierTentative) // first day of a 7-day period
	add(today.AddDate(0, 0, -6).Add(-time.Second), "")    // just before it
	add(now.Add(time.Second), analytics.TierSure)         // after now: not yet
	p, _ := analytics.ParsePeriod("7j", now)
	r, err := analytics.Build(ctx, st, p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range r.Days {
		got = append(got, fmt.Sprintf("%s:%d/%d/%d", d.Date.Format("02"), d.Tiers.Sure, d.Tiers.Tentative, d.Tiers.None))
	}
	want := "[25:0/1/0 26:0/0/0 27:0/0/0 28:0/0/0 29:0/0/0 30:0/0/1 01:1/0/0]"
	if fmt.Sprint(got) != want || r.Questions != 3 {
		t.Errorf("days %v (%d questions), want %s (3)", got, r.Questions, want)
	}

	// The 25th of October 2026 has 25 hours in Paris.
	dstNow := time.Date(2026, 10, 26, 12, 0, 0, 0, paris)
	st = analytics.NewMemStore()
	rec.Store = st
	add(time.Date(2026, 10, 25, 23, 30, 0, 0, paris), analytics.TierSure)
	add(time.Date(2026, 10, 26, 0, 30, 0, 0, paris), analytics.TierSure)
	p, _ = analytics.ParsePeriod("2j", dstNow)
	r, _ = analytics.Build(ctx, st, p)
	if r.Days[0].Tiers.Sure != 1 || r.Days[1].Tiers.Sure != 1 {
		t.Errorf("across the clock change: %+v", r.Days)
	}
}

func TestRecorderKeepsNoUserUnlessTold(t *testing.T) {
	ctx := context.Background()
	for _, identity := range []bool{false, true} {
		st := analytics.NewMemStore()
		rec := &analytics.Recorder{Store: st, Identity: identity}
		a := &answer.Answer{Query: "c'est quoi un runner ?", Tier: answer.TierNone}
		must(t, rec.Question(ctx, a, analytics.ChannelPublic, "u-alice"))
		must(t, rec.Feedback(ctx, "n1", "u-alice", "p.md", "P", false))
		must(t, rec.Diagnostic(ctx, &diagnostic.Result{UserID: "u-alice", Level: 1, FinishedAt: now}, nil))
		must(t, rec.Welcome(ctx, "u-alice"))
		for _, k := range analytics.Kinds {
			st.Scan(ctx, k, time.Time{}, time.Now().Add(time.Hour), func(e *analytics.Event) error {
				if identity != (e.User == "u-alice") {
					t.Errorf("identity %v: %s event has user %q", identity, k, e.User)
				}
				if strings.Contains(e.ID, "u-alice") {
					t.Errorf("the %s event's ID shows the user: %q", k, e.ID)
				}
				return nil
			})
		}
		n, _ := rec.Forget(ctx, "u-alice")
		if identity && n != 4 || !identity && n != 0 {
			t.Errorf("identity %v: forget removed %d events", identity, n)
		}
	}
}

func TestRecorderBoundsTextsAndComputesKeys(t *testing.T) {
	st := analytics.NewMemStore()
	rec := &analytics.Recorder{Store: st}
	long := strings.Repeat("é", 400) // 800 bytes
	must(t, rec.Record(context.Background(), analytics.Event{Kind: analytics.KindQuestion, Text: long + " déploiement"}))
	must(t, rec.Record(context.Background(), analytics.Event{Kind: analytics.KindQuestion, Text: "déployer l'appli"}))
	if err := rec.Record(context.Background(), analytics.Event{Kind: 9}); err == nil {
		t.Error("an event of an unknown kind was recorded")
	}
	var texts, keys []string
	st.Scan(context.Background(), analytics.KindQuestion, time.Time{}, time.Now().Add(time.Hour), func(e *analytics.Event) error {
		texts = append(texts, e.Text)
		keys = append(keys, e.Key)
		return nil
	})
	if len(texts) != 2 || len(texts[0]) != analytics.MaxText || !strings.HasPrefix(long, texts[0]) {
		t.Errorf("long question stored as %d bytes, want %d bytes of whole characters", len(texts[0]), analytics.MaxText)
	}
	if keys[1] == "" || !strings.Contains(keys[1], "deplo") {
		t.Errorf("keys %q: the grouping key is computed when recording", keys)
	}
}

func TestRetentionPurgeKeepsTheLastDays(t *testing.T) {
	st := analytics.NewMemStore()
	clock := now
	rec := &analytics.Recorder{Store: st, Now: func() time.Time { return clock }}
	ctx := context.Background()
	for _, days := range []int{200, 91, 89, 1} {
		must(t, rec.Record(ctx, analytics.Event{Kind: analytics.KindWelcome, At: now.AddDate(0, 0, -days)}))
	}
	n, err := rec.Purge(ctx)
	if err != nil || n != 2 {
		t.Fatalf("default retention purged %d (%v), want the 2 events older than 90 days", n, err)
	}
	rec.Retention = 30 * 24 * time.Hour
	if n, _ := rec.Purge(ctx); n != 1 {
		t.Errorf("30-day retention purged %d, want 1", n)
	}
	clock = now.AddDate(0, 0, 31)
	if n, _ := rec.Purge(ctx); n != 1 {
		t.Errorf("a month later, purged %d, want the last one", n)
	}
}

func TestReportSummarisesThePeriod(t *testing.T) {
	st := analytics.NewMemStore()
	rec := &analytics.Recorder{Store: st, Now: func() time.Time { return now }}
	ctx := context.Background()
	ask := func(q string, tier answer.Tier, page string, ch analytics.Channel) {
		a := &answer.Answer{Query: q, Tier: tier, Answered: tier != answer.TierNone}
		if page != "" {
			a.Passages = []answer.Passage{{Path: page, PageTitle: "Titre " + page}}
		}
		must(t, rec.Question(ctx, a, ch, ""))
	}
	ask("déployer", answer.TierSure, "deploy.md", analytics.ChannelDM)
	ask("déployer vite", answer.TierSure, "deploy.md", analytics.ChannelPublic)
	ask("logs", answer.TierTentative, "logs.md", analytics.ChannelDM)
	ask("météo", answer.TierNone, "", analytics.ChannelTerminal)
	ask("la météo", answer.TierNone, "", analytics.ChannelDM)
	must(t, rec.Feedback(ctx, "a1", "u1", "deploy.md", "Titre deploy.md", true))
	must(t, rec.Feedback(ctx, "a2", "u1", "deploy.md", "Titre deploy.md", true))
	must(t, rec.Feedback(ctx, "a3", "u1", "logs.md", "Titre logs.md", false))
	must(t, rec.Feedback(ctx, "a3", "u1", "logs.md", "Titre logs.md", false)) // a double click
	for i, r := range []diagnostic.Result{
		{Level: 1, Overall: 20, Team: true, TeamName: "Alpha", Perimeter: "dev"},
		{Level: 2, Overall: 50, Team: true, TeamName: "alpha", Perimeter: "dev"},
		{Level: 2, Overall: 45, Perimeter: "ops"},
		{Level: 3, Overall: 90, Team: true, Perimeter: "ops"}, // a team without a name
	} {
		r.FinishedAt = now.Add(time.Duration(i-10) * time.Hour)
		r.Dimensions = []diagnostic.DimensionScore{{Dimension: "securite", Score: r.Overall, Answered: 1}, {Dimension: "tests", Answered: 0}}
		path := map[string]string{"dev": "produit", "ops": "sre"}[r.Perimeter]
		must(t, rec.Diagnostic(ctx, &r, &diagnostic.Advice{Path: path}))
	}
	must(t, rec.Welcome(ctx, "u2"))

	p, _ := analytics.ParsePeriod("7j", now)
	r, err := analytics.Build(ctx, st, p)
	if err != nil {
		t.Fatal(err)
	}
	if r.Questions != 5 || r.Tiers != (analytics.TierCounts{Sure: 2, Tentative: 1, None: 2}) {
		t.Errorf("questions %d %+v", r.Questions, r.Tiers)
	}
	if r.Channels[analytics.ChannelDM] != 3 || r.Channels[analytics.ChannelPublic] != 1 || r.Channels[analytics.ChannelTerminal] != 1 {
		t.Errorf("channels %v", r.Channels)
	}
	if len(r.Unanswered) != 1 || r.Unanswered[0].Count != 2 {
		t.Errorf("unanswered %+v, want one group of 2 (météo)", r.Unanswered)
	}
	if r.Feedback != (analytics.FeedbackCounts{Useful: 2, NotUseful: 1}) {
		t.Errorf("feedback %+v", r.Feedback)
	}
	most, least := r.MostUseful(5), r.LeastUseful(5)
	if len(most) != 1 || most[0].Page != "deploy.md" || most[0].Useful != 2 || most[0].Shown != 2 || most[0].Title != "Titre deploy.md" {
		t.Errorf("most useful %+v", most)
	}
	if len(least) != 1 || least[0].Page != "logs.md" || least[0].NotUseful != 1 {
		t.Errorf("least useful %+v", least)
	}
	if r.Diagnostics != 4 || fmt.Sprint(r.Paths) != "[{produit [1 1 0]} {sre [0 1 1]}]" {
		t.Errorf("diagnostics %d by path %v", r.Diagnostics, r.Paths)
	}
	if len(r.Teams) != 1 || r.Teams[0].Name != "alpha" || len(r.Teams[0].Points) != 2 ||
		r.Teams[0].Points[0].Overall != 20 || r.Teams[0].Latest().Overall != 50 ||
		fmt.Sprint(r.Teams[0].Latest().Dimensions) != "[{securite 50}]" {
		t.Errorf("teams %+v: want Alpha's two diagnostics, oldest first, named as last spelt, unanswered dimensions left out", r.Teams)
	}
	if r.Welcomes != 1 || r.Days[6].Welcomes != 1 {
		t.Errorf("welcomes %d", r.Welcomes)
	}
}

func TestCSVOpensInAFrenchSpreadsheetAndRunsNoFormula(t *testing.T) {
	st := analytics.NewMemStore()
	rec := &analytics.Recorder{Store: st, Now: func() time.Time { return now }}
	ctx := context.Background()
	must(t, rec.Record(ctx, analytics.Event{Kind: analytics.KindQuestion, At: now.Add(-time.Hour), Text: `=HYPERLINK("http://x";"clic")`, Tier: "none", Channel: analytics.ChannelDM}))
	must(t, rec.Record(ctx, analytics.Event{Kind: analytics.KindQuestion, At: now.Add(-time.Minute), Text: "où ; « quoi » ?\nligne 2", Tier: "sure", Page: "a.md", Title: "A", Channel: analytics.ChannelPublic}))
	must(t, rec.Diagnostic(ctx, &diagnostic.Result{Level: 2, Overall: 60, Team: true, TeamName: "+Alpha", Perimeter: "dev", FinishedAt: now.Add(-time.Hour),
		Dimensions: []diagnostic.DimensionScore{{Dimension: "tests", Score: 67, Answered: 1}, {Dimension: "securite", Score: 33, Answered: 1}}}, nil))
	p, _ := analytics.ParsePeriod("30j", now)
	names := analytics.Names{Dimensions: []string{"securite", "tests"}, Dimension: func(id string) string {
		return map[string]string{"securite": "Sécurité"}[id]
	}}
	files, err := analytics.Export(ctx, st, p, names)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 || files[0].Name != "questions.csv" || files[0].Rows != 2 || files[1].Rows != 0 || files[2].Rows != 1 {
		t.Fatalf("files %v", files)
	}
	rows := readCSV(t, files[0].Data)
	if fmt.Sprint(rows[0]) != "[date question réponse page titre de la page canal]" {
		t.Errorf("header %q", rows[0])
	}
	if rows[1][0] != "2026-12-01 14:04:05" || rows[1][1] != `'=HYPERLINK("http://x";"clic")` || rows[1][2] != "aucune" || rows[1][5] != "message direct" {
		t.Errorf("row 1 %q: the formula must be defused, labels in French, time local", rows[1])
	}
	if rows[2][1] != "où ; « quoi » ?\nligne 2" || rows[2][2] != "sûre" {
		t.Errorf("row 2 %q", rows[2])
	}
	d := readCSV(t, files[2].Data)
	if fmt.Sprint(d[0]) != "[date parcours niveau périmètre score global équipe pour une équipe incomplet score Sécurité score tests]" ||
		fmt.Sprint(d[1][1:]) != "[dev 2 dev 60 '+Alpha oui non 33 67]" {
		t.Errorf("diagnostics:\n%q\n%q", d[0], d[1])
	}
	if strings.Contains(string(files[0].Data), "utilisateur") {
		t.Error("a user column without identity recording")
	}
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\ufeff")) {
		t.Fatal("no byte order mark: a spreadsheet would read UTF-8 as Latin-1")
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("the export is not valid CSV: %v", err)
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Error("lines end with LF only")
	}
	return rows
}

func TestTeamNames(t *testing.T) {
	for _, ok := range []string{"Alpha", "  Équipe   Cœur de métier ", "SRE-2", "L'équipe d’Anne & co."} {
		if _, err := analytics.CleanTeamName(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "   ", "@channel", "**gras**", "[lien](http://x)", strings.Repeat("a", 41), "a\u202eb"} {
		if _, err := analytics.CleanTeamName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if analytics.TeamKey("Équipe  Cœur") != analytics.TeamKey("equipe coeur") {
		t.Error("team keys differ by accents, ligatures or spaces")
	}
}

func FuzzCleanTeamName(f *testing.F) {
	for _, s := range []string{"Alpha", "Équipe Cœur", "@here", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := analytics.CleanTeamName(s)
		if err != nil {
			return
		}
		if strings.ContainsAny(n, "@*_[]()<>`#|\n\r") || n != strings.TrimSpace(n) || n == "" {
			t.Fatalf("CleanTeamName(%q) = %q", s, n)
		}
		if again, err := analytics.CleanTeamName(n); err != nil || again != n {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", s, n, again, err)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
