// Package conversation is the conversation of parcours, whatever the
// channel: a message, a /parcours command or a click comes in, replies come
// out. Small talk, the /parcours sub-commands, questions to the knowledge
// base, the maturity diagnostic (started, answered by typing or clicking,
// interrupted by a question), the welcome, the recording of questions and
// the metrics live here, once. The Mattermost and terminal adapters only
// translate: posts and slash commands into a Message, button clicks into a
// Click, and a Reply into a post or lines of a terminal.
package conversation

import (
	"context"
	"errors"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/lexicon"
	"github.com/cloud-pi-native/parcours/internal/logctx"
	"github.com/cloud-pi-native/parcours/internal/metrics"
	"github.com/cloud-pi-native/parcours/internal/parcours"
	"github.com/cloud-pi-native/parcours/internal/welcome"
)

// Place is the kind of place a message is written in; questions are
// recorded with it.
type Place string

// Places.
const (
	Direct   Place = "dm"       // a direct message with the bot
	Channel  Place = "channel"  // a shared channel: the bot is mentioned, or follows the thread
	Terminal Place = "terminal" // parcours chat or ask: one person, no buttons
)

// private says whether only the user and the bot talk there: the diagnostic
// happens in private places.
func (p Place) private() bool { return p == Direct || p == Terminal }

// User is the person talking to the bot.
type User struct {
	ID string
	// Name is how to call them ("Noémie"), "" when unknown: never their
	// login, which reads badly in a greeting.
	Name string
	// Username is their login, to name them to others ("@noemie").
	Username string
	// Bot, Deactivated and Guest decide whether they get the welcome.
	Bot, Deactivated, Guest bool
}

// Message is what a user wrote to the bot.
type Message struct {
	User    User
	Place   Place
	Channel string // the adapter's id of where it was written
	Team    string
	Text    string // without the mention of the bot
	// FollowUp is set when the bot is addressed only because it takes part
	// in the thread (no mention, not a direct message).
	FollowUp bool
	// Received is when the adapter got it, for the answer-time metric;
	// now when zero.
	Received time.Time
}

// Click is a click on one of the bot's choices.
type Click struct {
	User    User
	Place   Place
	Channel string
	Team    string
	Message string // id of the message holding the choice
	// Group identifies the choices of one reply (the adapter gives them one
	// id): feedback on an answer is counted once per person and answer.
	Group  string
	Action string
	Data   map[string]string
}

// Target says where a reply goes.
type Target int

// Targets.
const (
	// ToThread answers where the message was written, in its thread; for a
	// command, the response only the caller sees; for a click, the channel
	// of the message clicked.
	ToThread Target = iota
	// ToDirect posts in the direct conversation of Reply.For (by default,
	// the user talking) with the bot, outside any thread.
	ToDirect
	// ToCaller shows a notice to the person who clicked or called only.
	ToCaller
)

// Style is how a choice stands out.
type Style string

// Styles.
const (
	Primary   Style = "primary"
	Positive  Style = "good"
	Secondary Style = "default"
)

// Choice is an abstract button: a label, and what a click on it does.
type Choice struct {
	ID    string // unique within a reply: "opt2", "retour", "utile"
	Label string
	// Short is the label when a channel cannot show long labels on
	// buttons ("1", "Passer"); the text then lists the labels.
	Short  string
	Style  Style
	Action string
	Data   map[string]string
	// Optional choices may be left out by a channel without buttons: the
	// text says how to answer by typing, or they are a mere feedback.
	Optional bool
}

// Reply is one message of the bot.
type Reply struct {
	To  Target
	For string // ToDirect: the user whose conversation it goes to ("": the user talking)
	// Text is Markdown, in French unless the user writes English.
	Text string
	// Prompt is a line shown with the choices ("Cette réponse vous a-t-elle
	// aidé ?").
	Prompt  string
	Choices []Choice
	// Keep is what the message keeps once its choices are closed (Close):
	// the question without the list of options. "" keeps Text.
	Keep string
	// Question is the id of the diagnostic question the message shows, ""
	// for others: adapters may keep it with the message.
	Question string
	// Answer is the answer of the knowledge base the reply shows, if any.
	Answer *answer.Answer
}

