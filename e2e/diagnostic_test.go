//go:build e2e

package e2e

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/mmtest"
	"github.com/mattermost/mattermost/server/public/model"
)

// diagWait bounds a whole diagnostic conversation.
const diagWait = 90 * time.Second

// member is a fresh user of the team, with their direct channel with the bot.
type member struct {
	user *model.User
	c    *model.Client4
	dm   *model.Channel
	seen map[string]bool // question posts already handled
}

func newMember(t *testing.T, env *mmtest.Env, name string) *member {
	t.Helper()
	u, tok := env.CreateUser(t, name)
	env.AddToTeam(t, u.Id)
	c := env.Client(t, tok)
	return &member{user: u, c: c, dm: mmtest.DirectChannel(t, c, env.BotUserID), seen: map[string]bool{}}
}

func questionID(p *model.Post) string {
	s, _ := p.GetProp("parcours_question").(string)
	return s
}

// nextQuestion waits for the bot's newest question post that still has its
// buttons and was not handled yet.
func (m *member) nextQuestion(t *testing.T, ctx context.Context, env *mmtest.Env) *model.Post {
	t.Helper()
	p := mmtest.WaitForPost(t, ctx, m.c, m.dm.Id, func(p *model.Post) bool {
		return p.UserId == env.BotUserID && !m.seen[p.Id] && questionID(p) != "" && len(p.Attachments()) > 0
	})
	m.seen[p.Id] = true
	return p
}

// result waits for the bot's result post.
func (m *member) result(t *testing.T, ctx context.Context, env *mmtest.Env) *model.Post {
	t.Helper()
	return mmtest.WaitForPost(t, ctx, m.c, m.dm.Id, func(p *model.Post) bool {
		return p.UserId == env.BotUserID && strings.Contains(p.Message, "Résultat du diagnostic")
	})
}

// click clicks the button actionID of post as the member, as the web client
// does; Mattermost calls the bot's action URL.
func (m *member) click(t *testing.T, p *model.Post, actionID string) {
	t.Helper()
	if resp, err := m.c.DoPostAction(t.Context(), p.Id, actionID); err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("click %s on %q: HTTP %d %v", actionID, questionID(p), status, err)
	}
}

func (m *member) post(t *testing.T, text string) *model.Post {
	t.Helper()
	return mmtest.Post(t, m.c, m.dm.Id, "", text)
}

