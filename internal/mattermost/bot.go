package mattermost

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/logctx"
	"github.com/cloud-pi-native/parcours/internal/metrics"
	"github.com/cloud-pi-native/parcours/internal/ratelimit"
	"github.com/gorilla/websocket"
	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"
)

// Message is a post the bot was addressed, before it answers.
type Message struct {
	Post        *model.Post
	ChannelType model.ChannelType
	Text        string // the message without the bot's mention
	RootID      string // thread to reply in
	// FollowUp is set when the bot answers only because it is part of
	// the thread: no DM, no mention.
	FollowUp bool
}

// EventHook receives the WebSocket events of one type (the welcome listens
// to new team members this way). It runs on the event loop: anything slow
// (API calls) belongs in a goroutine.
type EventHook func(ctx context.Context, ev *model.WebSocketEvent)

// Options configures the bot.
type Options struct {
	API   API
	URL   string // server URL (http or https)
	Token string // for the WebSocket; never logged
	// Conversation answers what people write to the bot; Poster turns its
	// replies into posts.
	Conversation Conversation
	Poster       *Poster
	Logger       *zap.Logger
	Metrics      *metrics.Metrics
	// MaxAge is the age beyond which a post is not answered (a replayed
	// event after a long outage). Default 10 minutes.
	MaxAge time.Duration
	// Progress keeps, as the bot goes, its position in the stream of
	// posts and the posts handled recently, so that after a restart or a
	// crash what was posted meanwhile is answered, once. Nil keeps nothing.
	Progress Progress
	// Limiter limits the messages one user may send the bot; nil: no
	// limit.
	Limiter *ratelimit.Limiter
	// ProbeInterval is how often the bot pings the server on the
	// WebSocket; AliveWindow how long without any sign of life (event,
	// pong, server ping) before Alive says the connection is not alive.
	// Defaults 5 s and 15 s.
	ProbeInterval, AliveWindow time.Duration
	// StateFile is where versions before Progress kept the time of the
	// newest post seen, on clean shutdowns only; read once when Progress
	// has no position yet.
	StateFile string
}

// catchUpMargin is how far before the position a catch-up reads: posts
// are not delivered exactly in the order of their times; those already
// handled are recognised and skipped.
const catchUpMargin = 5 * time.Second

// Bot is the bot account on Mattermost.
type Bot struct {
	o       Options
	me      *model.User
	seen    *boundedSet // post ids already handled
	threads *boundedMap // root id -> the bot wrote in the thread
	hooks   map[model.WebsocketEventType][]EventHook

	inflight  sync.WaitGroup
	connected atomic.Bool
	alive     atomic.Int64 // last sign of life of the server on the WebSocket (unix ns)
	track     *tracker     // the position in the stream of posts
	queue     *serial      // one user's posts are handled in order
	savedAt   time.Time
	mu        sync.Mutex
	ws        *model.WebSocketClient
	connID    string
	seq       int64
	lastEvent time.Time // last event received, local clock
	lastPost  int64     // newest post seen, server clock (ms)
	resumeAt  int64     // position of the previous run (ms), caught up on first connection

	// While a catch-up reads what was missed, posts from the WebSocket
	// wait in pending, so that a user's older questions go first.
	catchMu  sync.Mutex
	catching int
	pending  []pendingPost
}

type pendingPost struct {
	post *model.Post
	ct   model.ChannelType
}

// New returns a bot for the account me (from Check).
func New(o Options, me *model.User) *Bot {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Metrics == nil {
		o.Metrics = metrics.New()
	}
	if o.MaxAge == 0 {
		o.MaxAge = 10 * time.Minute
	}
	if o.ProbeInterval == 0 {
		o.ProbeInterval = 5 * time.Second
	}
	if o.AliveWindow == 0 {
		o.AliveWindow = 3 * o.ProbeInterval
	}
	if o.Poster == nil {
		o.Poster = &Poster{}
	}
	if o.Poster.API == nil {
		o.Poster.API = o.API
	}
	if o.Poster.Logger == nil {
		o.Poster.Logger = o.Logger
	}
	o.Poster.BotID = me.Id
	b := &Bot{o: o, me: me, seen: newBoundedSet(20000), threads: newBoundedMap(20000),
		hooks: map[model.WebsocketEventType][]EventHook{}, track: newTracker(), queue: newSerial()}
	o.Poster.wrote = func(root string) { b.threads.Put(root, true) }
	return b
}

