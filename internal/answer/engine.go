package answer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/cloud-pi-native/parcours/internal/fr"
	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/lexicon"
	"github.com/cloud-pi-native/parcours/internal/parcours"
	"github.com/cloud-pi-native/parcours/internal/quote"
	"github.com/cloud-pi-native/parcours/internal/search"
)

// MaxQuestion bounds what is analysed; chat messages can be long pastes.
const MaxQuestion = 1000

// Options configures an Engine.
type Options struct {
	Sources  []kb.Source // read and indexed in memory at Open and Reload
	IndexDir string      // or: a persistent index written by "parcours index"
	Logger   *zap.Logger
	// MaxDrop is the share of the pages (0 to 1) a reload may remove
	// unless forced; DefaultMaxDrop when 0, 1 for no check.
	MaxDrop float64
	// Ranking replaces the learned ranking (nil: the learned one):
	// "parcours calibrate" learns a new one with it.
	Ranking *search.Ranking
}

// DefaultMaxDrop is the share of the pages a reload may remove unless
// forced: emptying a folder by mistake must not empty the bot.
const DefaultMaxDrop = 0.5

// DropError refuses a reload that would remove more than the allowed share
// of the pages; the old base keeps serving.
type DropError struct {
	Diff kb.Diff
	Max  float64 // the share allowed
}

// Explain says it to an administrator, in French, on a few lines.
func (e *DropError) Explain() string {
	return fmt.Sprintf("Rechargement refusé : la nouvelle base perd %d des %d pages (%s, plus que les %s permis par PARCOURS_REINDEX_MAX_DROP). L'ancienne base reste en service.\nChangements : %s.",
		len(e.Diff.Removed), e.Diff.Before, fr.Percent(e.Diff.DroppedShare()), fr.Percent(e.Max), e.Diff.Summary(5))
}

func (e *DropError) Error() string {
	return fmt.Sprintf("rechargement refusé : la nouvelle base perd %d des %d pages (%s, plus que les %s permis) ; %s",
		len(e.Diff.Removed), e.Diff.Before, fr.Percent(e.Diff.DroppedShare()), fr.Percent(e.Max), e.Diff.Summary(5))
}

// Stats describes the knowledge base being served.
type Stats struct {
	Pages    int
	Sections int
	Warnings []string
	LoadedAt time.Time
	Took     time.Duration
	Diff     kb.Diff // what the last reload changed
}

// Engine answers questions. It is safe for concurrent use; Reload swaps the
// knowledge base without interrupting questions in flight.
type Engine struct {
	opts     Options
	log      *zap.Logger
	cur      atomic.Pointer[state]
	reloadMu sync.Mutex
}

// state is one loaded knowledge base. Questions hold its read lock; the
// state is closed once replaced and no question uses it any more.
type state struct {
	mu         sync.RWMutex
	closed     bool
	ix         *search.Index
	und        *understanding
	paths      pathPages
	glossaries glossaries
	stats      Stats
}

// Open loads the knowledge base and builds its index.
func Open(ctx context.Context, opts Options) (*Engine, error) {
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if len(opts.Sources) == 0 && opts.IndexDir == "" {
		opts.Sources = []kb.Source{kb.Embedded()}
	}
	e := &Engine{opts: opts, log: opts.Logger}
	st, err := e.load(ctx)
	if err != nil {
		return nil, err
	}
	e.cur.Store(st)
	return e, nil
}

func (e *Engine) load(ctx context.Context) (*state, error) {
	t0 := time.Now()
	var ix *search.Index
	var err error
	if e.opts.IndexDir != "" {
		ix, err = search.Open(e.opts.IndexDir)
	} else {
		var base *kb.Base
		base, err = kb.Load(ctx, e.opts.Sources...)
		if err == nil {
			ix, err = search.Build(ctx, base, "")
		}
	}
	if err != nil {
		return nil, err
	}
	if e.opts.Ranking != nil {
		ix.UseRanking(*e.opts.Ranking)
	}
	st := &state{ix: ix, und: newUnderstanding(ix.Catalog()), paths: findPathPages(ix.Catalog(), ix.Pages()),
		glossaries: findGlossaries(ix.Pages())}
	s := ix.Stats()
	st.stats = Stats{Pages: s.Pages, Sections: s.Sections, LoadedAt: time.Now(), Took: time.Since(t0)}
	for _, w := range ix.Base().Warnings {
		st.stats.Warnings = append(st.stats.Warnings, w.String())
	}
	e.log.Info("base de connaissances chargée", zap.Int("pages", s.Pages), zap.Int("sections", s.Sections),
		zap.Int("avertissements", len(st.stats.Warnings)), zap.Duration("durée", st.stats.Took))
	for _, w := range st.stats.Warnings {
		e.log.Warn("base de connaissances", zap.String("avertissement", w))
	}
	return st, nil
}

