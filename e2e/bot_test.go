//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/config"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/cloud-pi-native/parcours/internal/mmtest"
	"github.com/cloud-pi-native/parcours/internal/serve"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// replyWait bounds how long a test waits for the bot; answers take
// milliseconds, the margin is for a loaded CI machine.
const replyWait = 15 * time.Second

// botUnderTest is the bot running in this test process.
type botUnderTest struct {
	*serve.Bot
	URL    string // the bot's HTTP server
	cancel context.CancelFunc
}

var (
	sharedOnce sync.Once
	shared     *botUnderTest
	sharedErr  error
	stopShared func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	if stopShared != nil {
		stopShared()
	}
	if builtParcours != "" {
		os.RemoveAll(filepath.Dir(builtParcours))
	}
	os.Exit(code)
}

// startBot runs `parcours serve`'s wiring in process against the test
// server, its HTTP server on 127.0.0.1:0 with PUBLIC_URL pointing at it. The
// data folder is kept so that a test can restart the bot on it.
func startBot(ctx context.Context, env *mmtest.Env, dataDir string, logw io.Writer) (*botUnderTest, error) {
	return startBotAt(ctx, env, dataDir, logw, "127.0.0.1:0")
}

// startBotAt is startBot listening on addr: a bot restarted on the same
// address keeps the buttons it posted working, as in production.
func startBotAt(ctx context.Context, env *mmtest.Env, dataDir string, logw io.Writer, addr string) (*botUnderTest, error) {
	return startBotWith(ctx, env, dataDir, logw, addr, nil)
}

// startBotWith is startBotAt with more configuration variables
// (PARCOURS_SOURCES...).
func startBotWith(ctx context.Context, env *mmtest.Env, dataDir string, logw io.Writer, addr string, extra map[string]string) (*botUnderTest, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	url := "http://" + ln.Addr().String()
	vars := map[string]string{
		"PARCOURS_MM_URL":     env.URL,
		"PARCOURS_MM_TOKEN":   env.BotToken,
		"PARCOURS_LISTEN":     ln.Addr().String(),
		"PARCOURS_PUBLIC_URL": url,
		"PARCOURS_DATA_DIR":   dataDir,
		"PARCOURS_ADMINS":     env.AdminUsername,
		// Room for the suite's questions from alice, a limit all the
		// same for TestFloodFromOneUserLimited.
		"PARCOURS_RATE_LIMIT": "60",
		"PARCOURS_RATE_BURST": "20",
	}
	for k, v := range extra {
		vars[k] = v
	}
	cfg, err := config.Load(nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		ln.Close()
		return nil, err
	}
	enc := zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig())
	log := zap.New(zapcore.NewCore(enc, zapcore.AddSync(logw), zapcore.InfoLevel))
	ctx, cancel := context.WithCancel(ctx)
	b, err := serve.Start(ctx, cfg, ln, log)
	if err != nil {
		cancel()
		return nil, err
	}
	deadline := time.Now().Add(10 * time.Second)
	for !b.MM.Connected() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	return &botUnderTest{Bot: b, URL: url, cancel: cancel}, nil
}

func (b *botUnderTest) stop() {
	b.cancel()
	b.Wait()
}

// sharedBot is the bot most tests talk to: one per test binary, so that
// no two bots answer the same post.
func sharedBot(t *testing.T) (*mmtest.Env, *botUnderTest) {
	t.Helper()
	env := mmtest.Load(t)
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "parcours-e2e-bot-")
		if err != nil {
			sharedErr = err
			return
		}
		shared, sharedErr = startBot(context.Background(), env, dir, os.Stderr)
		if sharedErr == nil {
			stopShared = func() { shared.stop(); os.RemoveAll(dir) }
		}
	})
	if sharedErr != nil {
		t.Fatalf("starting the bot: %v", sharedErr)
	}
	if !shared.MM.Connected() {
		t.Fatal("the bot is not connected to Mattermost")
	}
	return env, shared
}