// Me is the bot's account.
func (b *Bot) Me() *model.User { return b.me }

// Connected reports whether the WebSocket is up.
func (b *Bot) Connected() bool { return b.connected.Load() }

// Alive reports whether the WebSocket is up and the server showed a sign
// of life recently (an event, the answer to the bot's ping, its own ping);
// why says what is wrong, in French, for the readiness probe. A frozen
// server keeps the socket open but answers nothing.
func (b *Bot) Alive() (ok bool, why string) {
	if !b.connected.Load() {
		return false, "WebSocket Mattermost non connecté"
	}
	if since := time.Since(time.Unix(0, b.alive.Load())); since > b.o.AliveWindow {
		return false, fmt.Sprintf("Mattermost ne répond plus sur le WebSocket depuis %d s", int(since.Seconds()))
	}
	return true, ""
}

// markAlive notes a sign of life of the server.
func (b *Bot) markAlive() { b.alive.Store(time.Now().UnixNano()) }

// OnEvent adds a hook for a WebSocket event type. Call before Run.
func (b *Bot) OnEvent(t model.WebsocketEventType, f EventHook) { b.hooks[t] = append(b.hooks[t], f) }

// Run keeps the WebSocket connected until ctx ends, reconnecting with
// exponential backoff and jitter, then waits for the replies in flight.
func (b *Bot) Run(ctx context.Context) error {
	// Each Run starts from the stored position on a new session: with
	// replicas, Run is called at each term of the lease, and the previous
	// holder has moved the position on meanwhile.
	b.mu.Lock()
	b.connID, b.seq, b.lastPost, b.lastEvent = "", 0, 0, time.Time{}
	b.mu.Unlock()
	b.resumeAt = b.startPosition(ctx)
	if b.resumeAt == 0 && b.o.Progress != nil {
		// First run on this store: until a first post is recorded, a
		// crash must still leave a place to catch up from.
		if err := b.o.Progress.SavePosition(context.WithoutCancel(ctx), time.Now().Add(-catchUpMargin).UnixMilli()); err != nil {
			b.o.Logger.Warn("saving progress failed", zap.Error(err))
		}
	}
	defer b.savePosition()
	defer b.inflight.Wait()
	failures := 0
	for {
		started := time.Now()
		err := b.session(ctx)
		b.connected.Store(false)
		b.o.Metrics.Connected.Set(0)
		if ctx.Err() != nil {
			b.o.Logger.Info("websocket closed: shutting down")
			return nil
		}
		if time.Since(started) > time.Minute {
			failures = 0 // a long healthy session resets the backoff
		}
		delay := backoff(failures)
		failures++
		b.o.Logger.Warn("websocket lost, reconnecting", zap.Error(err), zap.Duration("in", delay), zap.Int("attempt", failures))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
		b.o.Metrics.Reconnections.Inc()
	}
}

// backoff is exponential from 250 ms to 30 s with full jitter, so that many
// bots restarting together do not hammer the server in step.
func backoff(failures int) time.Duration {
	maxD := 30 * time.Second
	d := 250 * time.Millisecond << min(failures, 8)
	if d > maxD {
		d = maxD
	}
	return d/2 + rand.N(d/2+1)
}

var errPingTimeout = errors.New("pas de ping du serveur : connexion morte")

