package diagnostic

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Answer is one answered question: identifiers only, so that stored answers
// hold no free text.
type Answer struct {
	Question string `json:"q"`
	Option   string `json:"o"`
}

// DimensionScore is the score (0-100) of a dimension and how many of its
// questions were answered (not skipped).
type DimensionScore struct {
	Dimension string `json:"d"`
	Score     int    `json:"s"`
	Answered  int    `json:"n"`
}

// Result is a finished diagnostic as stored: user id, answer ids, scores and
// timestamps; no names, no free text. Advice is recomputed from it.
type Result struct {
	UserID  string `json:"user"`
	Version int    `json:"version"`
	Team    bool   `json:"team,omitempty"`
	// TeamName is the name given to the team answered for, if any.
	TeamName   string           `json:"team_name,omitempty"`
	Perimeter  string           `json:"perimeter"`
	Answers    []Answer         `json:"answers"`
	Dimensions []DimensionScore `json:"dimensions"`
	Overall    int              `json:"overall"`
	Level      int              `json:"level"`
	Answered   int              `json:"answered"`
	Skipped    int              `json:"skipped"`
	// Incomplete is true when fewer than min_reponses questions were
	// answered: the level is then 1 by default.
	Incomplete bool      `json:"incomplete,omitempty"`
	StartedAt  time.Time `json:"started"`
	FinishedAt time.Time `json:"finished"`
}

// Score returns the score of a dimension and whether it was scored.
func (r *Result) Score(dimension string) (int, bool) {
	for _, d := range r.Dimensions {
		if d.Dimension == dimension {
			return d.Score, true
		}
	}
	return 0, false
}

// Advice is the recommendation drawn from a result.
type Advice struct {
	Path       string     // learning path id ("produit")
	Level      int        // 1-3
	LevelTitle string     // "Fondamentaux"
	Page       string     // path page at that level, relative to knowledge/
	Topics     []TopicRef // the topics to start with, weakest dimensions first
	Reasons    []Reason   // why: the level, then each weak dimension
}

// TopicRef is a recommended topic.
type TopicRef struct {
	Title     string
	Page      string // relative to knowledge/, with an optional #anchor
	Dimension string
	Level     int
}

// Reason explains part of the advice. Text is a ready French sentence;
// Answers are the answers behind it, weakest first.
type Reason struct {
	Dimension string // "" for the reason of the overall level
	Score     int
	Text      string
	Answers   []AnswerRef
}

// AnswerRef is an answer with its labels, for explanations.
type AnswerRef struct {
	Question      string
	QuestionTitle string
	Option        string
	OptionLabel   string
	Score         int
}

// OptionScore is the score of option i of a question with n options: 0 for
// the first (least mature), 100 for the last, evenly spaced in between.
func OptionScore(i, n int) int {
	if n < 2 {
		return 0
	}
	return int(math.Round(100 * float64(i) / float64(n-1)))
}

// LevelFor maps a score (0-100) to a level with the questionnaire's
// thresholds: below niveau_2 → 1, below niveau_3 → 2, else 3.
func (q *Questionnaire) LevelFor(score int) int {
	switch {
	case score >= q.Thresholds.Level3:
		return 3
	case score >= q.Thresholds.Level2:
		return 2
	default:
		return 1
	}
}