func fromBot(env *mmtest.Env) func(*model.Post) bool {
	return func(p *model.Post) bool { return p.UserId == env.BotUserID }
}

var mdLink = regexp.MustCompile(`\]\((https?://[^)\s]+)\)`)

func TestDirectMessageAnsweredWithTheRightLink(t *testing.T) {
	env, bot := sharedBot(t)
	alice := env.UserClient(t, "alice")
	dm := mmtest.DirectChannel(t, alice, env.BotUserID)
	q := mmtest.Post(t, alice, dm.Id, "", "difference entre mode projet et mode produit")
	ctx, cancel := context.WithTimeout(t.Context(), replyWait)
	defer cancel()
	r := mmtest.WaitForReply(t, ctx, alice, q, fromBot(env))
	if r.RootId != q.Id {
		t.Errorf("reply not in the question's thread: root %q", r.RootId)
	}
	links := mdLink.FindAllStringSubmatch(r.Message, -1)
	if len(links) == 0 {
		t.Fatalf("no link in the answer:\n%s", r.Message)
	}
	first := links[0][1]
	if !strings.HasPrefix(first, bot.URL+"/kb/sensibilisation/mode-produit") {
		t.Errorf("first link %s, want the page sensibilisation/mode-produit on the bot's server\n%s", first, r.Message)
	}
	// The link works: the page is served with the section's anchor.
	resp, err := http.Get(first)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", first, resp.StatusCode)
	}
	if _, anchor, ok := strings.Cut(first, "#"); ok && !bytes.Contains(body, []byte(`id="`+anchor+`"`)) {
		t.Errorf("page %s has no element with id %q", first, anchor)
	}
	if att := r.Attachments(); len(att) != 1 || len(att[0].Actions) != 2 || att[0].Actions[0].Name != "Utile" {
		t.Errorf("feedback buttons missing: %+v", att)
	}
}

func TestMentionInChannelAnsweredInThreadAndFollowUp(t *testing.T) {
	env, _ := sharedBot(t)
	alice := env.UserClient(t, "alice")
	bob := env.UserClient(t, "bob")
	q := mmtest.Post(t, alice, env.ChannelID, "", "@"+env.BotUsername+" c'est quoi devsecops en gros ?")
	ctx, cancel := context.WithTimeout(t.Context(), replyWait)
	defer cancel()
	r := mmtest.WaitForReply(t, ctx, alice, q, fromBot(env))
	if r.RootId != q.Id || r.ChannelId != env.ChannelID {
		t.Fatalf("reply not in the thread: root %q channel %q", r.RootId, r.ChannelId)
	}
	if !strings.Contains(r.Message, "/kb/sensibilisation/devsecops") {
		t.Errorf("answer does not link the devsecops page:\n%s", r.Message)
	}
	// Bob follows up in the thread without mentioning the bot.
	f := mmtest.Post(t, bob, env.ChannelID, q.Id, "et quelles sont les etapes du cycle devsecops ?")
	r2 := mmtest.WaitForReply(t, ctx, bob, q, func(p *model.Post) bool { return p.UserId == env.BotUserID && p.Id != r.Id })
	if r2.RootId != q.Id || r2.CreateAt < f.CreateAt {
		t.Errorf("follow-up not answered in the thread")
	}
	if !strings.Contains(r2.Message, "cycle-devsecops") {
		t.Errorf("follow-up answer does not link the cycle page:\n%s", r2.Message)
	}
}

