// Package eval measures search quality on a set of questions with their
// expected pages: hit@1, hit@3, mean reciprocal rank, and how well off-topic
// questions are refused. Content owners run it on their own base.
package eval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cloud-pi-native/parcours/internal/answer"
)

// Question is one entry of a question set.
type Question struct {
	Text     string   `yaml:"question"`
	Expected []string `yaml:"attendu"`    // page paths, optionally "#anchor"; any counts
	OffTopic bool     `yaml:"hors_sujet"` // must not be answered
	Line     int      `yaml:"-"`
}

// Set is a question set.
type Set struct {
	Questions []Question
}

// Load reads a question set file.
func Load(name string) (*Set, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("lecture du jeu de questions: %w", err)
	}
	return Parse(name, data)
}

// Parse decodes a question set: a "questions" list of {question, attendu}
// or {question, hors_sujet: true}. English keys (expected, off_topic) work too.
func Parse(name string, data []byte) (*Set, error) {
	var doc struct {
		Questions []yaml.Node `yaml:"questions"`
	}
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: YAML invalide: %w", name, err)
	}
	if len(doc.Questions) == 0 {
		return nil, fmt.Errorf("%s: aucune question (clé « questions »)", name)
	}
	s := &Set{}
	var errs []error
	for _, n := range doc.Questions {
		var raw struct {
			Question string   `yaml:"question"`
			Attendu  []string `yaml:"attendu"`
			Expected []string `yaml:"expected"`
			Hors     bool     `yaml:"hors_sujet"`
			Off      bool     `yaml:"off_topic"`
		}
		if err := n.Decode(&raw); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, n.Line, err))
			continue
		}
		q := Question{Text: strings.TrimSpace(raw.Question), Expected: append(raw.Attendu, raw.Expected...), OffTopic: raw.Hors || raw.Off, Line: n.Line}
		switch {
		case q.Text == "":
			errs = append(errs, fmt.Errorf("%s:%d: question vide", name, n.Line))
		case len(q.Expected) == 0 && !q.OffTopic:
			errs = append(errs, fmt.Errorf("%s:%d: ni « attendu » ni « hors_sujet: true »", name, n.Line))
		default:
			s.Questions = append(s.Questions, q)
		}
	}
	return s, errors.Join(errs...)
}

// Asker is the part of the answer engine an evaluation needs.
type Asker interface {
	AskN(ctx context.Context, question string, limit int) (*answer.Answer, error)
}

// Outcome is the result of one question.
type Outcome struct {
	Question Question
	Rank     int // 1-based rank of the first expected page, 0 if absent
	Answered bool
	Tier     answer.Tier
	Signals  *answer.Signals
	Got      []string // paths returned, in order
	OK       bool     // hit@1 and answered, or an off-topic question refused
}

// Report sums up a run.
type Report struct {
	Outcomes      []Outcome
	InScope       int
	Hit1, Hit3    float64 // shares of in-scope questions
	MRR           float64
	AnsweredRate  float64 // in-scope questions answered (not "not found")
	OffTopic      int
	RefusedRate   float64 // off-topic questions not answered
	AnsweredWrong int     // in-scope, answered surely, expected page not first
	// Tiers counts the answers of each tier, in scope and off topic.
	Tiers, OffTopicTiers map[answer.Tier]int
	SectionMatches       int // expected anchors matched exactly, where one is given
	SectionTotal         int
}

// Run asks every question and scores the answers.
func Run(ctx context.Context, a Asker, set *Set) (*Report, error) {
	r := &Report{Tiers: map[answer.Tier]int{}, OffTopicTiers: map[answer.Tier]int{}}
	var ranks rankTally
	var ans, refused float64
	for _, q := range set.Questions {
		res, err := a.AskN(ctx, q.Text, 5)
		if err != nil {
			return nil, fmt.Errorf("question %q: %w", q.Text, err)
		}
		o := Outcome{Question: q, Answered: res.Answered, Tier: res.Tier, Signals: res.Signals}
		for i, p := range res.Passages {
			o.Got = append(o.Got, p.Path+anchorSuffix(p.Anchor))
			if o.Rank == 0 && expected(q.Expected, p.Path) {
				o.Rank = i + 1
				for _, e := range q.Expected {
					if path, anchor, ok := strings.Cut(e, "#"); ok && path == p.Path {
						r.SectionTotal++
						if anchor == p.Anchor {
							r.SectionMatches++
						}
						break
					}
				}
			}
		}
		if q.OffTopic {
			r.OffTopic++
			r.OffTopicTiers[res.Tier]++
			if !res.Answered {
				refused++
				o.OK = true
			}
		} else {
			r.InScope++
			r.Tiers[res.Tier]++
			ranks.add(o.Rank)
			if res.Answered {
				ans++
			}
			if res.Tier == answer.TierSure {
				if o.Rank != 1 {
					r.AnsweredWrong++
				}
			}
			o.OK = o.Rank == 1 && res.Tier == answer.TierSure
		}
		r.Outcomes = append(r.Outcomes, o)
	}
	if r.InScope > 0 {
		f := ranks.figures()
		r.Hit1, r.Hit3, r.MRR, r.AnsweredRate = f.Hit1, f.Hit3, f.MRR, ans/float64(r.InScope)
	}
	if r.OffTopic > 0 {
		r.RefusedRate = refused / float64(r.OffTopic)
	}
	return r, nil
}

func anchorSuffix(a string) string {
	if a == "" {
		return ""
	}
	return "#" + a
}

func expected(exp []string, path string) bool {
	for _, e := range exp {
		p, _, _ := strings.Cut(e, "#")
		if p == path {
			return true
		}
	}
	return false
}
