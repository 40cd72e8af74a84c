package kb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/parcours"
	"github.com/cloud-pi-native/parcours/knowledge"
)

// LinkStyle says how a page path becomes a URL on the documentation site.
type LinkStyle string

// Link styles of the common static site generators.
const (
	LinkClean    LinkStyle = "clean" // guide/team.md -> guide/team (VitePress cleanUrls, Docusaurus)
	LinkHTML     LinkStyle = "html"  // guide/team.md -> guide/team.html (VitePress, Jekyll)
	LinkDir      LinkStyle = "dir"   // guide/team.md -> guide/team/ (MkDocs)
	LinkMarkdown LinkStyle = "md"    // guide/team.md unchanged (a Git forge showing the files)
)

// Source is a knowledge source: a tree of Markdown files read through fs.FS.
type Source struct {
	Name    string // shown in warnings; part of page ids
	FS      fs.FS
	BaseURL string    // prefix of page links; empty gives relative paths
	Links   LinkStyle // defaults to clean with a BaseURL, md without
	Exclude []string  // globs on paths relative to the root ("**" crosses folders)
	// sync brings the files up to date before each load (git sources).
	sync func(context.Context) error
}

// MaxFileSize bounds a page: a generated dump or a mistake must not exhaust
// the memory of the running bot during a reindex.
const MaxFileSize = 4 << 20

// EmbeddedName is the name of the knowledge base shipped in the binary.
const EmbeddedName = "embarquée"

// Embedded is the knowledge base shipped in the binary.
func Embedded() Source {
	return Source{Name: EmbeddedName, FS: knowledge.FS}
}

// Dir is a knowledge source read from a local folder.
// Nothing outside the folder is read, even through a symbolic link.
func Dir(dir string) Source {
	return Source{Name: filepath.Clean(dir), FS: confinedFS{open: dirRoot(dir)}}
}

// ParseSourceSpec reads a source written "DIR", "DIR=BASEURL" or
// "DIR=BASEURL|STYLE" (STYLE: clean, html, dir or md), as given on the
// command line or in PARCOURS_SOURCES.
//
// DIR may also be a git repository, "git+URL[#REF[//SUBDIR]]", cloned into
// git.CacheDir and updated at each reload.
func ParseSourceSpec(spec string, git GitOptions) (Source, error) {
	dir, rest, _ := strings.Cut(strings.TrimSpace(spec), "=")
	if dir == "" {
		return Source{}, errors.New("source vide: attendu DOSSIER ou DOSSIER=URL_DE_BASE")
	}
	var s Source
	if isGitSpec(dir) {
		var err error
		if s, err = GitSource(dir, git); err != nil {
			return Source{}, err
		}
	} else {
		st, err := os.Stat(dir)
		if err != nil {
			return Source{}, fmt.Errorf("source %s: dossier introuvable", dir)
		}
		if !st.IsDir() {
			return Source{}, fmt.Errorf("source %s: ce n'est pas un dossier", dir)
		}
		s = Dir(dir)
	}
	base, style, _ := strings.Cut(rest, "|")
	s.BaseURL = strings.TrimSpace(base)
	if s.BaseURL != "" && !strings.HasPrefix(s.BaseURL, "http://") && !strings.HasPrefix(s.BaseURL, "https://") && !strings.HasPrefix(s.BaseURL, "/") {
		return Source{}, fmt.Errorf("source %s: URL de base %q invalide (attendu http(s)://...)", dir, s.BaseURL)
	}
	switch LinkStyle(strings.TrimSpace(style)) {
	case "":
	case LinkClean, LinkHTML, LinkDir, LinkMarkdown:
		s.Links = LinkStyle(strings.TrimSpace(style))
	default:
		return Source{}, fmt.Errorf("source %s: style de liens %q inconnu (clean, html, dir ou md)", dir, style)
	}
	return s, nil
}