// session runs one WebSocket connection until it dies or ctx ends.
func (b *Bot) session(ctx context.Context) error {
	wsURL := "ws" + strings.TrimPrefix(b.o.URL, "http")
	b.mu.Lock()
	connID, seq := b.connID, b.seq
	b.mu.Unlock()
	dialer := &websocket.Dialer{HandshakeTimeout: 10 * time.Second, Proxy: websocket.DefaultDialer.Proxy}
	var ws *model.WebSocketClient
	var err error
	if connID != "" {
		// Resuming lets the server replay the events missed meanwhile.
		ws, err = model.NewReliableWebSocketClientWithDialer(dialer, wsURL, b.o.Token, connID, int(seq+1), true)
	} else {
		ws, err = model.NewWebSocketClientWithDialer(dialer, wsURL, b.o.Token)
	}
	if err != nil {
		return fmt.Errorf("connexion WebSocket: %w", err)
	}
	b.mu.Lock()
	b.ws = ws
	b.mu.Unlock()
	// Pongs to the bot's pings and the server's own pings are signs of
	// life, as events are.
	serverPing := ws.Conn.PingHandler()
	ws.Conn.SetPingHandler(func(data string) error { b.markAlive(); return serverPing(data) })
	ws.Conn.SetPongHandler(func(string) error { b.markAlive(); return nil })
	// A resumed session gets no new hello: being dialled is being up; a
	// refused token closes the socket and brings us back here.
	b.markAlive()
	b.connected.Store(true)
	b.o.Metrics.Connected.Set(1)
	if connID != "" {
		b.o.Logger.Info("websocket reconnected", zap.Int64("from_sequence", seq+1))
	}
	ws.Listen()
	defer ws.Close()
	probe := time.NewTicker(b.o.ProbeInterval)
	defer probe.Stop()
	events, responses := ws.EventChannel, ws.ResponseChannel
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ws.PingTimeoutChannel:
			return errPingTimeout
		case <-probe.C:
			// A control frame: safe beside the client's own writer, and
			// an error, not a panic, once the socket is closed.
			if err := ws.Conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(b.o.ProbeInterval)); err != nil {
				b.o.Logger.Debug("websocket ping failed", zap.Error(err))
			}
		case _, ok := <-responses:
			if !ok {
				responses = nil
			} else {
				b.markAlive()
			}
		case ev, ok := <-events:
			if !ok {
				if ws.ListenError != nil {
					return ws.ListenError
				}
				return errors.New("connexion WebSocket fermée")
			}
			b.handleEvent(ctx, ev)
		}
	}
}

// DropConnection closes the current WebSocket as a network failure would;
// Run reconnects. It exists for end-to-end tests and operators' drills.
func (b *Bot) DropConnection() {
	b.mu.Lock()
	ws := b.ws
	b.mu.Unlock()
	if ws != nil {
		ws.Conn.Close()
	}
}

func (b *Bot) handleEvent(ctx context.Context, ev *model.WebSocketEvent) {
	b.markAlive()
	b.mu.Lock()
	if ev.EventType() != model.WebsocketEventHello {
		b.lastEvent = time.Now()
	}
	if s := ev.GetSequence(); s > b.seq || ev.EventType() == model.WebsocketEventHello {
		b.seq = s
	}
	b.mu.Unlock()
	switch ev.EventType() {
	case model.WebsocketEventHello:
		id, _ := ev.GetData()["connection_id"].(string)
		b.mu.Lock()
		previous, lastEvent, lastPost, resumeAt := b.connID, b.lastEvent, b.lastPost, b.resumeAt
		b.connID = id
		b.resumeAt = 0
		b.mu.Unlock()
		b.o.Logger.Info("websocket connected", zap.Bool("reconnection", previous != ""),
			zap.Any("server_version", ev.GetData()["server_version"]))
		var since time.Time
		switch {
		case previous == "" && resumeAt > 0:
			// First connection after a restart or a crash: what was
			// posted since the previous run's position was never seen.
			since = time.UnixMilli(resumeAt).Add(-catchUpMargin)
			if oldest := time.Now().Add(-b.o.MaxAge); since.Before(oldest) {
				since = oldest // older posts would not be answered anyway
			}
		case previous != "" && previous != id && lastPost > 0:
			// The server could not resume the session (restarted, or
			// down too long). The margin covers posts in flight; those
			// already handled are skipped by decide.
			since = time.UnixMilli(lastPost - 5000)
		case previous != "" && previous != id && !lastEvent.IsZero():
			since = lastEvent.Add(-5 * time.Second)
		}
		if !since.IsZero() {
			b.catchMu.Lock()
			b.catching++
			b.catchMu.Unlock()
			b.inflight.Add(1)
			go func() {
				defer b.inflight.Done()
				b.catchUp(ctx, since)
			}()
		}
	case model.WebsocketEventPosted:
		b.handlePosted(ctx, ev)
	}
	for _, h := range b.hooks[ev.EventType()] {
		h(ctx, ev)
	}
}

