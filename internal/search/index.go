package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	zapv17 "github.com/blevesearch/zapx/v17"

	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/parcours"
)

// Field names. Page documents carry the page fields, section documents the
// s_ fields, so that the dictionary of "body" counts pages only.
const (
	fTitle     = "title"
	fHeadings  = "headings"
	fSummary   = "summary"
	fTags      = "tags"
	fQuestions = "questions" // typical questions the page's owners wrote
	fBody      = "body"      // everything a page says, for ranking and page frequency
	fCode      = "code"      // the page's code blocks: identifiers, commands, error messages
	fPath      = "path"      // the words of the page's folders and file name
	fParcours  = "parcours"
	fNiveau    = "niveau"
	fSTitle    = "s_title"
	fSBody     = "s_body"
	fSPage     = "s_page"
)

// Index is a searchable knowledge base. It is safe for concurrent searches.
type Index struct {
	idx     bleve.Index         // pages
	sidx    bleve.Index         // sections
	pages   map[string]*kb.Page // by page id
	byPath  map[string]*kb.Page // first page at each path, whatever its source
	df      map[string]int      // pages holding each term
	nPages  int
	lex     *Lexicon
	ranking Ranking // the weights of the ranking features
	catalog *parcours.Catalog
	base    *kb.Base
}

// Stats describes an index.
type Stats struct {
	Pages    int
	Sections int
	Terms    int
}

// Stats counts what the index holds.
func (ix *Index) Stats() Stats {
	s := Stats{Pages: ix.nPages, Terms: len(ix.df)}
	for _, p := range ix.pages {
		s.Sections += len(p.Sections)
	}
	return s
}

// Base is the knowledge base the index was built from.
func (ix *Index) Base() *kb.Base { return ix.base }

// Catalog is the learning-path catalogue of the base.
func (ix *Index) Catalog() *parcours.Catalog { return ix.catalog }

// Lexicon is the synonym lexicon of the base.
func (ix *Index) Lexicon() *Lexicon { return ix.lex }

// Pages lists the indexed pages, in source order.
func (ix *Index) Pages() []*kb.Page { return ix.base.Pages }

// Page returns a page by id.
func (ix *Index) Page(id string) *kb.Page { return ix.pages[id] }

// PageByPath returns the first page at this path, whatever its source.
func (ix *Index) PageByPath(path string) *kb.Page { return ix.byPath[path] }

// addPage records a page; it reports false for a duplicate id.
func (ix *Index) addPage(p *kb.Page) bool {
	if _, dup := ix.pages[p.ID()]; dup {
		return false
	}
	ix.pages[p.ID()] = p
	if _, ok := ix.byPath[p.Path]; !ok {
		ix.byPath[p.Path] = p
	}
	return true
}

// Close releases the index.
func (ix *Index) Close() error {
	return errors.Join(ix.idx.Close(), ix.sidx.Close())
}

// bm25B is BM25's length normalisation. bleve's default (0.75) let short
// pages that merely name a tool outrank the long page that explains it;
// 0.3 did better on the shipped questions and on a real documentation
// measured blind (hit@1 0.626 -> 0.648 there, 0.935 -> 0.946 here).
const bm25B = 0.3

func init() {
	// bleve keeps the BM25 parameters in package variables; parcours is
	// the only user of bleve in its process.
	bsearch.BM25_b = bm25B
	// zapx sizes the buffer of a new segment up front as (bytes per
	// document of the previous segment written, by any index of the
	// process) x (documents of this one). A segment holding one huge page
	// followed by one of 20,000 small sections asked for ~100 GB and
	// killed the bot ("fatal error: out of memory"). Without the estimate
	// the buffer grows as it is written: at most twice the segment.
	zapv17.NewSegmentBufferAvgBytesPerDocFactor = 0
}

func newMapping() (mapping.IndexMapping, error) {
	m := bleve.NewIndexMapping()
	if err := addAnalyzer(m); err != nil {
		return nil, err
	}
	m.DefaultAnalyzer = AnalyzerName
	m.ScoringModel = "bm25"
	doc := bleve.NewDocumentStaticMapping()
	text := func(name string) {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = AnalyzerName
		f.Store = false
		f.IncludeTermVectors = true // locations tell which concepts a page covers
		f.IncludeInAll = false
		// No sorting or faceting on text: doc values would keep every
		// term of every document a second time.
		f.DocValues = false
		doc.AddFieldMappingsAt(name, f)
	}
	for _, n := range []string{fTitle, fHeadings, fSummary, fTags, fQuestions, fBody, fCode, fPath, fSTitle, fSBody} {
		text(n)
	}
	kw := func(name string) {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		doc.AddFieldMappingsAt(name, f)
	}
	for _, n := range []string{fParcours, fNiveau, fSPage} {
		kw(n)
	}
	m.DefaultMapping = doc
	return m, nil
}

type pageDoc struct {
	Title     string `json:"title"`
	Headings  string `json:"headings"`
	Summary   string `json:"summary"`
	Tags      string `json:"tags"`
	Questions string `json:"questions,omitempty"`
	Body      string `json:"body"`
	Code      string `json:"code,omitempty"`
	Path      string `json:"path"`
	Parcours  string `json:"parcours,omitempty"`
	Niveau    string `json:"niveau,omitempty"`
}