// Base is a loaded knowledge base.
type Base struct {
	Pages    []*Page
	Warnings []Warning
	Synonyms [][]string        // groups of words meaning the same
	Catalog  *parcours.Catalog // learning paths
	Skipped  int               // near-empty, excluded or unlisted files
	Learned  int               // abbreviations learned from the pages (in Synonyms)
	site     *siteData         // site.data references of the pages (sitedata.go)
	text     int               // bytes of text of the pages, against MaxBaseText
}

// MaxBaseText bounds the text of a whole base (all sources): the index
// takes about ten times the text in memory, twice during a reindex (the old
// index serves while the new one builds). Pages beyond it are not indexed,
// with a warning. 16 MB of text is some 2.5 million words, far above any
// onboarding documentation.
const MaxBaseText = 16 << 20

// maxBaseText is MaxBaseText, smaller in tests.
var maxBaseText = MaxBaseText

// textSize is the text a page brings to the index.
func (p *Page) textSize() int {
	n := len(p.Title) + len(p.Summary) + len(p.Code)
	for _, s := range p.Sections {
		n += len(s.Title) + len(s.Text)
	}
	return n
}

// excluder returns the test of the files a source leaves out: its own
// patterns, and the default ones, except that the folders of the Jekyll
// collections cols (its _config.yml's) are content.
func (src Source) excluder(cols collections) (func(string) bool, error) {
	var always, under []*regexp.Regexp
	for _, g := range src.Exclude {
		re, err := globRegexp(g)
		if err != nil {
			return nil, fmt.Errorf("source %s: motif d'exclusion %q invalide: %w", src.Name, g, err)
		}
		always = append(always, re)
	}
	for _, g := range defaultExcludes {
		re, err := globRegexp(g)
		if err != nil {
			return nil, err
		}
		if strings.Contains(g, "_*") {
			under = append(under, re)
		} else {
			always = append(always, re)
		}
	}
	return func(name string) bool {
		for _, re := range always {
			if re.MatchString(name) {
				return true
			}
		}
		test := name
		if f, _, ok := cols.of(name); ok {
			// Only underscore folders below the collection's are data.
			test = strings.TrimPrefix(name, f+"/")
		}
		for _, re := range under {
			if re.MatchString(test) {
				return true
			}
		}
		return false
	}, nil
}

// defaultExcludes are never content: data and layout folders (Jekyll "_data",
// "_includes"), hidden folders (".vitepress"), dependencies.
var defaultExcludes = []string{"**/_*/**", "_*/**", "**/.*/**", ".*/**", "**/node_modules/**", "node_modules/**"}

// Load reads every source. Problems in single files become warnings; an
// error is returned only when a source cannot be read at all or no page is
// found, so a bad edit never empties the running index.
func Load(ctx context.Context, sources ...Source) (*Base, error) {
	b := &Base{site: newSiteData(sources)}
	embedded := false
	// Every source is brought up to date before any page is read: a page
	// may quote the data files of another source.
	for _, src := range sources {
		if err := b.syncSource(ctx, src); err != nil {
			return nil, err
		}
	}
	for _, src := range sources {
		embedded = embedded || src.Name == EmbeddedName
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := b.loadSource(ctx, src); err != nil {
			return nil, err
		}
	}
	b.Warnings = append(b.Warnings, b.site.warnings()...)
	if len(b.Pages) == 0 {
		return nil, errors.New("aucune page Markdown indexable dans les sources")
	}
	if !embedded {
		// The shipped synonyms are the vocabulary of the domain (k8s, MEP,
		// mdp, collègue/membre): any documentation of it benefits. A
		// source's own synonyms come on top.
		if data, err := fs.ReadFile(knowledge.FS, "_data/synonymes.yaml"); err == nil {
			if groups, err := ParseSynonyms("_data/synonymes.yaml", data); err == nil {
				b.Synonyms = append(groups, b.Synonyms...)
			}
		}
	}
	// Abbreviations the pages define themselves, after the files' own
	// synonyms.
	learned := learnVocabulary(b.Pages)
	b.Learned = len(learned)
	b.Synonyms = append(b.Synonyms, learned...)
	if b.Catalog == nil {
		// Sources without learning paths of their own still get ours: the
		// paths are the product, whatever the documentation indexed.
		c, err := parcours.Load(knowledge.FS, parcours.CatalogFile)
		if err != nil {
			b.Warnings = append(b.Warnings, Warning{Source: EmbeddedName, Path: parcours.CatalogFile, Msg: err.Error()})
			c = &parcours.Catalog{}
		}
		b.Catalog = c
	}
	return b, nil
}

