//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/mmtest"
	"github.com/mattermost/mattermost/server/public/model"
)

// TestHarnessServerAnswers checks the environment itself, so that a broken harness is reported
// as such and not as a failure of the bot.
func TestHarnessServerAnswers(t *testing.T) {
	env := mmtest.Load(t)
	status, _, err := env.AdminClient(t).GetPing(t.Context())
	if err != nil || status != model.StatusOk {
		t.Fatalf("ping: status %q, err %v", status, err)
	}
}

func TestHarnessBotAccountIsABotAndTeamAdmin(t *testing.T) {
	env := mmtest.Load(t)
	me, _, err := env.BotClient(t).GetMe(t.Context(), "")
	if err != nil {
		t.Fatalf("GetMe with the bot token: %v", err)
	}
	if me.Id != env.BotUserID || me.Username != env.BotUsername || !me.IsBot {
		t.Fatalf("bot token belongs to %s (%s, is_bot=%v), want bot %s (%s)",
			me.Username, me.Id, me.IsBot, env.BotUsername, env.BotUserID)
	}
	if me.GetDisplayName(model.ShowNicknameFullName) != "Parcours" {
		t.Errorf("bot display name %q, want Parcours", me.GetDisplayName(model.ShowNicknameFullName))
	}
	member, _, err := env.AdminClient(t).GetTeamMember(t.Context(), env.TeamID, env.BotUserID, "")
	if err != nil {
		t.Fatalf("bot's team membership: %v", err)
	}
	if !strings.Contains(member.Roles, model.TeamAdminRoleId) {
		t.Errorf("bot's team roles %q lack %s: it could not register /parcours", member.Roles, model.TeamAdminRoleId)
	}
	if _, _, err := env.BotClient(t).GetChannelMember(t.Context(), env.ChannelID, env.BotUserID, ""); err != nil {
		t.Errorf("bot is not a member of ~%s: %v", env.ChannelName, err)
	}
}

func TestHarnessAlicePostsAndBobReads(t *testing.T) {
	env := mmtest.Load(t)
	alice := env.UserClient(t, "alice")
	msg := fmt.Sprintf("harness check %d", time.Now().UnixNano())
	sent := mmtest.Post(t, alice, env.ChannelID, "", msg)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	got := mmtest.WaitForPost(t, ctx, env.UserClient(t, "bob"), env.ChannelID, func(p *model.Post) bool {
		return p.Id == sent.Id
	})
	if got.Message != msg || got.UserId != env.AliceUserID {
		t.Fatalf("bob reads %q by %s, want %q by alice", got.Message, got.UserId, msg)
	}
	reply := mmtest.Post(t, env.UserClient(t, "bob"), env.ChannelID, sent.Id, "bien reçu")
	mmtest.WaitForReply(t, ctx, alice, sent, func(p *model.Post) bool { return p.Id == reply.Id })
}

// TestHarnessSlashCommandReachesLoopback shows that Mattermost may call an HTTP server on
// 127.0.0.1 (AllowedUntrustedInternalConnections), which the bot's /parcours command needs, and
// that a fresh user set up with the helpers can run it in a direct message.
func TestHarnessSlashCommandReachesLoopback(t *testing.T) {
	env := mmtest.Load(t)
	received := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err == nil {
			select {
			case received <- r.Form.Get("text"):
			default:
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(&model.CommandResponse{
			ResponseType: model.CommandResponseTypeEphemeral, Text: "pong",
		})
	}))
	defer srv.Close()

	trigger := fmt.Sprintf("harness%d", time.Now().UnixNano()%1_000_000)
	cmd, _, err := env.BotClient(t).CreateCommand(t.Context(), &model.Command{
		TeamId: env.TeamID, Trigger: trigger, Method: model.CommandMethodPost, URL: srv.URL,
		DisplayName: "harness", AutoComplete: false,
	})
	if err != nil {
		t.Fatalf("the bot (team admin) cannot register a slash command: %v", err)
	}
	t.Cleanup(func() { _, _ = env.AdminClient(t).DeleteCommand(context.Background(), cmd.Id) })

	user, token := env.CreateUser(t, "carol")
	env.AddToTeam(t, user.Id)
	carol := env.Client(t, token)
	dm := mmtest.DirectChannel(t, carol, env.BotUserID)
	resp, err := mmtest.ExecuteCommandWithTeam(t, carol, dm.Id, env.TeamID, "/"+trigger+" ping")
	if err != nil {
		t.Fatalf("execute: %v (server logs: %s)", err, env.LogDir)
	}
	if resp.Text != "pong" {
		t.Errorf("command answered %q, want pong", resp.Text)
	}
	select {
	case text := <-received:
		if text != "ping" {
			t.Errorf("handler got text %q, want ping", text)
		}
	default:
		t.Error("the handler on 127.0.0.1 was never called")
	}

	// in a team channel the team comes from the channel
	env.AddToChannel(t, env.ChannelID, user.Id)
	if resp, err := mmtest.ExecuteCommand(t, carol, env.ChannelID, "/"+trigger+" ping"); err != nil || resp.Text != "pong" {
		t.Errorf("in ~%s: response %+v, err %v; want pong", env.ChannelName, resp, err)
	}
	if _, err := mmtest.ExecuteCommand(t, carol, env.ChannelID, "/nosuchcommand"+trigger); err == nil {
		t.Error("an unknown command was accepted")
	}
}
