// Package mmtest connects end-to-end tests to the real Mattermost server started by
// scripts/mattermost-up.sh.
//
// The script writes an env file (KEY=value lines) with the server URL, the provisioned users,
// team, channel and bot, and their access tokens; tests find it through the PARCOURS_E2E_ENV
// variable. Without it the tests are skipped, except when CI=true: a CI run must never pass by
// skipping its end-to-end suite.
//
// The package is imported only by _test files; it has no build tag so that it is compiled, vetted
// and kept in shape with the rest of the module.
package mmtest

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// EnvVar names the variable holding the path of the env file written by scripts/mattermost-up.sh.
const EnvVar = "PARCOURS_E2E_ENV"

// callTimeout bounds each API call made by the helpers, so that a hung server fails a test
// instead of hanging it until the global go test timeout.
const callTimeout = 30 * time.Second

// pollInterval is how often WaitForPost and WaitForReply look for new posts.
const pollInterval = 50 * time.Millisecond

// Env describes the provisioned Mattermost environment, as written in the env file.
type Env struct {
	URL string // MM_URL, e.g. http://127.0.0.1:8065

	AdminUsername, AdminUserID, AdminToken string // a system administrator
	AliceUserID, AliceToken                string // ordinary user "alice"
	BobUserID, BobToken                    string // ordinary user "bob"

	BotUsername, BotUserID, BotToken string // the bot account "parcours", team admin of Team

	TeamID, TeamName       string // the team everyone above belongs to
	ChannelID, ChannelName string // public channel "bots": alice, bob, admin and the bot are members

	MattermostPID, PostgresPID int    // processes of the environment
	LogDir                     string // Mattermost's log folder, worth reading when a test fails

	// Vars holds every KEY=value of the env file, including keys added after this struct.
	Vars map[string]string
}

var (
	loadOnce sync.Once
	loaded   *Env
	loadErr  error
	skipMsg  string
)

// Load returns the environment described by the file named by PARCOURS_E2E_ENV, after checking
// that the server answers. Without PARCOURS_E2E_ENV it skips the test, or fails it when CI=true.
// The file is read and the server pinged once per test binary.
func Load(t testing.TB) *Env {
	t.Helper()
	loadOnce.Do(func() { loaded, skipMsg, loadErr = load() })
	if skipMsg != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI=true: the end-to-end suite must not be skipped", skipMsg)
		}
		t.Skip(skipMsg)
	}
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loaded
}

func load() (*Env, string, error) {
	path := os.Getenv(EnvVar)
	if path == "" {
		return nil, EnvVar + " is not set: start Mattermost with scripts/mattermost-up.sh " +
			"(or run scripts/test.sh --e2e) to run the end-to-end tests", nil
	}
	vars, err := readEnvFile(path)
	if err != nil {
		return nil, "", err
	}
	env, err := fromVars(vars)
	if err != nil {
		return nil, "", fmt.Errorf("env file %s: %w", path, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := model.NewAPIv4Client(env.URL).GetPing(ctx); err != nil {
		return nil, "", fmt.Errorf("mattermost at %s does not answer (env file %s; is it running? "+
			"scripts/mattermost-up.sh starts it): %w", env.URL, path, err)
	}
	return env, "", nil
}

// readEnvFile parses KEY=value lines; blank lines, # comments, an optional "export " prefix and
// quotes around values are accepted, so the file stays sourceable by a shell.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open env file: %w", err)
	}
	defer f.Close()
	vars := make(map[string]string)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		key, value, ok := strings.Cut(line, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("env file %s line %d: want KEY=value", path, n)
		}
		if len(value) >= 2 && (value[0] == '\'' || value[0] == '"') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		vars[key] = value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read env file %s: %w", path, err)
	}
	return vars, nil
}

