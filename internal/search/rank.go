package search

import (
	"math"
	"path"
	"strings"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/cloud-pi-native/parcours/internal/kb"
)

// The ranking of a page is a linear model over evidence bleve's score alone
// does not weigh: which fields hold the question's concepts, how close
// together, how long the page is. Its weights are learned by "parcours
// calibrate" on question sets written on several documentations
// (rank_model.go); the first three features with weight 1 and the others 0
// are the hand-set formula the model replaced, and the learning is pulled
// towards it, so a feature moves only where the questions show it should.
const (
	featBleve           = iota // log of bleve's score relative to the best page's
	featCoverage               // log(0.25 + 0.75 × weighted share of concepts held)
	featProximity              // log(0.6 + 0.4 × closeness of the concepts in the body)
	featTitle                  // weighted share of concepts in the title
	featHeadings               // weighted share of concepts in the headings
	featMeta                   // weighted share in the summary, tags or typical questions
	featLength                 // log of the page's text length, /10
	featRarest                 // 1 when the page holds the question's rarest concept
	featIndex                  // 1 for a folder's index page (README, index)
	featSectionCoverage        // weighted share of the concepts the best-holding section has
	featMatchedShare           // share of the substantive concepts held, unweighted
	featBodyTF                 // log of the mean count of the concepts' words in the body
	featPath                   // weighted share of concepts in the page's folder and file names
	featSectionScore           // bleve's score of the page's best section over the best of all sections
	NumFeatures
)

// FeatureNames names the ranking features, in order.
var FeatureNames = [NumFeatures]string{"bleve", "coverage", "proximity", "title", "headings", "meta", "length", "rarest", "index", "sectionCoverage", "matchedShare", "bodyTF", "path", "sectionScore"}

// Ranking is the weights of the features, in order.
type Ranking [NumFeatures]float64

// PriorRanking is the hand-set formula: the learning starts from it and is
// pulled back towards it.
var PriorRanking = Ranking{featBleve: 1, featCoverage: 1, featProximity: 1}

// UseRanking makes the index rank with other weights ("parcours
// calibrate" learns them); call it before searching.
func (ix *Index) UseRanking(r Ranking) { ix.ranking = r }

// score is the linear score of a feature vector.
func (r *Ranking) score(x *[NumFeatures]float64) float64 {
	s := 0.0
	for i, w := range r {
		s += w * x[i]
	}
	return s
}

// question is what the features need to know of a question, computed once
// for all its candidate pages.
type question struct {
	concepts    []Concept
	total       float64 // sum of the concepts' weights
	rarest      int     // index of the heaviest known concept, -1 if none
	substantive []int   // indexes of the substantive concepts
}

func newQuestion(concepts []Concept, total float64) *question {
	q := &question{concepts: concepts, total: total, rarest: -1}
	heaviest := 0.0
	for i := range concepts {
		c := &concepts[i]
		if !c.Unknown && c.Weight > heaviest {
			q.rarest, heaviest = i, c.Weight
		}
		if c.Substantive() {
			q.substantive = append(q.substantive, i)
		}
	}
	return q
}

// features computes the ranking evidence of one bleve hit; the section
// coverage is set by Search, after searching the sections.
func features(p *kb.Page, q *question, rel float64, matched []bool, cov, prox float64, locs search.FieldTermLocationMap) [NumFeatures]float64 {
	var x [NumFeatures]float64
	x[featBleve] = math.Log(math.Max(rel, 1e-6))
	x[featCoverage] = math.Log(0.25 + 0.75*cov)
	x[featProximity] = math.Log(1 - proximityWeight + proximityWeight*prox)
	x[featTitle] = fieldCoverage(q.concepts, q.total, locs[fTitle])
	x[featHeadings] = fieldCoverage(q.concepts, q.total, locs[fHeadings])
	x[featMeta] = max(fieldCoverage(q.concepts, q.total, locs[fSummary]),
		fieldCoverage(q.concepts, q.total, locs[fTags]), fieldCoverage(q.concepts, q.total, locs[fQuestions]))
	x[featPath] = fieldCoverage(q.concepts, q.total, locs[fPath])
	length := 0
	for _, s := range p.Sections {
		length += len(s.Text)
	}
	x[featLength] = math.Log1p(float64(length)) / 10
	if q.rarest >= 0 && q.rarest < len(matched) && matched[q.rarest] {
		x[featRarest] = 1
	}
	if n := len(q.substantive); n > 0 {
		held := 0
		for _, i := range q.substantive {
			if i < len(matched) && matched[i] {
				held++
			}
		}
		occ := 0
		for _, ls := range locs[fBody] {
			occ += len(ls)
		}
		x[featMatchedShare] = float64(held) / float64(n)
		x[featBodyTF] = math.Log1p(float64(occ)/float64(n)) / 3
	}
	base := strings.ToLower(strings.TrimSuffix(path.Base(p.Path), path.Ext(p.Path)))
	if base == "readme" || base == "index" || base == "_index" {
		x[featIndex] = 1
	}
	return x
}

// fieldCoverage is the weighted share of the concepts one field holds, by
// the exact terms of their alternatives.
func fieldCoverage(concepts []Concept, total float64, terms search.TermLocationMap) float64 {
	if total == 0 || len(terms) == 0 {
		return 0
	}
	got := 0.0
	for _, c := range concepts {
		for _, a := range c.Alts {
			all := len(a.Terms) > 0
			for _, t := range a.Terms {
				if _, ok := terms[t]; !ok {
					all = false
					break
				}
			}
			if all {
				got += c.Weight
				break
			}
		}
	}
	return got / total
}
