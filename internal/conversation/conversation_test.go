package conversation

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/metrics"
)

func TestQuestionsAreAnsweredAndRecordedOnce(t *testing.T) {
	m := metrics.New()
	f := newFixture(t, func(c *Config) { c.Metrics = m })
	b := &box{}
	got := f.say(t, b, "u1", "c'est quoi k8s ?")
	if len(got) != 1 || got[0].Answer == nil || !got[0].Answer.Answered || got[0].To != ToThread {
		t.Fatalf("one answer in the thread expected: %+v", got)
	}
	if !strings.Contains(got[0].Text, "Voici ce que dit la base de connaissances") || !strings.Contains(got[0].Text, "pratiques/conteneurs-kubernetes.md") {
		t.Errorf("answer:\n%s", got[0].Text)
	}
	if len(got[0].Choices) != 2 || got[0].Choices[0].Label != "Utile" || !got[0].Choices[0].Optional {
		t.Errorf("feedback choices: %+v", got[0].Choices)
	}
	f.sayIn(t, b, Message{User: User{ID: "u2"}, Place: Channel, Text: "quel temps fera-t-il demain ?"})
	if len(f.questions.qs) != 2 {
		t.Fatalf("recorded %d questions, want 2", len(f.questions.qs))
	}
	q0, q1 := f.questions.qs[0], f.questions.qs[1]
	if q0.Tier != answer.TierSure || q0.Place != Direct || q0.User != "u1" || q0.Page != "pratiques/conteneurs-kubernetes.md" || q1.Tier != answer.TierNone || q1.Place != Channel {
		t.Errorf("recorded %+v", f.questions.qs)
	}
	if testutil.ToFloat64(m.Questions.WithLabelValues("answered")) != 1 || testutil.ToFloat64(m.Questions.WithLabelValues("not_found")) != 1 {
		t.Error("questions not counted by outcome")
	}
}

// Every tier is worded by the conversation, once: a tentative answer says
// it is not sure and shows the closest pages.
func TestTiersAreWordedOnce(t *testing.T) {
	a := &answer.Answer{Query: "q", Tier: answer.TierTentative, Answered: true,
		Passages: []answer.Passage{{Title: "Secrets", PageTitle: "Secrets", URL: "https://kb/secrets", Excerpt: "Les **secrets**.", Score: 1}}}
	r := AnswerReply(a)
	if !strings.HasPrefix(r.Text, "Je ne suis pas sûr d'avoir la bonne réponse ; voici les pages les plus proches :") ||
		!strings.Contains(r.Text, "**[Secrets](https://kb/secrets)**\n> Les **secrets**.") {
		t.Errorf("tentative:\n%s", r.Text)
	}
	a.Lang = "en"
	if r := AnswerReply(a); !strings.HasPrefix(r.Text, "I am not sure") || r.Choices[0].Label != "Useful" {
		t.Errorf("English tentative:\n%s", r.Text)
	}
	// The rare words the pages lack are named, quoted like any user text.
	a.Lang, a.Missing = "", []string{"SharePoint"}
	if r := AnswerReply(a); !strings.HasPrefix(r.Text, "Je ne suis pas sûr d'avoir la bonne réponse (« SharePoint » n'apparaît pas dans la base) ; voici les pages les plus proches :") {
		t.Errorf("tentative with a missing word:\n%s", r.Text)
	}
	a.Missing = []string{"@channel", "x*y"}
	if r := AnswerReply(a); !strings.Contains(r.Text, "(« @\u200bchannel », « x\\*y » n'apparaissent pas dans la base)") {
		t.Errorf("tentative with missing words:\n%q", r.Text)
	}
	a.Lang = "en"
	if r := AnswerReply(a); !strings.HasPrefix(r.Text, "I am not sure I have the right answer (the knowledge base never mentions “@\u200bchannel”, “x\\*y”); here are the closest pages:") {
		t.Errorf("English tentative with missing words:\n%q", r.Text)
	}
	none := AnswerReply(&answer.Answer{Query: "@channel la météo", Tier: answer.TierNone})
	if !strings.HasPrefix(none.Text, "Je n'ai pas trouvé de réponse sûre à « @\u200bchannel la météo »") || len(none.Choices) != 0 {
		t.Errorf("none:\n%q", none.Text)
	}
}

