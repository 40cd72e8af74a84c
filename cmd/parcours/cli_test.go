package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/bolt"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/serve"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// runCLI runs the command line in process and returns exit code and outputs.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func TestAskAnswersARoleQuestion(t *testing.T) {
	code, out, errs := runCLI(t, "", "ask", "je suis chef de projet, par où commencer ?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"parcours/projet.md", "Parcours conseillé : ", "niveau 1", "Confiance"} {
		if !strings.Contains(out, want) {
			t.Errorf("answer lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("no terminal escape codes when the output is not a terminal")
	}
}

func TestAskNotFound(t *testing.T) {
	code, out, _ := runCLI(t, "", "ask", "quel temps fera-t-il demain ?")
	if code != 0 || !strings.Contains(out, "pas trouvé") || !strings.Contains(out, "/parcours diagnostic") {
		t.Errorf("exit %d, want an honest not-found with what to try:\n%s", code, out)
	}
}

func TestSearchJSON(t *testing.T) {
	code, out, errs := runCLI(t, "", "search", "--json", "--limit", "2", "c'est quoi k8s ?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r searchResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	if r.Query != "c'est quoi k8s ?" || !r.Answered || r.Tier != answer.TierSure || r.Confidence <= 0 || len(r.Results) == 0 || len(r.Results) > 2 {
		t.Fatalf("unexpected result: %+v", r)
	}
	if r.Results[0].Path != "pratiques/conteneurs-kubernetes.md" || r.Results[0].URL == "" || r.Results[0].Title == "" {
		t.Errorf("first result %+v", r.Results[0])
	}
	// The raw JSON has every documented key, even empty ones.
	for _, k := range []string{`"query"`, `"tier"`, `"answered"`, `"confidence"`, `"results"`, `"path"`, `"anchor"`, `"title"`, `"score"`, `"url"`, `"parcours"`, `"niveau"`} {
		if !strings.Contains(out, k) {
			t.Errorf("JSON lacks key %s", k)
		}
	}
}

func TestSearchReadsQuestionsFromStdin(t *testing.T) {
	code, out, errs := runCLI(t, "kubernetes\n\nmot de passe\nvacances scolaires\n", "search", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want one line per non-empty question, got %d:\n%s", len(lines), out)
	}
	var last searchResult
	if err := json.Unmarshal([]byte(lines[2]), &last); err != nil {
		t.Fatal(err)
	}
	if last.Query != "vacances scolaires" || last.Answered || last.Tier != answer.TierNone || last.Confidence > 0.3 {
		t.Errorf("off-topic line: %+v", last)
	}
}

// --limit N gives up to N ranked pages whatever the tier: the tier says how
// sure the ranking is, it does not shorten it.
func TestSearchLimitIsTheRankingLength(t *testing.T) {
	code, out, errs := runCLI(t, "", "search", "--json", "--limit", "8", "déployer une application conteneurisée avec kubernetes")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r searchResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Results) != 8 {
		t.Errorf("want 8 ranked pages, got %d: %+v", len(r.Results), r.Results)
	}
	for i := 1; i < len(r.Results); i++ {
		if r.Results[i].Score > r.Results[i-1].Score {
			t.Errorf("results not in ranking order at %d: %+v", i, r.Results)
		}
	}
}

func writePages(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"guide/astreinte.md": "---\ntitle: Astreinte\nparcours: sre\n---\n\n## Organisation\n\nL'astreinte de l'équipe plateforme tourne chaque semaine ; l'escalade suit un cadre écrit.\n",
		"guide/index.md":     "# Guide\n\nCe guide présente l'organisation de l'équipe, ses rituels et ses outils de travail au quotidien.\n",
		"brouillon.md":       "---\ntitle: [cassé\n---\n\nUne page au front matter cassé qui parle quand même de sauvegarde et de restauration des données.\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSearchOnAnotherSourceAndPersistentIndex(t *testing.T) {
	dir := writePages(t)
	code, out, errs := runCLI(t, "", "search", "--source", dir+"=https://docs.example.org/|html", "--json", "astreinte escalade")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r searchResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Results) == 0 || r.Results[0].Path != "guide/astreinte.md" || r.Results[0].Parcours != "sre" {
		t.Fatalf("--source must replace the embedded base: %+v", r)
	}
	if !strings.HasPrefix(r.Results[0].URL, "https://docs.example.org/guide/astreinte.html") {
		t.Errorf("URL %q should use the source's base URL and link style", r.Results[0].URL)
	}
	if !strings.Contains(errs, "brouillon.md:2") {
		t.Errorf("a malformed page must be reported with file and line on stderr: %q", errs)
	}

	idx := filepath.Join(t.TempDir(), "idx")
	code, out, errs = runCLI(t, "", "index", "--source", dir, "--out", idx)
	if code != 0 || !strings.Contains(out, "3 pages") {
		t.Fatalf("index: exit %d, %s %s", code, out, errs)
	}
	code, out, errs = runCLI(t, "", "search", "--index", idx, "--json", "sauvegarde restauration")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Results) == 0 || r.Results[0].Path != "brouillon.md" {
		t.Errorf("search on the persistent index: %v %+v", err, r)
	}
	if code, _, errs = runCLI(t, "", "index", "--source", dir, "--out", idx); code == 0 || !strings.Contains(errs, "existe déjà") {
		t.Errorf("index over an existing folder must be refused: %d %s", code, errs)
	}
}