// Outbox is where the replies of one message, command or click go: the
// adapter posts them.
type Outbox interface {
	// Send shows a reply and returns the id of the message holding it ("",
	// when the channel has no such ids, as a terminal).
	Send(ctx context.Context, r Reply) (id string, err error)
	// Close changes what an earlier message of the bot says: its choices go
	// away and line (Markdown, may be "") is added under what it keeps.
	Close(ctx context.Context, id, line string) error
}

// Action names of the choices.
const (
	ActionDiagnostic = "diagnostic" // an option of a diagnostic question, or "retour"
	ActionWelcome    = "bienvenue"  // the welcome's and help's menu
	ActionFeedback   = "feedback"   // "Utile" / "Pas utile" under an answer
)

// Knowledge is the knowledge base as the conversation uses it
// (answer.Engine).
type Knowledge interface {
	Ask(ctx context.Context, question string) (*answer.Answer, error)
	Catalog() *parcours.Catalog
	// PageURL links a page ("guide/equipe.md#anchor"), "" when unknown.
	PageURL(ref string) string
}

// Asked is a question asked to the knowledge base, as recorded.
type Asked struct {
	Question string
	Tier     answer.Tier
	Page     string // the first passage's page, "" when none
	Place    Place
	User     string // the person's id: a recorder keeps it only if allowed
	At       time.Time
	Answer   *answer.Answer
}

// Rated is a verdict on an answer ("Utile" / "Pas utile").
type Rated struct {
	Answer string // the answer's id (the group of its choices)
	Page   string // the answer's first page, "" when unknown
	User   string
	Useful bool
}

// Recorder keeps what happens in the conversations, for the programme's
// statistics: each question once with its tier and place, each verdict on
// an answer, each diagnostic finished, each welcome sent, whatever the
// channel. A store or the analytics implement it.
type Recorder interface {
	Question(ctx context.Context, q Asked) error
	Feedback(ctx context.Context, f Rated) error
	Diagnostic(ctx context.Context, r *diagnostic.Result, a *diagnostic.Advice) error
	Welcome(ctx context.Context, userID string) error
}

// FeedbackStore records "Utile"/"Pas utile" clicks; changed is false when
// the person had already given this verdict on this answer.
type FeedbackStore interface {
	RecordFeedback(answerID, messageID, userID string, useful bool, at time.Time) (changed bool, err error)
}

// WelcomeStore remembers who was welcomed in which team.
type WelcomeStore interface {
	MarkWelcomed(ctx context.Context, teamID, userID string) (first bool, err error)
	ForgetWelcome(ctx context.Context, teamID, userID string) error
}

// Directory finds the people and teams of the chat, for the admin's welcome
// commands; nil where there is none (a terminal).
type Directory interface {
	User(ctx context.Context, id string) (User, error)
	UserByName(ctx context.Context, username string) (User, error)
	TeamName(ctx context.Context, id string) (string, error)
}

// Stores are where the conversation keeps what it records; nil fields keep
// nothing.
type Stores struct {
	Record   Recorder
	Feedback FeedbackStore
	Welcomed WelcomeStore
}

// WelcomeOptions say who is welcomed, and with what.
type WelcomeOptions struct {
	Message *welcome.Message
	// Newcomers welcomes the people who join a team; Guests includes guest
	// accounts (bots never get it).
	Newcomers, Guests bool
}

// Config is what a Conversation needs; only Knowledge is required.
type Config struct {
	Knowledge  Knowledge
	Diagnostic *diagnostic.Engine // nil: no diagnostic
	Stores     Stores
	Directory  Directory
	Index      Index        // reindex and stats; nil: unavailable
	IsAdmin    AdminChecker // nil: nobody is admin
	Welcome    WelcomeOptions
	// BotName is the bot's username, to name it ("@parcours").
	BotName string
	Metrics *metrics.Metrics // nil counts nothing
	Logger  *zap.Logger
}

// Conversation holds the conversations of every user. It is safe for
// concurrent use; the work of one user is serialised.
type Conversation struct {
	know    Knowledge
	diag    *diagnostic.Engine
	stores  Stores
	dir     Directory
	index   Index
	isAdmin AdminChecker
	botName string
	metrics *metrics.Metrics
	log     *zap.Logger
	welcome atomic.Pointer[welcome.Message]
	wopts   WelcomeOptions

	subs  []*Sub
	byKey map[string]*Sub

	locks   [64]sync.Mutex
	stateMu sync.Mutex
	states  map[string]*userState
}