func (b *Bot) handlePosted(ctx context.Context, ev *model.WebSocketEvent) {
	raw, _ := ev.GetData()["post"].(string)
	var post model.Post
	if err := json.Unmarshal([]byte(raw), &post); err != nil || post.Id == "" {
		b.o.Logger.Debug("posted event without a readable post", zap.Error(err))
		return
	}
	b.mu.Lock()
	b.lastPost = max(b.lastPost, post.CreateAt)
	b.mu.Unlock()
	ct, _ := ev.GetData()["channel_type"].(string)
	b.catchMu.Lock()
	defer b.catchMu.Unlock()
	if b.catching > 0 {
		b.pending = append(b.pending, pendingPost{&post, model.ChannelType(ct)})
		return
	}
	b.consider(ctx, &post, model.ChannelType(ct))
}

// consider answers a post when it is addressed to the bot, off the event
// loop since deciding may ask the server about a thread, after the posts of
// the same user received before it. It never blocks.
func (b *Bot) consider(ctx context.Context, post *model.Post, ct model.ChannelType) {
	received := time.Now()
	b.inflight.Add(1)
	b.track.begin(post.Id, post.CreateAt)
	b.queue.Do(post.UserId, func() {
		defer b.inflight.Done()
		// Detached from Run's context: a reply in progress at shutdown
		// is finished, not cut in half.
		rctx, cancel := context.WithTimeout(withReplyTo(context.WithoutCancel(ctx), post.Id), 30*time.Second)
		defer cancel()
		// One logger for the whole question: every line carries its post
		// and request ids, from the event to the reply.
		log := b.o.Logger.With(zap.String("post_id", post.Id), zap.String("request_id", logctx.NewRequestID()),
			zap.String("channel_id", post.ChannelId), zap.String("user_id", post.UserId))
		log.Debug("question received", zap.String("channel_type", string(ct)), zap.Duration("queued", time.Since(received)))
		rctx = logctx.With(rctx, log)
		handled := false
		if m, ok := b.decide(rctx, post, ct); ok {
			if b.allowed(rctx, m) {
				b.reply(rctx, m, received)
			}
			handled = true
		}
		b.done(rctx, post, handled)
	})
}

// allowed applies the per-user limit to a message the bot would answer:
// past it, a polite message once, then silence until the user may write
// again.
func (b *Bot) allowed(ctx context.Context, m Message) bool {
	d := b.o.Limiter.Allow(m.Post.UserId)
	if d.Verdict == ratelimit.Allowed {
		return true
	}
	b.o.Metrics.RateLimited.Inc()
	log := b.o.Logger.With(zap.String("post_id", m.Post.Id), zap.String("user_id", m.Post.UserId))
	if d.Verdict == ratelimit.Silent {
		log.Debug("rate limited: not answered")
		return false
	}
	log.Info("rate limited: user told once", zap.Duration("retry", d.Retry))
	post := &model.Post{ChannelId: m.Post.ChannelId, RootId: m.RootID, Message: ratelimit.Message(d)}
	if _, err := CreatePost(ctx, b.o.API, post, log); err != nil {
		log.Warn("posting the rate limit message failed", zap.Error(err))
	}
	return false
}