// syncSource brings a git source up to date. A forge that is down keeps the
// last checkout in service, with a warning.
func (b *Base) syncSource(ctx context.Context, src Source) error {
	if src.sync == nil {
		return nil
	}
	if err := src.sync(ctx); err != nil {
		if src.FS == nil {
			return err
		}
		if _, statErr := fs.Stat(src.FS, "."); statErr != nil {
			return err
		}
		b.Warnings = append(b.Warnings, Warning{Source: src.Name, Msg: err.Error()})
	}
	return nil
}

func (b *Base) loadSource(ctx context.Context, src Source) error {
	if src.FS == nil {
		return fmt.Errorf("source %s: pas de système de fichiers", src.Name)
	}
	cols := jekyllCollections(src.FS)
	excluded, err := src.excluder(cols)
	if err != nil {
		return err
	}
	var names []string
	err = fs.WalkDir(src.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if name == "." {
				return err
			}
			b.Warnings = append(b.Warnings, Warning{Source: src.Name, Path: name, Msg: "illisible: " + err.Error()})
			return nil
		}
		if d.IsDir() {
			return nil
		}
		link := d.Type()&fs.ModeSymlink != 0
		if !link && !isMarkdown(name) {
			return nil
		}
		if excluded(name) {
			b.Skipped++
			return nil
		}
		info, err := d.Info()
		if link {
			// The source's file system refuses links that leave it; a
			// link to a folder is not walked (its pages are reached by
			// their own path, and loops are avoided).
			if info, err = fs.Stat(src.FS, name); err != nil {
				b.Warnings = append(b.Warnings, Warning{Source: src.Name, Path: name, Msg: linkProblem(err)})
				return nil
			}
			if info.IsDir() || !isMarkdown(name) {
				return nil
			}
		}
		if err == nil && info.Size() > MaxFileSize {
			b.Warnings = append(b.Warnings, Warning{Source: src.Name, Path: name,
				Msg: fmt.Sprintf("fichier de %d Mo ignoré (au-delà de %d Mo, ce n'est pas une page de documentation)", info.Size()>>20, MaxFileSize>>20)})
			b.Skipped++
			return nil
		}
		names = append(names, name)
		return nil
	})
	if err != nil {
		return fmt.Errorf("lecture de la source %s: %w", src.Name, err)
	}
	sort.Strings(names)
	first := len(b.Pages)
	var over []string // pages beyond MaxBaseText
	defer func() {
		if len(over) > 0 {
			b.Warnings = append(b.Warnings, Warning{Source: src.Name, Path: over[0],
				Msg: fmt.Sprintf("%d page(s) non indexée(s) à partir de celle-ci : la base dépasse %d Mo de texte", len(over), maxBaseText>>20)})
		}
	}()
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := readBounded(src.FS, name)
		if err != nil {
			b.Warnings = append(b.Warnings, Warning{Source: src.Name, Path: name, Msg: readProblem(err)})
			b.Skipped++
			continue
		}
		data = b.site.expand(src, name, data)
		p, warns := parsePage(src.Name, name, data)
		b.Warnings = append(b.Warnings, warns...)
		if p == nil {
			b.Skipped++
			continue
		}
		if n := p.textSize(); b.text+n > maxBaseText {
			over = append(over, name)
			b.Skipped++
			continue
		} else {
			b.text += n
		}
		p.URL = pageURL(src, name, cols.sitePath(name), p.URL)
		b.Pages = append(b.Pages, p)
	}
	if n, example := dropBoilerplate(b.Pages[first:]); n > 0 {
		b.Warnings = append(b.Warnings, Warning{Source: src.Name,
			Msg: fmt.Sprintf("%d ligne(s) répétée(s) sur au moins la moitié des pages (bandeau, pied de page…) ignorée(s), par exemple « %s »", n, example)})
	}
	b.checkLinks(src, names, b.Pages[first:])
	b.loadData(src)
	return nil
}

