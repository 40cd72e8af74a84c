package dashboard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/analytics/analyticstest"
	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/bolt"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
)

var key = []byte("0123456789abcdef0123456789abcdef")

type fixture struct {
	srv     *httptest.Server
	links   *Links
	allowed map[string]bool
	st      analytics.Store
}

func newFixture(t testing.TB, st analytics.Store, now time.Time) *fixture {
	t.Helper()
	f := &fixture{allowed: map[string]bool{"admin": true}, st: st}
	f.links = NewLinks(key, time.Hour, "")
	h := New(Options{Store: st, Links: f.links, Now: func() time.Time { return now },
		Allowed: func(ctx context.Context, user string) (bool, error) {
			if user == "panne" {
				return false, errors.New("Mattermost injoignable")
			}
			return f.allowed[user], nil
		},
		Names: func() analytics.Names {
			return analytics.Names{Dimensions: []string{"livraison", "securite"},
				Dimension: func(id string) string {
					return map[string]string{"livraison": "Livraison", "securite": "Sécurité"}[id]
				},
				Path: func(id string) string {
					return map[string]string{"sre": "Fiabilité (SRE)", "produit": "Qualité du produit"}[id]
				}}
		},
		PageURL: func(p string) string { return "https://docs.exemple.gouv.fr/" + strings.TrimSuffix(p, ".md") },
	})
	mux := http.NewServeMux()
	h.Register(mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func get(t testing.TB, u string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

var now = time.Date(2026, 12, 1, 15, 0, 0, 0, time.Local)

func seed(t *testing.T) analytics.Store {
	st := analytics.NewMemStore()
	rec := &analytics.Recorder{Store: st, Now: func() time.Time { return now }}
	ctx := context.Background()
	ask := func(daysAgo int, q string, tier answer.Tier, page string) {
		a := &answer.Answer{Query: q, Tier: tier, Answered: tier != answer.TierNone}
		if page != "" {
			a.Passages = []answer.Passage{{Path: page, PageTitle: "Page " + page}}
		}
		rec.Record(ctx, analytics.Event{}) // an invalid event is refused, not stored
		e := analytics.Event{Kind: analytics.KindQuestion, At: now.AddDate(0, 0, -daysAgo), Text: q, Tier: string(tier), Channel: analytics.ChannelDM}
		if page != "" {
			e.Page, e.Title = page, "Page "+page
		}
		if err := rec.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	ask(0, "comment déployer ?", answer.TierSure, "deploy.md")
	ask(0, "c'est quoi un runner", answer.TierTentative, "runner.md")
	ask(1, "quel temps fera-t-il demain ?", answer.TierNone, "")
	ask(2, "le temps de demain", answer.TierNone, "")
	ask(3, "<script>alert(1)</script> runner", answer.TierNone, "")
	ask(40, "très vieux", answer.TierSure, "deploy.md") // out of a 30-day period
	rec.Feedback(ctx, "a1", "u", "deploy.md", "Page deploy.md", true)
	rec.Feedback(ctx, "a2", "u", "runner.md", "Page runner.md", false)
	for i, r := range []diagnostic.Result{
		{Level: 1, Overall: 30, Team: true, TeamName: "Alpha", Perimeter: "ops"},
		{Level: 2, Overall: 55, Team: true, TeamName: "Alpha", Perimeter: "ops"},
		{Level: 3, Overall: 80, Perimeter: "dev"},
	} {
		r.FinishedAt = now.AddDate(0, 0, -10+i*3)
		r.Dimensions = []diagnostic.DimensionScore{{Dimension: "securite", Score: r.Overall - 10, Answered: 2}, {Dimension: "livraison", Score: r.Overall + 10, Answered: 1}}
		rec.Diagnostic(ctx, &r, &diagnostic.Advice{Path: map[string]string{"ops": "sre", "dev": "produit"}[r.Perimeter]})
	}
	rec.Welcome(ctx, "u")
	return st
}

func TestDashboardShowsThePeriodInCharts(t *testing.T) {
	f := newFixture(t, seed(t), now)
	link, exp := f.links.New("admin")
	if d := time.Until(exp); d < 59*time.Minute || d > time.Hour {
		t.Errorf("link expires in %v, want an hour", d)
	}
	code, hd, body := get(t, f.srv.URL+link)
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	if hd.Get("Content-Security-Policy") != CSP || !strings.Contains(CSP, "default-src 'none'") || strings.Contains(CSP, "unsafe") {
		t.Errorf("CSP %q", hd.Get("Content-Security-Policy"))
	}
	if hd.Get("Referrer-Policy") != "no-referrer" || hd.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v: the link must not leak through the Referer nor stay in a cache", hd)
	}
	for _, bad := range []string{"<script", "style=", " on", "src=", "@import", "url("} {
		if i := strings.Index(body, bad); i >= 0 && !(bad == " on" && !regexp.MustCompile(` on[a-z]+=`).MatchString(body)) {
			t.Errorf("page holds %q (…%s…): the CSP would block it or it loads something", bad, body[max(0, i-40):min(len(body), i+40)])
		}
	}
	if m := regexp.MustCompile(`(?:href|src)="(https?:)?//[^"]*"`).FindAllString(body, -1); len(m) != 2 {
		// The only absolute links are the two knowledge pages of the table.
		t.Errorf("absolute links %q, want the 2 page links only", m)
	}
	for _, want := range []string{
		`<html lang="fr">`, "Sur les 30 derniers jours",
		`id="nb-questions">5<`, `id="nb-diagnostics">3<`, `id="nb-accueils">1<`,
		`data-jour="` + now.Format("2006-01-02") + `" data-sure="1" data-hesitante="1" data-aucune="0"`,
		`<tr class="groupe" data-nombre="2">`, "« quel temps fera-t-il demain ? »", "« &lt;script&gt;alert(1)&lt;/script&gt; runner »",
		`data-utile="1" data-pas-utile="0"><th scope="row"><a href="https://docs.exemple.gouv.fr/deploy">Page deploy.md</a>`,
		`data-parcours="sre" data-niveau1="1" data-niveau2="1" data-niveau3="0"`, "Fiabilité (SRE) · 2",
		`<article class="equipe" data-equipe="Alpha">`, `data-dimension="securite" data-derniere="45"`, `data-dimension="" data-derniere="55"`,
		"<th scope=\"col\">Livraison</th><th scope=\"col\">Sécurité</th>",
		"Statistiques anonymes", "Données conservées 90 jours",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(body, `<g class="jour"`); n != 30 {
		t.Errorf("%d day bars, want 30", n)
	}
	if strings.Contains(body, "très vieux") {
		t.Error("a question older than the period is counted")
	}

	// Another period, through the page's own links.
	sevenDays := regexp.MustCompile(`href="(/tableau\?p=7j&amp;t=[^"]+)"`).FindStringSubmatch(body)
	if sevenDays == nil {
		t.Fatal("no link to the 7-day period")
	}
	code, _, body = get(t, f.srv.URL+strings.ReplaceAll(sevenDays[1], "&amp;", "&"))
	if code != 200 || strings.Count(body, `<g class="jour"`) != 7 || !strings.Contains(body, `aria-current="page">7 jours`) {
		t.Errorf("7-day page: %d, %d bars", code, strings.Count(body, `<g class="jour"`))
	}
	code, _, body = get(t, f.srv.URL+link+"&p=abc")
	if code != 400 || !strings.Contains(body, "7j, 30j ou 90j") {
		t.Errorf("bad period: %d %q", code, body)
	}
}

func TestDashboardExportsCSV(t *testing.T) {
	f := newFixture(t, seed(t), now)
	link, _ := f.links.New("admin")
	u, _ := url.Parse(link)
	code, hd, body := get(t, f.srv.URL+"/tableau/export/questions.csv?"+u.RawQuery+"&p=7j")
	if code != 200 || hd.Get("Content-Type") != "text/csv; charset=utf-8" ||
		hd.Get("Content-Disposition") != `attachment; filename="parcours-7j-questions.csv"` {
		t.Fatalf("export: %d %v", code, hd)
	}
	if !strings.HasPrefix(body, "\ufeffdate;question;") || strings.Count(body, "\r\n") != 6 || strings.Contains(body, "très vieux") {
		t.Errorf("export body %q: want the header and the 5 questions of the period", body)
	}
	if code, _, _ := get(t, f.srv.URL+"/tableau/export/secrets.csv?"+u.RawQuery); code != 404 {
		t.Errorf("unknown export file: %d", code)
	}
	if code, _, _ := get(t, f.srv.URL+"/tableau/export/questions.csv?t=x"); code != 403 {
		t.Errorf("export with a bad link: %d", code)
	}
	if code, hd, _ := get(t, f.srv.URL+StylePath); code != 200 || hd.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("style sheet: %d %v", code, hd)
	}
}

// TestOnlyASignedLiveLinkOfAnAllowedUserOpens is the refusals: each gets a
// 403 and a French page saying what to do, and never the data.
func TestOnlyASignedLiveLinkOfAnAllowedUserOpens(t *testing.T) {
	f := newFixture(t, seed(t), now)
	link, _ := f.links.New("admin")
	u, _ := url.Parse(link)
	token := u.Query().Get("t")
	payload, sig, _ := strings.Cut(token, ".")
	flip := func(s string, i int) string {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	// A payload naming another user, with the original signature.
	other := strings.Replace(payload, b64(`"u":"admin"`), b64(`"u":"bobby"`), 1)
	expired := f.links.signer.Sign(mattermost.Claims{Action: Action, UserID: "admin", Expires: time.Now().Add(-time.Minute).Unix()})
	bob := f.links.token("bob", time.Now().Add(time.Hour))
	button := mattermost.NewSigner(key, time.Hour).Sign(mattermost.Claims{Action: Action, UserID: "admin"})
	feedback := f.links.signer.Sign(mattermost.Claims{Action: conversation.ActionFeedback, UserID: "admin"})
	cases := []struct {
		name, token, want string
		status            int
	}{
		{"no token", "", "incomplet ou a été modifié", 403},
		{"signature altered", payload + "." + flip(sig, 3), "incomplet ou a été modifié", 403},
		{"payload altered", flip(payload, 5) + "." + sig, "incomplet ou a été modifié", 403},
		{"other user in the payload", other + "." + sig, "incomplet ou a été modifié", 403},
		{"truncated", token[:len(token)-2], "incomplet ou a été modifié", 403},
		{"expired", expired, "a expiré (un lien vaut 1 heure)", 403},
		{"a link for a user without the right", bob, "pas (ou plus) administratrice", 403},
		{"a button token, same key", button, "incomplet ou a été modifié", 403},
		{"another action", feedback, "incomplet ou a été modifié", 403},
		{"rights unknown", f.links.token("panne", time.Now().Add(time.Hour)), "Impossible de vérifier vos droits", 503},
		{"huge", strings.Repeat("a", 5000), "incomplet ou a été modifié", 403},
	}
	if !strings.Contains(payload, b64(`"u":"admin"`)) {
		t.Fatal("test setup: the user is not where expected in the payload")
	}
	for _, c := range cases {
		code, hd, body := get(t, f.srv.URL+Path+"?t="+url.QueryEscape(c.token))
		if code != c.status || !strings.Contains(body, c.want) || strings.Contains(body, "nb-questions") {
			t.Errorf("%s: %d %q; want %d with %q", c.name, code, body, c.status, c.want)
		}
		if hd.Get("Content-Security-Policy") != CSP {
			t.Errorf("%s: refusal without CSP", c.name)
		}
	}
	// The signer itself refuses a dashboard token presented by another user.
	if _, err := f.links.signer.Verify(token, "bob"); !errors.Is(err, mattermost.ErrWrongUser) {
		t.Errorf("Verify by another user: %v", err)
	}
	// A right withdrawn after the link was sent closes it.
	f.allowed["admin"] = false
	if code, _, _ := get(t, f.srv.URL+link); code != 403 {
		t.Errorf("link of a former admin: %d", code)
	}
}

// b64 finds a piece of JSON inside base64url-encoded JSON: the claims start
// with {"a":"tableau", so "u" sits at a known offset; the helper encodes
// the piece with the same alignment.
func b64(piece string) string {
	full := `{"a":"tableau",` + piece
	enc := encode(full)
	prefix := encode(`{"a":"tableau",`)
	// keep whole base64 quanta only
	n := len(prefix) / 4 * 4
	m := len(enc) / 4 * 4
	return enc[n:m]
}

func encode(s string) string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var out []byte
	b := []byte(s)
	for i := 0; i+2 < len(b); i += 3 {
		v := uint(b[i])<<16 | uint(b[i+1])<<8 | uint(b[i+2])
		out = append(out, a[v>>18&63], a[v>>12&63], a[v>>6&63], a[v&63])
	}
	return string(out)
}

func TestChartsScaleAndSayTheirValues(t *testing.T) {
	if got := fmt.Sprint(niceMax(0), niceMax(1), niceMax(3), niceMax(7), niceMax(12), niceMax(100), niceMax(101)); got != "1 1 5 10 20 100 200" {
		t.Errorf("niceMax: %s", got)
	}
	d := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	svg := string(questionsChart([]dayBar{{Date: d, Sure: 2, Tentative: 1, None: 1}, {Date: d.AddDate(0, 0, 1)}}))
	for _, want := range []string{`viewBox="0 0 720 260"`, `role="img"`, "<title>3 déc. 2026 : 4 questions (2 sûres, 1 hésitante, 1 sans réponse)</title>",
		"<title>4 déc. 2026 : aucune question</title>", `class="sure"`, `class="aucune"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("questions chart lacks %q", want)
		}
	}
	if strings.Contains(svg, "width=\"720\"") {
		t.Error("a fixed width: the chart would not shrink on a phone")
	}
	one := string(teamChart("<b>", []series{{Name: "Score global", Colour: "#000", Points: []point{{At: d, Value: 40}}}}))
	if !strings.Contains(one, "&lt;b&gt;") || strings.Contains(one, "<b>") || !strings.Contains(one, `data-valeur="40"`) {
		t.Errorf("team chart with one point: %s", one)
	}
}

func TestGzipOnlyWhenAccepted(t *testing.T) {
	for h, want := range map[string]bool{"": false, "gzip": true, "deflate, gzip;q=0.5": true, "gzip;q=0": false, "br": false, "GZIP": true} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v", h, got)
		}
	}
}

func TestFrenchDurations(t *testing.T) {
	for d, want := range map[time.Duration]string{time.Hour: "1 heure", 2 * time.Hour: "2 heures", 90 * 24 * time.Hour: "90 jours", 30 * time.Minute: "30 minutes"} {
		if got := frDuration(d); got != want {
			t.Errorf("frDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// BenchmarkDashboard100k serves the page over 100,000 questions recorded
// in the bbolt store, through the HTTP handler, link check included. The
// target is under 200 ms; cpu-ms/op is the processor time, which a busy
// shared machine does not inflate.
func BenchmarkDashboard100k(b *testing.B) {
	db, err := bolt.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	st, err := db.Analytics()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	analyticstest.Fill(b, st, 100_000, now)
	f := newFixture(b, st, now)
	link, _ := f.links.New("admin")
	h := New(f2opts(f, st, now))
	mux := http.NewServeMux()
	h.Register(mux)
	req := httptest.NewRequest("GET", link, nil)
	var size int
	gz := httptest.NewRequest("GET", link, nil)
	gz.Header.Set("Accept-Encoding", "gzip, deflate")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, gz)
	if w.Header().Get("Content-Encoding") != "gzip" {
		b.Fatal("page not compressed for a browser that accepts gzip")
	}
	gzSize := w.Body.Len()
	cpu := analyticstest.CPUTime()
	for b.Loop() {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `id="nb-questions">100000<`) {
			b.Fatalf("%d %s", w.Code, w.Body.String()[:200])
		}
		size = w.Body.Len()
	}
	b.ReportMetric(float64((analyticstest.CPUTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(size)/1024, "page-KiB")
	b.ReportMetric(float64(gzSize)/1024, "gzip-KiB")
}

func f2opts(f *fixture, st analytics.Store, now time.Time) Options {
	return Options{Store: st, Links: f.links, Now: func() time.Time { return now },
		Allowed: func(context.Context, string) (bool, error) { return true, nil }}
}

// FuzzLinkCheck: nothing but a link the bot signed names a user.
func FuzzLinkCheck(f *testing.F) {
	l := NewLinks(key, time.Hour, "")
	// The same in every fuzzing process: no random nonce, a fixed expiry.
	tok := l.signer.Sign(mattermost.Claims{Action: Action, UserID: "admin", Nonce: "n", Expires: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()})
	f.Add(tok)
	f.Add(tok[:len(tok)-1])
	f.Add("eyJhIjoidGFibGVhdSIsInUiOiJhZG1pbiJ9.")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		user, err := l.Check(s)
		if err == nil && (s != tok || user != "admin") {
			t.Fatalf("Check(%q) accepted, user %q", s, user)
		}
	})
}