// done records, once a post is done with, the new position and, when the
// bot replied, the post itself: right after each reply, so that a crash
// loses nothing and answers nothing twice. Posts not answered move the
// position at most every few seconds, sparing a disk sync per message of
// the channels the bot sits in.
func (b *Bot) done(ctx context.Context, post *model.Post, handled bool) {
	pos := b.track.end(post.Id)
	if b.o.Progress == nil {
		return
	}
	var err error
	if handled {
		err = b.o.Progress.MarkHandled(ctx, post.Id, post.CreateAt, pos)
	} else {
		b.mu.Lock()
		due := time.Since(b.savedAt) > 10*time.Second
		if due {
			b.savedAt = time.Now()
		}
		b.mu.Unlock()
		if due {
			err = b.o.Progress.SavePosition(ctx, pos)
		}
	}
	if err != nil {
		b.o.Logger.Warn("saving progress failed", zap.String("post_id", post.Id), zap.Error(err))
	}
}

// catchUp answers the posts made in the bot's channels since a time,
// after a restart or a reconnection the server could not resume, oldest
// first. Posts already handled are skipped: by decide for those handled
// by this run or recorded in Progress, and here for those the bot replied
// to without recording it (a crash between the two). Posts from the
// WebSocket wait meanwhile, then go in the same order.
func (b *Bot) catchUp(ctx context.Context, since time.Time) {
	var posts []pendingPost
	defer func() {
		b.catchMu.Lock()
		defer b.catchMu.Unlock()
		b.catching--
		if b.catching == 0 {
			posts = append(posts, b.pending...)
			b.pending = nil
		}
		sortPending(posts)
		for _, p := range posts {
			b.consider(ctx, p.post, p.ct)
		}
	}()
	log := b.o.Logger.With(zap.Time("since", since))
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	chs, err := b.o.API.Channels(ctx, b.me.Id)
	if err != nil {
		log.Warn("catch-up: listing channels failed", zap.Error(err))
		return
	}
	read := 0
	replied := map[string]bool{}
	for _, ch := range chs {
		if ctx.Err() != nil {
			break
		}
		if ch.LastPostAt > 0 && ch.LastPostAt < since.UnixMilli() {
			continue // nothing new there: one request saved per quiet channel
		}
		read++
		l, err := b.o.API.PostsSince(ctx, ch.Id, since.UnixMilli())
		if err != nil {
			log.Warn("catch-up: reading channel failed", zap.String("channel_id", ch.Id), zap.Error(err))
			continue
		}
		for _, id := range l.Order {
			p := l.Posts[id]
			if p == nil {
				continue
			}
			if p.UserId == b.me.Id {
				if to, _ := p.GetProp(PropReplyTo).(string); to != "" {
					replied[to] = true
				}
				continue
			}
			if p.CreateAt >= since.UnixMilli() {
				posts = append(posts, pendingPost{p, ch.Type})
			}
		}
	}
	kept := posts[:0]
	for _, p := range posts {
		if replied[p.post.Id] {
			b.seen.Add(p.post.Id)
			b.track.begin(p.post.Id, p.post.CreateAt)
			b.track.end(p.post.Id)
			continue
		}
		kept = append(kept, p)
	}
	posts = kept
	log.Info("catch-up done", zap.Int("channels", len(chs)), zap.Int("posts", len(posts)), zap.Int("read", read), zap.Int("already_answered", len(replied)))
}

// sortPending orders posts by creation time, oldest first.
func sortPending(ps []pendingPost) {
	slices.SortStableFunc(ps, func(a, b pendingPost) int { return cmp.Compare(a.post.CreateAt, b.post.CreateAt) })
}

