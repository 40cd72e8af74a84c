package mattermost

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/welcome"
	"github.com/cloud-pi-native/parcours/knowledge"
)

// memWelcomed remembers welcomes in memory.
type memWelcomed struct {
	mu sync.Mutex
	m  map[string]bool
}

func (w *memWelcomed) MarkWelcomed(_ context.Context, team, user string) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m[team+"/"+user] {
		return false, nil
	}
	w.m[team+"/"+user] = true
	return true, nil
}

func (w *memWelcomed) ForgetWelcome(_ context.Context, team, user string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.m, team+"/"+user)
	return nil
}

// adapter is the whole Mattermost side on fakes: the bot's event loop, the
// webhooks and the joins, around one conversation.
type adapter struct {
	api    *fakeAPI
	bot    *Bot
	hooks  *Webhooks
	joins  *Joins
	signer *Signer
	diag   *diagnostic.Engine
}

func newAdapter(t *testing.T) *adapter {
	t.Helper()
	q, err := diagnostic.Load(knowledge.FS, diagnostic.File)
	if err != nil {
		t.Fatal(err)
	}
	d, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: diagnostic.NewMemStore()})
	if err != nil {
		t.Fatal(err)
	}
	wm, _, err := welcome.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	a := &adapter{api: &fakeAPI{threads: map[string][]*model.Post{}, users: map[string]*model.User{}, chans: map[string]*model.Channel{
		"ts":  {Id: "ts", Name: model.DefaultChannelName, TeamId: "team1"},
		"off": {Id: "off", Name: "off-topic", TeamId: "team1"},
	}}, signer: NewSigner([]byte(strings.Repeat("k", 32)), time.Hour), diag: d}
	c, err := conversation.New(conversation.Config{Knowledge: knowledgeOf{deployAsk{}}, Diagnostic: d, Directory: &Directory{API: a.api},
		Stores:  conversation.Stores{Welcomed: &memWelcomed{m: map[string]bool{}}},
		Welcome: conversation.WelcomeOptions{Message: wm, Newcomers: true}, BotName: "parcours",
		IsAdmin: func(_ context.Context, id, _ string) (bool, error) { return id == "admin", nil }})
	if err != nil {
		t.Fatal(err)
	}
	poster := &Poster{API: a.api, Signer: a.signer, ActionURL: "http://bot/mattermost/action", LongTTL: 72 * time.Hour}
	a.bot = New(Options{API: a.api, Conversation: c, Poster: poster}, &model.User{Id: "bot", Username: "parcours", IsBot: true})
	a.hooks = &Webhooks{Conversation: c, Poster: poster, Tokens: NewTokens(goodToken)}
	a.joins = &Joins{Welcomer: c, Directory: &Directory{API: a.api}, Poster: poster, Logger: poster.Logger}
	return a
}

var postN int

// dm posts text as user in their direct channel with the bot.
func (a *adapter) dm(user, text string) {
	postN++
	a.bot.feed(posted(&model.Post{Id: fmt.Sprint("u", postN), UserId: user, ChannelId: "dm-" + user, Message: text}, model.ChannelTypeDirect))
}

// in returns the bot's posts in a channel, oldest first, as they are now.
func (a *adapter) in(channel string) []*model.Post {
	a.api.mu.Lock()
	defer a.api.mu.Unlock()
	var out []*model.Post
	for _, p := range a.api.posts {
		if p.ChannelId == channel {
			out = append(out, a.api.byID[p.Id].Clone())
		}
	}
	return out
}

func (a *adapter) last(channel string) *model.Post {
	ps := a.in(channel)
	if len(ps) == 0 {
		return &model.Post{}
	}
	return ps[len(ps)-1]
}

func (a *adapter) get(id string) *model.Post {
	p, _ := a.api.GetPost(context.Background(), id)
	return p
}