// Reload reads the sources again and swaps the index in. On error the
// current index keeps serving; so it does when the new base would lose more
// than Options.MaxDrop of the pages (a *DropError), unless forced.
func (e *Engine) Reload(ctx context.Context, force bool) (Stats, error) {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	st, err := e.load(ctx)
	if err != nil {
		e.log.Error("rechargement refusé, l'index actuel reste en service", zap.Error(err))
		return Stats{}, fmt.Errorf("rechargement: %w", err)
	}
	if cur := e.cur.Load(); cur != nil {
		st.stats.Diff = kb.Compare(cur.ix.Base(), st.ix.Base())
	}
	maxDrop := e.opts.MaxDrop
	if maxDrop <= 0 {
		maxDrop = DefaultMaxDrop
	}
	if d := st.stats.Diff; !force && d.DroppedShare() > maxDrop {
		st.retire()
		err := &DropError{Diff: d, Max: maxDrop}
		e.log.Warn("rechargement refusé, l'index actuel reste en service", zap.Int("avant", d.Before), zap.Int("après", d.After),
			zap.Strings("retirées", d.Removed[:min(len(d.Removed), 20)]))
		return Stats{}, err
	}
	e.log.Info("rechargement", zap.Bool("forcé", force), zap.Int("ajoutées", len(st.stats.Diff.Added)),
		zap.Int("modifiées", len(st.stats.Diff.Changed)), zap.Int("retirées", len(st.stats.Diff.Removed)))
	old := e.cur.Swap(st)
	go old.retire()
	return st.stats, nil
}

func (s *state) retire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	_ = s.ix.Close()
}

// acquire returns the current state, read-locked.
func (e *Engine) acquire() (*state, error) {
	for range 100 {
		st := e.cur.Load()
		if st == nil {
			return nil, errors.New("moteur fermé")
		}
		st.mu.RLock()
		if !st.closed {
			return st, nil
		}
		st.mu.RUnlock()
	}
	return nil, errors.New("moteur fermé")
}

// Close releases the index.
func (e *Engine) Close() error {
	st := e.cur.Swap(nil)
	if st == nil {
		return nil
	}
	st.retire()
	return nil
}

// Stats describes the knowledge base being served.
func (e *Engine) Stats() Stats {
	st, err := e.acquire()
	if err != nil {
		return Stats{}
	}
	defer st.mu.RUnlock()
	return st.stats
}

// Catalog is the learning-path catalogue being served.
func (e *Engine) Catalog() *parcours.Catalog {
	st, err := e.acquire()
	if err != nil {
		return &parcours.Catalog{}
	}
	defer st.mu.RUnlock()
	return st.ix.Catalog()
}

// PageURL returns the link to a knowledge page (path relative to its source
// root, optionally with "#anchor"), or "" when no such page is indexed.
func (e *Engine) PageURL(ref string) string {
	st, err := e.acquire()
	if err != nil {
		return ""
	}
	defer st.mu.RUnlock()
	return st.pageURL(ref)
}

func (s *state) pageURL(ref string) string {
	path, anchor, _ := strings.Cut(ref, "#")
	p := s.ix.PageByPath(path)
	if p == nil || anchor != "" && p.Section(anchor) == nil {
		return ""
	}
	return p.SectionURL(anchor)
}

// PageMarkdown returns a page indexed from the named source and its
// Markdown, read again from the source, for the bot to show it. Only pages
// of the base being served are returned: never a draft, a data file, a
// binary, an excluded file or anything reached through a link out of the
// source.
func (e *Engine) PageMarkdown(source, path string) (*kb.Page, []byte, error) {
	st, err := e.acquire()
	if err != nil {
		return nil, nil, err
	}
	p := st.ix.Page(source + ":" + path)
	st.mu.RUnlock()
	if p == nil {
		return nil, nil, fs.ErrNotExist
	}
	for _, src := range e.opts.Sources {
		if src.Name == source {
			data, err := kb.ReadPage(src, path)
			if err != nil {
				return nil, nil, fmt.Errorf("page %s: %w", p.ID(), err)
			}
			return p, data, nil
		}
	}
	return nil, nil, fs.ErrNotExist
}

