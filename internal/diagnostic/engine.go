package diagnostic

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/cloud-pi-native/parcours/internal/quote"
)

// Defaults of Config.
const (
	DefaultTTL         = 7 * 24 * time.Hour
	DefaultKeepResults = 10
)

// Audience says for whom the answers are given.
type Audience string

const (
	// AudienceAsk lets the engine ask first ("pour moi" / "pour mon équipe").
	AudienceAsk  Audience = ""
	AudienceSelf Audience = "moi"
	AudienceTeam Audience = "equipe"
)

// StartOptions tune Start.
type StartOptions struct {
	// Audience fixes self or team mode; AudienceAsk asks it as the first question.
	Audience Audience
	// Restart discards a diagnostic in progress instead of resuming it.
	Restart bool
	// TeamName names the team answered for (with AudienceTeam), so that
	// its results can be followed over time.
	TeamName string
}

// StepKind says what a Step mainly shows.
type StepKind string

const (
	// StepQuestion shows Question (with Message above it when not empty).
	StepQuestion StepKind = "question"
	// StepResult shows Result with Advice and Change: the diagnostic is over.
	StepResult StepKind = "result"
	// StepNotice shows Message only.
	StepNotice StepKind = "notice"
)

// Notice says why a step is shown, so that adapters can, say, edit a post
// instead of adding one. Message always carries the French text.
type Notice string

const (
	NoticeNone      Notice = ""
	NoticeStarted   Notice = "started"   // first question; Message is the introduction
	NoticeResumed   Notice = "resumed"   // a diagnostic in progress goes on
	NoticeUnclear   Notice = "unclear"   // typed answer not understood: re-prompt
	NoticeHelp      Notice = "help"      // "aide": how to answer
	NoticeStale     Notice = "stale"     // click on a question that is not the current one
	NoticeDuplicate Notice = "duplicate" // the same click again (double click)
	NoticeFirst     Notice = "first"     // "retour" on the first question
	NoticeCancelled Notice = "cancelled" // paused by "annuler"; "reprendre" goes on
	NoticePaused    Notice = "paused"    // an answer while paused
	NoticeNoSession Notice = "no-session"
	NoticeExpired   Notice = "expired"  // the session was abandoned too long
	NoticeFinished  Notice = "finished" // a click on a diagnostic already finished
)

// Step is what to show the user after an action.
type Step struct {
	Kind    StepKind
	Notice  Notice
	Message string
	// Team is true when the answers are for a team (wording in "votre équipe").
	Team     bool
	Question *QuestionView
	Result   *Result
	Advice   *Advice
	Change   *Change // nil without a previous comparable result
}

// QuestionView is a question ready to show.
type QuestionView struct {
	ID      string
	Title   string // short name; "" for the opening questions
	Text    string
	Help    string
	Options []OptionView
	// Number and Total count practice questions ("Question 3/8"); both are 0
	// for the opening questions (audience, perimeter).
	Number, Total int
	Progress      string // "Question 3/8" or "Pour commencer"
	CanGoBack     bool
}

// OptionView is a choice; Number (from 1) and Letter ("a") are what a user
// may type.
type OptionView struct {
	ID     string
	Label  string
	Number int
	Letter string
	Skip   bool // the "ne s'applique pas / je ne sais pas" option
	words  []string
}

// History is a user's latest result and how it changed.
type History struct {
	Latest *Result // nil when the user has none
	Advice *Advice
	Change *Change
	Count  int // results kept
}

// Config configures an Engine.
type Config struct {
	Questionnaire *Questionnaire
	Store         Store
	// TTL is how long an untouched diagnostic is kept (DefaultTTL when 0).
	TTL time.Duration
	// KeepResults is how many results are kept per user (DefaultKeepResults when 0).
	KeepResults int
	Now         func() time.Time // time.Now when nil
	Logger      *zap.Logger      // zap.NewNop when nil
	// Role tells which learning path a person's words about their job
	// point to ("je suis DSI" → "strategie"), "" when none: the perimeter
	// question then understands roles as the answer engine does.
	Role func(text string) string
	// Volatile says that nothing outlives the process (a terminal without
	// a data folder): messages then never promise to keep answers for days.
	Volatile bool
}

