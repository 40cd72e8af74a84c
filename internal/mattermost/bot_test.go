package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/bolt"
	"github.com/cloud-pi-native/parcours/internal/quote"
	"github.com/cloud-pi-native/parcours/internal/ratelimit"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

type fakeAPI struct {
	mu       sync.Mutex
	posts    []*model.Post
	byID     map[string]*model.Post
	created  []string // the messages as posted, before any edit
	users    map[string]*model.User
	chans    map[string]*model.Channel // GetChannel
	n        int
	threads  map[string][]*model.Post
	typing   int
	channels []*model.Channel
	since    map[string][]*model.Post
	block    chan struct{} // Channels waits for it to be closed
	refuse   func(*model.Post) bool
}

func (f *fakeAPI) GetMe(ctx context.Context) (*model.User, error) { return nil, nil }
func (f *fakeAPI) ServerVersion(ctx context.Context) (string, error) {
	return "11.4.0", nil
}
func (f *fakeAPI) GetUser(ctx context.Context, id string) (*model.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u, ok := f.users[id]; ok {
		return u, nil
	}
	return nil, errors.New("GetUser: 404")
}
func (f *fakeAPI) CreatePost(ctx context.Context, p *model.Post) (*model.Post, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// Mattermost refuses a message over 16,383 characters.
	if n := utf8.RuneCountInString(p.Message); n > 16383 {
		return nil, fmt.Errorf("message too long: %d characters", n)
	}
	if f.refuse != nil && f.refuse(p) {
		return nil, errors.New("CreatePost: 500 internal error")
	}
	f.n++
	if p.Id == "" {
		p.Id = fmt.Sprintf("r%d", f.n)
	}
	p.UserId, p.CreateAt = "bot", int64(f.n)
	if f.byID == nil {
		f.byID = map[string]*model.Post{}
	}
	f.byID[p.Id] = p
	f.posts = append(f.posts, p)
	f.created = append(f.created, p.Message)
	return p.Clone(), nil
}
func (f *fakeAPI) GetPost(ctx context.Context, id string) (*model.Post, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.byID[id]; ok {
		return p.Clone(), nil
	}
	return nil, errors.New("GetPost: 404")
}
func (f *fakeAPI) PatchPost(ctx context.Context, id string, patch *model.PostPatch) (*model.Post, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.byID[id]
	if !ok {
		return nil, errors.New("PatchPost: 404")
	}
	p.Patch(patch)
	return p.Clone(), nil
}
func (f *fakeAPI) DirectChannel(ctx context.Context, a, b string) (*model.Channel, error) {
	return &model.Channel{Id: "dm-" + b, Type: model.ChannelTypeDirect}, nil
}
func (f *fakeAPI) GetChannel(ctx context.Context, id string) (*model.Channel, error) {
	if ch, ok := f.chans[id]; ok {
		return ch, nil
	}
	return nil, errors.New("GetChannel: 404")
}
func (f *fakeAPI) GetUserByUsername(ctx context.Context, name string) (*model.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.Username == name {
			return u, nil
		}
	}
	return nil, errors.New("GetUserByUsername: 404")
}
func (f *fakeAPI) GetTeam(ctx context.Context, id string) (*model.Team, error) {
	return &model.Team{Id: id, DisplayName: "Équipe " + id}, nil
}
func (f *fakeAPI) TownSquares(ctx context.Context, userID string) ([]*model.Channel, error) {
	var out []*model.Channel
	for _, ch := range f.chans {
		if ch.Name == model.DefaultChannelName {
			out = append(out, ch)
		}
	}
	return out, nil
}
func (f *fakeAPI) GetPostThread(ctx context.Context, id string) (*model.PostList, error) {
	l := model.NewPostList()
	for _, p := range f.threads[id] {
		l.AddPost(p)
	}
	return l, nil
}
func (f *fakeAPI) Channels(ctx context.Context, userID string) ([]*model.Channel, error) {
	if f.block != nil {
		<-f.block
	}
	return f.channels, nil
}
func (f *fakeAPI) PostsSince(ctx context.Context, channelID string, since int64) (*model.PostList, error) {
	l := model.NewPostList()
	for _, p := range f.since[channelID] {
		if p.CreateAt >= since || p.UpdateAt >= since {
			l.AddPost(p)
			l.AddOrder(p.Id)
		}
	}
	return l, nil
}
func (f *fakeAPI) Typing(ctx context.Context, u, c, p string) error {
	f.mu.Lock()
	f.typing++
	f.mu.Unlock()
	return nil
}

type echoAsk struct{}

func (echoAsk) Ask(ctx context.Context, q string) (*answer.Answer, error) {
	return &answer.Answer{Query: q, Answered: true, Passages: []answer.Passage{{Title: "Réponse à " + q, URL: "http://kb/x#y"}}}, nil
}

