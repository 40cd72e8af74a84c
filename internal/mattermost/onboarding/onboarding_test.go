package onboarding

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/command"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/httpapi"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/cloud-pi-native/parcours/internal/metrics"
	"github.com/cloud-pi-native/parcours/internal/quote"
	"github.com/cloud-pi-native/parcours/internal/welcome"
	"github.com/cloud-pi-native/parcours/knowledge"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// fakeAPI keeps posts in memory, as Mattermost would.
type fakeAPI struct {
	mu       sync.Mutex
	posts    map[string]*model.Post
	order    []string
	users    map[string]*model.User
	channels map[string]*model.Channel
	n        int
	failNext bool // the next CreatePost fails, as on a network error
}

func newFakeAPI() *fakeAPI {
	return &fakeAPI{posts: map[string]*model.Post{}, users: map[string]*model.User{}, channels: map[string]*model.Channel{
		"ts":  {Id: "ts", Name: model.DefaultChannelName, TeamId: "team1"},
		"off": {Id: "off", Name: "off-topic", TeamId: "team1"},
	}}
}

func (f *fakeAPI) CreatePost(_ context.Context, p *model.Post) (*model.Post, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failNext {
		f.failNext = false
		return nil, errors.New("502")
	}
	f.n++
	c := p.Clone()
	c.Id = fmt.Sprintf("p%d", f.n)
	c.UserId = "bot"
	c.CreateAt = int64(f.n)
	f.posts[c.Id] = c
	f.order = append(f.order, c.Id)
	return c.Clone(), nil
}

func (f *fakeAPI) GetPost(_ context.Context, id string) (*model.Post, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.posts[id]
	if !ok {
		return nil, errors.New("404")
	}
	return p.Clone(), nil
}

func (f *fakeAPI) PatchPost(_ context.Context, id string, patch *model.PostPatch) (*model.Post, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.posts[id]
	if !ok {
		return nil, errors.New("404")
	}
	p.Patch(patch)
	return p.Clone(), nil
}

// update applies an action response's Update as Mattermost does.
func (f *fakeAPI) update(u *model.Post) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.posts[u.Id]
	p.Message = u.Message
	p.SetProps(u.GetProps())
}

func (f *fakeAPI) DirectChannel(_ context.Context, a, b string) (*model.Channel, error) {
	return &model.Channel{Id: "dm-" + b, Type: model.ChannelTypeDirect}, nil
}

func (f *fakeAPI) GetChannel(_ context.Context, id string) (*model.Channel, error) {
	if ch, ok := f.channels[id]; ok {
		return ch, nil
	}
	return nil, errors.New("404")
}

func (f *fakeAPI) GetUser(_ context.Context, id string) (*model.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u, ok := f.users[id]; ok {
		return u, nil
	}
	return nil, errors.New("404")
}

func (f *fakeAPI) GetUserByUsername(_ context.Context, name string) (*model.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.Username == name {
			return u, nil
		}
	}
	return nil, errors.New("404")
}

func (f *fakeAPI) GetTeam(_ context.Context, id string) (*model.Team, error) {
	return &model.Team{Id: id, DisplayName: "Équipe " + id}, nil
}

func (f *fakeAPI) TownSquares(_ context.Context, userID string) ([]*model.Channel, error) {
	return []*model.Channel{f.channels["ts"]}, nil
}

func (f *fakeAPI) PostsSince(_ context.Context, channelID string, since int64) (*model.PostList, error) {
	l := model.NewPostList()
	for _, p := range f.in(channelID) {
		if p.CreateAt >= since {
			l.AddPost(p)
			l.AddOrder(p.Id)
		}
	}
	return l, nil
}

// system adds a system post (a join message) to a channel.
func (f *fakeAPI) system(channelID, typ, userID string, at time.Time, props map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	p := &model.Post{Id: fmt.Sprintf("s%d", f.n), ChannelId: channelID, Type: typ, UserId: userID, CreateAt: at.UnixMilli()}
	for k, v := range props {
		p.AddProp(k, v)
	}
	f.posts[p.Id] = p
	f.order = append(f.order, p.Id)
}