// Engine runs diagnostic conversations, whatever the channel. All methods
// are safe for concurrent use; calls for one user are serialised, so a double
// click is handled as two clicks in a row.
type Engine struct {
	q     atomic.Pointer[Questionnaire]
	store Store
	ttl   time.Duration
	keep  int
	now   func() time.Time
	log   *zap.Logger
	locks userLocks
	role  func(string) string
	// volatile: see Config.Volatile.
	volatile bool
	// shared is the store's lock when other processes use the store too:
	// then steps also lock the user there, and nothing is cached.
	shared UserLocker

	// cache holds the sessions as last saved, so that a step reads no
	// record: one Engine per Store, the store stays the source of truth at
	// start. Entries are snapshots, cloned in and out.
	cacheMu sync.Mutex
	cache   map[string]*Session
}

func (e *Engine) cached(userID string) (*Session, bool) {
	if e.shared != nil {
		return nil, false
	}
	e.cacheMu.Lock()
	defer e.cacheMu.Unlock()
	s, ok := e.cache[userID]
	if !ok || s == nil {
		return nil, ok
	}
	return s.clone(), true
}

// remember caches a snapshot of s; nil records that the user has none.
func (e *Engine) remember(userID string, s *Session) {
	if e.shared != nil {
		return
	}
	e.cacheMu.Lock()
	defer e.cacheMu.Unlock()
	if s != nil {
		s = s.clone()
	}
	e.cache[userID] = s
}

func (e *Engine) forget(userID string) {
	e.cacheMu.Lock()
	delete(e.cache, userID)
	e.cacheMu.Unlock()
}

// userLocks serialises the calls of each user. A lock exists only while a
// call of its user runs or waits, so memory does not grow with users.
type userLocks struct {
	mu sync.Mutex
	m  map[string]*userLock
}

type userLock struct {
	mu      sync.Mutex
	waiters int
}

func (l *userLocks) lock(userID string) func() {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*userLock{}
	}
	ul := l.m[userID]
	if ul == nil {
		ul = &userLock{}
		l.m[userID] = ul
	}
	ul.waiters++
	l.mu.Unlock()
	ul.mu.Lock()
	return func() {
		ul.mu.Unlock()
		l.mu.Lock()
		ul.waiters--
		if ul.waiters == 0 {
			delete(l.m, userID)
		}
		l.mu.Unlock()
	}
}

// New returns an engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Questionnaire == nil || cfg.Store == nil {
		return nil, errors.New("diagnostic: questionnaire et stockage requis")
	}
	e := &Engine{store: cfg.Store, ttl: cfg.TTL, keep: cfg.KeepResults, now: cfg.Now, log: cfg.Logger, cache: map[string]*Session{},
		role: cfg.Role, volatile: cfg.Volatile}
	if e.ttl <= 0 {
		e.ttl = DefaultTTL
	}
	if e.keep <= 0 {
		e.keep = DefaultKeepResults
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = zap.NewNop()
	}
	if l, ok := cfg.Store.(UserLocker); ok {
		e.shared = l
	}
	e.q.Store(cfg.Questionnaire)
	return e, nil
}

var errNoUser = errors.New("diagnostic: identifiant d'utilisateur manquant")

// Questionnaire returns the questionnaire in use.
func (e *Engine) Questionnaire() *Questionnaire { return e.q.Load() }

// SetQuestionnaire replaces the questionnaire (after an admin edit).
// Sessions in progress keep their answers to questions that still exist.
func (e *Engine) SetQuestionnaire(q *Questionnaire) {
	if q != nil {
		e.q.Store(q)
	}
}

// UserLocker is implemented by stores that several processes share
// (internal/postgres, with replicas): each step then also holds the user's
// lock in the store, so that a click served by one replica and a typed
// answer served by another take turns, and reads the session from the store,
// since another process may have moved it on.
type UserLocker interface {
	LockUser(ctx context.Context, userID string) (unlock func(), err error)
}