// Boilerplate: a line of text a source repeats on at least half of its
// pages (a banner pointing to a new site, "edit this page", a footer put in
// every page) says nothing about any of them, and would be the excerpt of
// every answer linking a page's top.
const (
	boilerplateMinPages = 5
	boilerplateMinLen   = 20
)

// dropBoilerplate removes the boilerplate lines of a source's pages and
// returns how many distinct lines it removed, with one of them.
func dropBoilerplate(pages []*Page) (int, string) {
	if len(pages) < boilerplateMinPages {
		return 0, ""
	}
	count := map[string]int{}
	for _, p := range pages {
		seen := map[string]bool{}
		for _, s := range p.Sections {
			for _, l := range strings.Split(s.Text, "\n") {
				if l = strings.TrimSpace(l); len(l) >= boilerplateMinLen && !seen[l] {
					seen[l] = true
					count[l]++
				}
			}
		}
	}
	var example string
	boiler := map[string]bool{}
	for l, n := range count {
		if 2*n >= len(pages) {
			boiler[l] = true
			if example == "" || l < example {
				example = l
			}
		}
	}
	if len(boiler) == 0 {
		return 0, ""
	}
	for _, p := range pages {
		for i := range p.Sections {
			lines := strings.Split(p.Sections[i].Text, "\n")
			kept := lines[:0]
			for _, l := range lines {
				if !boiler[strings.TrimSpace(l)] {
					kept = append(kept, l)
				}
			}
			p.Sections[i].Text = strings.Join(kept, "\n")
		}
	}
	if r := []rune(example); len(r) > 80 {
		example = string(r[:80]) + "…"
	}
	return len(boiler), example
}

// linkProblem says why a symbolic link of a source is not followed.
func linkProblem(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "lien symbolique cassé, ignoré"
	case errors.Is(err, fs.ErrPermission):
		return "lien symbolique illisible, ignoré"
	}
	// os.Root refuses a path whose real location leaves the source.
	return "lien symbolique vers l'extérieur de la source ignoré"
}

// readProblem says why a page was not read.
func readProblem(err error) string {
	switch {
	case errors.Is(err, errPageTooBig):
		return fmt.Sprintf("fichier ignoré (au-delà de %d Mo, ce n'est pas une page de documentation)", MaxFileSize>>20)
	case errors.Is(err, errNotRegular):
		return "ce n'est pas un fichier ordinaire, ignoré"
	}
	return "illisible: " + err.Error()
}

// checkLinks warns about relative links to pages or sections that do not
// exist: the admin who edits the docs learns it at the next reindex.
func (b *Base) checkLinks(src Source, names []string, pages []*Page) {
	exists := make(map[string]bool, len(names))
	for _, n := range names {
		exists[n] = true
	}
	byPath := make(map[string]*Page, len(pages))
	for _, p := range pages {
		byPath[p.Path] = p
	}
	for _, p := range pages {
		for _, l := range p.links {
			target, anchor, _ := strings.Cut(l, "#")
			switch {
			case !exists[target]:
				if _, err := fs.Stat(src.FS, target); err != nil {
					b.Warnings = append(b.Warnings, Warning{Source: src.Name, Path: p.Path, Msg: "lien vers « " + l + " » : page introuvable"})
				}
			case anchor != "" && byPath[target] != nil && byPath[target].Section(anchor) == nil && !titleAnchor(byPath[target], anchor):
				b.Warnings = append(b.Warnings, Warning{Source: src.Name, Path: p.Path, Msg: "lien vers « " + l + " » : section introuvable"})
			}
		}
	}
}

