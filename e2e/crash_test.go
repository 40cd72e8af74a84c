//go:build e2e

package e2e

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/mmtest"
	"github.com/mattermost/mattermost/server/public/model"
)

// buildParcours builds the parcours binary once per test binary.
var builtParcours string

func buildParcours(t *testing.T) string {
	t.Helper()
	if builtParcours != "" {
		return builtParcours
	}
	dir, err := os.MkdirTemp("", "parcours-e2e-bin-")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "parcours")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/parcours")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building parcours: %v\n%s", err, out)
	}
	builtParcours = bin
	return bin
}

// process is `parcours serve` run as its own process, so that it can be
// killed with SIGKILL as a crash or the OOM killer would.
type process struct {
	cmd *exec.Cmd
	URL string
	log string
}

func startProcess(t *testing.T, env *mmtest.Env, dataDir string) *process {
	t.Helper()
	return startProcessWith(t, env, dataDir, nil)
}

// startProcessWith starts `parcours serve` with extra variables, which win
// over the defaults below.
func startProcessWith(t *testing.T, env *mmtest.Env, dataDir string, extra map[string]string) *process {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logf, err := os.CreateTemp(dataDir, "serve-*.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(buildParcours(t), "serve")
	cmd.Env = append(os.Environ(),
		"PARCOURS_MM_URL="+env.URL,
		"PARCOURS_MM_TOKEN="+env.BotToken,
		"PARCOURS_LISTEN="+addr,
		"PARCOURS_PUBLIC_URL=http://"+addr,
		"PARCOURS_DATA_DIR="+dataDir,
		"PARCOURS_ADMINS="+env.AdminUsername,
		// /parcours stays pointed at the shared bot; no welcome either.
		"PARCOURS_REGISTER_COMMAND=false",
		"PARCOURS_WELCOME=false",
		"PARCOURS_LOG_FORMAT=console",
	)
	for k, v := range extra {
		cmd.Env = append(cmd.Env, k+"="+v) // the last one wins
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logf.Close()
	p := &process{cmd: cmd, URL: "http://" + addr, log: logf.Name()}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			p.kill()
			t.Fatalf("parcours serve not ready after 30 s; its log:\n%s", p.logText())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *process) logText() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

// kill is kill -9: nothing runs on the way out.
func (p *process) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

func (p *process) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		p.kill()
	}
}

// withoutSharedBot runs f while the in-process bot of the other tests is
// stopped, so that one bot only answers, then starts it again.
func withoutSharedBot(t *testing.T, env *mmtest.Env, f func()) {
	t.Helper()
	if shared == nil {
		f()
		return
	}
	restartSharedAfter(t, env, f)
}

// botReplies returns the bot's replies in the thread of q, oldest first.
func botReplies(t *testing.T, env *mmtest.Env, c *model.Client4, q *model.Post) []*model.Post {
	t.Helper()
	l, _, err := c.GetPostThread(context.Background(), q.Id, "", false)
	if err != nil {
		t.Fatal(err)
	}
	var out []*model.Post
	for _, id := range l.Order {
		if p := l.Posts[id]; p.UserId == env.BotUserID && p.Id != q.Id {
			out = append(out, p)
		}
	}
	return out
}

// A kill -9 of the bot loses nothing: the questions posted while it is down
// are answered once it is back, once each, in order for each user.
func TestKill9AnswersWhatWasPostedWhileDown(t *testing.T) {
	env := mmtest.Load(t)
	withoutSharedBot(t, env, func() {
		dir := t.TempDir()
		alice, bob := env.UserClient(t, "alice"), env.UserClient(t, "bob")
		aliceDM := mmtest.DirectChannel(t, alice, env.BotUserID)
		bobDM := mmtest.DirectChannel(t, bob, env.BotUserID)
		ctx, cancel := context.WithTimeout(t.Context(), 4*replyWait)
		defer cancel()

		first := startProcess(t, env, dir)
		before := mmtest.Post(t, alice, aliceDM.Id, "", "c'est quoi devsecops en gros ?")
		mmtest.WaitForReply(t, ctx, alice, before, fromBot(env))
		first.kill()

		stamp := time.Now().Format("150405.000")
		q1 := mmtest.Post(t, alice, aliceDM.Id, "", "VUCA ça veut dire quoi ("+stamp+")")
		q2 := mmtest.Post(t, bob, bobDM.Id, "", "comment déployer mon application ? ("+stamp+")")
		q3 := mmtest.Post(t, alice, aliceDM.Id, "", "c'est quoi le mode produit ? ("+stamp+")")

		restarted := time.Now()
		second := startProcess(t, env, dir)
		defer second.stop()
		for _, q := range []struct {
			c *model.Client4
			p *model.Post
		}{{alice, q1}, {bob, q2}, {alice, q3}} {
			if ctx.Err() != nil {
				break
			}
			waitCtx, cancel := context.WithTimeout(ctx, 2*replyWait)
			l := waitReply(waitCtx, env, q.c, q.p)
			cancel()
			if l == nil {
				t.Errorf("%q, posted while the bot was down, never answered", q.p.Message)
			}
		}
		if t.Failed() {
			t.Logf("log of the restarted bot:\n%s", second.logText())
			return
		}
		t.Logf("the 3 questions posted while the bot was down answered %v after it was started again", time.Since(restarted).Round(time.Millisecond))
		// Time for a double answer to show up, if there were one.
		time.Sleep(2 * time.Second)
		var at []int64
		for _, q := range []struct {
			c *model.Client4
			p *model.Post
		}{{alice, before}, {alice, q1}, {bob, q2}, {alice, q3}} {
			r := botReplies(t, env, q.c, q.p)
			if len(r) != 1 {
				t.Errorf("%q answered %d times, want once", q.p.Message, len(r))
				continue
			}
			at = append(at, r[0].CreateAt)
		}
		if len(at) == 4 && at[1] > at[3] {
			t.Errorf("alice's questions answered out of order: %q at %d, %q at %d", q1.Message, at[1], q3.Message, at[3])
		}
		if t.Failed() {
			t.Logf("log of the restarted bot:\n%s", second.logText())
		}
	})
}

// waitReply polls the thread of q for a reply of the bot, nil when ctx ends
// first.
func waitReply(ctx context.Context, env *mmtest.Env, c *model.Client4, q *model.Post) *model.Post {
	for {
		l, _, err := c.GetPostThread(ctx, q.Id, "", false)
		if err == nil {
			for _, p := range l.Posts {
				if p.UserId == env.BotUserID && p.Id != q.Id {
					return p
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
}