// readLock serialises the user's steps in this process only: a step that
// only reads the session does not wait for other replicas.
func (e *Engine) readLock(userID string) func() { return e.locks.lock(userID) }

func (e *Engine) lock(userID string) func() {
	unlock := e.locks.lock(userID)
	if e.shared == nil {
		return unlock
	}
	// Steps take milliseconds: a lock not had in 10 s is a store in
	// trouble, whose reads and writes fail next and say so.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	release, err := e.shared.LockUser(ctx, userID)
	if err != nil {
		e.log.Warn("diagnostic: user lock in the shared store failed", zap.Error(err))
		return unlock
	}
	return func() { release(); unlock() }
}

// load returns the user's live session, cleaned against the current
// questionnaire; an expired one is deleted and reported.
func (e *Engine) load(ctx context.Context, userID string) (s *Session, expired bool, err error) {
	if userID == "" {
		return nil, false, errNoUser
	}
	s, ok := e.cached(userID)
	if !ok {
		s, err = e.store.GetSession(ctx, userID)
		if err != nil {
			return nil, false, fmt.Errorf("lecture du diagnostic en cours: %w", err)
		}
		e.remember(userID, s)
	}
	if s == nil {
		return nil, false, nil
	}
	if e.now().Sub(s.UpdatedAt) > e.ttl {
		if err := e.store.DeleteSession(ctx, userID); err != nil {
			return nil, false, fmt.Errorf("suppression du diagnostic expiré: %w", err)
		}
		e.remember(userID, nil)
		return nil, true, nil
	}
	q := e.q.Load()
	sanitize(q, s)
	if current(q, s) == "" && len(s.Answers) > 0 {
		// Everything is answered: an edit removed the questions left. Ask
		// the last one again, so that the next answer finishes.
		s.Answers = s.Answers[:len(s.Answers)-1]
	}
	return s, false, nil
}

func (e *Engine) save(ctx context.Context, s *Session) error {
	s.UpdatedAt = e.now()
	s.Version = e.q.Load().Version
	if err := e.store.PutSession(ctx, s); err != nil {
		e.forget(s.UserID) // the store may or may not hold it: read it again
		return fmt.Errorf("enregistrement du diagnostic en cours: %w", err)
	}
	e.remember(s.UserID, s)
	return nil
}

// sanitize drops answers the questionnaire no longer knows, or given twice,
// so that an edited questionnaire or a corrupted record never blocks a user.
func sanitize(q *Questionnaire, s *Session) {
	seen := map[string]bool{}
	perimeter := ""
	kept := s.Answers[:0]
	for _, a := range s.Answers {
		if seen[a.Question] {
			continue
		}
		ok := false
		switch a.Question {
		case AudienceQuestionID:
			ok = s.AskAudience && (a.Option == AudienceSelfOptionID || a.Option == AudienceTeamOptionID)
		case PerimeterQuestionID:
			ok = q.PerimeterOption(a.Option) != nil
			if ok {
				perimeter = a.Option
			}
		default:
			x := q.Question(a.Question)
			ok = perimeter != "" && x != nil && x.AppliesTo(perimeter) &&
				(a.Option == SkipOptionID || x.Option(a.Option) != nil)
		}
		if ok {
			seen[a.Question] = true
			kept = append(kept, a)
		}
	}
	s.Answers = kept
}

// sequence lists the question ids of the session, in order.
func sequence(q *Questionnaire, s *Session) []string {
	var seq []string
	if s.AskAudience {
		seq = append(seq, AudienceQuestionID)
	}
	seq = append(seq, PerimeterQuestionID)
	if p, ok := s.answer(PerimeterQuestionID); ok {
		for _, x := range q.QuestionsFor(p) {
			seq = append(seq, x.ID)
		}
	}
	return seq
}

// current returns the first unanswered question, or "" when all are answered.
func current(q *Questionnaire, s *Session) string {
	for _, id := range sequence(q, s) {
		if _, ok := s.answer(id); !ok {
			return id
		}
	}
	return ""
}