// userState is what the conversation remembers of a user between messages,
// in memory: after a restart, typed answers and clicks still work (the
// diagnostic is in the store), only the closing of old messages is lost.
type userState struct {
	// question is the diagnostic question shown last, questionMsg the
	// message showing it, closed when the question is answered.
	question, questionMsg string
	// menu holds the choices shown last; a number typed picks one. It is
	// nil once something else is shown (a diagnostic question's numbers are
	// its options).
	menu []Choice
}

// maxStates bounds the users remembered.
const maxStates = 20000

// New returns the conversation.
func New(cfg Config) (*Conversation, error) {
	if cfg.Knowledge == nil {
		return nil, errors.New("conversation: base de connaissances requise")
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.BotName == "" {
		cfg.BotName = "parcours"
	}
	c := &Conversation{know: cfg.Knowledge, diag: cfg.Diagnostic, stores: cfg.Stores, dir: cfg.Directory,
		index: cfg.Index, isAdmin: cfg.IsAdmin, botName: cfg.BotName, metrics: cfg.Metrics, log: cfg.Logger,
		wopts: cfg.Welcome, byKey: map[string]*Sub{}, states: map[string]*userState{}}
	if cfg.Welcome.Message != nil {
		c.welcome.Store(cfg.Welcome.Message)
	}
	c.registerBuiltins()
	return c, nil
}

// SetWelcome replaces the welcome (after a reindex).
func (c *Conversation) SetWelcome(m *welcome.Message) {
	if m != nil {
		c.welcome.Store(m)
	}
}

// lock serialises the work of one user (a click and a typed answer at the
// same moment) with a fixed number of mutexes, so memory does not grow.
func (c *Conversation) lock(userID string) func() {
	h := fnv.New32a()
	h.Write([]byte(userID))
	m := &c.locks[h.Sum32()%uint32(len(c.locks))]
	m.Lock()
	return m.Unlock
}

// state returns what is remembered of a user; callers hold the user's lock.
func (c *Conversation) state(userID string) *userState {
	c.stateMu.Lock()
	defer c.stateMu.Unlock()
	s := c.states[userID]
	if s == nil {
		if len(c.states) >= maxStates {
			clear(c.states)
		}
		s = &userState{}
		c.states[userID] = s
	}
	return s
}

func (c *Conversation) logger(ctx context.Context) *zap.Logger { return logctx.From(ctx, c.log) }

// send sends a reply on behalf of the user whose lock is held; the choices
// of the last reply sent to them are the menu numbers typed pick from.
func (c *Conversation) send(ctx context.Context, userID string, out Outbox, r Reply) (string, error) {
	id, err := out.Send(ctx, r)
	if err == nil && r.To != ToCaller && (r.For == "" || r.For == userID) {
		// The menu is what was shown last: any other reply replaces it.
		c.state(userID).menu = menuOf(r.Choices)
	}
	return id, err
}

func menuOf(choices []Choice) []Choice {
	var menu []Choice
	for _, ch := range choices {
		if !ch.Optional {
			menu = append(menu, ch)
		}
	}
	return menu
}

// errorText is said when something failed: the user is never left with
// nothing.
const errorText = "Désolé, une erreur est survenue. Réessayez dans un instant ; si elle persiste, prévenez un administrateur."

// Message handles what a user wrote to the bot.
func (c *Conversation) Message(ctx context.Context, m Message, out Outbox) error {
	if m.Received.IsZero() {
		m.Received = time.Now()
	}
	text := strings.TrimSpace(m.Text)
	if rest, ok := cutCommand(text); ok {
		m.Text = rest
		return c.Command(ctx, m, out)
	}
	defer c.lock(m.User.ID)()
	if m.FollowUp && IsSmallTalk(text) {
		return nil // thanks and greetings between people in a thread
	}
	if m.Place.private() {
		if handled, err := c.private(ctx, m, text, out); handled {
			return err
		}
	} else if aud, ok := diagnostic.StartRequest(text); ok && !m.FollowUp && c.diag != nil {
		// The diagnostic happens in the direct conversation.
		if err := c.startDiagnostic(ctx, m.User, aud, false, out); err != nil {
			c.send(ctx, m.User.ID, out, Reply{Text: errorText})
			return err
		}
		_, err := c.send(ctx, m.User.ID, out, Reply{Text: "Je vous écris en message direct pour le diagnostic (conversation avec @" + c.botName + ")."})
		return err
	}
	return c.talk(ctx, m, text, out)
}

// private handles what only a private conversation offers: a number picking
// a choice of the menu shown last, the diagnostic, the list of paths.
func (c *Conversation) private(ctx context.Context, m Message, text string, out Outbox) (bool, error) {
	st := c.state(m.User.ID)
	n, isNumber := menuNumber(text)
	if isNumber && n >= 1 && n <= len(st.menu) {
		ch := st.menu[n-1]
		st.menu = nil
		return true, c.choose(ctx, Click{User: m.User, Place: m.Place, Channel: m.Channel, Team: m.Team, Action: ch.Action, Data: ch.Data}, out)
	}
	if c.diag != nil && text != "" {
		if handled, err := c.typedInDiagnostic(ctx, m, text, out); handled {
			return true, err
		}
	}
	if isNumber {
		_, err := c.send(ctx, m.User.ID, out, Reply{Text: "« " + text + " » : je ne vous propose aucun choix numéroté en ce moment. " +
			"Écrivez « diagnostic » pour le diagnostic de maturité, « parcours » pour les parcours de formation, " +
			"« aide » pour ce que je sais faire, ou posez votre question en une phrase."})
		return true, err
	}
	switch fold(strings.Trim(strings.ToLower(text), " .!?")) {
	case "liste", "parcours", "les parcours", "liste des parcours":
		m.Text = "liste"
		return true, c.command(ctx, m, out)
	}
	return false, nil
}

// menuNumber reads a typed choice number: "2", "2.", "2)".
func menuNumber(text string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimRight(strings.TrimSpace(text), ".)"))
	if err != nil || n < 0 || n > 99 {
		return 0, false
	}
	return n, true
}