// Role returns the learning path a person's words about themselves point
// to ("je suis DSI" → "strategie"), read as questions are, and "" when they
// name no role.
func (e *Engine) Role(text string) string {
	st, err := e.acquire()
	if err != nil {
		return ""
	}
	defer st.mu.RUnlock()
	q := StandardSpelling(strings.TrimSpace(text))
	if r := []rune(q); len(r) > MaxQuestion {
		q = string(r[:MaxQuestion])
	}
	p, ok := st.und.role(q, search.Analyze(q))
	if !ok {
		return ""
	}
	return p.path
}

// Ask answers a question with a limit of three passages.
func (e *Engine) Ask(ctx context.Context, question string) (*Answer, error) {
	return e.AskN(ctx, question, 3)
}

// AskN answers a question with up to limit passages.
func (e *Engine) AskN(ctx context.Context, question string, limit int) (*Answer, error) {
	st, err := e.acquire()
	if err != nil {
		return nil, err
	}
	defer st.mu.RUnlock()
	return st.ask(ctx, question, limit)
}

func (s *state) ask(ctx context.Context, question string, limit int) (*Answer, error) {
	q := strings.TrimSpace(question)
	if r := []rune(q); len(r) > MaxQuestion {
		q = string(r[:MaxQuestion])
	}
	q = StandardSpelling(q)
	a := &Answer{Query: question, Lang: detectLang(q)}
	in := s.und.read(q)
	req := search.Request{Question: q, Limit: max(limit, 1), Parcours: in.path, Niveau: in.level}
	if a.Lang == "en" {
		req.UnknownWeight = 0.6
		req.English = true
	}
	pathFactor := 1.3
	if in.wantsPath {
		pathFactor = 2.5
	}
	definition := definitionRE.MatchString(q)
	var qterms map[string]bool
	if definition {
		qterms = search.TermSet([]string{q})
	}
	if in.path != "" || definition {
		req.Prefer = func(p *kb.Page) float64 {
			f := 1.0
			if in.path != "" && s.paths.of[p.ID()] == in.path {
				f *= pathFactor
			}
			// "c'est quoi DSO ?": a glossary defines what pages use,
			// when it defines a word of the question.
			if definition && glossaryRE.MatchString(p.Title) && definesAny(p, qterms) {
				f *= 1.5
			}
			return f
		}
	}
	res, err := s.ix.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	terms := map[string]bool{}
	for _, c := range res.Concepts {
		for _, alt := range c.Alts {
			for _, t := range alt.Terms {
				terms[t] = true
			}
		}
	}
	sig := signalsOf(res, a.Lang == "en")
	a.Signals = &sig
	a.Confidence = round2(calibration.Correct.P(sig))
	if len(res.Hits) > 0 {
		for _, h := range res.Hits {
			anchor := h.Section
			// A stated level on the page of its path points at that level.
			if in.level > 0 && in.path != "" && s.paths.of[h.Page.ID()] == in.path {
				if l := levelSection(h.Page, in.level); l != "" {
					anchor = l
				}
			}
			ps := s.passage(h, anchor, terms)
			f := h.Features
			ps.Features, ps.Offset = f[:], h.Offset
			a.Passages = append(a.Passages, ps)
		}
	}
	// "c'est quoi DSO ?": a glossary that holds the word defines it, even
	// when long pages using it rank higher on words alone.
	definedGlossary := false
	if definition {
		var best *kb.Page
		if len(res.Hits) > 0 {
			best = res.Hits[0].Page
		}
		if g := s.glossaries.defining(q, best); g != nil && (len(a.Passages) == 0 || a.Passages[0].Path != g.Path) {
			definedGlossary = true
			h := search.Hit{Page: g, Score: 1}
			a.Passages = append([]Passage{s.passage(h, "", terms)}, a.Passages...)
			if len(a.Passages) > limit {
				a.Passages = a.Passages[:limit]
			}
			a.Confidence = math.Max(a.Confidence, calibration.SureAt)
		}
	}
	subst := substantive(res.Concepts) || definedGlossary
	switch {
	case subst && (a.Confidence >= calibration.SureAt || definedGlossary):
		a.Tier = TierSure
	case subst && len(a.Passages) > 0 && calibration.Answerable.P(sig) >= calibration.AnswerAt:
		a.Tier = TierTentative
	default:
		a.Tier = TierNone
		// Off-topic, or numbers and everyday words found in pages: low
		// confidence whatever the first page's evidence.
		a.Confidence = round2(math.Min(a.Confidence, calibration.Answerable.P(sig)))
		if !subst {
			a.Confidence = math.Min(a.Confidence, 0.1)
		}
	}
	// A stated role asking where to start is answered by its path, even when
	// the words of the question are not in the pages.
	if p := s.paths.page(in.path); p != nil && in.wantsPath {
		a.Tier = TierSure
		a.Confidence = math.Max(a.Confidence, calibration.SureAt)
		if len(a.Passages) == 0 || a.Passages[0].Path != p.Path {
			lvl := max(in.level, 1)
			h := search.Hit{Page: p, Score: 1}
			a.Passages = append([]Passage{s.passage(h, levelSection(p, lvl), terms)}, a.Passages...)
			if len(a.Passages) > limit {
				a.Passages = a.Passages[:limit]
			}
		}
	}
	a.Answered = a.Tier != TierNone
	a.Path = s.recommend(in, a)
	if a.Tier != TierSure {
		a.Suggestions = s.suggestions(a.Lang, res.Concepts)
		a.Missing = missing(res)
	}
	return a, nil
}