func isTeam(s *Session) bool {
	if s.AskAudience {
		o, _ := s.answer(AudienceQuestionID)
		return o == AudienceTeamOptionID
	}
	return s.Team
}

// view builds the question with this id for the session.
func view(q *Questionnaire, s *Session, id string) *QuestionView {
	team := isTeam(s)
	v := &QuestionView{ID: id, Progress: "Pour commencer"}
	switch id {
	case AudienceQuestionID:
		v.Text = q.Audience.Text
		v.Options = []OptionView{
			{ID: AudienceSelfOptionID, Label: q.Audience.Self},
			{ID: AudienceTeamOptionID, Label: q.Audience.Team, words: []string{"equipe", "mon equipe", "nous"}},
		}
	case PerimeterQuestionID:
		v.Text, v.Help = q.Perimeter.Text, q.Perimeter.Help
		if team && q.Perimeter.TextTeam != "" {
			v.Text = q.Perimeter.TextTeam
		}
		for _, o := range q.Perimeter.Options {
			v.Options = append(v.Options, OptionView{ID: o.ID, Label: o.Label, words: o.Words})
		}
	default:
		x := q.Question(id)
		p, _ := s.answer(PerimeterQuestionID)
		qs := q.QuestionsFor(p)
		for i, y := range qs {
			if y.ID == id {
				v.Number = i + 1
			}
		}
		v.Total = len(qs)
		v.Progress = fmt.Sprintf("Question %d/%d", v.Number, v.Total)
		v.Title, v.Text, v.Help = x.Title, x.Text, x.Help
		if team && x.TextTeam != "" {
			v.Text = x.TextTeam
		}
		for _, o := range x.Options {
			v.Options = append(v.Options, OptionView{ID: o.ID, Label: o.Label, words: o.Words})
		}
		v.Options = append(v.Options, OptionView{ID: SkipOptionID, Label: q.SkipLabel, Skip: true})
	}
	for i := range v.Options {
		v.Options[i].Number = i + 1
		v.Options[i].Letter = string(rune('a' + i))
	}
	v.CanGoBack = len(s.Answers) > 0
	return v
}

func (v *QuestionView) has(optionID string) bool {
	for _, o := range v.Options {
		if o.ID == optionID {
			return true
		}
	}
	return false
}

// questionStep shows the current question of s.
func (e *Engine) questionStep(s *Session, notice Notice, msg string) *Step {
	q := e.q.Load()
	return &Step{Kind: StepQuestion, Notice: notice, Message: msg, Team: isTeam(s), Question: view(q, s, current(q, s))}
}

func notice(n Notice, msg string) *Step {
	return &Step{Kind: StepNotice, Notice: n, Message: msg}
}

func (e *Engine) noSession(expired bool) *Step {
	if expired {
		return notice(NoticeExpired, fmt.Sprintf("Votre diagnostic en cours a expiré (sans réponse depuis plus de %s). Écrivez « diagnostic » pour en commencer un nouveau.", frDuration(e.ttl)))
	}
	return notice(NoticeNoSession, "Aucun diagnostic en cours. Écrivez « diagnostic » pour en commencer un.")
}

// Start begins a diagnostic, or resumes the one in progress unless
// opts.Restart is set.
func (e *Engine) Start(ctx context.Context, userID string, opts StartOptions) (*Step, error) {
	defer e.lock(userID)()
	return e.start(ctx, userID, opts)
}

func (e *Engine) start(ctx context.Context, userID string, opts StartOptions) (*Step, error) {
	s, _, err := e.load(ctx, userID)
	if err != nil {
		return nil, err
	}
	// A diagnostic in progress resumes, unless another team is named.
	otherTeam := opts.TeamName != "" && !strings.EqualFold(opts.TeamName, s.teamName())
	if s != nil && !opts.Restart && len(s.Answers) > 0 && !otherTeam {
		s.Paused = false
		if err := e.save(ctx, s); err != nil {
			return nil, err
		}
		return e.questionStep(s, NoticeResumed, e.resumeMessage(s)+" Écrivez « recommencer » pour repartir de zéro."), nil
	}
	now := e.now()
	s = &Session{
		UserID:      userID,
		AskAudience: opts.Audience == AudienceAsk,
		Team:        opts.Audience == AudienceTeam,
		StartedAt:   now,
	}
	if opts.Audience == AudienceTeam {
		s.TeamName = opts.TeamName
	}
	if err := e.save(ctx, s); err != nil {
		return nil, err
	}
	q := e.q.Load()
	intro := q.Intro
	if s.Team && q.IntroTeam != "" {
		intro = q.IntroTeam
	}
	return e.questionStep(s, NoticeStarted, intro), nil
}

