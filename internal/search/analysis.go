// Package search is the bleve index of a knowledge base and the French
// matching around it: analysis (elision, stop words, accent folding, light
// stemming), synonyms as query expansion, narrow typo correction, and the
// query-normalised evidence (coverage) the answer core turns into a
// confidence.
package search

import (
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/custom" // the "custom" analyzer type
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// AnalyzerName is the analyzer of every text field. Changing what it does
// changes indexes on disk: bump indexFormat.
const AnalyzerName = "parcours_fr"

const foldFilterName = "parcours_fold"

func init() {
	err := registry.RegisterTokenFilter(foldFilterName,
		func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
			return foldFilter{f: asciifolding.New()}, nil
		})
	if err != nil {
		panic(err)
	}
}

// foldFilter removes accents from each term, so "deploiement" finds
// "déploiement" and short words like "clé"/"cle" meet. bleve only has
// ASCII folding as a character filter; this applies it per token, after the
// stop words (whose list is accented) and before stemming.
type foldFilter struct {
	f *asciifolding.AsciiFoldingFilter
}

func (ff foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		for _, b := range t.Term {
			if b >= utf8.RuneSelf {
				t.Term = ff.f.Filter(t.Term)
				break
			}
		}
	}
	return in
}

// addAnalyzer declares the French analyzer in an index mapping.
func addAnalyzer(m *mapping.IndexMappingImpl) error {
	err := m.AddCustomAnalyzer(AnalyzerName, map[string]interface{}{
		"type":      "custom",
		"tokenizer": unicode.Name,
		"token_filters": []string{
			lowercase.Name,
			fr.ElisionName,
			fr.StopName,
			foldFilterName,
			fr.LightStemmerName,
		},
	})
	if err != nil {
		return fmt.Errorf("analyseur français: %w", err)
	}
	return nil
}

var (
	analyzerOnce sync.Once
	theAnalyzer  analysis.Analyzer
)

// analyzer is the same analysis as the index's, for questions and excerpts.
func analyzer() analysis.Analyzer {
	analyzerOnce.Do(func() {
		m := mapping.NewIndexMapping()
		if err := addAnalyzer(m); err != nil {
			panic(err)
		}
		theAnalyzer = m.AnalyzerNamed(AnalyzerName)
		if theAnalyzer == nil {
			panic("search: analyzer " + AnalyzerName + " not built")
		}
	})
	return theAnalyzer
}

// Token is an analyzed term and where its word stands in the text.
type Token struct {
	Term       string
	Start, End int // byte offsets of the original word
	Pos        int // position, counting removed stop words
}

// Analyze returns the terms of text as the index sees them.
func Analyze(text string) []Token {
	ts := analyzer().Analyze([]byte(text))
	out := make([]Token, 0, len(ts))
	for _, t := range ts {
		out = append(out, Token{Term: string(t.Term), Start: t.Start, End: t.End, Pos: t.Position})
	}
	return out
}

// Terms returns only the analyzed terms of text.
func Terms(text string) []string {
	toks := Analyze(text)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Term
	}
	return out
}