// Rough edge: a question asked during the diagnostic is answered, then the
// pending question is asked again, without « Je n'ai pas compris ».
func TestQuestionDuringTheDiagnostic(t *testing.T) {
	m := metrics.New()
	f := newFixture(t, func(c *Config) { c.Metrics = m })
	b := &box{}
	f.say(t, b, "u1", "diagnostic")
	f.say(t, b, "u1", "1")
	pending := last(f.say(t, b, "u1", "1"))
	got := f.say(t, b, "u1", "c'est quoi une mise en production ?")
	if len(got) != 2 || got[0].Answer == nil || got[0].To != ToThread {
		t.Fatalf("the answer first, then the question: %s", texts(got))
	}
	again := got[1]
	if question(again) != question(pending) || !strings.HasPrefix(again.Text, "Le diagnostic vous attend :") || strings.Contains(again.Text, "compris") {
		t.Errorf("the pending question again, without « Je n'ai pas compris »:\n%s", again.Text)
	}
	if b.closed[pending.id] != "_Question reposée plus bas._" {
		t.Errorf("the earlier message of the question: %q", b.closed[pending.id])
	}
	// Small talk in the middle: answered, then the question again.
	got = f.say(t, b, "u1", "merci")
	if len(got) != 2 || !strings.Contains(got[0].Text, "Avec plaisir") || question(got[1]) != question(pending) {
		t.Errorf("merci mid-diagnostic: %s", texts(got))
	}
	// The question asked during the diagnostic counts and is recorded.
	if n := testutil.ToFloat64(m.Questions.WithLabelValues("answered")); n != 1 || len(f.questions.qs) != 1 {
		t.Errorf("question during the diagnostic: counted %v, recorded %d", n, len(f.questions.qs))
	}
	// A real unclear answer still says so.
	if got := f.say(t, b, "u1", "bof"); !strings.Contains(last(got).Text, "Je n'ai pas compris « bof »") {
		t.Errorf("unclear answer: %s", texts(got))
	}
}

// Rough edge: « je suis DSI » at the perimeter question is understood as
// `ask` understands it.
func TestRoleAtThePerimeterQuestion(t *testing.T) {
	f := newFixture(t, nil)
	b := &box{}
	f.say(t, b, "u1", "diagnostic")
	if q := question(last(f.say(t, b, "u1", "1"))); q != diagnostic.PerimeterQuestionID {
		t.Fatalf("perimeter question expected, got %q", q)
	}
	got := last(f.say(t, b, "u1", "je suis DSI"))
	if strings.Contains(got.Text, "compris") || question(got) == diagnostic.PerimeterQuestionID {
		t.Fatalf("« je suis DSI » not understood:\n%s", got.Text)
	}
	if p, _ := f.diag.Answered(t.Context(), "u1", diagnostic.PerimeterQuestionID); p != "strategie" {
		t.Errorf("perimeter %q, want strategie", p)
	}
}

// Rough edge: /parcours resultat during a diagnostic mentions it.
func TestResultMentionsTheDiagnosticInProgress(t *testing.T) {
	f := newFixture(t, nil)
	b := &box{}
	f.say(t, b, "u1", "diagnostic")
	f.say(t, b, "u1", "1")
	f.say(t, b, "u1", "2")
	got := f.say(t, b, "u1", "/parcours resultat")
	if !strings.Contains(last(got).Text, "pas encore de résultat : votre diagnostic est en cours (question 1/") {
		t.Errorf("resultat mid-diagnostic:\n%s", texts(got))
	}
	f.say(t, b, "u1", "annuler")
	if got := last(f.say(t, b, "u1", "/parcours resultat")).Text; !strings.Contains(got, "en pause, question 1/") {
		t.Errorf("resultat with a paused diagnostic:\n%s", got)
	}
}

// Rough edge: after a restart with a diagnostic in progress, « 1 » typed at
// the menu of the welcome picks the menu's first choice (the diagnostic,
// resumed), not an answer to a question the user does not see.
func TestMenuNumberAfterARestart(t *testing.T) {
	st := diagnostic.NewMemStore()
	before := newFixtureOn(t, st, nil)
	b := &box{}
	before.say(t, b, "u1", "diagnostic")
	before.say(t, b, "u1", "1")
	before.say(t, b, "u1", "2") // perimeter: sre
	after := newFixtureOn(t, st, nil)
	if err := after.c.Greet(t.Context(), User{ID: "u1"}, "", Terminal, b); err != nil {
		t.Fatal(err)
	}
	if menu := last(b.take()); len(menu.Choices) != 3 || menu.Choices[0].Label != "Faire le diagnostic" {
		t.Fatalf("welcome menu: %+v", menu.Choices)
	}
	got := last(after.say(t, b, "u1", "1"))
	if !strings.Contains(got.Text, "On reprend votre diagnostic") || !strings.Contains(got.Text, "Question 1/") {
		t.Errorf("« 1 » at the menu should resume the diagnostic:\n%s", got.Text)
	}
	if s, _ := st.GetSession(t.Context(), "u1"); s == nil || len(s.Answers) != 2 {
		t.Errorf("« 1 » taken as an answer: %+v", s)
	}
	// Now the numbers are the question's options.
	if got := last(after.say(t, b, "u1", "1")); !strings.Contains(got.Text, "Question 2/") {
		t.Errorf("« 1 » at a question answers it:\n%s", got.Text)
	}
}