func (e *Engine) resumeMessage(s *Session) string {
	v := view(e.q.Load(), s, current(e.q.Load(), s))
	if v.Number > 0 {
		return fmt.Sprintf("On reprend votre diagnostic là où vous l'aviez laissé (question %d/%d).", v.Number, v.Total)
	}
	return "On reprend votre diagnostic là où vous l'aviez laissé."
}

// Choose records a click on an option. A click on a question that is not the
// current one (an old post, a double click, a post from before "retour")
// changes nothing and shows the current question again. A click on a paused
// diagnostic resumes it.
func (e *Engine) Choose(ctx context.Context, userID, questionID, optionID string) (*Step, error) {
	defer e.lock(userID)()
	s, expired, err := e.load(ctx, userID)
	if err != nil {
		return nil, err
	}
	if s == nil {
		if !expired {
			if st, err := e.finishedClick(ctx, userID, questionID); st != nil || err != nil {
				return st, err
			}
		}
		return e.noSession(expired), nil
	}
	q := e.q.Load()
	if s.Paused {
		s.Paused = false
		if err := e.save(ctx, s); err != nil {
			return nil, err
		}
	}
	cur := current(q, s)
	if questionID != cur {
		if prev, ok := s.answer(questionID); ok && prev == optionID {
			return e.questionStep(s, NoticeDuplicate, "Réponse déjà prise en compte. Voici la question en cours."), nil
		}
		return e.questionStep(s, NoticeStale, "Ce bouton correspond à une autre question que celle en cours ; la voici."), nil
	}
	if !view(q, s, cur).has(optionID) {
		return e.questionStep(s, NoticeUnclear, "Ce choix n'existe plus (le questionnaire a changé). Choisissez parmi les options ci-dessous."), nil
	}
	return e.answer(ctx, s, cur, optionID)
}