func TestEvalOnShippedSet(t *testing.T) {
	code, out, errs := runCLI(t, "", "eval", "../../knowledge/_data/questions.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "hit@1") || !strings.Contains(out, "hors sujet") {
		t.Errorf("eval summary missing:\n%s", out)
	}
	// French writes 94,6 %, not 94.6 %.
	if m := regexp.MustCompile(`\d\.\d+\s?%|MRR \d\.`).FindString(out); m != "" {
		t.Errorf("number written the English way: %q", m)
	}
}

func TestCommandLineErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serach"}, 2, "Vouliez-vous dire « parcours search »"},
		{[]string{"search", "kubernetes"}, 2, "--json"},
		{[]string{"ask"}, 2, "posez une question"},
		{[]string{"search", "--json", "--source", "/nulle/part", "x"}, 2, "introuvable"},
		{[]string{"index", "--source", "."}, 2, "--out"},
		{[]string{"eval", "/nulle/part.yaml"}, 1, "lecture du jeu de questions"},
		{[]string{"ask", "--limite", "2", "x"}, 2, "limite"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, "", c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d (want %d), stderr %q should contain %q", c.args, code, c.code, errs, c.want)
		}
	}
	code, out, _ := runCLI(t, "", "aide")
	if code != 0 || !strings.Contains(out, "ask") || !strings.Contains(out, "search") {
		t.Errorf("help: %d %s", code, out)
	}
}