// startPosition returns the position of the previous run, from Progress,
// else from the StateFile of older versions.
func (b *Bot) startPosition(ctx context.Context) int64 {
	if b.o.Progress != nil {
		pos, err := b.o.Progress.Position(ctx)
		if err != nil {
			b.o.Logger.Warn("reading progress failed: no catch-up", zap.Error(err))
			return 0
		}
		if pos > 0 {
			return pos
		}
	}
	if b.o.StateFile == "" {
		return 0
	}
	data, err := os.ReadFile(b.o.StateFile)
	if err != nil {
		return 0
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil || ms < 0 {
		return 0
	}
	return ms + 1
}

// savePosition records the position on the way out.
func (b *Bot) savePosition() {
	pos := b.track.position()
	if b.o.Progress == nil || pos == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.o.Progress.SavePosition(ctx, pos); err != nil {
		b.o.Logger.Warn("saving progress failed", zap.Error(err))
	}
}

// decide says whether the bot answers a post, and where. It records the
// post as handled so that a replayed event is never answered twice.
func (b *Bot) decide(ctx context.Context, p *model.Post, ct model.ChannelType) (Message, bool) {
	log := logctx.From(ctx, b.o.Logger)
	switch {
	case p.UserId == b.me.Id:
		return Message{}, false
	case p.Type != "": // join/leave and other system messages
		return Message{}, false
	case p.EditAt != 0 || p.DeleteAt != 0:
		return Message{}, false
	case isTrue(p.GetProp(model.PostPropsFromWebhook)), isTrue(p.GetProp(model.PostPropsFromBot)), isTrue(p.GetProp(model.PostPropsFromPlugin)):
		return Message{}, false
	}
	if age := time.Since(time.UnixMilli(p.CreateAt)); p.CreateAt > 0 && age > b.o.MaxAge {
		log.Info("post too old, not answered", zap.Duration("age", age))
		return Message{}, false
	}
	root := p.RootId
	if root == "" {
		root = p.Id
	}
	m := Message{Post: p, ChannelType: ct, RootID: root, Text: strings.TrimSpace(p.Message)}
	mentioned := false
	m.Text, mentioned = stripMention(p.Message, b.me.Username)
	switch {
	case ct == model.ChannelTypeDirect:
	case mentioned:
	case p.RootId != "" && b.inThread(ctx, p.RootId):
		// In a thread it follows, the bot stays out of what is said to
		// someone else, and of thanks and greetings between people.
		if mentionsOther(p.Message, b.me.Username) || conversation.IsSmallTalk(m.Text) {
			return Message{}, false
		}
		m.FollowUp = true
	default:
		return Message{}, false
	}
	if !b.seen.Add(p.Id) {
		log.Debug("post already handled")
		return Message{}, false
	}
	if c, ok := b.o.Progress.(Claimer); ok {
		claimed, err := c.Claim(ctx, p.Id, p.CreateAt)
		if err != nil {
			log.Warn("claiming the post failed: not answered here", zap.Error(err))
			return Message{}, false
		}
		if !claimed {
			log.Debug("post claimed already")
			return Message{}, false
		}
	} else if b.o.Progress != nil {
		handled, err := b.o.Progress.Handled(ctx, p.Id, p.CreateAt)
		if err != nil {
			log.Warn("reading progress failed", zap.Error(err))
		}
		if handled {
			log.Debug("post handled before a restart")
			return Message{}, false
		}
	}
	return m, true
}

// inThread says whether the bot wrote in the thread, asking the server when
// it does not remember.
func (b *Bot) inThread(ctx context.Context, root string) bool {
	if v, ok := b.threads.Get(root); ok {
		return v
	}
	l, err := b.o.API.GetPostThread(ctx, root)
	if err != nil {
		b.o.Logger.Warn("reading thread failed", zap.String("root_id", root), zap.Error(err))
		return false
	}
	in := false
	for _, p := range l.Posts {
		if p.UserId == b.me.Id {
			in = true
			break
		}
	}
	b.threads.Put(root, in)
	return in
}

// reply hands a message to the conversation, whose replies go in its
// thread (and in the user's direct channel for the diagnostic).
func (b *Bot) reply(ctx context.Context, m Message, received time.Time) {
	log := logctx.From(ctx, b.o.Logger)
	stopTyping := b.typing(ctx, m)
	defer stopTyping()
	direct := m.ChannelType == model.ChannelTypeDirect
	place := conversation.Channel
	if direct {
		place = conversation.Direct
	}
	out := b.o.Poster.Outbox(m.Post.UserId, m.Post.ChannelId, m.RootID, direct)
	msg := conversation.Message{User: conversation.User{ID: m.Post.UserId}, Place: place, Channel: m.Post.ChannelId,
		Text: m.Text, FollowUp: m.FollowUp, Received: received}
	if err := b.o.Conversation.Message(ctx, msg, out); err != nil {
		log.Error("answering failed", zap.Error(err))
	}
}

// typing shows the typing indicator until the returned func is called,
// refreshed every few seconds as Mattermost clears it after about 5 s. The
// first one is sent before answering so that it never arrives after the
// reply.
func (b *Bot) typing(ctx context.Context, m Message) func() {
	send := func() {
		tctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := b.o.API.Typing(tctx, b.me.Id, m.Post.ChannelId, m.RootID); err != nil {
			b.o.Logger.Debug("typing indicator failed", zap.Error(err))
		}
	}
	send()
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(4 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				send()
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// stripMention removes the explicit @mentions of username from msg and
// reports whether there was one. "@channel", "@all" or "@here" are not
// mentions of the bot; "@parcoursbot" is not "@parcours".
func stripMention(msg, username string) (string, bool) {
	lower := strings.ToLower(msg)
	needle := "@" + strings.ToLower(username)
	var out strings.Builder
	found := false
	i := 0
	for {
		j := strings.Index(lower[i:], needle)
		if j < 0 {
			break
		}
		j += i
		end := j + len(needle)
		before := j == 0 || !isNameChar(lower[j-1])
		after := end == len(lower) || !isNameChar(lower[end]) ||
			(lower[end] == '.' && (end+1 == len(lower) || !isNameChar(lower[end+1])))
		if before && after {
			found = true
			out.WriteString(msg[i:j])
		} else {
			out.WriteString(msg[i:end])
		}
		i = end
	}
	out.WriteString(msg[i:])
	text := strings.TrimSpace(out.String())
	text = strings.TrimLeft(text, ",:; ")
	return strings.TrimSpace(text), found
}

var mentionRe = regexp.MustCompile(`(?:^|[^a-z0-9._-])@([a-z0-9][a-z0-9._-]*)`)

// mentionsOther reports whether msg @mentions someone other than the bot
// (channel-wide mentions are not someone).
func mentionsOther(msg, username string) bool {
	for _, m := range mentionRe.FindAllStringSubmatch(strings.ToLower(msg), -1) {
		switch name := strings.TrimRight(m[1], "."); name {
		case strings.ToLower(username), "channel", "all", "here":
		default:
			return true
		}
	}
	return false
}

func isNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

func isTrue(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	return false
}

// boundedSet remembers the last n keys added.
type boundedSet struct {
	mu   sync.Mutex
	keys map[string]struct{}
	ring []string
	next int
}

func newBoundedSet(n int) *boundedSet {
	return &boundedSet{keys: make(map[string]struct{}, n), ring: make([]string, n)}
}

// Add returns false when k was already there.
func (s *boundedSet) Add(k string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[k]; ok {
		return false
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.keys, old)
	}
	s.ring[s.next] = k
	s.next = (s.next + 1) % len(s.ring)
	s.keys[k] = struct{}{}
	return true
}

// boundedMap remembers the last n keys set.
type boundedMap struct {
	mu   sync.Mutex
	vals map[string]bool
	ring []string
	next int
}

func newBoundedMap(n int) *boundedMap {
	return &boundedMap{vals: make(map[string]bool, n), ring: make([]string, n)}
}

func (m *boundedMap) Get(k string) (bool, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.vals[k]
	return v, ok
}

func (m *boundedMap) Put(k string, v bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.vals[k]; !ok {
		if old := m.ring[m.next]; old != "" {
			delete(m.vals, old)
		}
		m.ring[m.next] = k
		m.next = (m.next + 1) % len(m.ring)
	}
	m.vals[k] = v
}