// Score computes the result of a complete set of answers for a perimeter.
//
// The scoring, kept simple so that people can check it by hand:
//   - each answered option scores its position on the question's scale, from
//     0 (first, least mature) to 100 (last), evenly spaced (OptionScore);
//     skipped questions ("passer") and unknown ids do not count;
//   - a dimension's score is the mean of its answered questions, rounded;
//   - the overall score is the mean of the scored dimensions, so a dimension
//     with many questions weighs no more than one with few;
//   - the level is 1, 2 or 3 by the thresholds (seuils) of the file applied
//     to the overall score; with fewer than min_reponses answers the result
//     is marked incomplete and the level is 1.
//
// Advice (Questionnaire.Advise) then picks the topics.
func (q *Questionnaire) Score(perimeter string, team bool, answers []Answer) *Result {
	r := &Result{Version: q.Version, Team: team, Perimeter: perimeter}
	sums := map[string]int{}
	counts := map[string]int{}
	for _, a := range answers {
		x := q.Question(a.Question)
		if x == nil || !x.AppliesTo(perimeter) {
			continue
		}
		r.Answers = append(r.Answers, a)
		if a.Option == SkipOptionID {
			r.Skipped++
			continue
		}
		i := x.optionIndex(a.Option)
		if i < 0 {
			continue
		}
		r.Answered++
		sums[x.Dimension] += OptionScore(i, len(x.Options))
		counts[x.Dimension]++
	}
	total := 0
	for _, d := range q.Dimensions {
		if n := counts[d.ID]; n > 0 {
			s := int(math.Round(float64(sums[d.ID]) / float64(n)))
			r.Dimensions = append(r.Dimensions, DimensionScore{Dimension: d.ID, Score: s, Answered: n})
			total += s
		}
	}
	if len(r.Dimensions) > 0 {
		r.Overall = int(math.Round(float64(total) / float64(len(r.Dimensions))))
	}
	r.Level = q.LevelFor(r.Overall)
	if r.Answered < max(q.MinAnswers, 1) {
		r.Incomplete = true
		r.Level = 1
	}
	return r
}

func (x *Question) optionIndex(id string) int {
	for i, o := range x.Options {
		if o.ID == id {
			return i
		}
	}
	return -1
}

// Advise draws the recommendation from a result: the perimeter's path at the
// result's level, and up to sujets_max topics taken from the weakest scored
// dimensions first (ties in file order). Each dimension gives the topics of
// the rule for its own level (its score through the same thresholds), taken
// in turn, one per dimension, so that two or three weak dimensions each get
// one. With no scored dimension, it starts with the level-1 topics of the
// perimeter's dimensions. It works on stored results of older versions of
// the questionnaire: unknown ids are ignored.
func (q *Questionnaire) Advise(r *Result) *Advice {
	a := &Advice{Path: r.Perimeter, Level: r.Level, Page: q.PathPage(r.Perimeter, r.Level)}
	if p := q.PerimeterOption(r.Perimeter); p != nil {
		a.Path = p.Path
	}
	if l := q.Level(r.Level); l != nil {
		a.LevelTitle = l.Title
	}

	type dimLevel struct {
		id           string
		score, level int
		scored       bool
	}
	var dims []dimLevel
	for _, d := range q.Dimensions {
		if s, ok := r.Score(d.ID); ok {
			dims = append(dims, dimLevel{d.ID, s, q.LevelFor(s), true})
		}
	}
	sort.SliceStable(dims, func(i, j int) bool { return dims[i].score < dims[j].score })
	if len(dims) == 0 {
		for _, id := range q.dimensionsFor(r.Perimeter) {
			dims = append(dims, dimLevel{id: id, level: 1})
		}
	}

	// Reason for the level.
	a.Reasons = append(a.Reasons, Reason{Score: r.Overall, Text: q.levelReason(r, a.LevelTitle)})

	lists := make([][]*Topic, len(dims))
	for i, d := range dims {
		if rule := q.rule(r.Perimeter, d.id, d.level); rule != nil {
			lists[i] = rule.Topics
		}
	}
	seen := map[string]bool{}
	used := map[int]bool{}
	for round := 0; len(a.Topics) < q.MaxTopics; round++ {
		added := false
		for i, d := range dims {
			if len(a.Topics) >= q.MaxTopics {
				break
			}
			if round >= len(lists[i]) {
				continue
			}
			t := lists[i][round]
			added = true
			if seen[t.Title] {
				continue
			}
			seen[t.Title] = true
			used[i] = true
			a.Topics = append(a.Topics, TopicRef{Title: t.Title, Page: t.Page, Dimension: d.id, Level: d.level})
		}
		if !added {
			break
		}
	}
	for i, d := range dims {
		if used[i] && d.scored {
			a.Reasons = append(a.Reasons, q.dimensionReason(r, d.id, d.score))
		}
	}
	return a
}