// titleAnchor reports whether anchor is the id of the page's title heading.
func titleAnchor(p *Page, anchor string) bool { return Anchor(p.Title) == anchor }

// loadData reads the optional data files of a source: synonyms and, for the
// first source that has one, the learning-path catalogue.
func (b *Base) loadData(src Source) {
	for _, name := range []string{"_data/synonymes.yaml", "_data/synonymes.yml", "synonymes.yaml", "synonymes.yml", "_data/synonyms.yaml"} {
		data, err := fs.ReadFile(src.FS, name)
		if err != nil {
			continue
		}
		groups, err := ParseSynonyms(name, data)
		if err != nil {
			b.Warnings = append(b.Warnings, Warning{Source: src.Name, Path: name, Msg: err.Error()})
			continue
		}
		b.Synonyms = append(b.Synonyms, groups...)
	}
	if b.Catalog != nil {
		return
	}
	if _, err := fs.Stat(src.FS, parcours.CatalogFile); err != nil {
		return
	}
	c, err := parcours.Load(src.FS, parcours.CatalogFile)
	if err != nil {
		b.Warnings = append(b.Warnings, Warning{Source: src.Name, Path: parcours.CatalogFile, Msg: err.Error()})
		return
	}
	b.Catalog = c
}

func isMarkdown(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".md", ".markdown", ".mdx":
		return true
	}
	return false
}

// pageURL is the link to a page: its canonical URL when absolute, else the
// source's base URL joined with the page's link path.
func pageURL(src Source, name, sitePath, canonical string) string {
	if strings.HasPrefix(canonical, "http://") || strings.HasPrefix(canonical, "https://") {
		return canonical
	}
	if canonical != "" && src.BaseURL != "" {
		return joinURL(src.BaseURL, strings.TrimPrefix(canonical, "/"))
	}
	style := src.Links
	if style == "" {
		style = LinkClean
		if src.BaseURL == "" {
			style = LinkMarkdown
		}
	}
	if style != LinkMarkdown {
		// A site publishes a Jekyll collection's page elsewhere than
		// its file; a Markdown link points at the file.
		name = sitePath
	}
	return joinURL(src.BaseURL, LinkPath(name, style))
}

// LinkPath is the site path of a Markdown file in a link style.
func LinkPath(name string, style LinkStyle) string {
	if style == LinkMarkdown {
		return name
	}
	trimmed := strings.TrimSuffix(name, path.Ext(name))
	base := path.Base(trimmed)
	dir := path.Dir(trimmed)
	if base == "index" || strings.EqualFold(base, "readme") {
		if dir == "." {
			return ""
		}
		return dir + "/"
	}
	switch style {
	case LinkHTML:
		return trimmed + ".html"
	case LinkDir:
		return trimmed + "/"
	}
	return trimmed
}

func joinURL(base, p string) string {
	if base == "" {
		return p
	}
	return strings.TrimSuffix(base, "/") + "/" + p
}

// globRegexp compiles a glob where "*" stays in a folder and "**/" crosses
// any number of them.
func globRegexp(g string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(g); i++ {
		c := g[i]
		switch {
		case strings.HasPrefix(g[i:], "**/"):
			b.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(g[i:], "**"):
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// ReadPage reads the Markdown of a page of src again, for showing it: only a
// Markdown file of the source (never through a link out of it), outside the
// excluded folders, and still a page (not become a draft, binary or empty
// since it was indexed). Callers serve only pages of the loaded base; this
// checks the file on disk still qualifies.
func ReadPage(src Source, name string) ([]byte, error) {
	if src.FS == nil || !fs.ValidPath(name) || !isMarkdown(name) {
		return nil, fs.ErrNotExist
	}
	excluded, err := src.excluder(jekyllCollections(src.FS))
	if err != nil || excluded(name) {
		return nil, fs.ErrNotExist
	}
	data, err := readBounded(src.FS, name)
	if err != nil {
		return nil, err
	}
	if p, _ := parsePage(src.Name, name, data); p == nil {
		return nil, fs.ErrNotExist
	}
	return data, nil
}
