//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/cloud-pi-native/parcours/internal/mmtest"
	"github.com/mattermost/mattermost/server/public/model"
)

// teamDiagnostic runs a team diagnostic for name in the member's DM,
// clicking the option opt of every practice question, and returns the
// result post.
func (m *member) teamDiagnostic(t *testing.T, env *mmtest.Env, name, opt string) *model.Post {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), diagWait)
	defer cancel()
	start := time.Now().UnixMilli()
	resp, err := mmtest.ExecuteCommandWithTeam(t, m.c, m.dm.Id, env.TeamID, "/parcours diagnostic equipe "+name)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(resp.Text, "refusé") || strings.Contains(resp.Text, "inconnue") {
		t.Fatalf("/parcours diagnostic equipe %s: %q", name, resp.Text)
	}
	for range 20 {
		q := m.nextQuestion(t, ctx, env)
		choice := opt
		if questionID(q) == "perimetre" {
			choice = "opt2" // sre
		}
		m.click(t, q, choice)
		l, _, _ := m.c.GetPostsSince(t.Context(), m.dm.Id, start, false)
		for _, p := range l.Posts {
			if p.UserId == env.BotUserID && strings.Contains(p.Message, "Résultat du diagnostic") && p.CreateAt >= start && !m.seen[p.Id] {
				m.seen[p.Id] = true
				return p
			}
		}
	}
	t.Fatal("no result after 20 questions")
	return nil
}