func (m *member) get(t *testing.T, id string) *model.Post {
	t.Helper()
	p, _, err := m.c.GetPost(t.Context(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func actionIDs(p *model.Post) []string {
	var ids []string
	for _, a := range p.Attachments() {
		for _, x := range a.Actions {
			ids = append(ids, x.Id)
		}
	}
	return ids
}

// assertAnswered checks that a question post lost its buttons and shows the
// answer.
func (m *member) assertAnswered(t *testing.T, id string) {
	t.Helper()
	p := m.get(t, id)
	if len(p.Attachments()) != 0 || !strings.Contains(p.Message, "→ **") {
		t.Errorf("answered question %q still has buttons or no answer:\n%s\n%v", questionID(p), p.Message, actionIDs(p))
	}
}

func TestDiagnosticByButtons(t *testing.T) {
	env, bot := sharedBot(t)
	m := newMember(t, env, "diag-boutons")
	ctx, cancel := context.WithTimeout(t.Context(), diagWait)
	defer cancel()

	resp, err := mmtest.ExecuteCommandWithTeam(t, m.c, m.dm.Id, env.TeamID, "/parcours diagnostic")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp.Text, "C'est parti") {
		t.Errorf("/parcours diagnostic in the DM: %q", resp.Text)
	}
	var questions []string
	var clicks []time.Duration
	for i := 0; i < 20; i++ {
		q := m.nextQuestion(t, ctx, env)
		questions = append(questions, questionID(q))
		ids := actionIDs(q)
		if len(ids) < 2 {
			t.Fatalf("question %q has buttons %v", questionID(q), ids)
		}
		if i == 0 && !strings.Contains(q.Message, "diagnostic") {
			t.Errorf("first question without the introduction:\n%s", q.Message)
		}
		// "moi", "sre", then the second option of each practice question.
		choice := "opt2"
		if questionID(q) == "pour-qui" {
			choice = "opt1"
		}
		t0 := time.Now()
		m.click(t, q, choice)
		clicks = append(clicks, time.Since(t0))
		m.assertAnswered(t, q.Id)
		if i >= 2 && !slices.Contains(ids, "retour") {
			t.Errorf("practice question %q without a back button: %v", questionID(q), ids)
		}
		// Done when the result is there.
		l, _, _ := m.c.GetPostsSince(t.Context(), m.dm.Id, q.CreateAt, false)
		done := false
		for _, p := range l.Posts {
			if p.UserId == env.BotUserID && strings.Contains(p.Message, "Résultat du diagnostic") {
				done = true
			}
		}
		if done {
			break
		}
	}
	if len(questions) < 8 || questions[0] != "pour-qui" || questions[1] != "perimetre" {
		t.Errorf("questions asked: %v", questions)
	}
	r := m.result(t, ctx, env)
	for _, want := range []string{"Parcours conseillé", "SRE", "Pour commencer", "Scores", bot.URL + "/kb/"} {
		if !strings.Contains(r.Message, want) {
			t.Errorf("result lacks %q:\n%s", want, r.Message)
		}
	}
	slices.Sort(clicks)
	t.Logf("%d questions; click round trip (Mattermost, bot, post update, next question) median %v, max %v; result:\n%s",
		len(questions), clicks[len(clicks)/2], clicks[len(clicks)-1], r.Message)

	// The result is kept.
	resp, err = mmtest.ExecuteCommandWithTeam(t, m.c, m.dm.Id, env.TeamID, "/parcours resultat")
	if err != nil || !strings.Contains(resp.Text, "Résultat du diagnostic") || !strings.Contains(resp.Text, "1 résultat gardé") {
		t.Fatalf("/parcours resultat: %v\n%+v", err, resp)
	}
}

// typeAndWait posts text in the DM and waits for the bot's next post.
func (m *member) typeAndWait(t *testing.T, ctx context.Context, env *mmtest.Env, text string, match func(*model.Post) bool) *model.Post {
	t.Helper()
	sent := m.post(t, text)
	return mmtest.WaitForPost(t, ctx, m.c, m.dm.Id, func(p *model.Post) bool {
		return p.UserId == env.BotUserID && p.CreateAt >= sent.CreateAt && !m.seen[p.Id] && match(p)
	})
}

func isQuestion(p *model.Post) bool { return questionID(p) != "" && len(p.Attachments()) > 0 }

func TestDiagnosticByTypedAnswers(t *testing.T) {
	env, _ := sharedBot(t)
	m := newMember(t, env, "diag-texte")
	ctx, cancel := context.WithTimeout(t.Context(), diagWait)
	defer cancel()

	q := m.typeAndWait(t, ctx, env, "je voudrais faire le diagnostic", isQuestion)
	m.seen[q.Id] = true
	if questionID(q) != "pour-qui" {
		t.Fatalf("first question %q", questionID(q))
	}
	q2 := m.typeAndWait(t, ctx, env, "1", isQuestion) // pour moi
	m.seen[q2.Id] = true
	m.assertAnswered(t, q.Id)
	if questionID(q2) != "perimetre" {
		t.Fatalf("after « 1 »: %q", questionID(q2))
	}
	// "retour" asks the first question again; the perimeter's post loses its buttons.
	back := m.typeAndWait(t, ctx, env, "retour", isQuestion)
	m.seen[back.Id] = true
	if questionID(back) != "pour-qui" {
		t.Errorf("after « retour »: %q", questionID(back))
	}
	if p := m.get(t, q2.Id); len(p.Attachments()) != 0 {
		t.Errorf("the question left by « retour » kept its buttons")
	}
	q2 = m.typeAndWait(t, ctx, env, "b", isQuestion) // by letter: "b" = pour mon équipe
	m.seen[q2.Id] = true
	if questionID(q2) != "perimetre" || !strings.Contains(q2.Message, "équipe") {
		t.Errorf("team mode perimeter question:\n%s", q2.Message)
	}
	// Unclear answer: a short re-prompt with the question again.
	re := m.typeAndWait(t, ctx, env, "bof", isQuestion)
	m.seen[re.Id] = true
	if questionID(re) != "perimetre" || !strings.Contains(re.Message, "Je n'ai pas compris") {
		t.Errorf("re-prompt:\n%s", re.Message)
	}
	// An option's words.
	q3 := m.typeAndWait(t, ctx, env, "projet", isQuestion)
	m.seen[q3.Id] = true
	if questionID(q3) == "perimetre" {
		t.Fatalf("« projet » not understood:\n%s", q3.Message)
	}
	// A real question mid-diagnostic: answered in its thread, then the
	// question again.
	ask := m.post(t, "c'est quoi devsecops en gros ?")
	answer := mmtest.WaitForReply(t, ctx, m.c, ask, fromBot(env))
	if !strings.Contains(answer.Message, "/kb/") {
		t.Errorf("mid-diagnostic question not answered:\n%s", answer.Message)
	}
	again := mmtest.WaitForPost(t, ctx, m.c, m.dm.Id, func(p *model.Post) bool {
		return p.UserId == env.BotUserID && isQuestion(p) && !m.seen[p.Id]
	})
	m.seen[again.Id] = true
	if questionID(again) != questionID(q3) || !strings.Contains(again.Message, "vous attend") {
		t.Errorf("pending question not asked again after the answer:\n%s", again.Message)
	}
	// The rest by numbers, "passer" once.
	answers := []string{"passer", "3", "2", "4", "1", "2", "3", "2", "1", "2"}
	var r *model.Post
	for i := 0; r == nil; i++ {
		if i >= len(answers) {
			t.Fatal("no result after all the answers")
		}
		p := m.typeAndWait(t, ctx, env, answers[i], func(p *model.Post) bool {
			return isQuestion(p) || strings.Contains(p.Message, "Résultat du diagnostic")
		})
		m.seen[p.Id] = true
		if !isQuestion(p) {
			r = p
		}
	}
	if !strings.Contains(r.Message, "votre équipe") || !regexp.MustCompile(`questions? passées?`).MatchString(r.Message) {
		t.Errorf("team result:\n%s", r.Message)
	}
	// After the end, a number is a question again, not an answer.
	if active, err := mustBot(t).Diagnostic.Active(t.Context(), m.user.Id); err != nil || active {
		t.Errorf("diagnostic still active after its result: %v %v", active, err)
	}
}

// restartShared stops the shared bot and starts a new one on its data
// folder, as a redeployment does.
func restartShared(t *testing.T, env *mmtest.Env) *botUnderTest {
	t.Helper()
	return restartSharedAfter(t, env, nil)
}

// restartSharedAfter is restartShared running during while the bot is down.
func restartSharedAfter(t *testing.T, env *mmtest.Env, during func()) *botUnderTest {
	t.Helper()
	_, bot := sharedBot(t)
	dir, addr := bot.Config.DataDir, bot.Addr.String()
	bot.stop()
	if during != nil {
		during()
	}
	restarted, err := startBotAt(context.Background(), env, dir, os.Stderr, addr)
	if err != nil {
		t.Fatalf("restarting the bot: %v", err)
	}
	shared = restarted
	stopShared = func() { restarted.stop(); os.RemoveAll(dir) }
	return restarted
}

func mustBot(t *testing.T) *botUnderTest {
	t.Helper()
	_, b := sharedBot(t)
	return b
}

// The bot restarts in the middle of a diagnostic: the question posted
// before the restart still works, and the diagnostic goes on.
func TestDiagnosticSurvivesRestart(t *testing.T) {
	env, _ := sharedBot(t)
	m := newMember(t, env, "diag-redemarrage")
	ctx, cancel := context.WithTimeout(t.Context(), diagWait)
	defer cancel()

	// Started from a channel: the questions come in the DM.
	env.AddToChannel(t, env.ChannelID, m.user.Id)
	resp, err := mmtest.ExecuteCommand(t, m.c, env.ChannelID, "/parcours diagnostic moi")
	if err != nil || !strings.Contains(resp.Text, "message direct") {
		t.Fatalf("/parcours diagnostic from a channel: %v %+v", err, resp)
	}
	q := m.nextQuestion(t, ctx, env)
	if questionID(q) != "perimetre" {
		t.Fatalf("with « moi » the first question is %q", questionID(q))
	}
	m.click(t, q, "opt1") // produit
	for i := 0; i < 2; i++ {
		q = m.nextQuestion(t, ctx, env)
		m.click(t, q, "opt3")
	}
	before := m.nextQuestion(t, ctx, env) // current question, posted before the restart

	restarted := restartShared(t, env)
	// The button posted before the restart answers the current question.
	m.click(t, before, "opt2")
	m.assertAnswered(t, before.Id)
	next := m.nextQuestion(t, ctx, env)
	if questionID(next) == questionID(before) {
		t.Fatal("the click after the restart did not move on")
	}
	// Another restart, then a typed answer: the new bot did not post that
	// question, so its post keeps its buttons; a click on it is now a
	// click on an old question, which changes nothing.
	restarted = restartShared(t, env)
	after := m.typeAndWait(t, ctx, env, "2", isQuestion)
	m.seen[after.Id] = true
	if questionID(after) == questionID(next) {
		t.Fatalf("typed answer after the restart not taken:\n%s", after.Message)
	}
	m.click(t, next, "opt1")
	if p := m.get(t, next.Id); len(p.Attachments()) != 0 {
		t.Error("the old question kept its buttons after a stale click")
	}
	if h, err := restarted.Diagnostic.History(t.Context(), m.user.Id); err != nil || h.Latest != nil {
		t.Fatalf("stale click finished something: %v %+v", err, h)
	}
	// Finish with clicks on the current questions.
	q = after
	for i := 0; i < 15; i++ {
		m.click(t, q, "opt2")
		l, _, _ := m.c.GetPostsSince(t.Context(), m.dm.Id, q.CreateAt, false)
		finished := false
		for _, p := range l.Posts {
			finished = finished || p.UserId == env.BotUserID && strings.Contains(p.Message, "Résultat du diagnostic")
		}
		if finished {
			break
		}
		q = m.nextQuestion(t, ctx, env)
	}
	r := m.result(t, ctx, env)
	if !strings.Contains(r.Message, "Parcours conseillé") {
		t.Errorf("result:\n%s", r.Message)
	}
	h, err := restarted.Diagnostic.History(t.Context(), m.user.Id)
	if err != nil || h.Latest == nil || h.Latest.Perimeter != "produit" || h.Latest.Answered < 5 {
		t.Fatalf("result kept: %v %+v", err, h.Latest)
	}

	// Forget: results and nothing else left.
	resp, err = mmtest.ExecuteCommand(t, m.c, env.ChannelID, "/parcours oublier")
	if err != nil || !strings.Contains(resp.Text, "1 résultat") {
		t.Fatalf("/parcours oublier: %v %+v", err, resp)
	}
	resp, err = mmtest.ExecuteCommand(t, m.c, env.ChannelID, "/parcours resultat")
	if err != nil || !strings.Contains(resp.Text, "pas encore de résultat") {
		t.Fatalf("/parcours resultat after oublier: %v %+v", err, resp)
	}
	resp, err = mmtest.ExecuteCommand(t, m.c, env.ChannelID, "/parcours aide")
	if err != nil || !strings.Contains(resp.Text, "RGPD") {
		t.Errorf("help does not mention the erasure right: %v %+v", err, resp)
	}
}

func TestWelcomeOncePerTeam(t *testing.T) {
	env, bot := sharedBot(t)
	ctx, cancel := context.WithTimeout(t.Context(), diagWait)
	defer cancel()
	u, tok := env.CreateUser(t, "nouveau")
	c := env.Client(t, tok)
	admin := env.AdminClient(t)
	if _, _, err := admin.PatchUser(t.Context(), u.Id, &model.UserPatch{FirstName: model.NewPointer("Noémie")}); err != nil {
		t.Fatal(err)
	}
	env.AddToTeam(t, u.Id)
	dm := mmtest.DirectChannel(t, c, env.BotUserID)
	isWelcome := func(p *model.Post) bool {
		return p.UserId == env.BotUserID && strings.Contains(p.Message, "bienvenue dans")
	}
	w := mmtest.WaitForPost(t, ctx, c, dm.Id, isWelcome)
	if !strings.Contains(w.Message, "Noémie") || len(actionIDs(w)) != 3 {
		t.Errorf("welcome without the name or its three buttons %v:\n%s", actionIDs(w), w.Message)
	}
	// Leaving and joining again: no second welcome.
	if _, err := admin.RemoveTeamMember(t.Context(), env.TeamID, u.Id); err != nil {
		t.Fatal(err)
	}
	env.AddToTeam(t, u.Id)
	mmtest.AssertSilent(t, ctx, c, env.BotUserID, dm.Id, func(p *model.Post) bool { return isWelcome(p) && p.Id != w.Id })

	// The buttons: the paths, then the diagnostic.
	if _, err := c.DoPostAction(t.Context(), w.Id, "parcours"); err != nil {
		t.Fatal(err)
	}
	mmtest.WaitForPost(t, ctx, c, dm.Id, func(p *model.Post) bool {
		return p.UserId == env.BotUserID && strings.Contains(p.Message, "Les parcours Cloud Pi Native")
	})
	if _, err := c.DoPostAction(t.Context(), w.Id, "diagnostic"); err != nil {
		t.Fatal(err)
	}
	q := mmtest.WaitForPost(t, ctx, c, dm.Id, func(p *model.Post) bool { return p.UserId == env.BotUserID && isQuestion(p) })
	if questionID(q) != "pour-qui" {
		t.Errorf("welcome's diagnostic button: %q", questionID(q))
	}

	// Admin preview and re-send; refused to a user.
	resp, err := mmtest.ExecuteCommand(t, admin, env.ChannelID, "/parcours bienvenue")
	if err != nil || !strings.Contains(resp.Text, "Aperçu") || !strings.Contains(resp.Text, "Faire le diagnostic") {
		t.Errorf("preview: %v %+v", err, resp)
	}
	resp, err = mmtest.ExecuteCommand(t, admin, env.ChannelID, "/parcours bienvenue @"+u.Username)
	if err != nil || !strings.Contains(resp.Text, "renvoyé") {
		t.Fatalf("re-send: %v %+v", err, resp)
	}
	mmtest.WaitForPost(t, ctx, c, dm.Id, func(p *model.Post) bool { return isWelcome(p) && p.Id != w.Id })
	resp, err = mmtest.ExecuteCommand(t, env.UserClient(t, "alice"), env.ChannelID, "/parcours bienvenue @"+u.Username)
	if err != nil || !strings.Contains(resp.Text, "réservée aux administrateurs") {
		t.Errorf("re-send by a user: %v %+v", err, resp)
	}

	// A bot joining the team is not welcomed.
	b, _, err := admin.CreateBot(t.Context(), &model.Bot{Username: "autrebot" + strings.ToLower(model.NewId()[:6]), DisplayName: "Autre bot"})
	if err != nil {
		t.Fatal(err)
	}
	env.AddToTeam(t, b.UserId)
	time.Sleep(2 * time.Second)
	first, err := bot.Store.MarkWelcomed(t.Context(), env.TeamID, b.UserId)
	if err != nil || !first {
		t.Errorf("a bot was welcomed (first=%v, %v)", first, err)
	}
	_ = bot.Store.ForgetWelcome(t.Context(), env.TeamID, b.UserId)
}

// Someone who joins while the bot is stopped is welcomed once it is back,
// from the team's join messages.
func TestWelcomeForJoinWhileBotDown(t *testing.T) {
	env, _ := sharedBot(t)
	ctx, cancel := context.WithTimeout(t.Context(), diagWait)
	defer cancel()
	u, tok := env.CreateUser(t, "pendant-arret")
	restartSharedAfter(t, env, func() { env.AddToTeam(t, u.Id) })
	c := env.Client(t, tok)
	dm := mmtest.DirectChannel(t, c, env.BotUserID)
	w := mmtest.WaitForPost(t, ctx, c, dm.Id, func(p *model.Post) bool {
		return p.UserId == env.BotUserID && strings.Contains(p.Message, "bienvenue dans")
	})
	mmtest.AssertSilent(t, ctx, c, env.BotUserID, dm.Id, func(p *model.Post) bool {
		return p.UserId == env.BotUserID && strings.Contains(p.Message, "bienvenue dans") && p.Id != w.Id
	})
}

// A mention asking for the diagnostic in a channel starts it in the DM.
func TestDiagnosticRequestedByMentionInChannel(t *testing.T) {
	env, _ := sharedBot(t)
	m := newMember(t, env, "diag-mention")
	env.AddToChannel(t, env.ChannelID, m.user.Id)
	ctx, cancel := context.WithTimeout(t.Context(), diagWait)
	defer cancel()
	ask := mmtest.Post(t, m.c, env.ChannelID, "", "@"+env.BotUsername+" je veux faire le test de maturité pour mon équipe")
	r := mmtest.WaitForReply(t, ctx, m.c, ask, fromBot(env))
	if !strings.Contains(r.Message, "message direct") {
		t.Errorf("channel reply:\n%s", r.Message)
	}
	q := m.nextQuestion(t, ctx, env)
	if questionID(q) != "perimetre" || !strings.Contains(q.Message, "équipe") {
		t.Errorf("team diagnostic in the DM:\n%s", q.Message)
	}
	// Nothing of the diagnostic in the channel.
	mmtest.AssertSilent(t, ctx, m.c, env.BotUserID, env.ChannelID, func(p *model.Post) bool {
		return p.UserId == env.BotUserID && questionID(p) != ""
	})
}