func fromVars(v map[string]string) (*Env, error) {
	var missing []string
	get := func(key string) string {
		if v[key] == "" {
			missing = append(missing, key)
		}
		return v[key]
	}
	e := &Env{
		URL:           strings.TrimRight(get("MM_URL"), "/"),
		AdminUsername: get("MM_ADMIN_USERNAME"),
		AdminUserID:   get("MM_ADMIN_USER_ID"),
		AdminToken:    get("MM_ADMIN_TOKEN"),
		AliceUserID:   get("MM_ALICE_USER_ID"),
		AliceToken:    get("MM_ALICE_TOKEN"),
		BobUserID:     get("MM_BOB_USER_ID"),
		BobToken:      get("MM_BOB_TOKEN"),
		BotUsername:   get("MM_BOT_USERNAME"),
		BotUserID:     get("MM_BOT_USER_ID"),
		BotToken:      get("MM_BOT_TOKEN"),
		TeamID:        get("MM_TEAM_ID"),
		TeamName:      get("MM_TEAM_NAME"),
		ChannelID:     get("MM_CHANNEL_ID"),
		ChannelName:   get("MM_CHANNEL_NAME"),
		LogDir:        v["MM_LOG_DIR"],
		Vars:          v,
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	// The pids are informative: a file written by hand without them is still usable.
	e.MattermostPID, _ = strconv.Atoi(v["MM_PID"])
	e.PostgresPID, _ = strconv.Atoi(v["MM_PG_PID"])
	return e, nil
}

// Client returns an API client for the server authenticated with token.
func (e *Env) Client(t testing.TB, token string) *model.Client4 {
	t.Helper()
	c := model.NewAPIv4Client(e.URL)
	c.SetToken(token)
	return c
}

// AdminClient returns a client of the system administrator.
func (e *Env) AdminClient(t testing.TB) *model.Client4 {
	t.Helper()
	return e.Client(t, e.AdminToken)
}

// BotClient returns a client of the bot account, the one the bot under test uses.
func (e *Env) BotClient(t testing.TB) *model.Client4 {
	t.Helper()
	return e.Client(t, e.BotToken)
}

// UserClient returns a client of a provisioned user: "alice", "bob" or "admin".
func (e *Env) UserClient(t testing.TB, username string) *model.Client4 {
	t.Helper()
	switch username {
	case "alice":
		return e.Client(t, e.AliceToken)
	case "bob":
		return e.Client(t, e.BobToken)
	case e.AdminUsername:
		return e.Client(t, e.AdminToken)
	}
	t.Fatalf("mmtest: no provisioned user %q (alice, bob or %s; CreateUser makes others)", username, e.AdminUsername)
	return nil
}

// callCtx returns a context bounded by callTimeout and cancelled with the test.
func callCtx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(t.Context(), callTimeout)
	t.Cleanup(cancel)
	return c
}

// CreateUser creates a user through the admin API and returns it with a personal access token.
// A random suffix is added to the username ("carol" becomes "carol-1a2b3c4d") so that runs
// against a kept database never collide. The user belongs to no team: see AddToTeam.
func (e *Env) CreateUser(t testing.TB, username string) (*model.User, string) {
	t.Helper()
	admin := e.AdminClient(t)
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := username + "-" + hex.EncodeToString(suffix)
	user, _, err := admin.CreateUser(callCtx(t), &model.User{
		Username: name,
		Email:    name + "@parcours-e2e.test",
		Password: "E2e-Passw0rd!" + hex.EncodeToString(suffix),
	})
	if err != nil {
		t.Fatalf("mmtest: create user %s: %v", name, err)
	}
	tok, _, err := admin.CreateUserAccessToken(callCtx(t), user.Id, "e2e", 0)
	if err != nil {
		t.Fatalf("mmtest: access token for %s: %v", name, err)
	}
	return user, tok.Token
}

// AddToTeam adds a user to the provisioned team.
func (e *Env) AddToTeam(t testing.TB, userID string) {
	t.Helper()
	if _, _, err := e.AdminClient(t).AddTeamMember(callCtx(t), e.TeamID, userID); err != nil {
		t.Fatalf("mmtest: add %s to team %s: %v", userID, e.TeamName, err)
	}
}