// TestDashboardAfterARealConversation asks questions and runs team
// diagnostics on the real Mattermost, then opens the link /parcours tableau
// sends the admin in a real headless Chromium, checks what the charts say
// in the DOM, that the page's style applies under its CSP, that it fits a
// phone, and keeps screenshots; an altered link gets 403; /parcours export
// delivers CSV files in the admin's DM.
func TestDashboardAfterARealConversation(t *testing.T) {
	env, bot := sharedBot(t)
	chromium := findChromium(t)
	tag := strconv.FormatInt(time.Now().UnixNano()%1_000_000, 36)
	word := "zorglub" + tag // a word no other test asks about
	team := "Castors " + tag

	m := newMember(t, env, "tableau")
	ctx, cancel := context.WithTimeout(t.Context(), replyWait)
	defer cancel()
	for _, q := range []string{"où trouver le formulaire " + word + " ?", "formulaire " + word} {
		sent := m.post(t, q)
		r := mmtest.WaitForReply(t, ctx, m.c, sent, fromBot(env))
		if !strings.Contains(r.Message, "pas trouvé") {
			t.Fatalf("%q was answered:\n%s", q, r.Message)
		}
	}
	sent := m.post(t, "difference entre mode projet et mode produit")
	answered := mmtest.WaitForReply(t, ctx, m.c, sent, fromBot(env))
	m.click(t, answered, actionIDs(answered)[0]) // "Utile"

	first := m.teamDiagnostic(t, env, team, "opt1")
	second := m.teamDiagnostic(t, env, team, "opt2")
	if !strings.Contains(first.Message, "SRE") || !strings.Contains(second.Message, "SRE") {
		t.Fatalf("results:\n%s\n%s", first.Message, second.Message)
	}
	resp, err := mmtest.ExecuteCommandWithTeam(t, m.c, m.dm.Id, env.TeamID, "/parcours resultat equipe")
	if err != nil || !strings.Contains(resp.Text, "Équipe "+team+" : 2 diagnostics") || !strings.Contains(resp.Text, "Depuis le premier diagnostic") {
		t.Fatalf("/parcours resultat equipe: %v\n%s", err, resp.Text)
	}

	// The admin's stats: the two wordings are one group.
	admin := env.AdminClient(t)
	resp, err = mmtest.ExecuteCommand(t, admin, env.ChannelID, "/parcours stats 7j")
	if err != nil || !strings.Contains(resp.Text, "2 × « formulaire "+word+" »") && !strings.Contains(resp.Text, "2 × « où trouver le formulaire "+word+" ? »") {
		t.Fatalf("/parcours stats 7j: %v\n%s", err, resp.Text)
	}
	// A member is refused.
	if resp, _ := mmtest.ExecuteCommandWithTeam(t, m.c, m.dm.Id, env.TeamID, "/parcours tableau"); !strings.Contains(resp.Text, "réservée") {
		t.Errorf("a member got the dashboard: %q", resp.Text)
	}

	// The dashboard link arrives in the admin's DM, not in the channel.
	adminDM := mmtest.DirectChannel(t, admin, env.BotUserID)
	asked := time.Now()
	resp, err = mmtest.ExecuteCommand(t, admin, env.ChannelID, "/parcours tableau")
	if err != nil || !strings.Contains(resp.Text, "message direct") || strings.Contains(resp.Text, "http") {
		t.Fatalf("/parcours tableau: %v %q", err, resp.Text)
	}
	ctx, cancel = context.WithTimeout(t.Context(), replyWait)
	defer cancel()
	dmPost := mmtest.WaitForPost(t, ctx, admin, adminDM.Id, func(p *model.Post) bool {
		return p.UserId == env.BotUserID && p.CreateAt >= asked.UnixMilli()-1000 && strings.Contains(p.Message, "/tableau?")
	})
	link := mdLink.FindStringSubmatch(dmPost.Message)
	if link == nil || !strings.HasPrefix(link[1], bot.URL+"/tableau?t=") {
		t.Fatalf("no dashboard link in the DM:\n%s", dmPost.Message)
	}
	dashURL := link[1]

	// An altered link: 403, without the data.
	u, _ := url.Parse(dashURL)
	tok := u.Query().Get("t")
	i := len(tok) / 3
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	altered := bot.URL + "/tableau?t=" + url.QueryEscape(tok[:i]+string(c)+tok[i+1:])
	if code, body := httpGet(t, altered); code != http.StatusForbidden || strings.Contains(body, word) {
		t.Errorf("altered link: %d", code)
	}

	// The real browser.
	artefacts := artefactDir(t)
	started := time.Now()
	got := browse(t, chromium, dashURL, artefacts, word, team)
	t.Logf("dashboard in Chromium: %s; screenshots in %s (%v)", got, artefacts, time.Since(started).Round(time.Millisecond))
	if code, _ := httpGet(t, dashURL); code != 200 {
		t.Errorf("the link no longer opens after use: %d", code)
	}

	// The export: three CSV files in the admin's DM.
	asked = time.Now()
	resp, err = mmtest.ExecuteCommand(t, admin, env.ChannelID, "/parcours export 7j")
	if err != nil || !strings.Contains(resp.Text, "message direct") {
		t.Fatalf("/parcours export: %v %q", err, resp.Text)
	}
	exp := mmtest.WaitForPost(t, ctx, admin, adminDM.Id, func(p *model.Post) bool {
		return p.UserId == env.BotUserID && p.CreateAt >= asked.UnixMilli()-1000 && len(p.FileIds) > 0
	})
	if len(exp.FileIds) != 3 || !strings.Contains(exp.Message, "questions.csv") {
		t.Fatalf("export post: %d files\n%s", len(exp.FileIds), exp.Message)
	}
	names := map[string][]byte{}
	for _, id := range exp.FileIds {
		info, _, err := admin.GetFileInfo(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		data, _, err := admin.GetFile(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		names[info.Name] = data
	}
	q := names["parcours-7j-questions.csv"]
	if !bytes.HasPrefix(q, []byte("\ufeffdate;question;réponse;")) || !bytes.Contains(q, []byte("formulaire "+word+";aucune;;;message direct")) {
		t.Errorf("questions.csv in the DM (%d files: %v):\n%.600s", len(names), keys(names), q)
	}
	if d := names["parcours-7j-diagnostics.csv"]; bytes.Count(d, []byte(";"+team+";oui;")) != 2 {
		t.Errorf("diagnostics.csv lacks the team's two diagnostics:\n%.800s", d)
	}
	if f := names["parcours-7j-avis.csv"]; !bytes.Contains(f, []byte("sensibilisation/mode-produit.md")) {
		t.Errorf("avis.csv lacks the verdict on the answered question:\n%.600s", f)
	}
	for name, data := range names {
		if bytes.Contains(data, []byte(m.user.Id)) {
			t.Errorf("%s holds the member's user id: the statistics are anonymous by default", name)
		}
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// findChromium finds the browser of the Debian package "chromium"; CI
// installs it (.ci/run), elsewhere the test is skipped without it.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is missing: .ci/run installs the Debian package chromium")
	}
	t.Skip("chromium is not installed (apt-get install chromium)")
	return ""
}

// artefactDir is where screenshots are kept: beside the e2e env file (the
// state folder), or PARCOURS_E2E_ARTEFACTS.
func artefactDir(t *testing.T) string {
	dir := os.Getenv("PARCOURS_E2E_ARTEFACTS")
	if dir == "" {
		if env := os.Getenv(mmtest.EnvVar); env != "" {
			dir = filepath.Join(filepath.Dir(env), "artefacts")
		} else {
			dir = filepath.Join(os.TempDir(), "parcours-e2e-artefacts")
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browse opens the dashboard in headless Chromium, as a laptop then as a
// phone, checks the DOM and keeps screenshots.
func browse(t *testing.T, chromium, link, artefacts, word, team string) string {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	limit, cancelLimit := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancelLimit()
	actx, cancelAlloc := chromedp.NewExecAllocator(limit, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("Chromium, %s: %v", what, err)
		}
	}
	ready := chromedp.WaitReady(chromedp.CSS("#nb-questions"))
	step("laptop", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(link), ready)
	title := value(t, bctx, chromedp.Title())
	questions := value(t, bctx, chromedp.Text(chromedp.CSS("#nb-questions")))
	today := time.Now().Format("2006-01-02")
	groupCount := value(t, bctx, chromedp.Evaluate[int](fmt.Sprintf(
		`(() => { const r = [...document.querySelectorAll("tr.groupe")].find(r => r.textContent.includes(%q)); return r ? +r.dataset.nombre : -1 })()`, word)))
	teamPoints := value(t, bctx, chromedp.Evaluate[int](fmt.Sprintf(
		`(() => { const a = [...document.querySelectorAll("article.equipe")].find(a => a.dataset.equipe === %q); return a ? a.querySelectorAll('g.serie[data-dimension=""] circle').length : -1 })()`, team)))
	todayNone := value(t, bctx, chromedp.Evaluate[int](fmt.Sprintf(
		`(() => { const g = document.querySelector('g.jour[data-jour=%q]'); return g ? +g.dataset.aucune : -1 })()`, today)))
	sreDiagnostics := value(t, bctx, chromedp.Evaluate[int](
		`(() => { const g = document.querySelector('g.parcours[data-parcours="sre"]'); return g ? +g.dataset.niveau1 + +g.dataset.niveau2 + +g.dataset.niveau3 : -1 })()`))
	h1Colour := value(t, bctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("h1")).color`))
	sheets := value(t, bctx, chromedp.Evaluate[int](`document.styleSheets.length`))
	scripts := value(t, bctx, chromedp.Evaluate[int](`document.scripts.length`))
	svgs := value(t, bctx, chromedp.Evaluate[int](`document.querySelectorAll("svg").length`))
	laptop := value(t, bctx, chromedp.FullScreenshot(100))

	step("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Reload(), ready)
	phoneOverflow := value(t, bctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	chartWidth := value(t, bctx, chromedp.Evaluate[float64](`document.querySelector("svg.questions").getBoundingClientRect().width`))
	axisText := value(t, bctx, chromedp.Evaluate[float64](`document.querySelector("svg.questions text").getBoundingClientRect().height`))
	innerWidth := value(t, bctx, chromedp.Evaluate[float64](`window.innerWidth`))
	phone := value(t, bctx, chromedp.FullScreenshot(100))

	for name, data := range map[string][]byte{"tableau-portable.png": laptop, "tableau-telephone.png": phone} {
		if err := os.WriteFile(filepath.Join(artefacts, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if title != "Tableau de bord · parcours" {
		t.Errorf("title %q", title)
	}
	if n, _ := strconv.Atoi(strings.TrimSpace(questions)); n < 3 {
		t.Errorf("questions shown: %q, want at least the 3 of this test", questions)
	}
	if groupCount != 2 {
		t.Errorf("the unanswered group of %q has %d questions in the DOM, want 2 (both wordings)", word, groupCount)
	}
	if teamPoints != 2 {
		t.Errorf("team %q has %d points on its overall line, want 2 diagnostics", team, teamPoints)
	}
	if todayNone < 2 {
		t.Errorf("today's bar shows %d unanswered questions, want at least 2", todayNone)
	}
	if sreDiagnostics < 2 {
		t.Errorf("the SRE path bar counts %d diagnostics, want at least the 2 of this test", sreDiagnostics)
	}
	if h1Colour != "rgb(0, 0, 145)" || sheets != 1 || scripts != 0 || svgs < 4 {
		t.Errorf("style %q with %d style sheets, %d scripts, %d SVG: the page's own style sheet must apply under its CSP", h1Colour, sheets, scripts, svgs)
	}
	if phoneOverflow {
		t.Error("on a phone the page scrolls sideways")
	}
	if axisText < 9 {
		t.Errorf("on a phone (%.0f px) the charts' text is %.1f px high (chart %.0f px wide): unreadable", innerWidth, axisText, chartWidth)
	}
	return fmt.Sprintf("%s questions, a group of %d, %d team points; phone %.0f px: chart %.0f px wide (scrolls in its frame), text %.1f px; screenshots %d KB and %d KB",
		strings.TrimSpace(questions), groupCount, teamPoints, innerWidth, chartWidth, axisText, len(laptop)/1024, len(phone)/1024)
}

// value runs one browser action and returns its value.
func value[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("Chromium: %v", err)
	}
	return v
}