func TestChannelWideMentionsIgnored(t *testing.T) {
	env, _ := sharedBot(t)
	alice := env.UserClient(t, "alice")
	var qs []*model.Post
	for _, msg := range []string{"@channel c'est quoi devsecops ?", "@all @here comment deployer ?", "c'est quoi devsecops sans mention"} {
		qs = append(qs, mmtest.Post(t, alice, env.ChannelID, "", msg))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	mmtest.AssertSilent(t, ctx, alice, env.BotUserID, env.ChannelID, func(p *model.Post) bool {
		if p.UserId != env.BotUserID {
			return false
		}
		for _, q := range qs {
			if p.RootId == q.Id {
				return true
			}
		}
		return false
	})
}

func TestBotsOwnPostsNeverAnswered(t *testing.T) {
	env, _ := sharedBot(t)
	botc := env.BotClient(t)
	own := mmtest.Post(t, botc, env.ChannelID, "", "@"+env.BotUsername+" c'est quoi devsecops ?")
	alice := env.UserClient(t, "alice")
	dm := mmtest.DirectChannel(t, alice, env.BotUserID)
	ownDM := mmtest.Post(t, botc, dm.Id, "", "comment deployer ?")
	// Alice's question, posted after, answered: the bot has read past its
	// own posts.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	mmtest.AssertSilent(t, ctx, alice, env.BotUserID, env.ChannelID, func(p *model.Post) bool {
		return p.UserId == env.BotUserID && p.RootId == own.Id
	})
	mmtest.AssertNoPost(t, botc, dm.Id, mmtest.SilenceWait, func(p *model.Post) bool {
		return p.UserId == env.BotUserID && p.RootId == ownDM.Id
	})
}

func TestSlashCommands(t *testing.T) {
	env, _ := sharedBot(t)
	alice := env.UserClient(t, "alice")
	cases := []struct {
		cmd  string
		want []string
	}{
		{"/parcours", []string{"/parcours liste", "/parcours chercher"}},
		{"/parcours sre 2", []string{"Niveau 2", "SRE"}},
		{"/parcours lsite", []string{"« lsite »", "Vouliez-vous dire `/parcours liste`"}},
		{"/parcours stats", []string{"réservée aux administrateurs"}},
	}
	for _, c := range cases {
		resp, err := mmtest.ExecuteCommand(t, alice, env.ChannelID, c.cmd)
		if err != nil {
			t.Errorf("%s: %v", c.cmd, err)
			continue
		}
		if resp.ResponseType != model.CommandResponseTypeEphemeral {
			t.Errorf("%s: response type %q, want ephemeral", c.cmd, resp.ResponseType)
		}
		for _, w := range c.want {
			if !strings.Contains(resp.Text, w) {
				t.Errorf("%s: reply lacks %q:\n%s", c.cmd, w, resp.Text)
			}
		}
	}
	// The sre level 2 reply links its topics.
	resp, err := mmtest.ExecuteCommand(t, alice, env.ChannelID, "/parcours sre 2")
	if err == nil && !mdLink.MatchString(resp.Text) {
		t.Errorf("/parcours sre 2 has no links:\n%s", resp.Text)
	}
	// An admin may see the stats and reload the knowledge base.
	resp, err = mmtest.ExecuteCommand(t, env.AdminClient(t), env.ChannelID, "/parcours stats")
	if err != nil || !strings.Contains(resp.Text, "Statistiques des 30 derniers jours") || !strings.Contains(resp.Text, "de réponses sûres") {
		t.Errorf("admin stats: %v %v", err, resp)
	}
	resp, err = mmtest.ExecuteCommand(t, env.AdminClient(t), env.ChannelID, "/parcours reindex")
	if err != nil || !regexp.MustCompile(`rechargée : [1-9][0-9]* pages`).MatchString(resp.Text) {
		t.Errorf("admin reindex: %v %+v", err, resp)
	}
	resp, err = mmtest.ExecuteCommand(t, alice, env.ChannelID, "/parcours reindex")
	if err != nil || !strings.Contains(resp.Text, "réservée aux administrateurs") {
		t.Errorf("reindex by a user: %v %+v", err, resp)
	}
}