// maxMissing bounds the words an answer names as missing.
const maxMissing = 3

// missing returns the words of the question no page holds that kept the
// full weight of a word the base lacks: names, rare words, words of daily
// life ("voiture"), not the common words that weigh less ("normal", "vite").
// They are the user's words, as typed: adapters quote them.
func missing(res *search.Result) []string {
	var out []string
	for _, c := range res.Concepts {
		if c.Unknown && c.Weight >= 0.99*res.MaxWeight && lexicon.Rank(c.Surface) == 0 && len(out) < maxMissing {
			w := c.Surface
			// "l'orga" is shown "orga": the elision is no part of the word.
			if i := strings.IndexAny(w, "'’"); i > 0 && i <= 2 {
				_, n := utf8.DecodeRuneInString(w[i:])
				w = w[i+n:]
			}
			out = append(out, w)
		}
	}
	return out
}

var (
	definitionRE = regexp.MustCompile(`(?i)(c'est quoi|c quoi|qu'est[- ]ce qu|que veut dire|veut dire quoi|ça veut dire|ca veut dire|signifie|signification|définition|definition|what is|what's|what does|meaning of|stands for)`)
	glossaryRE   = regexp.MustCompile(`(?i)(glossaire|glossary|lexique|vocabulaire|définitions|definitions|acronymes|abréviations|abreviations|sigles)`)
)

// substantive reports whether one concept of the question can carry an
// answer: a question made of numbers and everyday words has none.
func substantive(cs []search.Concept) bool {
	for i := range cs {
		if cs[i].Substantive() {
			return true
		}
	}
	return false
}

func (s *state) passage(h search.Hit, anchor string, terms map[string]bool) Passage {
	p := h.Page
	ps := Passage{Path: p.Path, Anchor: anchor, PageTitle: p.Title, Title: p.Title,
		URL: p.SectionURL(anchor), Score: round2(h.Score), Parcours: p.Parcours, Niveau: p.Niveau}
	text := p.Summary
	if sec := p.Section(anchor); sec != nil {
		if sec.Title != "" {
			ps.Title = sec.Title
		}
		if sec.Text != "" {
			text = sec.Text
		}
	}
	if text == "" && len(p.Sections) > 0 {
		text = p.Sections[0].Text
	}
	ps.Excerpt = excerpt(text, terms)
	if anchor != "" {
		s.levelOfSection(&ps, p)
	}
	return ps
}

// levelSectionRE is the title of a level's own section on a path page.
var levelSectionRE = regexp.MustCompile(`(?i)^\s*(?:niveau|level)\s*([123])\b`)

