package eval

import (
	"context"
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/search"
)

// Baseline is a plain bleve index of the same pages: bleve's French
// analyzer, BM25, title and body fields, the question's chat filler
// removed, no synonyms, no lexicon, no rules. It is the yardstick every
// ranking change is measured against: a change that does not beat it on a
// blind set is not worth its code.
type Baseline struct {
	idx   bleve.Index
	pages map[string]*kb.Page
}

// NewBaseline indexes base in memory.
func NewBaseline(ctx context.Context, base *kb.Base) (*Baseline, error) {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = fr.AnalyzerName
	m.ScoringModel = "bm25"
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range []string{"title", "body"} {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = fr.AnalyzerName
		fm.Store = false
		doc.AddFieldMappingsAt(f, fm)
	}
	m.DefaultMapping = doc
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		return nil, fmt.Errorf("index de référence: %w", err)
	}
	b := &Baseline{idx: idx, pages: map[string]*kb.Page{}}
	batch := idx.NewBatch()
	for _, p := range base.Pages {
		if err := ctx.Err(); err != nil {
			idx.Close()
			return nil, err
		}
		var body strings.Builder
		for _, s := range p.Sections {
			body.WriteString(s.Title + "\n" + s.Text + "\n")
		}
		b.pages[p.ID()] = p
		if err := batch.Index(p.ID(), map[string]string{"title": p.Title + " " + p.Summary, "body": body.String()}); err != nil {
			idx.Close()
			return nil, fmt.Errorf("index de référence, %s: %w", p.Path, err)
		}
		if batch.Size() >= 200 {
			if err := idx.Batch(batch); err != nil {
				idx.Close()
				return nil, fmt.Errorf("index de référence: %w", err)
			}
			batch.Reset()
		}
	}
	if err := idx.Batch(batch); err != nil {
		idx.Close()
		return nil, fmt.Errorf("index de référence: %w", err)
	}
	return b, nil
}

// Close releases the index.
func (b *Baseline) Close() error { return b.idx.Close() }

// AskN ranks pages for a question. Every question is "answered": the
// baseline has no notion of confidence, only a ranking.
func (b *Baseline) AskN(ctx context.Context, question string, limit int) (*answer.Answer, error) {
	var words []string
	for _, w := range strings.FieldsFunc(question, func(r rune) bool {
		return !(r == '\'' || r == '’' || r == '-' || r == '/' || isLetterOrDigit(r))
	}) {
		filler := false
		for _, t := range search.Terms(w) {
			filler = filler || search.IsFiller(t)
		}
		if !filler {
			words = append(words, w)
		}
	}
	a := &answer.Answer{Query: question, Answered: true, Tier: answer.TierSure}
	if len(words) == 0 {
		return a, nil
	}
	text := strings.Join(words, " ")
	title := bleve.NewMatchQuery(text)
	title.SetField("title")
	title.SetBoost(1.5)
	body := bleve.NewMatchQuery(text)
	body.SetField("body")
	sr := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(title, body), limit, 0, false)
	res, err := b.idx.SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("index de référence: %w", err)
	}
	for _, h := range res.Hits {
		if p := b.pages[h.ID]; p != nil {
			a.Passages = append(a.Passages, answer.Passage{Path: p.Path, PageTitle: p.Title, Title: p.Title, URL: p.URL, Score: h.Score})
		}
	}
	return a, nil
}

func isLetterOrDigit(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0xC0 && r != 0xD7 && r != 0xF7
}