// click clicks a button of a post as Mattermost does (the signed context
// posted to the action URL) and applies the response's update.
func (a *adapter) click(t *testing.T, user string, p *model.Post, actionID string) *model.PostActionIntegrationResponse {
	t.Helper()
	var action *model.PostAction
	for _, att := range p.Attachments() {
		for _, x := range att.Actions {
			if x.Id == actionID {
				action = x
			}
		}
	}
	if action == nil {
		t.Fatalf("no button %s on %s", actionID, p.Message)
	}
	body, _ := json.Marshal(model.PostActionIntegrationRequest{UserId: user, PostId: p.Id, ChannelId: p.ChannelId, Context: action.Integration.Context})
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/mattermost/action", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	a.hooks.handleAction(w, r)
	var resp model.PostActionIntegrationResponse
	if err := json.NewDecoder(w.Body).Decode(&resp); err != nil {
		t.Fatal(err)
	}
	if resp.Update != nil {
		a.api.mu.Lock()
		old := a.api.byID[resp.Update.Id]
		old.Message = resp.Update.Message
		old.SetProps(resp.Update.GetProps())
		a.api.mu.Unlock()
	}
	return &resp
}

// command runs /parcours text as user in a channel.
func (a *adapter) command(t *testing.T, user, channel, channelName, text string) string {
	t.Helper()
	form := url.Values{"token": {goodToken}, "user_id": {user}, "user_name": {user}, "channel_id": {channel}, "channel_name": {channelName},
		"team_id": {"team1"}, "text": {text}}
	r := httptest.NewRequest(http.MethodPost, "/mattermost/command", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	a.hooks.handleCommand(w, r)
	var out model.CommandResponse
	json.NewDecoder(w.Body).Decode(&out)
	return out.Text
}

// questionHead is what a question post keeps once answered.
func questionHead(p *model.Post) string {
	s, _ := p.GetProp(propHead).(string)
	return s
}

func TestDiagnosticInTheDirectMessage(t *testing.T) {
	a := newAdapter(t)
	a.dm("u1", "faire le diagnostic")
	q1 := a.last("dm-u1")
	if len(q1.Attachments()) != 1 || !strings.Contains(q1.Message, "1. Pour moi") || q1.RootId != "" {
		t.Fatalf("first question: %q, %d attachments, root %q", q1.Message, len(q1.Attachments()), q1.RootId)
	}
	acts := q1.Attachments()[0].Actions
	if len(acts) != 2 || acts[0].Name != "Pour moi" || acts[0].Id != "opt1" {
		t.Errorf("buttons: %+v", acts)
	}
	tok, _ := acts[0].Integration.Context[ContextKey].(string)
	if _, err := a.signer.Verify(tok, "someone-else"); err != ErrWrongUser {
		t.Errorf("a button of u1 accepted for someone else: %v", err)
	}
	if c, err := a.signer.Verify(tok, "u1"); err != nil || time.Until(time.Unix(c.Expires, 0)) < 71*time.Hour {
		t.Errorf("question buttons live as long as the diagnostic: %+v %v", c, err)
	}
	// A click closes the question (through the response) and asks the next.
	resp := a.click(t, "u1", q1, "opt1")
	if resp.Update == nil || resp.EphemeralText != "" {
		t.Fatalf("response %+v", resp)
	}
	if p := a.get(q1.Id); len(p.Attachments()) != 0 || !strings.Contains(p.Message, "→ **Pour moi**") || strings.Contains(p.Message, "1. Pour moi") {
		t.Errorf("answered post:\n%s", p.Message)
	}
	q2 := a.last("dm-u1")
	// A typed answer closes the question's post with PatchPost.
	a.dm("u1", "2")
	if p := a.get(q2.Id); len(p.Attachments()) != 0 || !strings.Contains(p.Message, "→ **Opérer des plateformes") {
		t.Errorf("question answered by typing:\n%s", p.Message)
	}
	q3 := a.last("dm-u1")
	// A question in the middle: the answer in its thread, then the question again.
	a.dm("u1", "c'est quoi un déploiement ?")
	ps := a.in("dm-u1")
	ans, again := ps[len(ps)-2], ps[len(ps)-1]
	if ans.RootId == "" || !strings.Contains(ans.Message, "Argo CD") || !strings.Contains(again.Message, "vous attend") ||
		strings.Contains(again.Message, "compris") || questionHead(again) == "" {
		t.Errorf("mid-diagnostic question:\n%s\n---\n%s", ans.Message, again.Message)
	}
	if p := a.get(q3.Id); !strings.Contains(p.Message, "reposée plus bas") {
		t.Errorf("the question's earlier post:\n%s", p.Message)
	}
	// "annuler": paused, the post closed; a stale click says so.
	a.dm("u1", "annuler")
	if p := a.get(again.Id); !strings.Contains(p.Message, "interrompu") || len(p.Attachments()) != 0 {
		t.Errorf("cancelled question's post:\n%s", p.Message)
	}
}

func TestStartFromAChannelMention(t *testing.T) {
	a := newAdapter(t)
	a.bot.feed(posted(&model.Post{Id: "m1", UserId: "u1", ChannelId: "town", Message: "@parcours diagnostic pour mon équipe"}, model.ChannelTypeOpen))
	if reply := a.last("town"); reply.RootId != "m1" || !strings.Contains(reply.Message, "message direct") {
		t.Errorf("channel reply %+v", reply)
	}
	if q := a.last("dm-u1"); !strings.Contains(q.Message, "équipe") || len(q.Attachments()) != 1 {
		t.Errorf("team diagnostic in the DM:\n%s", q.Message)
	}
}

func TestDiagnosticCommand(t *testing.T) {
	a := newAdapter(t)
	if got := a.command(t, "u1", "town", "town-square", "diagnostic equipe"); !strings.Contains(got, "message direct") || !strings.Contains(got, "@parcours") {
		t.Errorf("from a channel: %q", got)
	}
	if q := a.last("dm-u1"); len(q.Attachments()) != 1 {
		t.Errorf("no question in the DM: %q", q.Message)
	}
	if got := a.command(t, "u1", "dm-u1", "bot__u1", "resultat"); !strings.Contains(got, "en cours") {
		t.Errorf("resultat with a diagnostic in progress: %q", got)
	}
	if got := a.command(t, "u1", "dm-u1", "bot__u1", "diagnostic recommencer"); !strings.Contains(got, "C'est parti") {
		t.Errorf("from the DM: %q", got)
	}
}

func TestWelcomeOnJoinOncePerTeam(t *testing.T) {
	a := newAdapter(t)
	a.api.users["u1"] = &model.User{Id: "u1", Username: "noemie", FirstName: "Noémie", Roles: "system_user"}
	a.api.users["u2"] = &model.User{Id: "u2", Username: "jdupont"}
	a.api.users["g1"] = &model.User{Id: "g1", Username: "invite", Roles: "system_guest"}
	a.api.users["b1"] = &model.User{Id: "b1", Username: "autrebot", IsBot: true}
	for _, ev := range []*model.WebSocketEvent{
		userAdded("ts", "team1", "u1"), userAdded("off", "team1", "u1"), userAdded("ts", "team1", "u1"),
		userAdded("ts", "team1", "u2"), userAdded("ts", "team1", "g1"), userAdded("ts", "team1", "b1"), userAdded("ts", "team1", "bot"),
	} {
		a.joins.OnUserAdded(t.Context(), ev)
	}
	a.joins.Wait()
	ps := a.in("dm-u1")
	if len(ps) != 1 {
		t.Fatalf("%d welcomes for u1", len(ps))
	}
	w := ps[0]
	if !strings.Contains(w.Message, "Bonjour Noémie") || !strings.Contains(w.Message, "Équipe team1") || !strings.Contains(w.Message, "bouton ci-dessous") ||
		len(w.Attachments()[0].Actions) != 3 {
		t.Errorf("welcome:\n%s", w.Message)
	}
	// No display name: no name, never the login.
	if got := a.last("dm-u2").Message; strings.Contains(got, "jdupont") || !strings.Contains(got, "Bonjour à vous") {
		t.Errorf("welcome without a display name:\n%s", got)
	}
	for _, u := range []string{"g1", "b1", "bot"} {
		if n := len(a.in("dm-" + u)); n != 0 {
			t.Errorf("%s welcomed", u)
		}
	}
	// Its buttons.
	a.click(t, "u1", w, "parcours")
	if !strings.Contains(a.last("dm-u1").Message, "diagnostic") {
		t.Error("paths button")
	}
	a.click(t, "u1", w, "diagnostic")
	if questionHead(a.last("dm-u1")) == "" {
		t.Error("diagnostic button")
	}
	// Joins missed while down are welcomed from the join messages, once.
	a.api.users["u3"] = &model.User{Id: "u3", Username: "u3"}
	a.api.since = map[string][]*model.Post{"ts": {{Id: "s1", ChannelId: "ts", Type: model.PostTypeJoinTeam, UserId: "u3", CreateAt: model.GetMillis()}}}
	if n, err := a.joins.Reconcile(t.Context(), time.Now().Add(-time.Hour)); err != nil || n != 1 {
		t.Errorf("catch-up welcomed %d (%v), want 1", n, err)
	}
	if n, _ := a.joins.Reconcile(t.Context(), time.Now().Add(-time.Hour)); n != 0 {
		t.Errorf("second catch-up welcomed %d again", n)
	}
	// A direct channel Mattermost is still setting up refuses the first
	// post: the welcome is tried again a moment later (and no « could not
	// post my answer » is left to a newcomer who asked nothing).
	a.api.users["u4"] = &model.User{Id: "u4", Username: "u4"}
	a.api.since["ts"] = append(a.api.since["ts"], &model.Post{Id: "s2", ChannelId: "ts", Type: model.PostTypeJoinTeam, UserId: "u4", CreateAt: model.GetMillis()})
	refused := 0
	a.api.refuse = func(p *model.Post) bool { refused++; return refused <= 1 }
	a.joins.RetryAfter = time.Millisecond
	if n, err := a.joins.Reconcile(t.Context(), time.Now().Add(-time.Hour)); err != nil || n != 1 || len(a.in("dm-u4")) != 1 ||
		!strings.Contains(a.last("dm-u4").Message, "bienvenue") {
		t.Errorf("welcome after a refused post: %d, %v, %d posts", n, err, len(a.in("dm-u4")))
	}
}

func TestWelcomeCommands(t *testing.T) {
	a := newAdapter(t)
	a.api.users["admin"] = &model.User{Id: "admin", Username: "admin", FirstName: "Ana"}
	a.api.users["u2"] = &model.User{Id: "u2", Username: "paul"}
	if got := a.command(t, "admin", "town", "town-square", "bienvenue"); !strings.Contains(got, "Aperçu") || !strings.Contains(got, "Bonjour Ana") {
		t.Errorf("preview:\n%s", got)
	}
	for range 2 {
		if got := a.command(t, "admin", "town", "town-square", "bienvenue @paul"); !strings.Contains(got, "renvoyé") {
			t.Errorf("re-send: %s", got)
		}
	}
	if n := len(a.in("dm-u2")); n != 2 {
		t.Errorf("re-sent %d times, want 2", n)
	}
	if got := a.command(t, "u2", "town", "town-square", "bienvenue @paul"); !strings.Contains(got, "administrateurs") {
		t.Errorf("non-admin: %s", got)
	}
}

// Two users at once never see each other's questions.
func TestConcurrentUsers(t *testing.T) {
	a := newAdapter(t)
	var starts []*model.WebSocketEvent
	for i := range 10 {
		u := fmt.Sprintf("c%d", i)
		starts = append(starts, posted(&model.Post{Id: "start-" + u, UserId: u, ChannelId: "dm-" + u, Message: "diagnostic"}, model.ChannelTypeDirect))
	}
	a.bot.feed(starts...)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := fmt.Sprintf("c%d", i)
			for range 20 {
				p := a.last("dm-" + u)
				if questionHead(p) == "" {
					return
				}
				a.click(t, u, p, "opt1")
			}
		}()
	}
	wg.Wait()
	for i := range 10 {
		u := fmt.Sprintf("c%d", i)
		if h, err := a.diag.History(t.Context(), u); err != nil || h.Latest == nil || h.Latest.UserID != u {
			t.Errorf("%s: %v %+v", u, err, h)
		}
	}
}

func userAdded(channel, team, user string) *model.WebSocketEvent {
	ev := model.NewWebSocketEvent(model.WebsocketEventUserAdded, "", channel, "", nil, "")
	ev.Add("user_id", user)
	ev.Add("team_id", team)
	return ev
}
