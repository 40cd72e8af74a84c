// Package analytics is what the programme's people see of the bot's use:
// the questions asked (and those that found nothing), the feedback on
// pages, the diagnostics' results by path, level and team, the welcomes.
//
// Events are recorded without the identity of the person unless an
// administrator turns it on (Recorder.Identity), kept for a retention period
// then purged, and aggregated over a period (Report) for `/parcours stats`,
// the dashboard and the CSV export. Storage sits behind Store, a small
// interface that the bbolt store implements (and a SQL store can).
package analytics

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/lexicon"
	"github.com/cloud-pi-native/parcours/internal/search"
)

// Kind says what an event records.
type Kind uint8

// Kinds of events.
const (
	KindQuestion   Kind = 1 // a question asked to the knowledge base
	KindFeedback   Kind = 2 // a "Utile" / "Pas utile" click
	KindDiagnostic Kind = 3 // a finished diagnostic
	KindWelcome    Kind = 4 // a welcome message sent
)

// Kinds lists every kind, in order.
var Kinds = []Kind{KindQuestion, KindFeedback, KindDiagnostic, KindWelcome}

func (k Kind) String() string {
	switch k {
	case KindQuestion:
		return "question"
	case KindFeedback:
		return "avis"
	case KindDiagnostic:
		return "diagnostic"
	case KindWelcome:
		return "accueil"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Channel is where a question was asked.
type Channel string

// Channel kinds.
const (
	ChannelDM       Channel = "dm"       // a direct message with the bot
	ChannelPublic   Channel = "canal"    // a channel (a mention, a thread, a slash command)
	ChannelTerminal Channel = "terminal" // parcours chat
)

// Tiers, as answer.Tier spells them.
const (
	TierSure      = string(answer.TierSure)
	TierTentative = string(answer.TierTentative)
	TierNone      = string(answer.TierNone)
)

// Event is one recorded fact. Fields that do not apply to its kind are
// empty. User is empty unless identity recording is on.
type Event struct {
	Kind Kind
	At   time.Time
	// ID, when set, names the event within its kind: recording another
	// event with the same ID replaces it (a feedback verdict changed).
	ID   string
	User string

	// Questions.
	Text    string  // the question as typed, cut to MaxText bytes
	Key     string  // grouping key: the question's significant terms (QuestionKey)
	Tier    string  // sure, tentative or none
	Channel Channel // where it was asked

	// Questions (the first page shown) and feedback (the page judged).
	Page  string // page path in its source ("guide/equipe.md")
	Title string // the page's title when recorded

	// Feedback.
	Useful bool

	// Diagnostics.
	Path       string  // recommended learning path ("produit")
	Level      int     // 1-3
	Perimeter  string  // the perimeter chosen ("dev")
	Overall    int     // 0-100
	Team       string  // team name when answered for a team ("" for oneself)
	TeamMode   bool    // answered for a team (named or not)
	Dimensions []Score // score per dimension of the questionnaire
	Incomplete bool    // too few answers: the level defaulted to 1
}

// Score is a dimension's score in a diagnostic.
type Score struct {
	Dimension string
	Score     int
}

// Store keeps events. Implementations are safe for concurrent use.
type Store interface {
	// Record adds an event; one with the ID of an earlier event of its kind
	// replaces it.
	Record(ctx context.Context, e *Event) error
	// Scan calls fn for the events of kind recorded in [from, to), oldest
	// first. The event passed to fn is valid only during the call. An error
	// from fn stops the scan and is returned.
	Scan(ctx context.Context, kind Kind, from, to time.Time, fn func(*Event) error) error
	// Purge deletes the events recorded before t and returns how many.
	Purge(ctx context.Context, before time.Time) (int, error)
	// ForgetUser deletes the events that carry the user's id.
	ForgetUser(ctx context.Context, userID string) (int, error)
}

// MaxText bounds a recorded question, in bytes.
const MaxText = 500

// DefaultRetention is how long events are kept unless configured.
const DefaultRetention = 90 * 24 * time.Hour

// Recorder records events with the privacy rules applied: no user id
// unless Identity is on, bounded texts, grouping keys computed once.
type Recorder struct {
	Store Store
	// Identity keeps the user id with each event (an administrator's
	// choice, PARCOURS_ANALYTICS_IDENTITY); off by default.
	Identity bool
	// Retention is how long events are kept (DefaultRetention when zero).
	Retention time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (r *Recorder) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Recorder) retention() time.Duration {
	if r.Retention > 0 {
		return r.Retention
	}
	return DefaultRetention
}

// ErrNoStore is returned when a recorder has no store.
var ErrNoStore = errors.New("statistiques désactivées : aucun stockage")

// Record stores e after applying the privacy rules; a zero At is now.
func (r *Recorder) Record(ctx context.Context, e Event) error {
	if r == nil || r.Store == nil {
		return ErrNoStore
	}
	if !slices.Contains(Kinds, e.Kind) {
		return fmt.Errorf("événement de type inconnu %d", e.Kind)
	}
	if !r.Identity {
		e.User = ""
	}
	if e.At.IsZero() {
		e.At = r.now()
	}
	e.Text = cut(e.Text, MaxText)
	e.Team = cut(strings.TrimSpace(e.Team), 80)
	if e.Kind == KindQuestion && e.Key == "" {
		e.Key = QuestionKey(e.Text)
	}
	if err := r.Store.Record(ctx, &e); err != nil {
		return fmt.Errorf("enregistrement (%s): %w", e.Kind, err)
	}
	return nil
}

// Question records a question and its answer.
func (r *Recorder) Question(ctx context.Context, a *answer.Answer, ch Channel, userID string) error {
	if a == nil {
		return nil
	}
	e := Event{Kind: KindQuestion, Text: a.Query, Tier: string(a.Tier), Channel: ch, User: userID}
	if e.Tier == "" {
		e.Tier = TierNone
		if a.Answered {
			e.Tier = TierSure
		}
	}
	if a.Answered && len(a.Passages) > 0 {
		e.Page, e.Title = a.Passages[0].Path, a.Passages[0].PageTitle
		if e.Title == "" {
			e.Title = a.Passages[0].Title
		}
	}
	return r.Record(ctx, e)
}

// Feedback records a verdict on the page an answer showed first. answerID
// identifies the answer (its buttons' nonce): a second click of the same
// person on the same answer replaces the first. The event's ID is a hash
// that does not reveal the user.
func (r *Recorder) Feedback(ctx context.Context, answerID, userID, page, title string, useful bool) error {
	sum := sha256.Sum256([]byte("analytics-feedback\x00" + answerID + "\x00" + userID))
	return r.Record(ctx, Event{Kind: KindFeedback, ID: hex.EncodeToString(sum[:16]), User: userID,
		Page: page, Title: title, Useful: useful})
}

// Diagnostic records a finished diagnostic with the path and level advised.
func (r *Recorder) Diagnostic(ctx context.Context, res *diagnostic.Result, adv *diagnostic.Advice) error {
	if res == nil {
		return nil
	}
	e := Event{Kind: KindDiagnostic, At: res.FinishedAt, User: res.UserID, Level: res.Level, Perimeter: res.Perimeter,
		Path: res.Perimeter, Overall: res.Overall, TeamMode: res.Team, Incomplete: res.Incomplete}
	if res.Team {
		e.Team = res.TeamName
	}
	if adv != nil && adv.Path != "" {
		e.Path = adv.Path
	}
	for _, d := range res.Dimensions {
		if d.Answered > 0 {
			e.Dimensions = append(e.Dimensions, Score{Dimension: d.Dimension, Score: d.Score})
		}
	}
	return r.Record(ctx, e)
}

// Welcome records a welcome message sent.
func (r *Recorder) Welcome(ctx context.Context, userID string) error {
	return r.Record(ctx, Event{Kind: KindWelcome, User: userID})
}

// Purge deletes the events older than the retention period.
func (r *Recorder) Purge(ctx context.Context) (int, error) {
	if r == nil || r.Store == nil {
		return 0, ErrNoStore
	}
	n, err := r.Store.Purge(ctx, r.now().Add(-r.retention()))
	if err != nil {
		return 0, fmt.Errorf("purge des statistiques: %w", err)
	}
	return n, nil
}

// RunPurge purges now, then every interval until ctx ends; report, when
// set, learns each purge's outcome.
func (r *Recorder) RunPurge(ctx context.Context, every time.Duration, report func(n int, err error)) {
	for {
		n, err := r.Purge(ctx)
		if report != nil && ctx.Err() == nil {
			report(n, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// Forget deletes the events that carry the user's id (recorded while
// identity recording was on); without identity nothing ties an event to
// anyone.
func (r *Recorder) Forget(ctx context.Context, userID string) (int, error) {
	if r == nil || r.Store == nil || userID == "" {
		return 0, nil
	}
	n, err := r.Store.ForgetUser(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("effacement des statistiques de l'utilisateur: %w", err)
	}
	return n, nil
}

// QuestionKey is what similar questions share: the distinct significant
// terms of the question, sorted. Each word is analysed as the search index
// does (lower case, accents folded, elisions and stop words removed, light
// stemming), and words of one family count as one: the word, its lemmas and
// their noun-verb family in the French dictionary of the search
// ("déploiement", "déployer", "déploie") all become the smallest of their
// terms. Chat filler ("comment", "bonjour") and words of intent
// ("utiliser", "mettre") are left out, unless the question has nothing
// else.
func QuestionKey(text string) string {
	var strong, weak, all []string
	for _, t := range search.Analyze(text) {
		root := familyRoot(text[t.Start:t.End], t.Term)
		all = append(all, root)
		switch {
		case search.IsFiller(t.Term):
		case search.IsGeneric(t.Term):
			weak = append(weak, root)
		default:
			strong = append(strong, root)
		}
	}
	keep := strong
	if len(keep) == 0 {
		keep = weak
	}
	if len(keep) == 0 {
		keep = all
	}
	slices.Sort(keep)
	return strings.Join(slices.Compact(keep), " ")
}

// familyRoot is the smallest analysed term among a word's own term, its
// lemmas and their noun-verb family.
func familyRoot(word, term string) string {
	root := term
	consider := func(w string) {
		if ts := search.Terms(w); len(ts) == 1 && ts[0] < root {
			root = ts[0]
		}
	}
	for _, l := range lexicon.Lemmas(word) {
		consider(l)
		for _, f := range lexicon.Family(l) {
			consider(f)
		}
	}
	return root
}

// cut bounds s to n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
