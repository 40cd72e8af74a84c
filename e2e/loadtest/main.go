// Command loadtest measures the bot against a real Mattermost: N users ask
// the bot in direct messages at the same moment, round after round, and it
// reports the time from each question's post to the bot's reply (server
// timestamps of both posts) as p50, p99 and max. scripts/bench-bot.sh runs
// it with the bot as a separate process and reads the bot's peak memory.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

var questions = []string{
	"c'est quoi devsecops en gros ?",
	"quelles sont les etapes du cycle devsecops",
	"difference entre mode projet et mode produit",
	"c'est quoi un microservice",
	"cloud native ça veut dire quoi concrètement",
	"qu'est ce que kubernets",
	"quels sont les 4 perimetres de responsabilite",
	"je suis exploitant applicatif, c'est quoi mon role",
	"VUCA ça veut dire quoi",
	"comment impliquer les usagers dans la conception du service",
}

func main() {
	envFile := flag.String("env", os.Getenv("PARCOURS_E2E_ENV"), "fichier e2e.env écrit par scripts/mattermost-up.sh")
	users := flag.Int("users", 20, "utilisateurs qui posent une question au même moment")
	rounds := flag.Int("rounds", 10, "nombre de vagues de questions")
	timeout := flag.Duration("timeout", 10*time.Second, "attente maximale d'une réponse")
	flag.Parse()
	if err := run(*envFile, *users, *rounds, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type user struct {
	name   string
	client *model.Client4
	ws     *model.WebSocketClient
	dm     string
	mu     sync.Mutex
	// replies maps a question's post id to the bot reply's creation time.
	replies map[string]int64
	signal  chan struct{}
}

func run(envFile string, n, rounds int, timeout time.Duration) error {
	env, err := readEnv(envFile)
	if err != nil {
		return err
	}
	ctx := context.Background()
	admin := model.NewAPIv4Client(env["MM_URL"])
	admin.SetToken(env["MM_ADMIN_TOKEN"])
	botID := env["MM_BOT_USER_ID"]

	var us []*user
	stamp := time.Now().Format("150405")
	for i := range n {
		u, err := newUser(ctx, admin, env, fmt.Sprintf("charge%s%02d", stamp, i), botID)
		if err != nil {
			return err
		}
		defer u.ws.Close()
		us = append(us, u)
	}
	fmt.Printf("%d utilisateurs prêts, %d vagues de questions simultanées\n", n, rounds)

	var lat []time.Duration
	var failures int
	for r := range rounds {
		var wg sync.WaitGroup
		start := make(chan struct{})
		type result struct {
			d   time.Duration
			err error
		}
		res := make([]result, len(us))
		for i, u := range us {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				d, err := u.ask(ctx, questions[(i+r)%len(questions)], botID, timeout)
				res[i] = result{d, err}
			}()
		}
		close(start)
		wg.Wait()
		for _, x := range res {
			if x.err != nil {
				failures++
				fmt.Fprintln(os.Stderr, "échec :", x.err)
				continue
			}
			lat = append(lat, x.d)
		}
	}
	if len(lat) == 0 {
		return errors.New("aucune réponse du bot")
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("réponses : %d, échecs : %d\n", len(lat), failures)
	fmt.Printf("délai question -> réponse : p50 %v (objectif < 250ms), p99 %v (objectif < 1s), max %v\n", pct(0.50), pct(0.99), lat[len(lat)-1])
	if failures > 0 {
		return fmt.Errorf("%d questions sans réponse", failures)
	}
	return nil
}

func newUser(ctx context.Context, admin *model.Client4, env map[string]string, name, botID string) (*user, error) {
	pw := "Charge-" + name + "-9z!"
	created, _, err := admin.CreateUser(ctx, &model.User{Username: name, Email: name + "@example.org", Password: pw})
	if err != nil {
		return nil, fmt.Errorf("création de %s: %w", name, err)
	}
	if _, _, err := admin.AddTeamMember(ctx, env["MM_TEAM_ID"], created.Id); err != nil {
		return nil, fmt.Errorf("ajout de %s à l'équipe: %w", name, err)
	}
	c := model.NewAPIv4Client(env["MM_URL"])
	if _, _, err := c.Login(ctx, name, pw); err != nil {
		return nil, fmt.Errorf("connexion de %s: %w", name, err)
	}
	dm, _, err := c.CreateDirectChannel(ctx, created.Id, botID)
	if err != nil {
		return nil, fmt.Errorf("canal direct de %s: %w", name, err)
	}
	ws, err := model.NewWebSocketClient4("ws"+strings.TrimPrefix(env["MM_URL"], "http"), c.AuthToken)
	if err != nil {
		return nil, fmt.Errorf("websocket de %s: %w", name, err)
	}
	u := &user{name: name, client: c, ws: ws, dm: dm.Id, replies: map[string]int64{}, signal: make(chan struct{}, 1)}
	ws.Listen()
	go u.listen(botID)
	return u, nil
}

// listen records the bot's replies in the user's DM as they arrive.
func (u *user) listen(botID string) {
	go func() {
		for range u.ws.ResponseChannel {
		}
	}()
	for ev := range u.ws.EventChannel {
		if ev.EventType() != model.WebsocketEventPosted {
			continue
		}
		raw, _ := ev.GetData()["post"].(string)
		var p model.Post
		if json.Unmarshal([]byte(raw), &p) != nil || p.UserId != botID || p.ChannelId != u.dm {
			continue
		}
		u.mu.Lock()
		u.replies[p.RootId] = p.CreateAt
		u.mu.Unlock()
		select {
		case u.signal <- struct{}{}:
		default:
		}
	}
}

// ask posts a question and returns the time between its post and the
// bot's reply, both as stamped by the server.
func (u *user) ask(ctx context.Context, q, botID string, timeout time.Duration) (time.Duration, error) {
	p, _, err := u.client.CreatePost(ctx, &model.Post{ChannelId: u.dm, Message: q})
	if err != nil {
		return 0, fmt.Errorf("%s: envoi: %w", u.name, err)
	}
	deadline := time.After(timeout)
	for {
		u.mu.Lock()
		at, ok := u.replies[p.Id]
		u.mu.Unlock()
		if ok {
			return time.Duration(at-p.CreateAt) * time.Millisecond, nil
		}
		select {
		case <-u.signal:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			return 0, fmt.Errorf("%s: pas de réponse en %v à %q", u.name, timeout, q)
		}
	}
}

func readEnv(path string) (map[string]string, error) {
	if path == "" {
		return nil, errors.New("indiquez le fichier d'environnement (-env ou PARCOURS_E2E_ENV)")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok {
			env[k] = strings.Trim(v, `"'`)
		}
	}
	for _, k := range []string{"MM_URL", "MM_ADMIN_TOKEN", "MM_BOT_USER_ID", "MM_TEAM_ID"} {
		if env[k] == "" {
			return nil, fmt.Errorf("%s: %s manquant", path, k)
		}
	}
	return env, s.Err()
}
