package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/cloud-pi-native/parcours/internal/fuzzy"
	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/lexicon"
)

// Request is a search for pages answering a question.
type Request struct {
	Question string
	Limit    int // pages wanted; 3 when zero
	// Prefer gives pages a multiplier on their score (for example the page of
	// the learning path of a role the user stated); nil or 0 means 1.
	Prefer func(*kb.Page) float64
	// Parcours and Niveau favour pages of that path and level, when known.
	Parcours string
	Niveau   int
	// UnknownWeight scales the weight of words no page holds (1 when
	// zero). English questions on French pages lower it: their everyday
	// English words are unknown without being off-topic.
	UnknownWeight float64
	// English says the question is in English: its words are also looked
	// up in the English-French dictionary.
	English bool
}

// Result is the ranked answer of the index.
type Result struct {
	Concepts []Concept
	Hits     []Hit
	// MaxWeight is the weight of a word no page holds, the highest a
	// concept can have: weights over it say how specific a word is to
	// this base.
	MaxWeight float64
}

// Hit is a page that answers, with the section to link to.
type Hit struct {
	Page     *kb.Page
	Score    float64 // final ranking score, relative to this query only
	Coverage float64 // weighted share of the question's concepts the page holds
	Section  string  // anchor of the best section ("" for the page top)
	Matched  []bool  // per concept of the Result, found in the page
	// Proximity is how close together the page holds the question's
	// concepts, from 0 (scattered) to 1 (in one passage).
	Proximity float64
	// Features are the ranking evidence, Offset the log of the multipliers
	// the request added: what "parcours calibrate" learns the ranking from.
	Features [NumFeatures]float64
	Offset   float64
}

// Field boosts: mild on titles, as heavy title boosts let short pages named
// with a common word swallow every question holding that word.
var (
	pageFields    = map[string]float64{fTitle: 1.5, fHeadings: 1.2, fSummary: 1.2, fTags: 1.3, fQuestions: 1.3, fBody: 1, fCode: codeBoost, fPath: pathBoost}
	sectionFields = map[string]float64{fSTitle: 1.5, fSBody: 1}
)

// pathBoost is the weight of a word found in the page's path.
const pathBoost = 0.5

// codeBoost is the weight of a word found in code blocks: evidence of the
// identifier or message a user pasted, not of the page's subject.
const codeBoost = 0.5

const synonymBoost = 0.9 // a synonym is slightly weaker evidence than the user's word

// rootCredit is the evidence of a word found only through its root:
// restaurer/restauration are one, restaurant/restauration are not.
const rootCredit = 0.5

// Search ranks the pages of the index for a question.
func (ix *Index) Search(ctx context.Context, req Request) (*Result, error) {
	if req.Limit <= 0 {
		req.Limit = 3
	}
	concepts := ix.lex.Concepts(req.Question)
	if req.English {
		concepts = slices.DeleteFunc(concepts, func(c Concept) bool { return isEnglishStopWord(c.Surface) })
	}
	if err := ix.resolve(concepts, req); err != nil {
		return nil, err
	}
	if req.UnknownWeight > 0 {
		for i := range concepts {
			if concepts[i].Unknown {
				concepts[i].Weight *= req.UnknownWeight
			}
		}
	}
	res := &Result{Concepts: concepts, MaxWeight: ix.idf(0)}
	q := ix.conceptsQuery(concepts, pageFields)
	if q == nil {
		return res, nil
	}
	size := max(4*req.Limit, 30)
	if req.Prefer != nil {
		size = 100 // a preferred page may rank low on words alone
	}
	sr := bleve.NewSearchRequestOptions(q, size, 0, false)
	sr.IncludeLocations = true
	out, err := ix.idx.SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("recherche: %w", err)
	}
	if len(out.Hits) == 0 {
		return res, nil
	}
	total := 0.0
	for _, c := range concepts {
		total += c.Weight
	}
	hits, err := ix.rank(ctx, req, concepts, total, out.Hits)
	if err != nil {
		return nil, err
	}
	res.Hits = hits
	sort.SliceStable(res.Hits, func(i, j int) bool { return res.Hits[i].Score > res.Hits[j].Score })
	res.Hits = dropCopies(res.Hits, req.Limit)
	if len(res.Hits) > req.Limit {
		res.Hits = res.Hits[:req.Limit]
	}
	// A question that names only the page's subject ("GitLab", "les
	// secrets") is about the whole page: link its top, not a section.
	for i := range res.Hits {
		if titleHoldsAll(res.Hits[i].Page.Title, concepts) {
			res.Hits[i].Section = ""
		}
	}
	return res, nil
}