// AddToChannel adds a user (already in the team) to a channel of the team.
func (e *Env) AddToChannel(t testing.TB, channelID, userID string) {
	t.Helper()
	if _, _, err := e.AdminClient(t).AddChannelMember(callCtx(t), channelID, userID); err != nil {
		t.Fatalf("mmtest: add %s to channel %s: %v", userID, channelID, err)
	}
}

// DirectChannel returns the direct-message channel between the client's user and otherUserID,
// creating it when needed.
func DirectChannel(t testing.TB, c *model.Client4, otherUserID string) *model.Channel {
	t.Helper()
	me, _, err := c.GetMe(callCtx(t), "")
	if err != nil {
		t.Fatalf("mmtest: get me: %v", err)
	}
	ch, _, err := c.CreateDirectChannel(callCtx(t), me.Id, otherUserID)
	if err != nil {
		t.Fatalf("mmtest: direct channel %s/%s: %v", me.Username, otherUserID, err)
	}
	return ch
}

// Post posts message in channelID as the client's user, in the thread of rootID when not empty.
func Post(t testing.TB, c *model.Client4, channelID, rootID, message string) *model.Post {
	t.Helper()
	p, _, err := c.CreatePost(callCtx(t), &model.Post{ChannelId: channelID, RootId: rootID, Message: message})
	if err != nil {
		t.Fatalf("mmtest: post in %s: %v", channelID, err)
	}
	return p
}

// ExecuteCommand runs a slash command ("/parcours sre 2") in the team channel channelID as the
// client's user, through POST /api/v4/commands/execute, the way the web client does. The error
// carries the HTTP status and Mattermost's message, for tests that expect a refusal.
// In a direct or group channel use ExecuteCommandWithTeam: Mattermost must be told whose team's
// command runs there.
func ExecuteCommand(t testing.TB, c *model.Client4, channelID, command string) (*model.CommandResponse, error) {
	t.Helper()
	return ExecuteCommandWithTeam(t, c, channelID, "", command)
}

// ExecuteCommandWithTeam is ExecuteCommand with the team whose command runs, required in direct
// and group channels (ignored by Mattermost in team channels).
func ExecuteCommandWithTeam(t testing.TB, c *model.Client4, channelID, teamID, command string) (*model.CommandResponse, error) {
	t.Helper()
	resp, r, err := c.ExecuteCommandWithTeam(callCtx(t), channelID, teamID, command)
	if err != nil {
		status := 0
		if r != nil {
			status = r.StatusCode
		}
		return nil, fmt.Errorf("execute %q (HTTP %d): %w", command, status, err)
	}
	return resp, nil
}

// lookback is how far before the call WaitForPost starts looking, so that a reply posted between
// the question and the call is found. Posts of other tests in that window are seen too: matchers
// should be precise (RootId of the question, UserId).
const lookback = 10 * time.Second

// WaitForPost polls channelID every 50 ms until a post for which match returns true appears, and
// returns it. It considers posts created or edited from 10 s before the call, skips deleted
// ones, and fails the test when ctx ends first, listing the posts it saw.
func WaitForPost(t testing.TB, ctx context.Context, c *model.Client4, channelID string, match func(*model.Post) bool) *model.Post {
	t.Helper()
	since := time.Now().Add(-lookback).UnixMilli()
	return poll(t, ctx, "channel "+channelID, match, func(ctx context.Context) (*model.PostList, error) {
		l, _, err := c.GetPostsSince(ctx, channelID, since, false)
		return l, err
	})
}