func newTestBot(api *fakeAPI) *Bot {
	return New(Options{API: api, Conversation: conv(echoAsk{}), Poster: &Poster{Signer: NewSigner([]byte(strings.Repeat("k", 32)), time.Hour), ActionURL: "http://bot/mattermost/action"}},
		&model.User{Id: "bot", Username: "parcours", IsBot: true})
}

func posted(p *model.Post, ct model.ChannelType) *model.WebSocketEvent {
	if p.CreateAt == 0 {
		p.CreateAt = model.GetMillis()
	}
	raw, _ := json.Marshal(p)
	ev := model.NewWebSocketEvent(model.WebsocketEventPosted, "", p.ChannelId, "", nil, "")
	return ev.SetData(map[string]any{"post": string(raw), "channel_type": string(ct)})
}

func (b *Bot) feed(evs ...*model.WebSocketEvent) {
	for _, ev := range evs {
		b.handleEvent(context.Background(), ev)
	}
	b.inflight.Wait()
}

func TestWhoIsAnswered(t *testing.T) {
	cases := []struct {
		name   string
		post   *model.Post
		ct     model.ChannelType
		answer bool
	}{
		{"direct message", &model.Post{Id: "p1", UserId: "alice", ChannelId: "dm", Message: "comment déployer ?"}, model.ChannelTypeDirect, true},
		{"mention in channel", &model.Post{Id: "p2", UserId: "alice", ChannelId: "c", Message: "@parcours comment déployer ?"}, model.ChannelTypeOpen, true},
		{"mention with punctuation", &model.Post{Id: "p3", UserId: "alice", ChannelId: "c", Message: "Bonjour @Parcours, une question"}, model.ChannelTypePrivate, true},
		{"channel without mention", &model.Post{Id: "p4", UserId: "alice", ChannelId: "c", Message: "comment déployer ?"}, model.ChannelTypeOpen, false},
		{"@channel alone", &model.Post{Id: "p5", UserId: "alice", ChannelId: "c", Message: "@channel réunion à 14h"}, model.ChannelTypeOpen, false},
		{"@all and @here", &model.Post{Id: "p6", UserId: "alice", ChannelId: "c", Message: "@all @here"}, model.ChannelTypeOpen, false},
		{"longer username", &model.Post{Id: "p7", UserId: "alice", ChannelId: "c", Message: "@parcoursbot aide"}, model.ChannelTypeOpen, false},
		{"email address", &model.Post{Id: "p8", UserId: "alice", ChannelId: "c", Message: "écrire à x@parcours.gouv.fr"}, model.ChannelTypeOpen, false},
		{"own post", &model.Post{Id: "p9", UserId: "bot", ChannelId: "dm", Message: "réponse"}, model.ChannelTypeDirect, false},
		{"other bot", &model.Post{Id: "p10", UserId: "b2", ChannelId: "dm", Message: "@parcours x", Props: model.StringInterface{"from_bot": "true"}}, model.ChannelTypeDirect, false},
		{"webhook", &model.Post{Id: "p11", UserId: "alice", ChannelId: "c", Message: "@parcours x", Props: model.StringInterface{"from_webhook": "true"}}, model.ChannelTypeOpen, false},
		{"system message", &model.Post{Id: "p12", UserId: "alice", ChannelId: "dm", Type: model.PostTypeJoinChannel, Message: "joined"}, model.ChannelTypeDirect, false},
		{"edited post", &model.Post{Id: "p13", UserId: "alice", ChannelId: "dm", Message: "x", EditAt: 5}, model.ChannelTypeDirect, false},
		{"old post replayed", &model.Post{Id: "p14", UserId: "alice", ChannelId: "dm", Message: "x", CreateAt: model.GetMillisForTime(time.Now().Add(-time.Hour))}, model.ChannelTypeDirect, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := &fakeAPI{}
			b := newTestBot(api)
			b.feed(posted(c.post, c.ct))
			if got := len(api.posts) == 1; got != c.answer {
				t.Fatalf("answered=%v, want %v (%d posts)", got, c.answer, len(api.posts))
			}
			if c.answer {
				p := api.posts[0]
				if p.RootId != c.post.Id || p.ChannelId != c.post.ChannelId {
					t.Errorf("reply not in the thread: root %q channel %q", p.RootId, p.ChannelId)
				}
				if strings.Contains(p.Message, "@parcours") || strings.Contains(strings.ToLower(p.Message), "à @") {
					t.Errorf("mention passed to the question: %q", p.Message)
				}
				if len(p.Attachments()) != 1 {
					t.Errorf("feedback buttons missing")
				}
				if api.typing == 0 {
					t.Error("no typing indicator")
				}
			}
		})
	}
}