// rank scores bleve's hits with the learned ranking and points each at its
// best section.
func (ix *Index) rank(ctx context.Context, req Request, concepts []Concept, total float64, found search.DocumentMatchCollection) ([]Hit, error) {
	top := found[0].Score
	q := newQuestion(concepts, total)
	hits := make([]Hit, 0, len(found))
	for _, d := range found {
		p := ix.pages[d.ID[2:]]
		if p == nil {
			continue
		}
		matched, cov := coverage(concepts, d.Locations, total)
		prox := proximity(concepts, matched, d.Locations)
		h := Hit{Page: p, Coverage: cov, Matched: matched, Proximity: prox}
		h.Features = features(p, q, d.Score/top, matched, cov, prox, d.Locations)
		// Multipliers the caller or the question set are not learned: they
		// say what the user asked for, not how well the words match.
		if req.Prefer != nil {
			if f := req.Prefer(p); f > 0 {
				h.Offset += math.Log(f)
			}
		}
		if req.Parcours != "" && p.Parcours == req.Parcours {
			h.Offset += math.Log(1.15)
			if req.Niveau > 0 && p.Niveau == req.Niveau {
				h.Offset += math.Log(1.1)
			}
		}
		h.Score = ix.ranking.score(&h.Features) + h.Offset
		hits = append(hits, h)
	}
	if len(hits) == 0 {
		return hits, nil
	}
	// The sections are searched only for the pages they can lift into the
	// answer: the section features (coverage, score relative to the best
	// section's), each at most 1, add at most their weights (twice the
	// pages wanted, for copies dropped later).
	scores := make([]float64, len(hits))
	for i := range hits {
		scores[i] = hits[i].Score
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(scores)))
	floor := scores[min(2*req.Limit, len(scores))-1] - math.Max(ix.ranking[featSectionCoverage], 0) - math.Max(ix.ranking[featSectionScore], 0)
	var near []Hit
	for _, h := range hits {
		if h.Score >= floor {
			near = append(near, h)
		}
	}
	secs, err := ix.sectionEvidence(ctx, concepts, total, near)
	if err != nil {
		return nil, err
	}
	// The best section is among the near pages' (the first pages are
	// near), so the relative score is the same as over every candidate.
	bestSec := 0.0
	for _, e := range secs {
		bestSec = math.Max(bestSec, e.score)
	}
	for i := range hits {
		h := &hits[i]
		if e, ok := secs[h.Page.ID()]; ok {
			h.Section = e.anchor
			h.Features[featSectionCoverage] = e.cov
			if bestSec > 0 {
				h.Features[featSectionScore] = e.score / bestSec
			}
		}
		h.Score = math.Exp(ix.ranking.score(&h.Features) + h.Offset)
	}
	return hits, nil
}

