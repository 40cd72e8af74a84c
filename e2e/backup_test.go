//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/bolt"
	"github.com/cloud-pi-native/parcours/internal/mmtest"
	"github.com/mattermost/mattermost/server/public/model"
)

// finishByClicks runs a whole diagnostic for m with buttons.
func (m *member) finishByClicks(t *testing.T, ctx context.Context, env *mmtest.Env) {
	t.Helper()
	env.AddToChannel(t, env.ChannelID, m.user.Id)
	resp, err := mmtest.ExecuteCommand(t, m.c, env.ChannelID, "/parcours diagnostic moi")
	if err != nil {
		t.Fatalf("/parcours diagnostic: %v %+v", err, resp)
	}
	q := m.nextQuestion(t, ctx, env)
	m.click(t, q, "opt1")
	for range 30 {
		q = m.nextQuestion(t, ctx, env)
		m.click(t, q, "opt2")
		l, _, _ := m.c.GetPostsSince(ctx, m.dm.Id, q.CreateAt, false)
		for _, p := range l.Posts {
			if p.UserId == env.BotUserID && strings.Contains(p.Message, "Résultat du diagnostic") {
				return
			}
		}
	}
	t.Fatal("the diagnostic did not finish")
}

// A backup taken through the running bot's admin socket, while it answers
// questions, is opened by a second instance with every diagnostic intact.
func TestBackupWhileAnsweringOpensInASecondInstance(t *testing.T) {
	env, bot := sharedBot(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*diagWait)
	defer cancel()
	var members []*member
	for i := range 2 {
		m := newMember(t, env, fmt.Sprintf("sauvegarde-%d", i))
		m.finishByClicks(t, ctx, env)
		members = append(members, m)
	}
	before := map[string]any{}
	for _, m := range members {
		h, err := bot.Diagnostic.History(ctx, m.user.Id)
		if err != nil || h.Latest == nil {
			t.Fatalf("history before the backup: %v %+v", err, h)
		}
		before[m.user.Id] = h
	}

	// Someone keeps asking questions while the backup is taken.
	asker := newMember(t, env, "sauvegarde-question")
	var stop atomic.Bool
	var asked atomic.Int32
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load() && i < 200; i++ {
			if _, _, err := asker.c.CreatePost(ctx, &model.Post{ChannelId: asker.dm.Id, Message: fmt.Sprintf("comment déployer mon application ? (%d)", i)}); err == nil {
				asked.Add(1)
			}
		}
	}()
	for asked.Load() < 3 {
		if ctx.Err() != nil {
			t.Fatal("no question asked")
		}
		time.Sleep(10 * time.Millisecond)
	}
	sock := filepath.Join(bot.Config.DataDir, bolt.SocketName)
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}}
	resp, err := client.Get("http://parcours/backup")
	if err != nil {
		t.Fatalf("backup through the admin socket: %v", err)
	}
	var backup bytes.Buffer
	_, err = io.Copy(&backup, resp.Body)
	resp.Body.Close()
	stop.Store(true)
	wg.Wait()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("backup: %s %v", resp.Status, err)
	}
	// The bot was answering meanwhile.
	mmtest.WaitForPost(t, ctx, asker.c, asker.dm.Id, func(p *model.Post) bool { return p.UserId == env.BotUserID })

	dir, err := os.MkdirTemp("", "parcours-e2e-restaure-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := bolt.Restore(&backup, dir, false); err != nil {
		t.Fatalf("restore: %v", err)
	}
	// Not registering /parcours: that would point the command at this
	// short-lived instance.
	second, err := startBotWith(ctx, env, dir, io.Discard, "127.0.0.1:0", map[string]string{"PARCOURS_REGISTER_COMMAND": "false"})
	if err != nil {
		t.Fatalf("a second instance on the restored folder: %v", err)
	}
	defer second.stop()
	for _, m := range members {
		h, err := second.Diagnostic.History(ctx, m.user.Id)
		if err != nil || !reflect.DeepEqual(h, before[m.user.Id]) {
			t.Errorf("%s: history in the second instance %+v %v, want %+v", m.user.Username, h, err, before[m.user.Id])
		}
	}
	if st := second.Engine.Stats(); st.Pages == 0 {
		t.Error("the second instance has no knowledge base")
	}
}