// talk answers small talk, or asks the knowledge base.
func (c *Conversation) talk(ctx context.Context, m Message, text string, out Outbox) error {
	kind := smallTalk(text)
	if text == "" {
		kind = greeting // a file, an empty mention
	}
	if kind != notSmallTalk {
		r := c.smallTalkReply(kind, text)
		_, err := c.send(ctx, m.User.ID, out, r)
		c.count(ctx, m, "small_talk", "", err)
		return err
	}
	return c.ask(ctx, m, text, out)
}

// count feeds the question metrics and logs the outcome of a message.
func (c *Conversation) count(ctx context.Context, m Message, outcome, replyID string, err error) {
	if err != nil {
		outcome = "error"
	}
	if c.metrics != nil {
		c.metrics.Questions.WithLabelValues(outcome).Inc()
		c.metrics.AnswerLatency.Observe(time.Since(m.Received).Seconds())
	}
	c.logger(ctx).Info("replied", zap.String("outcome", outcome), zap.String("reply_id", replyID),
		zap.String("place", string(m.Place)), zap.Duration("took", time.Since(m.Received)))
}

// Click handles a click on a choice.
func (c *Conversation) Click(ctx context.Context, k Click, out Outbox) error {
	defer c.lock(k.User.ID)()
	return c.choose(ctx, k, out)
}

func (c *Conversation) choose(ctx context.Context, k Click, out Outbox) error {
	switch k.Action {
	case ActionDiagnostic:
		return c.clickDiagnostic(ctx, k, out)
	case ActionWelcome:
		return c.clickWelcome(ctx, k, out)
	case ActionFeedback:
		return c.feedback(ctx, k, out)
	}
	_, err := out.Send(ctx, Reply{To: ToCaller, Text: "Ce bouton n'est plus disponible."})
	return err
}

// cutCommand returns what follows "/parcours" in a typed message.
func cutCommand(text string) (string, bool) {
	rest, ok := strings.CutPrefix(text, "/parcours")
	if !ok || rest != "" && rest[0] != ' ' {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// fold lower-cases and strips the accents and ligatures of French, so that
// "Stratégie" finds "strategie".
func fold(s string) string { return lexicon.Fold(s) }