// levelOfSection gives the section of a level on a path page ("Niveau 2 :
// avancé") that level and path, where the page itself has none.
func (s *state) levelOfSection(ps *Passage, p *kb.Page) {
	path := s.paths.of[p.ID()]
	if path == "" {
		return
	}
	if ps.Parcours == "" {
		ps.Parcours = path
	}
	if cp := s.ix.Catalog().Path(path); cp != nil && cp.Page == p.Path {
		for _, l := range cp.Levels {
			if l.Anchor != "" && l.Anchor == ps.Anchor {
				ps.Niveau = l.Number
				return
			}
		}
	}
	if m := levelSectionRE.FindStringSubmatch(ps.Title); m != nil {
		ps.Niveau, _ = strconv.Atoi(m[1])
	}
}

// recommend picks the learning path and level that fit: the role the user
// stated, else the path of the best page when it belongs to one.
func (s *state) recommend(in intent, a *Answer) *PathRef {
	cat := s.ix.Catalog()
	id, level, reason := in.path, in.level, ""
	switch {
	case in.path != "":
		reason = "rôle : " + in.role
		if a.Lang == "en" {
			reason = "role: " + in.role
		}
		if level == 0 && in.wantsPath {
			level = 1 // "where do I start" starts at the fundamentals
		}
	case a.Tier == TierSure && len(a.Passages) > 0 && a.Passages[0].Parcours != "":
		id, level = a.Passages[0].Parcours, a.Passages[0].Niveau
		reason = "page « " + a.Passages[0].PageTitle + " »"
		if a.Lang == "en" {
			reason = "page “" + a.Passages[0].PageTitle + "”"
		}
	default:
		return nil
	}
	p := cat.Path(id)
	if p == nil {
		return nil
	}
	ref := &PathRef{ID: p.ID, Title: p.Title, Reason: reason}
	// The path's page in the served base: the catalogue's, or a page titled
	// like it in another documentation.
	page := s.paths.page(p.ID)
	if page != nil {
		ref.URL = page.URL
	}
	if level > 0 {
		ref.Level = level
		ref.LevelTitle = cat.LevelTitle(level)
		if page != nil {
			if a := levelSection(page, level); a != "" {
				ref.URL = page.SectionURL(a)
			}
		}
		if in.levelWord != "" && in.path != "" {
			ref.Reason += ", niveau : " + in.levelWord
		}
	}
	return ref
}

// maxUnknown bounds the unknown words listed back: a long message would
// otherwise make a long reply.
const maxUnknown = 5

// maxNeighbours bounds the related words suggested for unknown ones.
const maxNeighbours = 4

func (s *state) suggestions(lang string, concepts []search.Concept) []string {
	var unknown, near []string
	more := 0
	seen := map[string]bool{}
	for _, c := range concepts {
		if !c.Unknown {
			continue
		}
		for _, w := range s.ix.Neighbours(c.Surface, maxNeighbours) {
			if !seen[w] && len(near) < maxNeighbours {
				seen[w] = true
				near = append(near, w)
			}
		}
		if len(unknown) == maxUnknown {
			more++
			continue
		}
		// The user's words, quoted: no mention or Markdown of theirs acts.
		unknown = append(unknown, quote.Text(c.Surface, 40))
	}
	if lang == "en" {
		out := []string{"Rephrase with other words, such as the name of a tool or a practice.",
			"Browse the learning paths: /parcours liste", "Take the maturity diagnostic: /parcours diagnostic"}
		if len(unknown) > 0 {
			line := "These words are not in the knowledge base: " + strings.Join(unknown, ", ")
			if more > 0 {
				line += fmt.Sprintf(" and %d more", more)
			}
			out = append([]string{line}, out...)
		}
		if len(near) > 0 {
			out = append([]string{"Related words the knowledge base uses: " + strings.Join(near, ", ")}, out...)
		}
		return out
	}
	out := []string{"Reformulez avec d'autres mots, par exemple le nom d'un outil ou d'une pratique.",
		"Parcourez les parcours de formation : /parcours liste", "Faites le diagnostic de maturité : /parcours diagnostic"}
	if len(unknown) > 0 {
		line := "Ces mots ne figurent pas dans la base : « " + strings.Join(unknown, " », « ") + " »"
		switch {
		case more == 1:
			line += " et un autre"
		case more > 1:
			line += fmt.Sprintf(" et %d autres", more)
		}
		out = append([]string{line + "."}, out...)
	}
	if len(near) > 0 {
		out = append([]string{"Mots proches présents dans la base : « " + strings.Join(near, " », « ") + " »."}, out...)
	}
	return out
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