// Rough edge: a menu number typed when no menu is showing is answered
// sensibly, not searched in the knowledge base.
func TestNumberWithoutAMenu(t *testing.T) {
	f := newFixture(t, nil)
	b := &box{}
	got := f.say(t, b, "u1", "2")
	if len(got) != 1 || got[0].Answer != nil || !strings.Contains(got[0].Text, "aucun choix numéroté") {
		t.Errorf("« 2 » with no menu: %s", texts(got))
	}
	// After the help, its menu is there: « 2 » shows the paths.
	f.say(t, b, "u1", "aide")
	if got := texts(f.say(t, b, "u1", "2")); !strings.Contains(got, "Les parcours Cloud Pi Native") {
		t.Errorf("« 2 » after the help:\n%s", got)
	}
}

// Small talk is the conversation's: the same in every channel, never a
// search; in a thread the bot follows, people thanking each other are left
// alone.
func TestSmallTalkInEveryPlace(t *testing.T) {
	f := newFixture(t, nil)
	b := &box{}
	for _, place := range []Place{Direct, Channel, Terminal} {
		for text, want := range map[string]string{"bonjour": "Bonjour !", "merci !": "Avec plaisir", "au revoir": "Au revoir",
			"qui es-tu ?": "Je suis **parcours**", "aide": "Voici ce que je sais faire", "hello": "Hello!"} {
			got := f.sayIn(t, b, Message{User: User{ID: "u1"}, Place: place, Text: text})
			if len(got) != 1 || got[0].Answer != nil || !strings.Contains(got[0].Text, want) {
				t.Errorf("%s, %q: %s", place, text, texts(got))
			}
		}
	}
	if len(f.questions.qs) != 0 {
		t.Errorf("small talk recorded as questions: %+v", f.questions.qs)
	}
	if got := f.sayIn(t, b, Message{User: User{ID: "u1"}, Place: Channel, FollowUp: true, Text: "merci beaucoup !"}); len(got) != 0 {
		t.Errorf("a follow-up thanks got a reply: %s", texts(got))
	}
}

func TestStartFromAChannelGoesToTheDirectMessage(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.BotName = "parcoursbot" })
	b := &box{}
	got := f.sayIn(t, b, Message{User: User{ID: "u1"}, Place: Channel, Text: "diagnostic pour mon équipe"})
	if len(got) != 2 || got[0].To != ToDirect || question(got[0]) != diagnostic.PerimeterQuestionID || !strings.Contains(got[0].Text, "équipe") {
		t.Fatalf("the team diagnostic in the direct message: %s", texts(got))
	}
	if got[1].To != ToThread || !strings.Contains(got[1].Text, "message direct") || !strings.Contains(got[1].Text, "@parcoursbot") {
		t.Errorf("the channel reply: %+v", got[1])
	}
	// Typed answers in a channel are questions, not the diagnostic's.
	if got := f.sayIn(t, b, Message{User: User{ID: "u1"}, Place: Channel, Text: "2"}); question(last(got)) != "" {
		t.Error("an answer typed in a channel taken by the diagnostic")
	}
}

func TestClicksCloseTheQuestionAndAskTheNext(t *testing.T) {
	m := metrics.New()
	f := newFixture(t, func(c *Config) { c.Metrics = m })
	b := &box{}
	q1 := last(f.say(t, b, "u1", "diagnostic"))
	q2 := last(f.click(t, b, "u1", q1, "Pour moi"))
	if b.closed[q1.id] != "→ **Pour moi**" || question(q2) != diagnostic.PerimeterQuestionID {
		t.Fatalf("closed %q, next %q", b.closed[q1.id], question(q2))
	}
	back := last(f.click(t, b, "u1", q2, "← Retour"))
	if question(back) != diagnostic.AudienceQuestionID || b.closed[q2.id] != "_← Retour à la question précédente._" {
		t.Fatalf("back: %q, %q", question(back), b.closed[q2.id])
	}
	p := back
	for range 20 {
		if question(p) == "" {
			break
		}
		p = last(f.click(t, b, "u1", p, "1"))
	}
	if !strings.Contains(p.Text, "Résultat du diagnostic") || !strings.Contains(p.Text, "Parcours conseillé : **Qualité du produit, niveau") {
		t.Fatalf("result:\n%s", p.Text)
	}
	// A stale click on the first question changes nothing.
	got := f.click(t, b, "u1", q1, "Pour mon équipe")
	if len(got) != 1 || got[0].To != ToCaller || !strings.Contains(got[0].Text, "Aucun diagnostic en cours") {
		t.Errorf("click on a finished diagnostic: %s", texts(got))
	}
	if line, ok := b.closed[q1.id]; !ok || line != "" {
		t.Errorf("the stale message keeps its choices: %q %v", line, ok)
	}
	if n := testutil.ToFloat64(m.DiagnosticSteps.WithLabelValues("result")); n != 1 || f.questions.results != 1 {
		t.Errorf("result steps counted %v, recorded %d", n, f.questions.results)
	}
}