// dropCopies keeps the first of pages that are copies of each other (same
// title, same headings: a page kept in two folders of a documentation),
// so that the other answers are not pushed out. Only the first limit
// distinct pages matter.
func dropCopies(hits []Hit, limit int) []Hit {
	out := hits[:0]
	for _, h := range hits {
		dup := false
		for _, k := range out {
			if sameOutline(k.Page, h.Page) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, h)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

// sameOutline reports whether two pages have the same title and nearly the
// same headings.
func sameOutline(a, b *kb.Page) bool {
	if !strings.EqualFold(strings.TrimSpace(a.Title), strings.TrimSpace(b.Title)) {
		return false
	}
	heads := func(p *kb.Page) map[string]bool {
		m := map[string]bool{}
		for _, s := range p.Sections {
			if s.Title != "" {
				m[strings.ToLower(s.Title)] = true
			}
		}
		return m
	}
	ha, hb := heads(a), heads(b)
	if len(ha) == 0 && len(hb) == 0 {
		return true
	}
	common := 0
	for t := range ha {
		if hb[t] {
			common++
		}
	}
	return float64(common) >= 0.8*float64(max(len(ha), len(hb)))
}

// resolve weighs each concept by its rarity and corrects unknown words to
// the closest indexed term, narrowly: only single words of minTypoLength
// letters or more that no page holds (most "typos" are missing accents,
// which folding already absorbs).
func (ix *Index) resolve(concepts []Concept, req Request) error {
	// The corrector opens an index reader: only for a question that needs it.
	var corrector *termCorrector
	ensure := func() (err error) {
		if corrector == nil {
			corrector, err = ix.newCorrector()
		}
		return err
	}
	defer func() {
		if corrector != nil {
			corrector.close()
		}
	}()
	for i := range concepts {
		c := &concepts[i]
		df := ix.conceptDF(c)
		if df == 0 && len(c.Alts) == 1 && len(c.Alts[0].Terms) == 1 {
			term := c.Alts[0].Terms[0]
			// A word of the dictionary ("remboursement", "imprimante") is
			// no typo: the pages just do not talk about it.
			if n := len([]rune(term)); n >= minTypoLength && !isDigit(term) && !lexicon.Known(c.Alts[0].Text) {
				if err := ensure(); err != nil {
					return err
				}
				// A word known through its root ("restaurer" for a page
				// saying "restauration") is no typo.
				if root := c.Alts[0].Root; root != "" {
					if rdf := corrector.rootDF(root); rdf > 0 {
						df = rdf
					}
				}
				if df > 0 {
					// known through its root
				} else if fixed := corrector.correct(term, ix.df); fixed != "" {
					c.Fuzzy = true
					c.Alts = []Alt{{Text: c.Surface, Terms: []string{fixed}}}
					for _, a := range ix.lex.Group([]string{fixed}) {
						if !equalTerms(a.Terms, c.Alts[0].Terms) {
							c.Alts = append(c.Alts, a)
						}
					}
					df = ix.conceptDF(c)
				}
			}
		}
		if len(c.Alts) >= 1 && len(c.Alts[0].Terms) == 1 && !c.Fuzzy {
			before := df
			ix.expand(c, req)
			// df may come from the word's root ("instructuer" and
			// "instructeur"): the expansion keeps it known.
			df = max(df, ix.conceptDF(c))
			c.Rescued = before == 0 && df > 0
		}
		if df == 0 && len(c.Alts) >= 1 && len(c.Alts[0].Terms) == 1 {
			// A short word no page holds, and no word of the dictionary
			// ("hier" is not "hiérarchie"), may be chat shorthand for a
			// word they do hold: "dispo", "param", "asso".
			term := c.Alts[0].Terms[0]
			if n := len([]rune(term)); n >= minShortcut && n < minTypoLength && !isDigit(term) && !lexicon.Known(c.Alts[0].Text) {
				if err := ensure(); err != nil {
					return err
				}
				for _, t := range corrector.completions(term, maxCompletions) {
					c.Alts = append(c.Alts, Alt{Text: t, Terms: []string{t}, Weight: rootCredit})
				}
				df = ix.conceptDF(c)
				c.Rescued = df > 0
			}
		}
		c.Unknown = df == 0
		if len(c.Alts[0].Terms) == 1 {
			w := c.Alts[0].Text
			c.Word = lexicon.Known(w) || len(lexicon.English(w)) > 0
		}
		c.Weight = ix.conceptIDF(c)
		if len(c.Alts[0].Terms) == 1 {
			t := c.Alts[0].Terms[0]
			switch {
			case isGenericWord(c.Alts[0].Text, t):
				c.generic = true
				c.Weight *= genericWeight
			case isEverydayWord(c.Alts[0].Text, t):
				// Unknown to every page, "salaire" still says the question
				// is elsewhere: it keeps its full weight.
				c.everyday = true
				switch {
				case !c.Unknown:
					c.Weight *= genericWeight
				case describes(c.Surface) && lexicon.Rank(c.Alts[0].Text) > 0:
					// "c normal ?", "c'est possible ?": a common word
					// that qualifies says nothing of where the question is.
					c.Weight *= commonWeight
				}
			case c.Unknown && (isAdverb(c.Surface) || actionWord(c.Surface)):
				// "safely", "rapidement": how, not what; "tient",
				// "bidouiller": what the user does, not what about.
				c.generic = true
				c.Weight *= genericWeight
			case c.Unknown && lexicon.Rank(c.Alts[0].Text) > 0:
				// A common French word the pages lack ("milieu", "chef")
				// is more often incidental than the subject; a rarer one
				// ("télétravail", "Navigo") says the question is elsewhere.
				c.Weight *= commonWeight
			}
		}
	}
	return nil
}

// minTypoLength is the shortest analyzed term the corrector rewrites. An
// unknown five-letter token is as often a name the pages lack ("ameli",
// "teams") as a typo, and indexed terms are stems: "ameli" was one letter
// from "amelio" (amélioration). Learned without each training file, 6
// separates real from off-topic questions better than 5 (86.8 against
// 86.3 % off-topic refused at 4 % real) for the same MRR; 7 a hair better
// again, at the cost of hit@3.
const minTypoLength = 6

// isAdverb tells English "-ly" and French "-ment" adverbs, for words no
// page holds (a known "-ment" word is a noun: déploiement, environnement).
func isAdverb(w string) bool {
	w = strings.ToLower(w)
	n := len([]rune(w))
	return n >= 5 && strings.HasSuffix(w, "ly") || n >= 8 && strings.HasSuffix(w, "ment")
}

// actionWord reports whether the dictionary reads a word only as a verb or
// an adverb: unknown to the pages, such a word says what the user does or
// how ("tient", "bidouiller"), and a question is no less answerable for it.
// A word that can be a noun ("remboursement", "marche") keeps its weight.
func actionWord(w string) bool {
	pos := lexicon.PartsOfSpeech(w)
	return pos != 0 && pos&(lexicon.Verb|lexicon.Adverb) != 0 && pos&(lexicon.Noun|lexicon.ProperNoun|lexicon.Adjective) == 0
}

// describes reports whether the dictionary reads a word as an adjective or
// an adverb (it may read it as a noun too: "normal", "bon").
func describes(w string) bool {
	return lexicon.PartsOfSpeech(w)&(lexicon.Adjective|lexicon.Adverb) != 0
}

// genericWeight is the share of its rarity an everyday word keeps.
const genericWeight = 0.3

// commonWeight is the share of its rarity a common French word no page
// holds keeps (see lexicon.Rank). Learned without each training file, 0.5
// and 0.3 separate real from off-topic questions alike, 0.1 worse.
const commonWeight = 0.5

// conceptIDF is the mean rarity of the known alternatives of a concept (the
// highest rarity when none is known): broad synonyms ("secret") and narrow
// abbreviations ("mdp") balance each other.
func (ix *Index) conceptIDF(c *Concept) float64 {
	if v, ok := ix.altsIDF(c.Alts, 1); ok {
		return v
	}
	if v, ok := ix.altsIDF(c.Alts, 0); ok {
		return v
	}
	return ix.idf(0)
}

// altsIDF is the mean rarity of the known alternatives weighing at least
// minWeight: the lexicon's related words do not dilute the rarity of the
// user's own word.
func (ix *Index) altsIDF(alts []Alt, minWeight float64) (float64, bool) {
	sum, n := 0.0, 0
	for _, a := range alts {
		if a.weight() < minWeight {
			continue
		}
		df := -1
		for _, t := range a.Terms {
			if d := ix.df[t]; df < 0 || d < df {
				df = d
			}
		}
		if df > 0 {
			sum += ix.idf(df)
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// conceptDF approximates how many pages hold a concept: the largest page
// frequency among its alternatives, an expression counting as its rarest term.
func (ix *Index) conceptDF(c *Concept) int {
	best := 0
	for _, a := range c.Alts {
		df := -1
		for _, t := range a.Terms {
			if d := ix.df[t]; df < 0 || d < df {
				df = d
			}
		}
		best = max(best, df)
	}
	return best
}

// conceptsQuery is a disjunction of the known concepts: bleve's coordination
// factor then rewards pages holding more of them.
func (ix *Index) conceptsQuery(concepts []Concept, fields map[string]float64) query.Query {
	var parts []query.Query
	for _, c := range concepts {
		if c.Unknown {
			continue
		}
		var alts []query.Query
		for i, a := range c.Alts {
			boost := a.weight()
			if i > 0 {
				boost *= synonymBoost
			}
			for f, fb := range fields {
				alts = append(alts, altQuery(a, f, boost*fb))
				if a.Root != "" {
					pq := bleve.NewPrefixQuery(a.Root)
					pq.SetField(f)
					pq.SetBoost(0.5 * boost * fb)
					alts = append(alts, pq)
				}
			}
		}
		d := bleve.NewDisjunctionQuery(alts...)
		if c.generic {
			d.SetBoost(genericWeight)
		}
		parts = append(parts, d)
	}
	if len(parts) == 0 {
		return nil
	}
	return bleve.NewDisjunctionQuery(parts...)
}

func altQuery(a Alt, field string, boost float64) query.Query {
	if len(a.Terms) == 1 {
		q := bleve.NewTermQuery(a.Terms[0])
		q.SetField(field)
		q.SetBoost(boost)
		return q
	}
	q := bleve.NewMatchPhraseQuery(a.Text)
	q.SetField(field)
	q.Analyzer = AnalyzerName
	q.SetBoost(boost)
	return q
}

// coverage tells which concepts a hit holds, from its term locations, and
// their weighted share.
func coverage(concepts []Concept, locs search.FieldTermLocationMap, total float64) ([]bool, float64) {
	found := map[string]bool{}
	for _, terms := range locs {
		for t := range terms {
			found[t] = true
		}
	}
	hasRoot := func(root string) bool {
		for t := range found {
			if strings.HasPrefix(t, root) {
				return true
			}
		}
		return false
	}
	matched := make([]bool, len(concepts))
	got := 0.0
	for i, c := range concepts {
		credit := 0.0
		for _, a := range c.Alts {
			all := true
			for _, t := range a.Terms {
				if !found[t] {
					all = false
					break
				}
			}
			switch {
			case all && c.Fuzzy:
				credit = max(credit, 0.5) // a corrected word is a guess
			case all:
				credit = max(credit, a.weight())
			case a.Root != "" && hasRoot(a.Root):
				credit = max(credit, rootCredit) // same root, maybe a false friend
			}
		}
		if credit > 0 {
			matched[i] = true
			got += credit * c.Weight
		}
	}
	if total == 0 {
		return matched, 0
	}
	return matched, got / total
}

// sectionMatch is the best section of a page for a question.
type sectionMatch struct {
	anchor string
	score  float64 // bleve's score of the section
	cov    float64 // weighted share of the concepts the section holds
}

// sectionEvidence finds, for each candidate page, the section that best
// answers (the link points at it) and how much of the question one
// section holds: a page that answers has a section that does.
func (ix *Index) sectionEvidence(ctx context.Context, concepts []Concept, total float64, hits []Hit) (map[string]sectionMatch, error) {
	best := map[string]sectionMatch{}
	if len(hits) == 0 {
		return best, nil
	}
	cq := ix.conceptsQuery(concepts, sectionFields)
	if cq == nil {
		return best, nil
	}
	var pageQs []query.Query
	for _, h := range hits {
		t := bleve.NewTermQuery(h.Page.ID())
		t.SetField(fSPage)
		pageQs = append(pageQs, t)
	}
	q := bleve.NewConjunctionQuery(bleve.NewDisjunctionQuery(pageQs...), cq)
	sr := bleve.NewSearchRequestOptions(q, 20*len(hits), 0, false)
	sr.IncludeLocations = true
	out, err := ix.sidx.SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("recherche des sections: %w", err)
	}
	for _, h := range out.Hits {
		// "s|<page id>#<anchor>"
		id := h.ID[2:]
		hash := strings.LastIndexByte(id, '#')
		pid, anchor := id[:hash], id[hash+1:]
		_, cov := coverage(concepts, h.Locations, total)
		m, seen := best[pid]
		if !seen || h.Score > m.score {
			m.anchor, m.score = anchor, h.Score
		}
		m.cov = math.Max(m.cov, cov)
		best[pid] = m
	}
	return best, nil
}

// titleHoldsAll reports whether a title holds every concept of the
// question: "GitLab" is about the page, "comment gérer les secrets" about
// the section on managing them.
func titleHoldsAll(title string, concepts []Concept) bool {
	terms := map[string]bool{}
	for _, t := range Terms(title) {
		terms[t] = true
	}
	n := 0
	for i := range concepts {
		c := &concepts[i]
		n++
		found := false
		for _, a := range c.Alts {
			all := len(a.Terms) > 0
			for _, t := range a.Terms {
				all = all && terms[t]
			}
			found = found || all
		}
		if !found {
			return false
		}
	}
	return n > 0
}

// termCorrector finds indexed terms close to an unknown one.
type termCorrector struct {
	reader    index.IndexReader
	fuzzyDict func(term string, fuzziness int, prefix string) ([]string, error)
}

// rootDF is the largest page frequency of the indexed terms starting with
// root.
func (tc *termCorrector) rootDF(root string) int {
	d, err := tc.reader.FieldDictPrefix(fBody, []byte(root))
	if err != nil {
		return 0
	}
	defer d.Close()
	best := 0
	for {
		e, err := d.Next()
		if err != nil || e == nil {
			return best
		}
		best = max(best, int(e.Count))
	}
}

// Shorthand: an unknown term of minShortcut letters or more, shorter than a
// typo the corrector would rewrite and not a dictionary word, also matches
// the indexed words it begins (the maxCompletions held by the most pages),
// at rootCredit.
const (
	minShortcut    = 4
	maxCompletions = 3
)

// completions are the indexed terms that begin with prefix and are at least
// two letters longer, held by the most pages first.
func (tc *termCorrector) completions(prefix string, limit int) []string {
	// The stemmer drops doubled letters from longer words only:
	// "différence" is indexed "diferenc", and "diff" must find it.
	prefix = undouble(prefix)
	d, err := tc.reader.FieldDictPrefix(fBody, []byte(prefix))
	if err != nil {
		return nil
	}
	defer d.Close()
	type term struct {
		t string
		n uint64
	}
	var all []term
	for {
		e, err := d.Next()
		if err != nil || e == nil {
			break
		}
		if len([]rune(e.Term)) >= len([]rune(prefix))+2 && !IsFiller(e.Term) {
			all = append(all, term{e.Term, e.Count})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].n > all[j].n })
	var out []string
	for _, t := range all[:min(limit, len(all))] {
		out = append(out, t.t)
	}
	return out
}

// undouble removes a letter repeated just before.
func undouble(s string) string {
	var b strings.Builder
	var last rune
	for i, r := range s {
		if i > 0 && r == last {
			continue
		}
		b.WriteRune(r)
		last = r
	}
	return b.String()
}

func (ix *Index) newCorrector() (*termCorrector, error) {
	adv, err := ix.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	fr, ok := r.(index.IndexReaderFuzzy)
	if !ok {
		_ = r.Close()
		return nil, fmt.Errorf("index: pas de recherche approchée")
	}
	return &termCorrector{
		reader: r,
		fuzzyDict: func(term string, fz int, prefix string) ([]string, error) {
			d, err := fr.FieldDictFuzzy(fBody, term, fz, prefix)
			if err != nil {
				return nil, err
			}
			defer d.Close()
			var out []string
			for {
				e, err := d.Next()
				if err != nil {
					return nil, err
				}
				if e == nil {
					return out, nil
				}
				out = append(out, e.Term)
			}
		},
	}, nil
}

func (tc *termCorrector) close() { _ = tc.reader.Close() }

// correct returns the closest indexed term (fewest edits, then most pages),
// or "" when none is close enough: one edit up to 8 letters, two beyond,
// and the same first letter (typos rarely touch it; it keeps unrelated words
// from being "corrected" into the domain).
func (tc *termCorrector) correct(term string, df map[string]int) string {
	r := []rune(term)
	fz := 1
	if len(r) > 8 {
		fz = 2
	}
	cands, err := tc.fuzzyDict(term, fz, string(r[0]))
	if err != nil {
		return ""
	}
	best, bestD, bestDF := "", fz+1, 0
	for _, c := range cands {
		d := fuzzy.Distance(term, c)
		if d < bestD || d == bestD && df[c] > bestDF {
			best, bestD, bestDF = c, d, df[c]
		}
	}
	return best
}
