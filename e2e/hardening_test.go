//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cloud-pi-native/parcours/internal/mmtest"
	"github.com/mattermost/mattermost/server/public/model"
)

// mentionCount is bob's unread mentions in the channel.
func mentionCount(t *testing.T, env *mmtest.Env, c *model.Client4, userID string) int64 {
	t.Helper()
	m, _, err := c.GetChannelMember(context.Background(), env.ChannelID, userID, "")
	if err != nil {
		t.Fatal(err)
	}
	return m.MentionCount
}

// An indented "@channel" pings nobody in alice's post (a code block): the
// bot's reply, which quotes her question, must not ping anyone either.
func TestUserTextNeverPingsThroughTheBot(t *testing.T) {
	env, _ := sharedBot(t)
	alice, bob := env.UserClient(t, "alice"), env.UserClient(t, "bob")
	// bob has read the channel: his mentions start from zero.
	if _, _, err := bob.ViewChannel(t.Context(), env.BobUserID, &model.ChannelView{ChannelId: env.ChannelID}); err != nil {
		t.Fatal(err)
	}
	before := mentionCount(t, env, bob, env.BobUserID)
	ctx, cancel := context.WithTimeout(t.Context(), replyWait)
	defer cancel()
	q := mmtest.Post(t, alice, env.ChannelID, "", "@"+env.BotUsername+" zorglub blurf\n\n    @channel @bob")
	r := mmtest.WaitForReply(t, ctx, alice, q, fromBot(env))
	if !strings.Contains(r.Message, "zorglub") {
		t.Fatalf("the reply does not quote the question:\n%s", r.Message)
	}
	time.Sleep(time.Second) // notifications are counted after the post
	if after := mentionCount(t, env, bob, env.BobUserID); after != before {
		t.Errorf("bob got %d mention(s) from the bot's reply:\n%s", after-before, r.Message)
	}
}

// A 16,000-character message is answered, briefly: the reply used to
// exceed Mattermost's limit and the user got nothing.
func TestLongMessageAnswered(t *testing.T) {
	env, _ := sharedBot(t)
	alice := env.UserClient(t, "alice")
	dm := mmtest.DirectChannel(t, alice, env.BotUserID)
	var b strings.Builder
	for i := 0; b.Len() < 16000; i++ {
		fmt.Fprintf(&b, "zorglub%d ", i)
	}
	ctx, cancel := context.WithTimeout(t.Context(), replyWait)
	defer cancel()
	q := mmtest.Post(t, alice, dm.Id, "", b.String()[:16000])
	r := mmtest.WaitForReply(t, ctx, alice, q, fromBot(env))
	if n := utf8.RuneCountInString(r.Message); n > 2000 {
		t.Errorf("a %d-character reply", n)
	}
}

// readyz returns the status and body of the bot's readiness probe.
func readyz(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// With Mattermost frozen (SIGSTOP), the WebSocket stays open but nothing
// comes back: the bot is not ready, and says why; once Mattermost is back,
// it is ready again.
func TestReadinessFollowsMattermost(t *testing.T) {
	env, bot := sharedBot(t)
	if code, body := readyz(t, bot.URL); code != http.StatusOK {
		t.Fatalf("not ready before the freeze: %d %s", code, body)
	}
	mm, err := os.FindProcess(env.MattermostPID)
	if err != nil {
		t.Fatal(err)
	}
	if err := mm.Signal(syscall.SIGSTOP); err != nil {
		t.Skipf("cannot freeze Mattermost (pid %d): %v", env.MattermostPID, err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			mm.Signal(syscall.SIGCONT)
			resumed = true
		}
	}
	defer resume()
	frozen := time.Now()
	code, body := 0, ""
	for time.Since(frozen) < 30*time.Second {
		if code, body = readyz(t, bot.URL); code == http.StatusServiceUnavailable {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	notReadyAfter := time.Since(frozen)
	resume()
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "Mattermost") {
		t.Fatalf("Mattermost frozen for %v: readiness %d %q", notReadyAfter.Round(time.Second), code, body)
	}
	t.Logf("not ready %v after the freeze: %s", notReadyAfter.Round(100*time.Millisecond), strings.TrimSpace(body))
	back := time.Now()
	for time.Since(back) < 30*time.Second {
		if code, body = readyz(t, bot.URL); code == http.StatusOK {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code != http.StatusOK {
		t.Fatalf("Mattermost back for 30 s, still not ready: %q", body)
	}
	t.Logf("ready again %v after Mattermost came back", time.Since(back).Round(100*time.Millisecond))
	// And it answers.
	alice := env.UserClient(t, "alice")
	dm := mmtest.DirectChannel(t, alice, env.BotUserID)
	ctx, cancel := context.WithTimeout(t.Context(), 2*replyWait)
	defer cancel()
	q := mmtest.Post(t, alice, dm.Id, "", "c'est quoi devsecops en gros ?")
	mmtest.WaitForReply(t, ctx, alice, q, fromBot(env))
}

// A flood of DMs from one user: a burst answered, one polite message, then
// silence (all 40 were answered on main).
func TestFloodFromOneUserLimited(t *testing.T) {
	env, _ := sharedBot(t)
	user, token := env.CreateUser(t, "flood")
	env.AddToTeam(t, user.Id)
	c := env.Client(t, token)
	dm := mmtest.DirectChannel(t, c, env.BotUserID)
	start := time.Now()
	for i := range 40 {
		mmtest.Post(t, c, dm.Id, "", fmt.Sprintf("c'est quoi devsecops ? (%d)", i))
	}
	posting := time.Since(start)
	var answers, polite int
	var first, last int64
	count := func() {
		l, _, err := c.GetPostsForChannel(t.Context(), dm.Id, 0, 200, "", false, false)
		if err != nil {
			t.Fatal(err)
		}
		answers, polite, first, last = 0, 0, 0, 0
		for _, p := range l.Posts {
			switch {
			case p.UserId != env.BotUserID:
				if first == 0 || p.CreateAt < first {
					first = p.CreateAt
				}
				continue
			case strings.Contains(p.Message, "beaucoup de messages"):
				polite++
			default:
				answers++
			}
			last = max(last, p.CreateAt)
		}
	}
	// Until the burst is answered and the polite message is out (a loaded
	// machine may take seconds), then a moment for anything beyond.
	deadline := time.Now().Add(30 * time.Second)
	for count(); (answers < 20 || polite < 1) && time.Now().Before(deadline); count() {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	count()
	// A burst of 20, then one more a second (PARCOURS_RATE_LIMIT=60) from
	// the first question to the last reply.
	refill := int((last-first)/1000) + 1
	if polite != 1 || answers < 20 || answers > 20+refill {
		t.Errorf("40 DMs posted in %v: %d answers and %d polite messages, want 20 (+%d at most) and 1", posting.Round(time.Millisecond), answers, polite, refill)
	}
	t.Logf("40 DMs in %v: %d answered, %d polite message", posting.Round(time.Millisecond), answers, polite)
}