// finishedClick recognises a click on the last question of a diagnostic that
// just finished (a double click on the last answer).
func (e *Engine) finishedClick(ctx context.Context, userID, questionID string) (*Step, error) {
	rs, err := e.store.Results(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("lecture des résultats: %w", err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	last := rs[len(rs)-1]
	for _, a := range last.Answers {
		if a.Question == questionID && e.now().Sub(last.FinishedAt) < e.ttl {
			return notice(NoticeFinished, "Ce diagnostic est terminé. « /parcours resultat » affiche votre dernier résultat ; écrivez « diagnostic » pour en faire un nouveau."), nil
		}
	}
	return nil, nil
}

// answer records the answer to the current question and moves on, finishing
// the diagnostic after the last one.
func (e *Engine) answer(ctx context.Context, s *Session, questionID, optionID string) (*Step, error) {
	q := e.q.Load()
	s.Answers = append(s.Answers, Answer{Question: questionID, Option: optionID})
	if current(q, s) != "" {
		if err := e.save(ctx, s); err != nil {
			return nil, err
		}
		return e.questionStep(s, NoticeNone, ""), nil
	}
	p, _ := s.answer(PerimeterQuestionID)
	var practice []Answer
	for _, a := range s.Answers {
		if a.Question != AudienceQuestionID && a.Question != PerimeterQuestionID {
			practice = append(practice, a)
		}
	}
	r := q.Score(p, isTeam(s), practice)
	r.UserID = s.UserID
	if r.Team {
		r.TeamName = s.TeamName
	}
	r.StartedAt = s.StartedAt
	r.FinishedAt = e.now()
	if err := e.store.Finish(ctx, r, e.keep); err != nil {
		e.forget(s.UserID)
		return nil, fmt.Errorf("enregistrement du résultat: %w", err)
	}
	e.remember(s.UserID, nil)
	e.log.Info("diagnostic terminé",
		zap.String("perimetre", r.Perimeter), zap.Int("niveau", r.Level),
		zap.Int("score", r.Overall), zap.Bool("equipe", r.Team))
	rs, err := e.store.Results(ctx, s.UserID)
	if err != nil {
		return nil, fmt.Errorf("lecture des résultats: %w", err)
	}
	return &Step{Kind: StepResult, Team: r.Team, Result: r, Advice: q.Advise(r), Change: q.Compare(previousOf(rs), r)}, nil
}

// Reply handles a typed message: an answer to the current question ("2",
// "b", "B)", the option's words, "passer") or a command ("retour",
// "annuler", "reprendre", "recommencer", "aide"). What it does not
// understand gets a short re-prompt.
func (e *Engine) Reply(ctx context.Context, userID, text string) (*Step, error) {
	defer e.lock(userID)()
	norm := normalize(text)
	cmd := parseCommand(norm)
	s, expired, err := e.load(ctx, userID)
	if err != nil {
		return nil, err
	}
	switch cmd {
	case cmdRestart:
		opts := StartOptions{Restart: true}
		if s != nil && !s.AskAudience {
			opts.Audience = AudienceSelf
			if s.Team {
				opts.Audience = AudienceTeam
				opts.TeamName = s.TeamName
			}
		}
		return e.start(ctx, userID, opts)
	case cmdResume:
		return e.resume(ctx, s, expired)
	case cmdCancel:
		return e.cancel(ctx, s, expired)
	}
	if s == nil {
		return e.noSession(expired), nil
	}
	if s.Paused {
		return notice(NoticePaused, "Votre diagnostic est en pause. Écrivez « reprendre » pour continuer ou « recommencer » pour repartir de zéro."), nil
	}
	switch cmd {
	case cmdBack:
		return e.back(ctx, s)
	case cmdHelp:
		return e.questionStep(s, NoticeHelp, helpText(view(e.q.Load(), s, current(e.q.Load(), s)))), nil
	}
	q := e.q.Load()
	cur := current(q, s)
	v := view(q, s, cur)
	id, ok := matchOption(v.Options, text)
	if !ok && cur == PerimeterQuestionID {
		id, ok = e.perimeterOfRole(q, text)
	}
	if !ok {
		return e.questionStep(s, NoticeUnclear, fmt.Sprintf("Je n'ai pas compris « %s ». %s", quote.Text(text, 40), helpText(v))), nil
	}
	return e.answer(ctx, s, cur, id)
}

// perimeterOfRole finds the perimeter whose learning path a person's words
// about their job point to ("je suis DSI"), as the answer engine reads them.
func (e *Engine) perimeterOfRole(q *Questionnaire, text string) (string, bool) {
	if e.role == nil {
		return "", false
	}
	path := e.role(text)
	if path == "" {
		return "", false
	}
	for _, o := range q.Perimeter.Options {
		if o.Path == path || o.Path == "" && o.ID == path {
			return o.ID, true
		}
	}
	return "", false
}

func helpText(v *QuestionView) string {
	if len(v.Options) == 0 {
		return "« retour » revient à la question précédente, « annuler » interrompt le diagnostic."
	}
	msg := fmt.Sprintf("Répondez par un numéro (1 à %d), une lettre (a à %s) ou les mots d'une option", len(v.Options), v.Options[len(v.Options)-1].Letter)
	if len(v.Options) > 0 && v.Options[len(v.Options)-1].Skip {
		msg += ", « passer » si la question ne s'applique pas"
	}
	msg += ". « retour » revient à la question précédente, « annuler » interrompt le diagnostic."
	return msg
}

// Back goes back one question: its answer is forgotten and it is asked again.
func (e *Engine) Back(ctx context.Context, userID string) (*Step, error) {
	defer e.lock(userID)()
	s, expired, err := e.load(ctx, userID)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return e.noSession(expired), nil
	}
	s.Paused = false
	return e.back(ctx, s)
}

func (e *Engine) back(ctx context.Context, s *Session) (*Step, error) {
	if len(s.Answers) == 0 {
		return e.questionStep(s, NoticeFirst, "Vous êtes déjà à la première question."), nil
	}
	s.Answers = s.Answers[:len(s.Answers)-1]
	if err := e.save(ctx, s); err != nil {
		return nil, err
	}
	return e.questionStep(s, NoticeNone, ""), nil
}

// Cancel pauses the diagnostic in progress; it is kept until it expires, so
// that "reprendre" goes on.
func (e *Engine) Cancel(ctx context.Context, userID string) (*Step, error) {
	return e.withSession(ctx, userID, e.cancel)
}

// withSession runs f on the user's session (nil when none), under the
// user's lock.
func (e *Engine) withSession(ctx context.Context, userID string, f func(context.Context, *Session, bool) (*Step, error)) (*Step, error) {
	defer e.lock(userID)()
	s, expired, err := e.load(ctx, userID)
	if err != nil {
		return nil, err
	}
	return f(ctx, s, expired)
}

func (e *Engine) cancel(ctx context.Context, s *Session, expired bool) (*Step, error) {
	if s == nil {
		return e.noSession(expired), nil
	}
	s.Paused = true
	if err := e.save(ctx, s); err != nil {
		return nil, err
	}
	return notice(NoticeCancelled, fmt.Sprintf("Diagnostic interrompu. Vos réponses sont gardées %s : écrivez « reprendre » pour continuer ou « recommencer » pour repartir de zéro.", e.KeptFor())), nil
}

// Resume shows the current question of the diagnostic in progress, paused or not.
func (e *Engine) Resume(ctx context.Context, userID string) (*Step, error) {
	return e.withSession(ctx, userID, e.resume)
}

func (e *Engine) resume(ctx context.Context, s *Session, expired bool) (*Step, error) {
	if s == nil {
		if expired {
			return e.noSession(true), nil
		}
		return notice(NoticeNoSession, "Rien à reprendre : aucun diagnostic en cours. Écrivez « diagnostic » pour en commencer un."), nil
	}
	s.Paused = false
	if err := e.save(ctx, s); err != nil {
		return nil, err
	}
	return e.questionStep(s, NoticeResumed, e.resumeMessage(s)), nil
}

// Current shows the current question without changing anything; a notice
// when there is no diagnostic in progress, or it is paused (the notice then
// carries the question it stopped at).
func (e *Engine) Current(ctx context.Context, userID string) (*Step, error) {
	defer e.readLock(userID)()
	s, expired, err := e.load(ctx, userID)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return e.noSession(expired), nil
	}
	if s.Paused {
		st := notice(NoticePaused, "Votre diagnostic est en pause. Écrivez « reprendre » pour continuer ou « recommencer » pour repartir de zéro.")
		st.Question = view(e.q.Load(), s, current(e.q.Load(), s))
		return st, nil
	}
	return e.questionStep(s, NoticeNone, ""), nil
}