func TestNeverTwice(t *testing.T) {
	api := &fakeAPI{}
	b := newTestBot(api)
	p := &model.Post{Id: "p1", UserId: "alice", ChannelId: "dm", Message: "question"}
	// The same event delivered again after a reconnection.
	b.feed(posted(p, model.ChannelTypeDirect), posted(p, model.ChannelTypeDirect))
	var wg sync.WaitGroup
	for range 10 {
		ev := posted(p, model.ChannelTypeDirect)
		wg.Add(1)
		go func() { defer wg.Done(); b.handleEvent(context.Background(), ev) }()
	}
	wg.Wait()
	b.inflight.Wait()
	if len(api.posts) != 1 {
		t.Errorf("answered %d times", len(api.posts))
	}
}

func TestThreadFollowUp(t *testing.T) {
	api := &fakeAPI{threads: map[string][]*model.Post{}}
	b := newTestBot(api)
	b.feed(posted(&model.Post{Id: "root", UserId: "alice", ChannelId: "c", Message: "@parcours c'est quoi argocd"}, model.ChannelTypeOpen))
	b.feed(posted(&model.Post{Id: "f1", RootId: "root", UserId: "bob", ChannelId: "c", Message: "et pour kubernetes ?"}, model.ChannelTypeOpen))
	if len(api.posts) != 2 || api.posts[1].RootId != "root" {
		t.Fatalf("follow-up not answered in the thread: %d posts", len(api.posts))
	}
	// A thread the bot never wrote in, known only to the server.
	b.feed(posted(&model.Post{Id: "f2", RootId: "other", UserId: "bob", ChannelId: "c", Message: "merci"}, model.ChannelTypeOpen))
	if len(api.posts) != 2 {
		t.Fatal("answered in a thread it was not part of")
	}
	// After a restart: the bot's memory is empty, the server knows.
	api.threads["old"] = []*model.Post{{Id: "old", UserId: "alice"}, {Id: "r", UserId: "bot", RootId: "old"}}
	b2 := newTestBot(api)
	b2.feed(posted(&model.Post{Id: "f3", RootId: "old", UserId: "alice", ChannelId: "c", Message: "et ensuite ?"}, model.ChannelTypeOpen))
	if len(api.posts) != 3 {
		t.Error("follow-up in a thread answered before the restart ignored")
	}
}