// WaitForReply polls the thread of root every 50 ms until a reply (not root itself) for which
// match returns true appears, and returns it; it fails the test when ctx ends first.
func WaitForReply(t testing.TB, ctx context.Context, c *model.Client4, root *model.Post, match func(*model.Post) bool) *model.Post {
	t.Helper()
	isReply := func(p *model.Post) bool { return p.Id != root.Id && match(p) }
	return poll(t, ctx, "thread "+root.Id, isReply, func(ctx context.Context) (*model.PostList, error) {
		l, _, err := c.GetPostThread(ctx, root.Id, "", false)
		return l, err
	})
}

// SilenceWait is how long a test watches for a reply that must not come, after the bot has
// proved it handled what came before: it covers a slow bot (a reply used to take up to 2 s
// under load) without making every silence test slow.
const SilenceWait = 3 * time.Second

// AssertSilent proves that the bot stays silent about posts: the same user then writes to
// the bot in a direct message (probe), and the bot's answer to it is awaited. The bot handles
// one user's posts in the order they were made, so once the probe is answered the posts
// before it are handled; none of the bot's posts in channelID may then match, now or during
// SilenceWait. botID is the bot's user id.
func AssertSilent(t testing.TB, ctx context.Context, c *model.Client4, botID, channelID string, match func(*model.Post) bool) {
	t.Helper()
	dm := DirectChannel(t, c, botID)
	probe := Post(t, c, dm.Id, "", "bonjour")
	WaitForReply(t, ctx, c, probe, func(p *model.Post) bool { return p.UserId == botID })
	AssertNoPost(t, c, channelID, SilenceWait, match)
}

// AssertNoPost watches channelID for the whole of d and fails the test if a post for which match
// returns true appears (or was posted up to 10 s before the call). It is how a test shows
// that the bot stays silent, e.g. after "@channel" alone.
func AssertNoPost(t testing.TB, c *model.Client4, channelID string, d time.Duration, match func(*model.Post) bool) {
	t.Helper()
	wctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	since := time.Now().Add(-lookback).UnixMilli()
	for {
		l, _, err := c.GetPostsSince(wctx, channelID, since, false)
		if err == nil {
			for _, id := range l.Order {
				if p := l.Posts[id]; p != nil && p.DeleteAt == 0 && match(p) {
					t.Fatalf("mmtest: unexpected post in channel %s: %s", channelID, describe(p))
				}
			}
		} else if wctx.Err() == nil {
			t.Fatalf("mmtest: read channel %s: %v", channelID, err)
		}
		select {
		case <-wctx.Done():
			return
		case <-time.After(pollInterval):
		}
	}
}

func poll(t testing.TB, ctx context.Context, where string, match func(*model.Post) bool,
	fetch func(context.Context) (*model.PostList, error)) *model.Post {
	t.Helper()
	seen := make(map[string]*model.Post)
	var lastErr error
	for {
		l, err := fetch(ctx)
		if err == nil {
			for _, id := range l.Order {
				p := l.Posts[id]
				if p == nil || p.DeleteAt != 0 {
					continue
				}
				seen[p.Id] = p
				if match(p) {
					return p
				}
			}
		} else if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			var b strings.Builder
			fmt.Fprintf(&b, "mmtest: no matching post in %s before %v; %d post(s) seen", where, ctx.Err(), len(seen))
			posts := slices.SortedFunc(maps.Values(seen), func(a, b *model.Post) int { return cmp.Compare(a.CreateAt, b.CreateAt) })
			for _, p := range posts {
				b.WriteString("\n  " + describe(p))
			}
			if lastErr != nil {
				fmt.Fprintf(&b, "\n  last error: %v", lastErr)
			}
			t.Fatal(b.String())
			return nil
		case <-time.After(pollInterval):
		}
	}
}

// describe summarises a post for failure messages.
func describe(p *model.Post) string {
	msg := p.Message
	if r := []rune(msg); len(r) > 120 {
		msg = string(r[:120]) + "…"
	}
	return fmt.Sprintf("[%s] user=%s root=%s type=%q %q",
		time.UnixMilli(p.CreateAt).Format("15:04:05.000"), p.UserId, p.RootId, p.Type, msg)
}