// Active reports whether the user has a diagnostic in progress that is not
// paused: adapters then send the user's direct messages to Reply.
func (e *Engine) Active(ctx context.Context, userID string) (bool, error) {
	defer e.readLock(userID)()
	s, _, err := e.load(ctx, userID)
	if err != nil {
		return false, err
	}
	return s != nil && !s.Paused, nil
}

// IsCommand reports whether a typed message is a diagnostic command
// ("reprendre", "annuler", "recommencer"...), which adapters should send to
// Reply even when no diagnostic is active.
func IsCommand(text string) bool {
	switch parseCommand(normalize(text)) {
	case cmdResume, cmdCancel, cmdRestart:
		return true
	}
	return false
}

// Results lists the user's results, oldest first (the team view of
// /parcours resultat equipe reads them).
func (e *Engine) Results(ctx context.Context, userID string) ([]*Result, error) {
	if userID == "" {
		return nil, errNoUser
	}
	rs, err := e.store.Results(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("lecture des résultats: %w", err)
	}
	return rs, nil
}

// History returns the user's latest result, its advice, and the change since
// the previous result of the same perimeter and audience.
func (e *Engine) History(ctx context.Context, userID string) (*History, error) {
	if userID == "" {
		return nil, errNoUser
	}
	rs, err := e.store.Results(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("lecture des résultats: %w", err)
	}
	h := &History{Count: len(rs)}
	if len(rs) == 0 {
		return h, nil
	}
	q := e.q.Load()
	h.Latest = rs[len(rs)-1]
	h.Advice = q.Advise(h.Latest)
	h.Change = q.Compare(previousOf(rs), h.Latest)
	return h, nil
}