func TestWelcomeOncePerTeam(t *testing.T) {
	m := metrics.New()
	f := newFixture(t, func(c *Config) { c.Metrics = m })
	b := &box{}
	noemie := User{ID: "u1", Name: "Noémie", Username: "noemie"}
	for range 2 {
		if _, err := f.c.Welcome(t.Context(), noemie, "t1", "Équipe 1", false, b); err != nil {
			t.Fatal(err)
		}
	}
	got := b.take()
	if len(got) != 1 || got[0].To != ToDirect || got[0].For != "u1" || !strings.Contains(got[0].Text, "Bonjour Noémie, et bienvenue dans Équipe 1") ||
		!strings.Contains(got[0].Text, "choisissez un bouton ci-dessous") || len(got[0].Choices) != 3 {
		t.Fatalf("welcome: %s", texts(got))
	}
	for _, u := range []User{{ID: "b", Bot: true}, {ID: "g", Guest: true}, {ID: "d", Deactivated: true}} {
		if sent, _ := f.c.Welcome(t.Context(), u, "t1", "", false, b); sent {
			t.Errorf("%+v welcomed", u)
		}
	}
	if _, err := f.c.Welcome(t.Context(), User{ID: "b", Bot: true}, "t1", "", true, b); err == nil || !strings.Contains(err.Error(), "bot") {
		t.Errorf("a forced welcome to a bot: %v", err)
	}
	if testutil.ToFloat64(m.Welcomes) != 1 || f.questions.welcomes != 1 {
		t.Error("welcomes not counted or recorded")
	}
	// Its menu: a click, or its number typed.
	if got := texts(f.click(t, b, "u1", got[0], "Voir les parcours")); !strings.Contains(got, "Les parcours Cloud Pi Native") || !strings.Contains(got, "« diagnostic »") {
		t.Errorf("paths choice:\n%s", got)
	}
	if q := question(last(f.click(t, b, "u1", got[0], "Faire le diagnostic"))); q != diagnostic.AudienceQuestionID {
		t.Errorf("diagnostic choice: %q", q)
	}
	// A name nobody gave is no name: the welcome calls no one by login.
	f.c.Greet(t.Context(), User{ID: "u9", Username: "root"}, "", Terminal, b)
	if got := last(b.take()).Text; strings.Contains(got, "root") || !strings.Contains(got, "Bonjour à vous") || !strings.Contains(got, "tapez le numéro") {
		t.Errorf("welcome without a name, in a terminal:\n%s", got)
	}
}

func TestFeedbackOncePerAnswer(t *testing.T) {
	fb := &memFeedback{}
	f := newFixture(t, func(c *Config) { c.Stores.Feedback = fb })
	b := &box{}
	a := f.say(t, b, "u1", "c'est quoi k8s ?")[0]
	if got := f.click(t, b, "u1", a, "Utile"); !strings.Contains(got[0].Text, "Merci pour votre retour") || got[0].To != ToCaller {
		t.Errorf("first click: %s", texts(got))
	}
	if got := f.click(t, b, "u1", a, "Utile"); !strings.Contains(got[0].Text, "déjà enregistré") {
		t.Errorf("same click again: %s", texts(got))
	}
	if r := f.questions.rated; len(r) != 1 || !r[0].Useful || r[0].Page != "pratiques/conteneurs-kubernetes.md" || r[0].Answer != a.id {
		t.Errorf("feedback recorded: %+v", r)
	}
}

type memFeedback struct{ seen map[string]bool }

func (m *memFeedback) RecordFeedback(answerID, messageID, userID string, useful bool, _ time.Time) (bool, error) {
	if m.seen == nil {
		m.seen = map[string]bool{}
	}
	k := answerID + "/" + userID + "/" + strconv.FormatBool(useful)
	if m.seen[k] {
		return false, nil
	}
	m.seen[k] = true
	return true, nil
}