// in returns the posts of a channel, oldest first.
func (f *fakeAPI) in(channelID string) []*model.Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*model.Post
	for _, id := range f.order {
		if p := f.posts[id]; p.ChannelId == channelID {
			out = append(out, p.Clone())
		}
	}
	return out
}

func (f *fakeAPI) last(channelID string) *model.Post {
	ps := f.in(channelID)
	if len(ps) == 0 {
		return nil
	}
	return ps[len(ps)-1]
}

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

type fakeAsker struct{}

func (fakeAsker) Ask(_ context.Context, q string) (*answer.Answer, error) {
	return &answer.Answer{Query: q, Answered: strings.Contains(q, "devsecops"),
		Passages: []answer.Passage{{Title: "DevSecOps", URL: "https://kb/devsecops", Excerpt: "La démarche."}}}, nil
}

type fixture struct {
	ob       *Onboarding
	api      *fakeAPI
	eng      *diagnostic.Engine
	store    *diagnostic.MemStore
	welcomed *memWelcomed
	signer   *mattermost.Signer
}

func newFixture(t *testing.T, mod func(*Options)) *fixture {
	t.Helper()
	q, err := diagnostic.Load(knowledge.FS, diagnostic.File)
	if err != nil {
		t.Fatal(err)
	}
	st := diagnostic.NewMemStore()
	eng, err := diagnostic.New(diagnostic.Config{Questionnaire: q, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	wm, _, err := welcome.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{api: newFakeAPI(), eng: eng, store: st, welcomed: &memWelcomed{m: map[string]bool{}},
		signer: mattermost.NewSigner([]byte(strings.Repeat("k", 32)), time.Hour)}
	o := Options{API: f.api, BotID: "bot", Diagnostic: eng, Store: st,
		Router:   &conversation.Router{Answers: fakeAsker{}, Diagnostic: eng},
		Welcomed: f.welcomed, Welcome: wm, WelcomeEnabled: true,
		Signer: f.signer, ActionURL: "http://bot/mattermost/action",
		Link:  func(p string) string { return "https://kb/" + p },
		Paths: func(context.Context) string { return "#### Les parcours Cloud Pi Native" },
	}
	if mod != nil {
		mod(&o)
	}
	f.ob, err = New(o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// dm posts text as user in their direct message with the bot.
func (f *fixture) dm(t *testing.T, user, text string) bool {
	t.Helper()
	p := &model.Post{Id: model.NewId(), UserId: user, ChannelId: "dm-" + user, Message: text}
	handled, err := f.ob.Intercept(t.Context(), mattermost.Message{Post: p, ChannelType: model.ChannelTypeDirect, Text: text, RootID: p.Id})
	if err != nil {
		t.Fatal(err)
	}
	return handled
}

// click clicks a button of a post as user, through the signed context as
// the HTTP server does, and applies the response's update.
func (f *fixture) click(t *testing.T, user string, p *model.Post, actionID string) *model.PostActionIntegrationResponse {
	t.Helper()
	var action *model.PostAction
	for _, a := range p.Attachments() {
		for _, x := range a.Actions {
			if x.Id == actionID {
				action = x
			}
		}
	}
	if action == nil {
		t.Fatalf("no button %s on %s", actionID, p.Message)
	}
	tok, _ := action.Integration.Context[mattermost.ContextKey].(string)
	claims, err := f.signer.Verify(tok, user)
	if err != nil {
		t.Fatalf("button context: %v", err)
	}
	req := httpapi.ActionRequest{Claims: claims, UserID: user, PostID: p.Id, ChannelID: p.ChannelId}
	var resp *model.PostActionIntegrationResponse
	switch claims.Action {
	case ActionDiagnostic:
		resp, err = f.ob.HandleClick(t.Context(), req)
	case ActionWelcome:
		resp, err = f.ob.HandleWelcomeClick(t.Context(), req)
	}
	if err != nil {
		t.Fatalf("click: %v", err)
	}
	if resp.Update != nil {
		f.api.update(resp.Update)
	}
	return resp
}

func (f *fixture) get(t *testing.T, id string) *model.Post {
	t.Helper()
	p, err := f.api.GetPost(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestQuestionPostButtonsAreSignedForTheUser(t *testing.T) {
	f := newFixture(t, nil)
	if !f.dm(t, "u1", "faire le diagnostic") {
		t.Fatal("start request not handled")
	}
	p := f.api.last("dm-u1")
	if questionIDOf(p) != diagnostic.AudienceQuestionID || len(p.Attachments()) != 1 {
		t.Fatalf("first post: %q with %d attachments", questionIDOf(p), len(p.Attachments()))
	}
	acts := p.Attachments()[0].Actions
	if len(acts) != 2 || acts[0].Name != "Pour moi" {
		t.Errorf("buttons: %+v", acts)
	}
	tok, _ := acts[0].Integration.Context[mattermost.ContextKey].(string)
	if _, err := f.signer.Verify(tok, "someone-else"); !errors.Is(err, mattermost.ErrWrongUser) {
		t.Errorf("a button of u1 accepted for someone else: %v", err)
	}
	c, err := f.signer.Verify(tok, "u1")
	if err != nil || c.Action != ActionDiagnostic || c.Data["q"] != diagnostic.AudienceQuestionID || c.Data["o"] != diagnostic.AudienceSelfOptionID {
		t.Errorf("claims %+v, %v", c, err)
	}
	if !strings.Contains(p.Message, "1. Pour moi") {
		t.Errorf("options not listed for typing:\n%s", p.Message)
	}
}

func questionIDOf(p *model.Post) string {
	if p == nil {
		return ""
	}
	s, _ := p.GetProp(propQuestion).(string)
	return s
}

func TestDirectMessagesNotForTheDiagnosticGoToTheKnowledgeBase(t *testing.T) {
	f := newFixture(t, nil)
	for _, text := range []string{"comment déployer mon application ?", "2", "à quoi sert le diagnostic ?", "retour"} {
		if f.dm(t, "u1", text) {
			t.Errorf("%q taken by the diagnostic with none in progress", text)
		}
	}
	if n := len(f.api.in("dm-u1")); n != 0 {
		t.Errorf("%d posts", n)
	}
	// "reprendre" with nothing to resume is the diagnostic's to answer.
	if !f.dm(t, "u1", "reprendre") || !strings.Contains(f.api.last("dm-u1").Message, "Rien à reprendre") {
		t.Errorf("reprendre: %+v", f.api.last("dm-u1"))
	}
}

func TestClicksUpdateThePostAndAskTheNext(t *testing.T) {
	f := newFixture(t, nil)
	f.dm(t, "u1", "diagnostic")
	q1 := f.api.last("dm-u1")
	resp := f.click(t, "u1", q1, "opt1")
	if resp.Update == nil || resp.EphemeralText != "" {
		t.Fatalf("response %+v", resp)
	}
	closed := f.get(t, q1.Id)
	if len(closed.Attachments()) != 0 || !strings.Contains(closed.Message, "→ **Pour moi**") || strings.Contains(closed.Message, "1. Pour moi") {
		t.Errorf("answered post:\n%s", closed.Message)
	}
	q2 := f.api.last("dm-u1")
	if questionIDOf(q2) != diagnostic.PerimeterQuestionID {
		t.Fatalf("next %q", questionIDOf(q2))
	}
	// Back button on the perimeter question: the first question again.
	f.click(t, "u1", q2, backID)
	if questionIDOf(f.api.last("dm-u1")) != diagnostic.AudienceQuestionID || len(f.get(t, q2.Id).Attachments()) != 0 {
		t.Error("back button did not ask the first question again")
	}
	// Answer everything by clicking the first option.
	for i := 0; i < 20; i++ {
		p := f.api.last("dm-u1")
		if questionIDOf(p) == "" {
			break
		}
		f.click(t, "u1", p, "opt1")
	}
	r := f.api.last("dm-u1")
	if !strings.Contains(r.Message, "Résultat du diagnostic") || !strings.Contains(r.Message, "https://kb/parcours/") {
		t.Fatalf("result:\n%s", r.Message)
	}
	// Only the result is left without buttons; no question post kept its buttons.
	for _, p := range f.api.in("dm-u1") {
		if len(p.Attachments()) != 0 {
			t.Errorf("post still clickable after the end: %s", p.Message)
		}
	}
	if h, _ := f.eng.History(t.Context(), "u1"); h.Latest == nil {
		t.Error("result not kept")
	}
}

func TestTypedAnswersCloseTheQuestionPost(t *testing.T) {
	f := newFixture(t, nil)
	f.dm(t, "u1", "diagnostic")
	q1 := f.api.last("dm-u1")
	if !f.dm(t, "u1", "2") {
		t.Fatal("typed answer not taken")
	}
	if p := f.get(t, q1.Id); len(p.Attachments()) != 0 || !strings.Contains(p.Message, "→ **Pour mon équipe**") {
		t.Errorf("question answered by typing:\n%s", p.Message)
	}
	q2 := f.api.last("dm-u1")
	// Unclear: the question again, the old post says so.
	f.dm(t, "u1", "bof")
	if p := f.get(t, q2.Id); !strings.Contains(p.Message, "reposée plus bas") || len(p.Attachments()) != 0 {
		t.Errorf("re-prompted question's old post:\n%s", p.Message)
	}
	again := f.api.last("dm-u1")
	if questionIDOf(again) != diagnostic.PerimeterQuestionID || !strings.Contains(again.Message, "Je n'ai pas compris") {
		t.Errorf("re-prompt:\n%s", again.Message)
	}
	// A real question: the answer in its thread, then the question again.
	f.dm(t, "u1", "c'est quoi devsecops ?")
	ps := f.api.in("dm-u1")
	ans, q := ps[len(ps)-2], ps[len(ps)-1]
	if ans.RootId == "" || !strings.Contains(ans.Message, "La démarche") || questionIDOf(q) != diagnostic.PerimeterQuestionID || !strings.Contains(q.Message, "vous attend") {
		t.Errorf("mid-diagnostic question:\n%s\n---\n%s", ans.Message, q.Message)
	}
	// "annuler": paused, the question post closed; numbers are questions again.
	f.dm(t, "u1", "annuler")
	if p := f.get(t, q.Id); !strings.Contains(p.Message, "interrompu") || len(p.Attachments()) != 0 {
		t.Errorf("cancelled question's post:\n%s", p.Message)
	}
	if f.dm(t, "u1", "3") {
		t.Error("an answer while paused taken by the diagnostic")
	}
	if !f.dm(t, "u1", "reprendre") || questionIDOf(f.api.last("dm-u1")) != diagnostic.PerimeterQuestionID {
		t.Error("reprendre did not ask the question again")
	}
}

func TestStaleClicks(t *testing.T) {
	f := newFixture(t, nil)
	f.dm(t, "u1", "diagnostic")
	q1 := f.api.last("dm-u1")
	f.click(t, "u1", q1, "opt1")
	q2 := f.api.last("dm-u1")
	// A restart: the new adapter has not posted q2, a typed answer leaves
	// q2's buttons; a click on them changes nothing and closes it.
	f2 := *f
	var err error
	f2.ob, err = New(f.ob.o)
	if err != nil {
		t.Fatal(err)
	}
	f2.dm(t, "u1", "1") // perimeter: produit
	q3 := f2.api.last("dm-u1")
	if len(f2.get(t, q2.Id).Attachments()) == 0 {
		t.Fatal("test premise: the restarted adapter closed a post it did not know")
	}
	n := len(f2.api.in("dm-u1"))
	resp := f2.click(t, "u1", q2, "opt2")
	if resp.EphemeralText == "" || resp.Update == nil || len(f2.get(t, q2.Id).Attachments()) != 0 {
		t.Errorf("stale click: %+v", resp)
	}
	if len(f2.api.in("dm-u1")) != n {
		t.Error("stale click posted the current question again though it is the last post")
	}
	if s, _ := f.store.GetSession(t.Context(), "u1"); s == nil || len(s.Answers) != 2 || s.Answers[1].Option != "produit" {
		t.Errorf("stale click changed the answers: %+v", s)
	}
	// The current question, clicked, goes on.
	f2.click(t, "u1", q3, "opt1")
	if questionIDOf(f2.api.last("dm-u1")) == questionIDOf(q3) {
		t.Error("current question click after the stale one not taken")
	}
	// After "oublier", an old button says there is nothing in progress.
	last := f2.api.last("dm-u1")
	if _, err := f2.eng.Forget(t.Context(), "u1"); err != nil {
		t.Fatal(err)
	}
	resp = f2.click(t, "u1", last, "opt1")
	if !strings.Contains(resp.EphemeralText, "Aucun diagnostic en cours") {
		t.Errorf("click after forget: %+v", resp)
	}
}

func TestStartFromAChannelMention(t *testing.T) {
	f := newFixture(t, nil)
	p := &model.Post{Id: "m1", UserId: "u1", ChannelId: "town", Message: "@parcours diagnostic pour mon équipe"}
	handled, err := f.ob.Intercept(t.Context(), mattermost.Message{Post: p, ChannelType: model.ChannelTypeOpen, Text: "diagnostic pour mon équipe", RootID: "m1"})
	if err != nil || !handled {
		t.Fatalf("handled %v, %v", handled, err)
	}
	reply := f.api.last("town")
	if reply.RootId != "m1" || !strings.Contains(reply.Message, "message direct") {
		t.Errorf("channel reply %+v", reply)
	}
	q := f.api.last("dm-u1")
	if questionIDOf(q) != diagnostic.PerimeterQuestionID || !strings.Contains(q.Message, "équipe") {
		t.Errorf("team diagnostic in the DM:\n%v", q)
	}
	// Other mentions are the knowledge base's.
	handled, _ = f.ob.Intercept(t.Context(), mattermost.Message{Post: p, ChannelType: model.ChannelTypeOpen, Text: "2", RootID: "m1"})
	if handled {
		t.Error("an answer typed in a channel taken by the diagnostic")
	}
}

func userAdded(channel, team, user string) *model.WebSocketEvent {
	ev := model.NewWebSocketEvent(model.WebsocketEventUserAdded, "", channel, "", nil, "")
	ev.Add("user_id", user)
	ev.Add("team_id", team)
	return ev
}

func TestWelcomeOnJoinOncePerTeam(t *testing.T) {
	f := newFixture(t, nil)
	f.api.users["u1"] = &model.User{Id: "u1", Username: "noemie", FirstName: "Noémie", Roles: "system_user"}
	f.api.users["g1"] = &model.User{Id: "g1", Username: "invite", Roles: "system_guest"}
	f.api.users["b1"] = &model.User{Id: "b1", Username: "autrebot", IsBot: true}
	for _, ev := range []*model.WebSocketEvent{
		userAdded("ts", "team1", "u1"), userAdded("off", "team1", "u1"), userAdded("ts", "team1", "u1"),
		userAdded("ts", "team1", "g1"), userAdded("ts", "team1", "b1"), userAdded("ts", "team1", "bot"),
	} {
		f.ob.OnUserAdded(t.Context(), ev)
	}
	f.ob.Wait()
	ps := f.api.in("dm-u1")
	if len(ps) != 1 {
		t.Fatalf("%d welcomes for u1", len(ps))
	}
	w := ps[0]
	if !strings.Contains(w.Message, "Bonjour Noémie") || !strings.Contains(w.Message, "Équipe team1") || len(w.Attachments()[0].Actions) != 3 {
		t.Errorf("welcome:\n%s", w.Message)
	}
	for _, u := range []string{"g1", "b1", "bot"} {
		if n := len(f.api.in("dm-" + u)); n != 0 {
			t.Errorf("%s welcomed", u)
		}
	}
	// Joining off-topic alone (an existing member) is no join.
	f.api.users["u2"] = &model.User{Id: "u2", Username: "ancien"}
	f.ob.OnUserAdded(t.Context(), userAdded("off", "team1", "u2"))
	f.ob.Wait()
	if len(f.api.in("dm-u2")) != 0 {
		t.Error("welcome on joining a channel that is not the team's default one")
	}
	// The buttons.
	f.click(t, "u1", w, welcomePaths)
	if !strings.Contains(f.api.last("dm-u1").Message, "Les parcours") {
		t.Error("paths button")
	}
	f.click(t, "u1", w, welcomeQuestion)
	if !strings.Contains(f.api.last("dm-u1").Message, "votre question") {
		t.Error("question button")
	}
	f.click(t, "u1", w, welcomeDiagnostic)
	if questionIDOf(f.api.last("dm-u1")) != diagnostic.AudienceQuestionID {
		t.Error("diagnostic button")
	}
}

func TestWelcomeSettings(t *testing.T) {
	off := newFixture(t, func(o *Options) { o.WelcomeEnabled = false })
	off.api.users["u1"] = &model.User{Id: "u1", Username: "a"}
	off.ob.OnUserAdded(t.Context(), userAdded("ts", "team1", "u1"))
	off.ob.Wait()
	if len(off.api.in("dm-u1")) != 0 {
		t.Error("welcome sent with PARCOURS_WELCOME=false")
	}
	guests := newFixture(t, func(o *Options) { o.WelcomeGuests = true })
	guests.api.users["g1"] = &model.User{Id: "g1", Username: "invite", Roles: "system_guest"}
	guests.ob.OnUserAdded(t.Context(), userAdded("ts", "team1", "g1"))
	guests.ob.Wait()
	if len(guests.api.in("dm-g1")) != 1 {
		t.Error("guest not welcomed with PARCOURS_WELCOME_GUESTS=true")
	}
}

func run(t *testing.T, f *fixture, sub string, req command.Request, args ...string) string {
	t.Helper()
	for _, s := range f.ob.Commands() {
		if s.Name == sub {
			r, err := s.Run(t.Context(), req, args)
			if err != nil {
				t.Fatal(err)
			}
			return r.Text
		}
	}
	t.Fatalf("no sub-command %s", sub)
	return ""
}

func TestCommands(t *testing.T) {
	f := newFixture(t, nil)
	req := command.Request{UserID: "u1", UserName: "noemie", ChannelID: "town", TeamID: "team1"}
	if got := run(t, f, "resultat", req); !strings.Contains(got, "pas encore de résultat") {
		t.Errorf("resultat with none: %s", got)
	}
	if got := run(t, f, "diagnostic", req, "equipe"); !strings.Contains(got, "message direct") {
		t.Errorf("diagnostic: %s", got)
	}
	if q := f.api.last("dm-u1"); questionIDOf(q) != diagnostic.PerimeterQuestionID {
		t.Errorf("team diagnostic starts with %q", questionIDOf(q))
	}
	if got := run(t, f, "diagnostic", req, "n'importe"); !strings.Contains(got, "inconnue") {
		t.Errorf("bad option: %s", got)
	}
	if got := run(t, f, "oublier", req); !strings.Contains(got, "diagnostic en cours") || strings.Contains(got, "résultat") {
		t.Errorf("oublier a diagnostic in progress: %s", got)
	}
	if got := run(t, f, "oublier", req); !strings.Contains(got, "rien à effacer") {
		t.Errorf("oublier again: %s", got)
	}
	// Two results: the latest and the change since the previous.
	for range 2 {
		run(t, f, "diagnostic", command.Request{UserID: "u1", ChannelID: "dm-u1"}, "moi", "recommencer")
		for i := 0; i < 20; i++ {
			p := f.api.last("dm-u1")
			if questionIDOf(p) == "" {
				break
			}
			f.click(t, "u1", p, "opt2")
		}
	}
	got := run(t, f, "resultat", req)
	if !strings.Contains(got, "Résultat du diagnostic") || !strings.Contains(got, "Depuis le diagnostic du") || !strings.Contains(got, "2 résultat(s)") {
		t.Errorf("resultat:\n%s", got)
	}
	if got := run(t, f, "oublier", req); !strings.Contains(got, "2 résultats") {
		t.Errorf("oublier: %s", got)
	}
	// Welcome preview and re-send.
	f.api.users["u1"] = &model.User{Id: "u1", Username: "noemie", FirstName: "Noémie"}
	if got := run(t, f, "bienvenue", req); !strings.Contains(got, "Aperçu") || !strings.Contains(got, "Bonjour Noémie") || !strings.Contains(got, "[Faire le diagnostic]") {
		t.Errorf("preview:\n%s", got)
	}
	f.api.users["u2"] = &model.User{Id: "u2", Username: "paul"}
	n := len(f.api.in("dm-u2"))
	if got := run(t, f, "bienvenue", req, "@paul"); !strings.Contains(got, "renvoyé") {
		t.Errorf("re-send: %s", got)
	}
	run(t, f, "bienvenue", req, "@paul")
	if len(f.api.in("dm-u2")) != n+2 {
		t.Errorf("re-sent %d times, want 2", len(f.api.in("dm-u2"))-n)
	}
	if got := run(t, f, "bienvenue", req, "@personne"); !strings.Contains(got, "introuvable") {
		t.Errorf("unknown user: %s", got)
	}
	f.api.users["b1"] = &model.User{Id: "b1", Username: "robot", IsBot: true}
	if got := run(t, f, "bienvenue", req, "@robot"); !strings.Contains(got, "bot") {
		t.Errorf("re-send to a bot: %s", got)
	}
}

// Two users at once never see each other's questions.
func TestConcurrentUsers(t *testing.T) {
	f := newFixture(t, nil)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := fmt.Sprintf("u%d", i)
			f.dm(t, u, "diagnostic")
			for j := 0; j < 20; j++ {
				p := f.api.last("dm-" + u)
				if questionIDOf(p) == "" {
					return
				}
				f.click(t, u, p, "opt1")
			}
		}()
	}
	wg.Wait()
	for i := range 20 {
		h, err := f.eng.History(t.Context(), fmt.Sprintf("u%d", i))
		if err != nil || h.Latest == nil || h.Latest.UserID != fmt.Sprintf("u%d", i) {
			t.Errorf("u%d: %v %+v", i, err, h)
		}
	}
}

func TestReconcileWelcomesJoinsMissedWhileDown(t *testing.T) {
	f := newFixture(t, nil)
	now := time.Now()
	for _, id := range []string{"old", "u1", "u2", "u3", "b1"} {
		f.api.users[id] = &model.User{Id: id, Username: id}
	}
	f.api.users["b1"].IsBot = true
	f.api.system("ts", model.PostTypeJoinTeam, "old", now.Add(-2*time.Hour), nil)
	f.api.system("ts", model.PostTypeJoinTeam, "u1", now.Add(-time.Minute), nil)
	f.api.system("ts", model.PostTypeAddToTeam, "admin", now.Add(-time.Minute), map[string]any{model.PostPropsAddedUserId: "u2"})
	f.api.system("ts", model.PostTypeLeaveTeam, "u3", now.Add(-time.Minute), nil)
	f.api.system("ts", model.PostTypeJoinTeam, "b1", now.Add(-time.Minute), nil)
	f.welcomed.MarkWelcomed(t.Context(), "team1", "u1") // welcomed by the event already
	n, err := f.ob.Reconcile(t.Context(), now.Add(-time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("welcomed %d (%v), want 1: u2 only", n, err)
	}
	if len(f.api.in("dm-u2")) != 1 {
		t.Error("u2, added by an admin while the bot was down, not welcomed")
	}
	for _, u := range []string{"old", "u1", "u3", "b1"} {
		if len(f.api.in("dm-"+u)) != 0 {
			t.Errorf("%s welcomed by the catch-up", u)
		}
	}
	if n, _ := f.ob.Reconcile(t.Context(), now.Add(-time.Hour)); n != 0 {
		t.Errorf("second catch-up welcomed %d again", n)
	}
}

func TestDoubleClickAndAHalfFailedClick(t *testing.T) {
	f := newFixture(t, nil)
	f.dm(t, "u1", "diagnostic")
	q1 := f.api.last("dm-u1")
	f.click(t, "u1", q1, "opt1")
	n := len(f.api.in("dm-u1"))
	// The same button again (a double click seen before the update).
	resp := f.click(t, "u1", q1, "opt1")
	if !strings.Contains(resp.EphemeralText, "déjà prise en compte") || len(f.api.in("dm-u1")) != n {
		t.Errorf("double click: %+v, %d posts (was %d)", resp, len(f.api.in("dm-u1")), n)
	}
	// The answer is recorded but the next question cannot be posted: the
	// click fails, and clicking again posts the next question.
	q2 := f.api.last("dm-u1")
	f.api.failNext = true
	claims := func(p *model.Post, id string) *mattermost.Claims {
		for _, a := range p.Attachments()[0].Actions {
			if a.Id == id {
				c, _ := f.signer.Verify(a.Integration.Context[mattermost.ContextKey].(string), "u1")
				return c
			}
		}
		return nil
	}
	if _, err := f.ob.HandleClick(t.Context(), httpapi.ActionRequest{Claims: claims(q2, "opt1"), UserID: "u1", PostID: q2.Id}); err == nil {
		t.Fatal("a click whose next question could not be posted reported no error")
	}
	f.click(t, "u1", q2, "opt1")
	next := f.api.last("dm-u1")
	if questionIDOf(next) == "" || questionIDOf(next) == diagnostic.PerimeterQuestionID || len(next.Attachments()) == 0 {
		t.Errorf("after the failed click, the next question was not posted:\n%s", next.Message)
	}
}

// Question buttons live as long as the diagnostic, not the shorter validity
// of answer buttons.
func TestQuestionButtonsLastAsLongAsTheDiagnostic(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.ButtonTTL = 72 * time.Hour })
	f.dm(t, "u1", "diagnostic")
	a := f.api.last("dm-u1").Attachments()[0].Actions[0]
	c, err := f.signer.Verify(a.Integration.Context[mattermost.ContextKey].(string), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if left := time.Until(time.Unix(c.Expires, 0)); left < 71*time.Hour {
		t.Errorf("button valid %v, want the diagnostic's 72h (the signer's own is 1h)", left)
	}
}

func TestStepsAndWelcomesAreCounted(t *testing.T) {
	m := metrics.New()
	f := newFixture(t, func(o *Options) { o.Metrics = m })
	if !f.dm(t, "u1", "faire le diagnostic") {
		t.Fatal("a start request in a DM is the diagnostic's")
	}
	f.dm(t, "u1", "1")
	if got := testutil.ToFloat64(m.DiagnosticSteps.WithLabelValues("question")); got != 2 {
		t.Errorf("question steps counted = %v, want 2", got)
	}
	f.api.users["u1"] = &model.User{Id: "u1", Username: "noemie", FirstName: "Noémie", Roles: "system_user"}
	if _, err := f.ob.Welcome(t.Context(), "team1", "u1", false); err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(m.Welcomes); got != 1 {
		t.Errorf("welcomes counted = %v, want 1", got)
	}
}

// The words of a sub-command are echoed without live mentions.
func TestCommandEchoesNeverPing(t *testing.T) {
	f := newFixture(t, nil)
	req := command.Request{UserID: "u1", UserName: "noemie", ChannelID: "town", TeamID: "team1"}
	for _, c := range [][]string{{"diagnostic", "@channel"}, {"bienvenue", "@here"}, {"bienvenue", "channel"}} {
		got := run(t, f, c[0], req, c[1:]...)
		if m := quote.LiveMentions(got); len(m) != 0 {
			t.Errorf("%v: mentions %v in %q", c, m, got)
		}
	}
}
