//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

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
