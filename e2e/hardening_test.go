//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
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