// Forget deletes everything kept about the user's diagnostics (results and
// the diagnostic in progress) and returns how many results there were.
func (e *Engine) Forget(ctx context.Context, userID string) (int, error) {
	if userID == "" {
		return 0, errNoUser
	}
	defer e.lock(userID)()
	e.forget(userID)
	if err := e.store.DeleteSession(ctx, userID); err != nil {
		return 0, fmt.Errorf("suppression du diagnostic en cours: %w", err)
	}
	n, err := e.store.DeleteResults(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("suppression des résultats: %w", err)
	}
	return n, nil
}

// Expire deletes the abandoned sessions (untouched for longer than the TTL).
func (e *Engine) Expire(ctx context.Context) (int, error) {
	before := e.now().Add(-e.ttl)
	e.cacheMu.Lock()
	for id, s := range e.cache {
		if s == nil || s.UpdatedAt.Before(before) {
			delete(e.cache, id)
		}
	}
	e.cacheMu.Unlock()
	n, err := e.store.DeleteSessionsBefore(ctx, before)
	if err != nil {
		return 0, fmt.Errorf("expiration des diagnostics abandonnés: %w", err)
	}
	if n > 0 {
		e.log.Info("diagnostics abandonnés supprimés", zap.Int("nombre", n))
	}
	return n, nil
}

// RunExpiry calls Expire every interval until ctx is done.
func (e *Engine) RunExpiry(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := e.Expire(ctx); err != nil {
				e.log.Warn("expiration des diagnostics", zap.Error(err))
			}
		}
	}
}

// KeptFor says how long answers are kept, for messages: "7 jours", or
// "jusqu'à la fin de cette session" when nothing outlives the process.
func (e *Engine) KeptFor() string {
	if e.volatile {
		return "jusqu'à la fin de cette session"
	}
	return frDuration(e.ttl)
}

// Volatile reports whether nothing outlives the process (see Config).
func (e *Engine) Volatile() bool { return e.volatile }

// Answered returns the option recorded for a question of the user's
// diagnostic: in the diagnostic in progress, else in the result finished
// within the last hour (the answer to the last question lives there).
func (e *Engine) Answered(ctx context.Context, userID, questionID string) (string, bool) {
	defer e.lock(userID)()
	s, _, err := e.load(ctx, userID)
	if err == nil && s != nil {
		return s.answer(questionID)
	}
	rs, err := e.store.Results(ctx, userID)
	if err != nil || len(rs) == 0 {
		return "", false
	}
	last := rs[len(rs)-1]
	if e.now().Sub(last.FinishedAt) > time.Hour {
		return "", false
	}
	if questionID == PerimeterQuestionID {
		return last.Perimeter, true
	}
	for _, a := range last.Answers {
		if a.Question == questionID {
			return a.Option, true
		}
	}
	return "", false
}

// frDuration writes a TTL the French way: "7 jours", "12 heures", "30 minutes".
func frDuration(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n > 1 {
			return fmt.Sprintf("%d %ss", n, unit)
		}
		return fmt.Sprintf("%d %s", n, unit)
	}
	switch {
	case d >= 48*time.Hour:
		return plural(int(d/(24*time.Hour)), "jour")
	case d >= 2*time.Hour:
		return plural(int(d/time.Hour), "heure")
	default:
		return plural(max(int(d/time.Minute), 1), "minute")
	}
}