func TestFeedbackClickRecordedAndForgedRefused(t *testing.T) {
	env, bot := sharedBot(t)
	alice := env.UserClient(t, "alice")
	q := mmtest.Post(t, alice, env.ChannelID, "", "@"+env.BotUsername+" c'est quoi un microservice")
	ctx, cancel := context.WithTimeout(t.Context(), replyWait)
	defer cancel()
	r := mmtest.WaitForReply(t, ctx, alice, q, fromBot(env))
	atts := r.Attachments()
	if len(atts) != 1 || len(atts[0].Actions) != 2 {
		t.Fatalf("no buttons on the answer: %+v", atts)
	}
	utile := atts[0].Actions[0]
	before, _ := bot.Store.FeedbackCounts()
	useful := testutil.ToFloat64(bot.Metrics.Feedback.WithLabelValues("useful"))

	// Alice clicks "Utile" through Mattermost.
	if _, err := alice.DoPostAction(t.Context(), r.Id, utile.Id); err != nil {
		t.Fatalf("click: %v", err)
	}
	after, _ := bot.Store.FeedbackCounts()
	if after.Useful != before.Useful+1 {
		t.Errorf("click not recorded: %+v -> %+v", before, after)
	}
	if testutil.ToFloat64(bot.Metrics.Feedback.WithLabelValues("useful")) != useful+1 {
		t.Error("click not counted in the metrics")
	}
	// Clicking again does not count twice.
	alice.DoPostAction(t.Context(), r.Id, utile.Id)
	// Bob clicking the buttons meant for Alice is refused.
	bob := env.UserClient(t, "bob")
	bob.DoPostAction(t.Context(), r.Id, utile.Id)
	if again, _ := bot.Store.FeedbackCounts(); again != after {
		t.Errorf("replayed or foreign click counted: %+v -> %+v", after, again)
	}

	// Forged clicks sent straight to the bot (Mattermost never shows the
	// real context to clients): signed with another key, made up, absent.
	other := mattermost.NewSigner([]byte(strings.Repeat("x", 32)), time.Hour)
	for name, c := range map[string]map[string]any{
		"other key":  other.Context(mattermost.Claims{Action: conversation.ActionFeedback, UserID: env.AliceUserID, Nonce: "n", Data: map[string]string{"v": "1"}}),
		"made up":    {"t": "eyJhIjoiZmVlZGJhY2sifQ.AAAA"},
		"no context": nil,
	} {
		body, _ := json.Marshal(model.PostActionIntegrationRequest{UserId: env.AliceUserID, PostId: r.Id, Context: c})
		resp, err := http.Post(bot.URL+"/mattermost/action", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s click: status %d, want 403", name, resp.StatusCode)
		}
	}
	if final, _ := bot.Store.FeedbackCounts(); final != after {
		t.Errorf("forged click counted: %+v -> %+v", after, final)
	}
}

func TestKilledWebSocketRecoveredWithoutDoubleAnswer(t *testing.T) {
	env, bot := sharedBot(t)
	alice := env.UserClient(t, "alice")
	dm := mmtest.DirectChannel(t, alice, env.BotUserID)
	ctx, cancel := context.WithTimeout(t.Context(), 2*replyWait)
	defer cancel()

	first := mmtest.Post(t, alice, dm.Id, "", "c'est quoi devsecops en gros ?")
	mmtest.WaitForReply(t, ctx, alice, first, fromBot(env))

	reconnections := testutil.ToFloat64(bot.Metrics.Reconnections)
	bot.MM.DropConnection()
	// Asked while the connection is down: answered once it is back.
	during := mmtest.Post(t, alice, dm.Id, "", "quelles sont les etapes du cycle devsecops")
	for testutil.ToFloat64(bot.Metrics.Reconnections) == reconnections || !bot.MM.Connected() {
		if ctx.Err() != nil {
			t.Fatal("the bot did not reconnect")
		}
		time.Sleep(20 * time.Millisecond)
	}
	after := mmtest.Post(t, alice, dm.Id, "", "VUCA ça veut dire quoi")
	for _, q := range []*model.Post{during, after} {
		mmtest.WaitForReply(t, ctx, alice, q, fromBot(env))
	}
	// Exactly one answer per question, the one before the drop included.
	time.Sleep(time.Second)
	for _, q := range []*model.Post{first, during, after} {
		l, _, err := alice.GetPostThread(t.Context(), q.Id, "", false)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range l.Posts {
			if p.UserId == env.BotUserID {
				n++
			}
		}
		if n != 1 {
			t.Errorf("question %q answered %d times", q.Message, n)
		}
	}
}