func TestAskOnAGitSourceWithoutGitProgram(t *testing.T) {
	t.Setenv("PATH", "") // no git program, as in the image
	repo := t.TempDir()
	r, err := git.PlainInit(repo, false)
	if err != nil {
		t.Fatal(err)
	}
	page := "# Astreinte\n\nL'astreinte de l'équipe plateforme tourne chaque semaine, avec un cadre d'escalade écrit et partagé.\n"
	if err := os.WriteFile(filepath.Join(repo, "astreinte.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	w, _ := r.Worktree()
	if _, err := w.Add("astreinte.md"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit("one", &git.CommitOptions{Author: &object.Signature{Name: "t", Email: "t@example.org", When: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string {
		if k == "PARCOURS_DATA_DIR" {
			return data
		}
		return ""
	}}
	code := run(context.Background(), env, []string{"search", "--json", "--source", "git+file://" + repo, "comment marche l'astreinte ?"})
	if code != 0 || !strings.Contains(out.String(), `"path":"astreinte.md"`) {
		t.Fatalf("exit %d:\n%s\n%s", code, out.String(), errb.String())
	}
	if _, err := os.Stat(filepath.Join(data, "sources")); err != nil {
		t.Errorf("the checkout must go to the data folder: %v", err)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "parcours dev (commit ") || !strings.Contains(out, "go1.") {
		t.Errorf("exit %d: %q", code, out)
	}
}

// parcours backup while the bot runs (through its admin socket), then
// restore into an empty folder: the diagnostics are there.
func TestBackupAndRestore(t *testing.T) {
	dir, err := os.MkdirTemp("", "pb") // short: a unix socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.Diagnostics()
	if err != nil {
		t.Fatal(err)
	}
	res := &diagnostic.Result{UserID: "alice", Perimeter: "sre", Answered: 7}
	if err := st.Finish(context.Background(), res, 10); err != nil {
		t.Fatal(err)
	}
	srv, err := serve.ServeAdmin(dir, db)
	if err != nil {
		t.Fatal(err)
	}
	// While the bot runs, its store is locked: only the socket can copy it.
	out := filepath.Join(t.TempDir(), "sauvegarde.tar")
	if code, _, errs := runCLI(t, "", "backup", "--data-dir", dir, "--out", out); code != 0 {
		t.Fatalf("backup through the running bot: %s", errs)
	}
	srv.Close()
	db.Close()
	check := func(backup string) {
		t.Helper()
		restored := t.TempDir()
		if code, _, errs := runCLI(t, "", "restore", "--data-dir", restored, backup); code != 0 {
			t.Fatalf("restore: %s", errs)
		}
		db2, err := bolt.Open(restored)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		st2, _ := db2.Diagnostics()
		if rs, err := st2.Results(context.Background(), "alice"); err != nil || len(rs) != 1 || rs[0].Perimeter != "sre" || rs[0].Answered != 7 {
			t.Errorf("restored results %+v %v", rs, err)
		}
	}
	check(out)
	// The bot stopped: the command reads the store itself.
	out2 := filepath.Join(t.TempDir(), "hors-ligne.tar")
	if code, _, errs := runCLI(t, "", "backup", "--data-dir", dir, "--out", out2); code != 0 {
		t.Fatalf("offline backup: %s", errs)
	}
	check(out2)
	if code, _, errs := runCLI(t, "", "backup"); code != 2 || !strings.Contains(errs, "PARCOURS_DATA_DIR") {
		t.Errorf("no data folder: %d %s", code, errs)
	}
}

// Help asked for is no error: the usage, exit 0, no « flag: help requested ».
func TestHelpOfACommandIsNoError(t *testing.T) {
	for _, cmd := range []string{"ask", "chat", "search", "index", "eval"} {
		code, _, errs := runCLI(t, "", cmd, "-h")
		if code != 0 || !strings.Contains(errs, "Utilisation : parcours "+cmd) || strings.Contains(errs, "help requested") {
			t.Errorf("%s -h: exit %d, stderr:\n%s", cmd, code, errs)
		}
	}
}

// `check` against a server that is not Mattermost says so in one line,
// without dumping the page it got.
func TestCheckAgainstAServerThatIsNotMattermost(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusNotFound} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			fmt.Fprint(w, "<!doctype html><html><body><h1>Portail de l'intranet</h1>"+strings.Repeat("<p>texte</p>", 500)+"</body></html>")
		}))
		vars := map[string]string{"PARCOURS_MM_URL": srv.URL, "PARCOURS_MM_TOKEN": "jeton", "PARCOURS_PUBLIC_URL": "http://bot.exemple:8080",
			"PARCOURS_DATA_DIR": t.TempDir()}
		var out, errb bytes.Buffer
		env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
		code := run(context.Background(), env, []string{"check"})
		srv.Close()
		if code != 1 || !strings.Contains(errb.String(), "aucune API Mattermost ne répond à cette adresse") ||
			strings.Contains(errb.String(), "doctype") || strings.Contains(errb.String(), "Portail") || len(errb.String()) > 600 {
			t.Errorf("status %d: exit %d, stderr:\n%s", status, code, errb.String())
		}
	}
}

// A chat with a data folder counts its questions in that folder's
// statistics, as the terminal's, without the person's login.
func TestChatRecordsItsQuestionsForTheStatistics(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI(t, "c'est quoi argocd ?\nquel temps fera-t-il demain ?\n", "chat", "--data", dir)
	if code != 0 {
		t.Fatalf("chat: %d\n%s\n%s", code, out, errs)
	}
	db, err := bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Analytics()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	st.Scan(context.Background(), analytics.KindQuestion, time.Time{}, time.Now().Add(time.Hour), func(e *analytics.Event) error {
		got = append(got, fmt.Sprintf("%s|%s|%s|%s", e.Text, e.Tier, e.Channel, e.User))
		return nil
	})
	if len(got) != 2 || !strings.HasSuffix(got[0], "|terminal|") || !strings.Contains(got[1], "demain ?|none|terminal|") {
		t.Errorf("recorded %q: want the two questions, from the terminal, without the user", got)
	}
}

// parcours chat without --data says plainly that nothing is kept, and never
// promises to keep answers for days.
func TestChatWithoutDataSaysNothingIsKept(t *testing.T) {
	code, out, errs := runCLI(t, "diagnostic\nannuler\nquitter\n", "chat", "--nom", "Camille")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "Rien de cette conversation n'est gardé après la session") || strings.Contains(out, "jours") ||
		!strings.Contains(out, "Bonjour Camille") {
		t.Errorf("transcript:\n%s", out)
	}
	code, out, _ = runCLI(t, "diagnostic\nannuler\nquitter\n", "chat", "--data", t.TempDir())
	if code != 0 || strings.Contains(out, "Rien de cette conversation") || !strings.Contains(out, "gardées 7 jours") {
		t.Errorf("with --data, answers are kept:\n%s", out)
	}
}