func TestStripMention(t *testing.T) {
	for in, want := range map[string]string{
		"@parcours comment déployer ?":  "comment déployer ?",
		"@parcours, aide":               "aide",
		"Salut @parcours. Une question": "Salut . Une question",
		"@parcours":                     "",
	} {
		got, ok := stripMention(in, "parcours")
		if !ok || got != want {
			t.Errorf("stripMention(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	if d := backoff(0); d < 125*time.Millisecond || d > 250*time.Millisecond {
		t.Errorf("first delay %v", d)
	}
	for range 100 {
		if d := backoff(20); d > 30*time.Second || d < 15*time.Second {
			t.Errorf("capped delay %v", d)
		}
	}
}

func TestCheckRefusesNonBot(t *testing.T) {
	_, _, err := Check(context.Background(), userAPI{&fakeAPI{}})
	if err == nil || !strings.Contains(err.Error(), "n'est pas un compte bot") {
		t.Errorf("non-bot accepted: %v", err)
	}
}

type userAPI struct{ *fakeAPI }

func (userAPI) GetMe(ctx context.Context) (*model.User, error) {
	return &model.User{Id: "u", Username: "alice"}, nil
}

func TestSignerRoundTrip(t *testing.T) {
	s := NewSigner([]byte(strings.Repeat("k", 32)), time.Minute)
	tok := s.Sign(Claims{Action: "feedback", UserID: "u1", Nonce: "n"})
	if c, err := s.Verify(tok, "u1"); err != nil || c.Action != "feedback" {
		t.Fatalf("valid token refused: %v", err)
	}
	if _, err := s.Verify(tok, "u2"); err != ErrWrongUser {
		t.Errorf("other user: %v", err)
	}
	s.now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	if _, err := s.Verify(tok, "u1"); err != ErrExpired {
		t.Errorf("expired: %v", err)
	}
}

func hello(connID string) *model.WebSocketEvent {
	return model.NewWebSocketEvent(model.WebsocketEventHello, "", "", "", nil, "").
		SetData(map[string]any{"connection_id": connID})
}

func TestCatchUpAfterUnresumedReconnection(t *testing.T) {
	now := model.GetMillis()
	seenBefore := &model.Post{Id: "seen", UserId: "alice", ChannelId: "dm", Message: "déjà vue", CreateAt: now}
	missed := &model.Post{Id: "missed", UserId: "alice", ChannelId: "dm", Message: "posée pendant la coupure", CreateAt: now + 10}
	chatter := &model.Post{Id: "chatter", UserId: "bob", ChannelId: "c", Message: "sans mention", CreateAt: now + 20}
	mention := &model.Post{Id: "mention", UserId: "bob", ChannelId: "c", Message: "@parcours une question", CreateAt: now + 30}
	old := &model.Post{Id: "old", UserId: "alice", ChannelId: "dm", Message: "ancienne", CreateAt: now - 60_000, UpdateAt: now + 40}
	api := &fakeAPI{
		channels: []*model.Channel{{Id: "dm", Type: model.ChannelTypeDirect}, {Id: "c", Type: model.ChannelTypeOpen},
			{Id: "quiet", Type: model.ChannelTypeDirect, LastPostAt: now - 60_000}},
		// The quiet channel's LastPostAt says it has nothing new: were it
		// read anyway, its post would be answered.
		since: map[string][]*model.Post{"dm": {seenBefore, missed, old}, "c": {chatter, mention},
			"quiet": {{Id: "q", UserId: "alice", ChannelId: "quiet", Message: "x", CreateAt: now + 1}}},
	}
	b := newTestBot(api)
	b.feed(hello("first"), posted(seenBefore, model.ChannelTypeDirect))
	if len(api.posts) != 1 {
		t.Fatalf("setup: %d replies", len(api.posts))
	}
	// Reconnected to a new session: the server did not replay anything.
	b.feed(hello("second"))
	got := map[string]int{}
	for _, p := range api.posts {
		got[p.RootId]++
	}
	want := map[string]int{"seen": 1, "missed": 1, "mention": 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("post %s answered %d times, want %d", k, got[k], v)
		}
	}
	if got["chatter"] != 0 || got["old"] != 0 || got["q"] != 0 {
		t.Errorf("answered what it should not: %v", got)
	}
	// A resumed session (same id) fetches nothing.
	n := len(api.posts)
	api.since["dm"] = append(api.since["dm"], &model.Post{Id: "late", UserId: "alice", ChannelId: "dm", Message: "x", CreateAt: now + 50})
	b.feed(hello("second"))
	if len(api.posts) != n {
		t.Error("a resumed session triggered a catch-up")
	}
}

// ctxAsk fails when its context is already cancelled, as a real search
// would.
type ctxAsk struct{ release chan struct{} }

func (a ctxAsk) Ask(ctx context.Context, q string) (*answer.Answer, error) {
	<-a.release
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &answer.Answer{Query: q, Answered: true, Passages: []answer.Passage{{Title: "ok"}}}, nil
}

func TestReplyInFlightFinishesAfterShutdown(t *testing.T) {
	api := &fakeAPI{}
	ask := ctxAsk{release: make(chan struct{})}
	b := New(Options{API: api, Conversation: conv(ask)}, &model.User{Id: "bot", Username: "parcours", IsBot: true})
	ctx, cancel := context.WithCancel(context.Background())
	b.handleEvent(ctx, posted(&model.Post{Id: "p1", UserId: "alice", ChannelId: "dm", Message: "question"}, model.ChannelTypeDirect))
	cancel() // SIGTERM while the answer is being searched
	close(ask.release)
	b.inflight.Wait()
	if len(api.posts) != 1 || strings.Contains(api.posts[0].Message, "Désolé") {
		t.Fatalf("reply in flight not finished after shutdown: %+v", api.posts)
	}
}

// slowAsk answers like echoAsk, slowly for the questions that say so: were
// a user's questions answered concurrently, the slow one would come last.
type slowAsk struct{}

func (slowAsk) Ask(ctx context.Context, q string) (*answer.Answer, error) {
	if strings.Contains(q, "lente") {
		time.Sleep(50 * time.Millisecond)
	}
	return echoAsk{}.Ask(ctx, q)
}

func openProgress(t *testing.T, dir string) *bolt.ProgressStore {
	t.Helper()
	db, err := bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p, err := db.Progress()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// repliesTo counts the bot's replies by the post they answer, and returns
// their order.
func repliesTo(api *fakeAPI) (map[string]int, []string) {
	api.mu.Lock()
	defer api.mu.Unlock()
	n := map[string]int{}
	var order []string
	for _, p := range api.posts {
		n[p.RootId]++
		order = append(order, p.RootId)
	}
	return n, order
}

// A bot killed without any shutdown (kill -9) loses nothing: the next run
// answers what was posted meanwhile, once, in order for each user, and
// nothing answered before.
func TestCrashLosesNothing(t *testing.T) {
	dir := t.TempDir()
	now := model.GetMillis()
	before := &model.Post{Id: "before", UserId: "alice", ChannelId: "dm-a", Message: "répondue avant le crash", CreateAt: now - 3000}
	q1 := &model.Post{Id: "q1", UserId: "alice", ChannelId: "dm-a", Message: "question lente", CreateAt: now - 2000}
	q2 := &model.Post{Id: "q2", UserId: "bob", ChannelId: "dm-b", Message: "question de bob", CreateAt: now - 1500}
	q3 := &model.Post{Id: "q3", UserId: "alice", ChannelId: "dm-a", Message: "question rapide", CreateAt: now - 1000}
	api := &fakeAPI{
		channels: []*model.Channel{{Id: "dm-a", Type: model.ChannelTypeDirect}, {Id: "dm-b", Type: model.ChannelTypeDirect}},
		since:    map[string][]*model.Post{"dm-a": {before}},
	}
	// One handle on the store for both runs: bbolt locks its file, and
	// what the second run reads is what the first wrote.
	progress := openProgress(t, dir)
	first := New(Options{API: api, Conversation: conv(slowAsk{}), Progress: progress}, &model.User{Id: "bot", Username: "parcours"})
	first.feed(hello("a"), posted(before, model.ChannelTypeDirect))
	// kill -9: nothing runs on the way out.
	for _, c := range []*model.Post{q1, q3} {
		api.since["dm-a"] = append(api.since["dm-a"], c)
	}
	api.since["dm-b"] = []*model.Post{q2}
	for _, p := range api.posts {
		api.since[p.ChannelId] = append(api.since[p.ChannelId], p) // the bot's replies are in the channel too
	}

	second := New(Options{API: api, Conversation: conv(slowAsk{}), Progress: progress}, &model.User{Id: "bot", Username: "parcours"})
	second.resumeAt = second.startPosition(context.Background())
	second.feed(hello("b"))
	n, order := repliesTo(api)
	for id, want := range map[string]int{"before": 1, "q1": 1, "q2": 1, "q3": 1} {
		if n[id] != want {
			t.Errorf("post %s answered %d times, want %d (replies %v)", id, n[id], want, order)
		}
	}
	if slices.Index(order, "q1") > slices.Index(order, "q3") {
		t.Errorf("alice's questions answered out of order: %v", order)
	}
}

// The windows a crash can fall in: a reply posted but not yet recorded is
// seen in the channel and not posted again; a post recorded while an older
// one was still being answered is not answered again when the older one
// is caught up.
func TestCrashWindowsNeverAnswerTwice(t *testing.T) {
	now := model.GetMillis()
	older := &model.Post{Id: "older", UserId: "alice", ChannelId: "dm-a", Message: "pas encore répondue", CreateAt: now - 3000}
	recorded := &model.Post{Id: "recorded", UserId: "bob", ChannelId: "dm-b", Message: "répondue et enregistrée", CreateAt: now - 2000}
	unrecorded := &model.Post{Id: "unrecorded", UserId: "carol", ChannelId: "dm-c", Message: "répondue, pas enregistrée", CreateAt: now - 1000}
	reply := &model.Post{Id: "r", UserId: "bot", ChannelId: "dm-c", RootId: "unrecorded", Message: "réponse", CreateAt: now - 900}
	reply.AddProp(PropReplyTo, "unrecorded")
	api := &fakeAPI{
		channels: []*model.Channel{{Id: "dm-a", Type: model.ChannelTypeDirect}, {Id: "dm-b", Type: model.ChannelTypeDirect}, {Id: "dm-c", Type: model.ChannelTypeDirect}},
		since:    map[string][]*model.Post{"dm-a": {older}, "dm-b": {recorded}, "dm-c": {unrecorded, reply}},
	}
	progress := openProgress(t, t.TempDir())
	ctx := context.Background()
	// What the crashed run left: "older" in flight (the position stays
	// before it), "recorded" done.
	if err := progress.MarkHandled(ctx, "recorded", recorded.CreateAt, older.CreateAt); err != nil {
		t.Fatal(err)
	}
	b := New(Options{API: api, Conversation: conv(echoAsk{}), Progress: progress}, &model.User{Id: "bot", Username: "parcours"})
	b.resumeAt = b.startPosition(ctx)
	b.feed(hello("b"))
	n, order := repliesTo(api)
	if n["older"] != 1 || n["recorded"] != 0 || n["unrecorded"] != 0 {
		t.Errorf("replies %v: want only the post left in flight", order)
	}
	// The reply to the post in flight is recorded with it, and the
	// position moves past everything caught up.
	if ok, _ := progress.Handled(ctx, "older", older.CreateAt); !ok {
		t.Error("reply not recorded")
	}
	if pos := b.track.position(); pos < unrecorded.CreateAt {
		t.Errorf("position %d not past the posts caught up (%d)", pos, unrecorded.CreateAt)
	}
	if got := api.posts[0].GetProp(PropReplyTo); got != "older" {
		t.Errorf("reply does not name the post it answers: %v", got)
	}
}

// Posts from the WebSocket during a catch-up wait for it: a user's older
// question, caught up, is answered before the newer one.
func TestLivePostsWaitForTheCatchUp(t *testing.T) {
	now := model.GetMillis()
	old := &model.Post{Id: "old", UserId: "alice", ChannelId: "dm", Message: "question lente", CreateAt: now - 1000}
	live := &model.Post{Id: "live", UserId: "alice", ChannelId: "dm", Message: "question suivante", CreateAt: now}
	api := &fakeAPI{channels: []*model.Channel{{Id: "dm", Type: model.ChannelTypeDirect}},
		since: map[string][]*model.Post{"dm": {old}}}
	api.block = make(chan struct{}) // the catch-up is slow: the live post arrives first
	b := New(Options{API: api, Conversation: conv(slowAsk{})}, &model.User{Id: "bot", Username: "parcours"})
	b.resumeAt = now - 2000
	b.handleEvent(context.Background(), hello("a"))
	b.handleEvent(context.Background(), posted(live, model.ChannelTypeDirect))
	close(api.block)
	b.inflight.Wait()
	_, order := repliesTo(api)
	if !slices.Equal(order, []string{"old", "live"}) {
		t.Errorf("replies in order %v, want old then live", order)
	}
}

func TestStateFileOfOlderVersionsRead(t *testing.T) {
	state := t.TempDir() + "/state"
	os.WriteFile(state, []byte("1795981591323\n"), 0o600)
	b := New(Options{API: &fakeAPI{}, Conversation: conv(echoAsk{}), StateFile: state, Progress: openProgress(t, t.TempDir())}, &model.User{Id: "bot", Username: "parcours"})
	if got := b.startPosition(context.Background()); got != 1795981591324 {
		t.Errorf("position %d from the state file", got)
	}
}

func TestFollowUpStaysOutOfPeoplesTalk(t *testing.T) {
	api := &fakeAPI{threads: map[string][]*model.Post{}}
	b := newTestBot(api)
	b.feed(posted(&model.Post{Id: "root", UserId: "alice", ChannelId: "c", Message: "@parcours c'est quoi argocd"}, model.ChannelTypeOpen))
	for i, msg := range []string{"merci !", "@bob tu en penses quoi ?", "super, merci @parcours"} {
		b.feed(posted(&model.Post{Id: fmt.Sprint("f", i), RootId: "root", UserId: "bob", ChannelId: "c", Message: msg}, model.ChannelTypeOpen))
	}
	// "super, merci @parcours" mentions the bot: a short thanks back.
	if len(api.posts) != 2 || !strings.Contains(api.posts[1].Message, "Avec plaisir") {
		t.Fatalf("replies: %d, last %q", len(api.posts), api.posts[len(api.posts)-1].Message)
	}
	b.feed(posted(&model.Post{Id: "dm1", UserId: "alice", ChannelId: "dm", Message: "Bonjour"}, model.ChannelTypeDirect))
	if len(api.posts) != 3 || !strings.Contains(api.posts[2].Message, "Posez-moi une question") {
		t.Errorf("greeting in DM: %q", api.posts[len(api.posts)-1].Message)
	}
}

// BenchmarkHandlePosted is the bot's own cost per question (decoding the
// event, deciding, rendering, signing the buttons), the search and the
// network aside: scripts/bench-bot.sh measures the whole path.
func BenchmarkHandlePosted(b *testing.B) {
	api := &fakeAPI{}
	bot := newTestBot(api)
	evs := make([]*model.WebSocketEvent, b.N)
	for i := range evs {
		evs[i] = posted(&model.Post{Id: fmt.Sprint("p", i), UserId: "alice", ChannelId: "dm", Message: "@parcours comment déployer ?"}, model.ChannelTypeDirect)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		bot.handleEvent(context.Background(), evs[i])
	}
	bot.inflight.Wait()
	if len(api.posts) != b.N {
		b.Fatalf("%d replies for %d questions", len(api.posts), b.N)
	}
}

// Every line logged about a question, from the event to the reply, carries
// its post id and one request id: an operator greps either to follow it.
func TestQuestionLogsCarryPostAndRequestID(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	api := &fakeAPI{}
	b := New(Options{API: api, Conversation: conv(echoAsk{}), Logger: zap.New(core)}, &model.User{Id: "bot", Username: "parcours", IsBot: true})
	b.feed(posted(&model.Post{Id: "p1", UserId: "alice", ChannelId: "dm", Message: "comment déployer ?"}, model.ChannelTypeDirect),
		posted(&model.Post{Id: "p2", UserId: "bob", ChannelId: "dm2", Message: "et la sauvegarde ?"}, model.ChannelTypeDirect))
	ids := map[string]string{}
	for _, post := range []string{"p1", "p2"} {
		entries := logs.FilterField(zap.String("post_id", post)).All()
		var msgs []string
		for _, e := range entries {
			msgs = append(msgs, e.Message)
			rid, _ := e.ContextMap()["request_id"].(string)
			if rid == "" {
				t.Errorf("%s: %q without request_id", post, e.Message)
			} else if ids[post] == "" {
				ids[post] = rid
			} else if ids[post] != rid {
				t.Errorf("%s: request ids %s and %s in one question", post, ids[post], rid)
			}
		}
		got := strings.Join(msgs, ",")
		if !strings.Contains(got, "question received") || !strings.Contains(got, "replied") {
			t.Errorf("%s: logs %q, want the event and the reply", post, got)
		}
	}
	if ids["p1"] == ids["p2"] {
		t.Error("two questions share a request id")
	}
}

// What a user writes never pings anyone through the bot's reply: an
// indented "@channel" pings nobody in the user's post (a code block), and
// must not in the reply either; Markdown in it stays text. The real engine
// answers, with the words it did not know.
func TestRepliesNeverPing(t *testing.T) {
	eng, err := answer.Open(context.Background(), answer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	for _, msg := range []string{
		"@parcours x\n    @channel",
		"@parcours qui est\n```\n@here @bob\n```",
		"@parcours `@all` [clic](http://evil.example) ![p](http://evil.example/p.png) **gras**",
	} {
		api := &fakeAPI{}
		b := New(Options{API: api, Conversation: conv(eng)}, &model.User{Id: "bot", Username: "parcours"})
		b.feed(posted(&model.Post{Id: "p", UserId: "alice", ChannelId: "c", Message: msg}, model.ChannelTypeOpen))
		if len(api.posts) != 1 {
			t.Fatalf("%q: %d replies", msg, len(api.posts))
		}
		reply := api.posts[0].Message
		if m := quote.LiveMentions(reply); len(m) != 0 {
			t.Errorf("%q: the reply mentions %v:\n%s", msg, m, reply)
		}
		for _, bad := range []string{"](http", "`@all`", "**gras**"} {
			if strings.Contains(reply, bad) {
				t.Errorf("%q: Markdown of the user %q live in the reply:\n%s", msg, bad, reply)
			}
		}
	}
}

// A long message gets a short answer: the question is quoted in part, the
// unknown words are few, and the reply stays far below Mattermost's limit
// (a 16,000-character DM used to get no answer at all, a 3,000-character
// question a 5,000-character reply).
func TestLongMessagesGetABoundedAnswer(t *testing.T) {
	eng, err := answer.Open(context.Background(), answer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	for _, n := range []int{3000, 16000} {
		var words []string
		for i := 0; len(strings.Join(words, " ")) < n; i++ {
			words = append(words, fmt.Sprintf("zorglub%d", i))
		}
		msg := strings.Join(words, " ")[:n]
		api := &fakeAPI{}
		b := New(Options{API: api, Conversation: conv(eng)}, &model.User{Id: "bot", Username: "parcours"})
		b.feed(posted(&model.Post{Id: "p", UserId: "alice", ChannelId: "dm", Message: msg}, model.ChannelTypeDirect))
		if len(api.posts) != 1 {
			t.Fatalf("%d characters: %d replies", n, len(api.posts))
		}
		if got := utf8.RuneCountInString(api.posts[0].Message); got > 1500 {
			t.Errorf("%d-character question: %d-character reply", n, got)
		}
	}
}

// hugeAsk answers with a page whose title and excerpt are enormous.
type hugeAsk struct{}

func (hugeAsk) Ask(ctx context.Context, q string) (*answer.Answer, error) {
	return &answer.Answer{Query: q, Answered: true, Passages: []answer.Passage{
		{Title: strings.Repeat("Titre ", 5000), URL: "http://kb/x", Excerpt: strings.Repeat("très long ", 3000)},
		{Title: "Deux", URL: "http://kb/y", Excerpt: strings.Repeat("encore ", 3000)}}}, nil
}

// Whatever the answer, the reply fits in a post; and when a post fails all
// the same, the user is told in the thread instead of getting nothing.
func TestEveryReplyFitsOrFallsBack(t *testing.T) {
	api := &fakeAPI{}
	b := New(Options{API: api, Conversation: conv(hugeAsk{})}, &model.User{Id: "bot", Username: "parcours"})
	b.feed(posted(&model.Post{Id: "p1", UserId: "alice", ChannelId: "dm", Message: "question"}, model.ChannelTypeDirect))
	if len(api.posts) != 1 || !strings.Contains(api.posts[0].Message, "Deux") {
		t.Fatalf("huge answer: %d replies", len(api.posts))
	}
	api = &fakeAPI{refuse: func(p *model.Post) bool { return len(p.Attachments()) > 0 }}
	b = New(Options{API: api, Conversation: conv(echoAsk{}), Poster: &Poster{Signer: NewSigner([]byte(strings.Repeat("k", 32)), time.Hour), ActionURL: "http://bot/a"}},
		&model.User{Id: "bot", Username: "parcours"})
	b.feed(posted(&model.Post{Id: "p2", UserId: "alice", ChannelId: "dm", Message: "question"}, model.ChannelTypeDirect))
	if len(api.posts) != 1 || api.posts[0].RootId != "p2" || !strings.Contains(api.posts[0].Message, "pas pu") {
		t.Fatalf("no fallback in the thread when the reply failed: %+v", api.posts)
	}
}

// 200 DMs in a burst from one user: the first ones are answered, one polite
// message says the limit is hit, the rest get nothing; another user is
// answered as usual; the refusals are counted.
func TestFloodFromOneUserIsLimited(t *testing.T) {
	api := &fakeAPI{}
	b := New(Options{API: api, Conversation: conv(echoAsk{}), Limiter: ratelimit.New(10, 5)}, &model.User{Id: "bot", Username: "parcours"})
	var evs []*model.WebSocketEvent
	for i := range 200 {
		evs = append(evs, posted(&model.Post{Id: fmt.Sprint("a", i), UserId: "alice", ChannelId: "dm-a", Message: fmt.Sprint("question ", i)}, model.ChannelTypeDirect))
	}
	evs = append(evs, posted(&model.Post{Id: "b", UserId: "bob", ChannelId: "dm-b", Message: "question de bob"}, model.ChannelTypeDirect))
	b.feed(evs...)
	answers, polite := 0, 0
	for _, p := range api.posts {
		switch {
		case p.ChannelId == "dm-b":
		case strings.Contains(p.Message, "beaucoup de messages"):
			polite++
		default:
			answers++
		}
	}
	if answers != 5 || polite != 1 {
		t.Errorf("alice got %d answers and %d polite messages, want 5 and 1", answers, polite)
	}
	if n := len(api.posts) - answers - polite; n != 1 {
		t.Errorf("bob got %d answers", n)
	}
	if got := testutil.ToFloat64(b.o.Metrics.RateLimited); got != 195 {
		t.Errorf("parcours_rate_limited_total = %v, want 195", got)
	}
}

// A first run killed before it recorded anything still leaves a position
// to catch up from.
func TestFirstRunLeavesAPosition(t *testing.T) {
	progress := openProgress(t, t.TempDir())
	b := New(Options{API: &fakeAPI{}, Conversation: conv(echoAsk{}), URL: "http://127.0.0.1:1", Progress: progress}, &model.User{Id: "bot", Username: "parcours"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Run returns at once: nothing handled
	b.Run(ctx)
	if pos, err := progress.Position(context.Background()); err != nil || pos == 0 || time.Since(time.UnixMilli(pos)) > time.Minute {
		t.Errorf("position %d (%v) after a first run", pos, err)
	}
}

// claims is a Progress shared by replicas, as internal/postgres is: a post
// is claimed once; Handled must not be asked.
type claims struct {
	mu      sync.Mutex
	claimed map[string]bool
	fail    error
	t       *testing.T
}

func (c *claims) Position(context.Context) (int64, error) { return 0, nil }
func (c *claims) Handled(context.Context, string, int64) (bool, error) {
	c.t.Error("Handled asked although the store claims posts")
	return false, nil
}
func (c *claims) MarkHandled(context.Context, string, int64, int64) error { return nil }
func (c *claims) SavePosition(context.Context, int64) error               { return nil }
func (c *claims) Claim(_ context.Context, id string, _ int64) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return false, c.fail
	}
	if c.claimed[id] {
		return false, nil
	}
	c.claimed[id] = true
	return true, nil
}

// Two replicas that both see the same posts (a lease changing hands) reply
// once to each, the one that claimed it; a replica whose claim fails (no
// longer the lease holder) does not reply at all.
func TestClaimedPostsAnsweredOnceAcrossReplicas(t *testing.T) {
	shared := &claims{claimed: map[string]bool{}, t: t}
	api := &fakeAPI{}
	a := New(Options{API: api, Conversation: conv(echoAsk{}), Progress: shared}, &model.User{Id: "bot", Username: "parcours"})
	b := New(Options{API: api, Conversation: conv(echoAsk{}), Progress: shared}, &model.User{Id: "bot", Username: "parcours"})
	var evs []*model.WebSocketEvent
	for i := range 10 {
		evs = append(evs, posted(&model.Post{Id: fmt.Sprint("p", i), UserId: fmt.Sprint("u", i%3), ChannelId: "dm", Message: "question"}, model.ChannelTypeDirect))
	}
	var wg sync.WaitGroup
	wg.Go(func() { a.feed(evs...) })
	wg.Go(func() { b.feed(evs...) })
	wg.Wait()
	n, order := repliesTo(api)
	for i := range 10 {
		if id := fmt.Sprint("p", i); n[id] != 1 {
			t.Errorf("%s answered %d times (replies %v)", id, n[id], order)
		}
	}

	shared.fail = errors.New("not the lease holder")
	c := New(Options{API: api, Conversation: conv(echoAsk{}), Progress: shared}, &model.User{Id: "bot", Username: "parcours"})
	c.feed(posted(&model.Post{Id: "late", UserId: "u1", ChannelId: "dm", Message: "question"}, model.ChannelTypeDirect))
	if n, _ := repliesTo(api); n["late"] != 0 {
		t.Errorf("replied although the claim failed")
	}
}