type sectionDoc struct {
	Title string `json:"s_title"`
	Body  string `json:"s_body"`
	Page  string `json:"s_page"`
}

func pageDocID(p *kb.Page) string { return "p|" + p.ID() }

func sectionDocID(p *kb.Page, anchor string) string { return "s|" + p.ID() + "#" + anchor }

func newPageDoc(p *kb.Page) pageDoc {
	var heads, body strings.Builder
	body.WriteString(p.Title + "\n" + p.Summary + "\n" + strings.Join(p.Tags, ", ") + "\n")
	// The typical questions are words of the page too (page frequencies
	// come from the body): "build" in them makes "build" known.
	for _, q := range p.Questions {
		body.WriteString(q + "\n")
	}
	for _, s := range p.Sections {
		if s.Title != "" {
			heads.WriteString(s.Title + "\n")
			body.WriteString(s.Title + "\n")
		}
		body.WriteString(s.Text + "\n")
	}
	d := pageDoc{Title: p.Title, Headings: heads.String(), Summary: p.Summary,
		Tags: strings.Join(p.Tags, ", "), Questions: strings.Join(p.Questions, "\n"), Body: body.String(), Code: p.Code, Path: pathWords(p.Path), Parcours: p.Parcours}
	if p.Niveau > 0 {
		d.Niveau = strconv.Itoa(p.Niveau)
	}
	return d
}

// pathWords are the words of a page's path: folder and file names
// ("guide/gestion-des-comptes.md" -> "guide gestion des comptes"), the
// outline the documentation's authors gave it.
func pathWords(p string) string {
	p = strings.TrimSuffix(p, path.Ext(p))
	return strings.Map(func(r rune) rune {
		switch r {
		case '/', '-', '_', '.':
			return ' '
		}
		return r
	}, p)
}

// Build indexes a loaded knowledge base. With dir empty the index lives in
// memory; otherwise it is written to dir (which must not exist) with the
// page catalogue beside it, for Open.
func Build(ctx context.Context, base *kb.Base, dir string) (*Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	pagesDir, sectionsDir := "", ""
	if dir != "" {
		if _, err := os.Stat(dir); err == nil {
			return nil, fmt.Errorf("le dossier d'index %s existe déjà", dir)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("création du dossier d'index: %w", err)
		}
		pagesDir, sectionsDir = filepath.Join(dir, "pages"), filepath.Join(dir, "sections")
	}
	// Pages and sections live in two indexes: BM25 normalises by the
	// average length of a field over the documents of its index, and
	// sections in the pages' index made every page look six times too long.
	idx, err := bleve.NewUsing(pagesDir, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("création de l'index bleve: %w", err)
	}
	sidx, err := bleve.NewUsing(sectionsDir, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("création de l'index bleve des sections: %w", err)
	}
	ix := &Index{idx: idx, sidx: sidx, pages: map[string]*kb.Page{}, byPath: map[string]*kb.Page{}, lex: NewLexicon(base.Synonyms), catalog: base.Catalog, base: base, ranking: learnedRanking}
	if err := ix.fill(ctx, base.Pages); err != nil {
		ix.Close()
		return nil, err
	}
	if err := ix.loadFrequencies(); err != nil {
		ix.Close()
		return nil, err
	}
	if dir != "" {
		if err := writeCatalog(dir, base); err != nil {
			ix.Close()
			return nil, err
		}
	}
	return ix, nil
}

// MemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit) the
// parcours command runs with when GOMEMLIMIT is not set. A reindex holds the
// old index and builds the new one: Go's collector, left to its default,
// lets the heap reach twice what is live before collecting. With this limit
// it collects sooner, and indexing a base up to kb.MaxBaseText stays under
// 300 MB of resident memory (TestIndexingMemoryIsBounded, scripts/bench.sh).
const MemoryLimit = 240 << 20

// Batch bounds. bleve analyses a whole batch before writing it as one
// segment, holding every document's tokens at once: a batch is bounded in
// documents and in bytes, whatever the shape of the pages (one page of
// 20,000 sections is 20,000 section documents).
const (
	maxBatchDocs  = 1000
	maxBatchBytes = 1 << 20 // of documents as mapped, before analysis
)

// fill indexes the pages and their sections in bounded batches.
func (ix *Index) fill(ctx context.Context, pages []*kb.Page) error {
	pb := &batcher{ix: ix.idx, what: "indexation"}
	sb := &batcher{ix: ix.sidx, what: "indexation des sections"}
	for _, p := range pages {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !ix.addPage(p) {
			continue
		}
		if err := pb.add(pageDocID(p), newPageDoc(p)); err != nil {
			return fmt.Errorf("indexation de %s: %w", p.Path, err)
		}
		for _, s := range p.Sections {
			title := s.Title
			if title == "" {
				title = p.Title
			}
			if err := sb.add(sectionDocID(p, s.Anchor), sectionDoc{Title: title, Body: s.Text, Page: p.ID()}); err != nil {
				return fmt.Errorf("indexation de %s#%s: %w", p.Path, s.Anchor, err)
			}
		}
	}
	if err := pb.flush(); err != nil {
		return err
	}
	return sb.flush()
}