func (q *Questionnaire) levelReason(r *Result, levelTitle string) string {
	if r.Incomplete {
		return fmt.Sprintf("Seulement %d réponse(s) exploitable(s) sur %d question(s) : pas assez pour situer le niveau, on commence par le niveau 1 (%s).",
			r.Answered, r.Answered+r.Skipped, levelTitle)
	}
	var rule string
	switch r.Level {
	case 3:
		rule = fmt.Sprintf("au moins %d", q.Thresholds.Level3)
	case 2:
		rule = fmt.Sprintf("entre %d et %d", q.Thresholds.Level2, q.Thresholds.Level3-1)
	default:
		rule = fmt.Sprintf("moins de %d", q.Thresholds.Level2)
	}
	return fmt.Sprintf("Score global %d/100 (%s) : niveau %d, %s.", r.Overall, rule, r.Level, levelTitle)
}

func (q *Questionnaire) dimensionReason(r *Result, dim string, score int) Reason {
	d := q.Dimension(dim)
	var refs []AnswerRef
	for _, ans := range r.Answers {
		x := q.Question(ans.Question)
		if x == nil || x.Dimension != dim || ans.Option == SkipOptionID {
			continue
		}
		i := x.optionIndex(ans.Option)
		if i < 0 {
			continue
		}
		refs = append(refs, AnswerRef{
			Question: x.ID, QuestionTitle: x.Title,
			Option: ans.Option, OptionLabel: x.Options[i].Label,
			Score: OptionScore(i, len(x.Options)),
		})
	}
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].Score < refs[j].Score })
	if len(refs) > 2 {
		refs = refs[:2]
	}
	parts := make([]string, len(refs))
	for i, ref := range refs {
		parts[i] = fmt.Sprintf("%s : « %s »", ref.QuestionTitle, ref.OptionLabel)
	}
	text := fmt.Sprintf("%s %d/100", d.Title, score)
	if len(parts) > 0 {
		text += " — " + strings.Join(parts, " ; ")
	}
	return Reason{Dimension: dim, Score: score, Text: text + ".", Answers: refs}
}

// Change is how a result moved since the previous one of the same perimeter
// and audience (self or team).
type Change struct {
	Previous     *Result
	OverallDelta int
	LevelDelta   int
	Dimensions   []DimensionChange // dimensions scored in both, file order
}

// DimensionChange is the move of one dimension.
type DimensionChange struct {
	Dimension string
	Before    int
	After     int
}

// Delta is After - Before.
func (c DimensionChange) Delta() int { return c.After - c.Before }

// Compare returns the change from prev to cur, or nil when prev is nil.
func (q *Questionnaire) Compare(prev, cur *Result) *Change {
	if prev == nil || cur == nil {
		return nil
	}
	c := &Change{Previous: prev, OverallDelta: cur.Overall - prev.Overall, LevelDelta: cur.Level - prev.Level}
	for _, d := range q.Dimensions {
		b, okb := prev.Score(d.ID)
		a, oka := cur.Score(d.ID)
		if okb && oka {
			c.Dimensions = append(c.Dimensions, DimensionChange{Dimension: d.ID, Before: b, After: a})
		}
	}
	return c
}

// previousOf finds, in results (oldest first), the latest result before the
// last one with the same perimeter and audience (the same team).
func previousOf(results []*Result) *Result {
	if len(results) < 2 {
		return nil
	}
	cur := results[len(results)-1]
	for i := len(results) - 2; i >= 0; i-- {
		if p := results[i]; p.Perimeter == cur.Perimeter && p.Team == cur.Team && p.TeamName == cur.TeamName {
			return p
		}
	}
	return nil
}