func TestCommandRegisteredAndProbes(t *testing.T) {
	env, bot := sharedBot(t)
	cmds, _, err := env.AdminClient(t).ListCommands(t.Context(), env.TeamID, true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range cmds {
		if c.Trigger == "parcours" && c.DeleteAt == 0 {
			found = true
			if c.URL != bot.URL+"/mattermost/command" || c.CreatorId != env.BotUserID || !c.AutoComplete || c.AutoCompleteHint == "" {
				t.Errorf("/parcours registered as %+v", c)
			}
		}
	}
	if !found {
		t.Fatal("/parcours not registered in the team")
	}
	for path, want := range map[string]string{
		"/healthz": "ok",
		"/readyz":  "prêt",
		"/metrics": "parcours_index_pages",
		"/kb/":     "<html",
	} {
		resp, err := http.Get(bot.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, body lacks %q", path, resp.StatusCode, want)
		}
	}
}

// A command registered by hand works once its token is given to the bot,
// and is refused before: the bot checks the token Mattermost sends.
func TestManuallyRegisteredCommandNeedsItsToken(t *testing.T) {
	env, bot := sharedBot(t)
	admin := env.AdminClient(t)
	trigger := "parcoursmanuel" + time.Now().Format("150405")
	cmd, _, err := admin.CreateCommand(t.Context(), &model.Command{
		TeamId: env.TeamID, Trigger: trigger, Method: model.CommandMethodPost,
		URL: bot.URL + "/mattermost/command", DisplayName: "parcours (manuel)",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.DeleteCommand(context.Background(), cmd.Id) })
	alice := env.UserClient(t, "alice")
	if resp, err := mmtest.ExecuteCommand(t, alice, env.ChannelID, "/"+trigger+" liste"); err == nil && strings.Contains(resp.Text, "Les parcours") {
		t.Fatal("command with an unknown token served")
	}
	bot.Tokens.Add(cmd.Token) // what PARCOURS_COMMAND_TOKENS does at start
	resp, err := mmtest.ExecuteCommand(t, alice, env.ChannelID, "/"+trigger+" liste")
	if err != nil || !strings.Contains(resp.Text, "Les parcours") {
		t.Fatalf("manual command refused with its token: %v %+v", err, resp)
	}
}

// A question asked while the bot restarts is answered once it is back, and
// nothing answered before is answered again.
func TestQuestionAskedDuringRestartAnswered(t *testing.T) {
	env, bot := sharedBot(t)
	alice := env.UserClient(t, "alice")
	dm := mmtest.DirectChannel(t, alice, env.BotUserID)
	ctx, cancel := context.WithTimeout(t.Context(), 2*replyWait)
	defer cancel()
	before := mmtest.Post(t, alice, dm.Id, "", "c'est quoi devsecops en gros ?")
	mmtest.WaitForReply(t, ctx, alice, before, fromBot(env))

	dir := bot.Config.DataDir
	bot.stop()
	during := mmtest.Post(t, alice, dm.Id, "", "VUCA ça veut dire quoi")
	restarted, err := startBot(context.Background(), env, dir, os.Stderr)
	if err != nil {
		t.Fatalf("restarting the bot: %v", err)
	}
	shared = restarted // the other tests go on with the new one
	stopShared = func() { restarted.stop(); os.RemoveAll(dir) }

	mmtest.WaitForReply(t, ctx, alice, during, fromBot(env))
	time.Sleep(time.Second)
	for _, q := range []*model.Post{before, during} {
		l, _, err := alice.GetPostThread(t.Context(), q.Id, "", false)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range l.Posts {
			if p.UserId == env.BotUserID {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%q answered %d times", q.Message, n)
		}
	}
}