// batcher writes documents to an index in batches of bounded size.
type batcher struct {
	ix   bleve.Index
	b    *bleve.Batch
	what string
}

func (b *batcher) add(id string, doc any) error {
	if b.b == nil {
		b.b = b.ix.NewBatch()
	}
	if err := b.b.Index(id, doc); err != nil {
		return err
	}
	if b.b.Size() >= maxBatchDocs || b.b.TotalDocsSize() >= maxBatchBytes {
		return b.flush()
	}
	return nil
}

func (b *batcher) flush() error {
	if b.b == nil || b.b.Size() == 0 {
		return nil
	}
	if err := b.ix.Batch(b.b); err != nil {
		return fmt.Errorf("%s: %w", b.what, err)
	}
	b.b.Reset()
	return nil
}

// loadFrequencies reads page frequencies from the dictionary of the pages'
// body field.
func (ix *Index) loadFrequencies() error {
	ix.df = map[string]int{}
	// A word only in code blocks is known too (a job's name, an error
	// message): its page frequency is the larger of the two.
	for _, field := range []string{fBody, fCode} {
		if err := ix.readDict(field); err != nil {
			return err
		}
	}
	ix.nPages = len(ix.pages)
	return nil
}

func (ix *Index) readDict(field string) error {
	dict, err := ix.idx.FieldDict(field)
	if err != nil {
		return fmt.Errorf("lecture du dictionnaire: %w", err)
	}
	defer dict.Close()
	for {
		e, err := dict.Next()
		if err != nil {
			return fmt.Errorf("lecture du dictionnaire: %w", err)
		}
		if e == nil {
			return nil
		}
		ix.df[e.Term] = max(ix.df[e.Term], int(e.Count))
	}
}

// idf is the inverse page frequency of a term; unknown terms get the
// highest value, since a word no page uses is what makes a question specific.
func (ix *Index) idf(df int) float64 {
	return math.Log(1 + float64(ix.nPages+1)/float64(df+1))
}

const catalogFile = "pages.json"

// indexFormat names how an index on disk was analyzed and laid out: a
// query analyzed one way finds little in pages indexed another. Bump it
// with any change to the analyzer, the fields or the stored catalog, so
// that Open refuses an index an older parcours wrote instead of answering
// worse without a word.
const indexFormat = 2

// storedBase is what Open needs besides the bleve index.
type storedBase struct {
	Format   int               `json:"format"` // indexFormat; absent (0) before it existed
	Pages    []*kb.Page        `json:"pages"`
	Synonyms [][]string        `json:"synonyms"`
	Catalog  *parcours.Catalog `json:"catalog"`
	Warnings []kb.Warning      `json:"warnings"`
}

func writeCatalog(dir string, b *kb.Base) error {
	data, err := json.Marshal(storedBase{Format: indexFormat, Pages: b.Pages, Synonyms: b.Synonyms, Catalog: b.Catalog, Warnings: b.Warnings})
	if err != nil {
		return fmt.Errorf("écriture du catalogue: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, catalogFile), data, 0o644); err != nil {
		return fmt.Errorf("écriture du catalogue: %w", err)
	}
	return nil
}

// Open opens an index written by Build.
func Open(dir string) (*Index, error) {
	data, err := os.ReadFile(filepath.Join(dir, catalogFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s n'est pas un index parcours (pas de %s); créez-le avec « parcours index »", dir, catalogFile)
		}
		return nil, fmt.Errorf("lecture de l'index: %w", err)
	}
	var sb storedBase
	if err := json.Unmarshal(data, &sb); err != nil {
		return nil, fmt.Errorf("index %s corrompu: %w", dir, err)
	}
	if sb.Format != indexFormat {
		return nil, fmt.Errorf("l'index %s a été créé par une autre version de parcours (format %d, attendu %d) ; recréez-le avec « parcours index »", dir, sb.Format, indexFormat)
	}
	ro := map[string]interface{}{"read_only": true}
	idx, err := bleve.OpenUsing(filepath.Join(dir, "pages"), ro)
	if err != nil {
		return nil, fmt.Errorf("ouverture de l'index %s: %w", dir, err)
	}
	sidx, err := bleve.OpenUsing(filepath.Join(dir, "sections"), ro)
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("ouverture de l'index %s: %w", dir, err)
	}
	base := &kb.Base{Pages: sb.Pages, Synonyms: sb.Synonyms, Catalog: sb.Catalog, Warnings: sb.Warnings}
	ix := &Index{idx: idx, sidx: sidx, pages: map[string]*kb.Page{}, byPath: map[string]*kb.Page{}, lex: NewLexicon(sb.Synonyms), catalog: sb.Catalog, base: base, ranking: learnedRanking}
	for _, p := range sb.Pages {
		ix.addPage(p)
	}
	if err := ix.loadFrequencies(); err != nil {
		ix.Close()
		return nil, err
	}
	return ix, nil
}
