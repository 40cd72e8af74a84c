package kb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

func loadSite(t *testing.T, base string) *Base {
	t.Helper()
	src := Dir("testdata/site")
	src.BaseURL = base
	b, err := Load(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func page(t *testing.T, b *Base, path string) *Page {
	t.Helper()
	for _, p := range b.Pages {
		if p.Path == path {
			return p
		}
	}
	t.Fatalf("page %s not indexed; have %d pages", path, len(b.Pages))
	return nil
}

func TestFrontMatterAndSections(t *testing.T) {
	b := loadSite(t, "https://docs.example.org/")
	p := page(t, b, "guide/equipe.md")
	if p.Title != "Gérer l'équipe" || p.Summary == "" || p.Parcours != "projet" || p.Niveau != 2 {
		t.Errorf("front matter not read: %+v", p)
	}
	if strings.Join(p.Tags, ",") != "membres,équipe" {
		t.Errorf("tags = %v", p.Tags)
	}
	if p.URL != "https://docs.example.org/guide/equipe" {
		t.Errorf("URL = %q", p.URL)
	}
	var anchors []string
	for _, s := range p.Sections {
		anchors = append(anchors, s.Anchor)
	}
	want := []string{"", "ajouter-un-membre", "rôles-et-droits", "ajouter-un-membre-1"}
	if strings.Join(anchors, " ") != strings.Join(want, " ") {
		t.Errorf("anchors = %q, want %q", anchors, want)
	}
	add := p.Section("ajouter-un-membre")
	if !strings.Contains(add.Text, "la console") || strings.Contains(add.Text, "../console.md") {
		t.Errorf("link text must stay, destination go: %q", add.Text)
	}
	if !strings.Contains(add.Text, "Astuce") || !strings.Contains(add.Text, "courriel d'invitation") || strings.Contains(add.Text, ":::") {
		t.Errorf("VitePress container must be kept as text without its fence: %q", add.Text)
	}
	roles := p.Section("rôles-et-droits").Text
	for _, w := range []string{"Propriétaire", "tout gérer", "comptes de service", "créés automatiquement"} {
		if !strings.Contains(roles, w) {
			t.Errorf("table or <details> text %q missing from %q", w, roles)
		}
	}
	for _, noise := range []string{"kubectl", "schema.png", "schéma", "<summary>"} {
		if strings.Contains(roles, noise) {
			t.Errorf("noise %q kept in %q", noise, roles)
		}
	}
	if got := p.SectionURL("rôles-et-droits"); got != "https://docs.example.org/guide/equipe#rôles-et-droits" {
		t.Errorf("SectionURL = %q", got)
	}
}

func TestPagesWithoutFrontMatter(t *testing.T) {
	b := loadSite(t, "")
	c := page(t, b, "console.md")
	if c.Title != "La console" || c.URL != "console.md" {
		t.Errorf("title from first heading, relative link: %+v", c)
	}
	home := page(t, b, "index.md")
	if home.Title != "Documentation de la plateforme" || !strings.Contains(home.Summary, "Kubernetes") {
		t.Errorf("VitePress hero not used: %+v", home)
	}
	if top := home.Sections[0].Text; !strings.Contains(top, "Grafana et les alertes") || !strings.Contains(top, "analysées par Trivy") {
		t.Errorf("VitePress home features must be indexed as text: %q", top)
	}
	fsys := fstest.MapFS{"notes/mise-en-production.md": {Data: []byte(
		"Sans titre ni front matter, cette page décrit la mise en production des applications de l'équipe, étape par étape, avec la validation.")}}
	b2, err := Load(context.Background(), Source{Name: "m", FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	if got := b2.Pages[0].Title; got != "Mise en production" {
		t.Errorf("title from file name = %q", got)
	}
}

func TestBrokenFrontMatterWarnsAndKeepsPage(t *testing.T) {
	b := loadSite(t, "")
	p := page(t, b, "broken.md")
	if !strings.Contains(p.Sections[0].Text, "Vault") {
		t.Errorf("body of a page with broken front matter must be indexed: %+v", p.Sections)
	}
	var w *Warning
	for i := range b.Warnings {
		if b.Warnings[i].Path == "broken.md" {
			w = &b.Warnings[i]
		}
	}
	if w == nil {
		t.Fatalf("no warning for broken.md: %v", b.Warnings)
	}
	if w.Line < 2 || w.Line > 5 || !strings.Contains(w.String(), "broken.md:") || !strings.Contains(w.Msg, "YAML") {
		t.Errorf("warning must name file and line: %s", w)
	}
}

func TestSkipsEmptyDraftsAndExcluded(t *testing.T) {
	b := loadSite(t, "")
	for _, p := range b.Pages {
		switch p.Path {
		case "vide.md", "draft.md", ".vitepress/config.md":
			t.Errorf("%s must be skipped", p.Path)
		}
	}
	src := Dir("testdata/site")
	src.Exclude = []string{"guide/**"}
	b2, err := Load(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range b2.Pages {
		if strings.HasPrefix(p.Path, "guide/") {
			t.Errorf("exclude glob ignored: %s", p.Path)
		}
	}
	n := len(b.Synonyms)
	if n < 3 || b.Synonyms[n-2][1] != "k8s" || b.Synonyms[n-1][1] != "portail" {
		t.Errorf("a source's synonyms must come on top of the shipped ones: %v", b.Synonyms[max(0, n-3):])
	}
	if !hasGroup(b.Synonyms, "mdp") {
		t.Error("the shipped synonyms must apply to other sources too")
	}
}

func TestLinkStyles(t *testing.T) {
	cases := []struct {
		name  string
		style LinkStyle
		want  string
	}{
		{"guide/team.md", LinkClean, "guide/team"},
		{"guide/team.md", LinkHTML, "guide/team.html"},
		{"guide/team.md", LinkDir, "guide/team/"},
		{"guide/team.md", LinkMarkdown, "guide/team.md"},
		{"guide/index.md", LinkHTML, "guide/"},
		{"README.md", LinkClean, ""},
	}
	for _, c := range cases {
		if got := LinkPath(c.name, c.style); got != c.want {
			t.Errorf("LinkPath(%s, %s) = %q, want %q", c.name, c.style, got, c.want)
		}
	}
}

func TestParseSourceSpec(t *testing.T) {
	dir := t.TempDir()
	s, err := ParseSourceSpec(dir+"=https://docs.example.org/|html", GitOptions{})
	if err != nil || s.BaseURL != "https://docs.example.org/" || s.Links != LinkHTML {
		t.Errorf("spec = %+v, %v", s, err)
	}
	if _, err := ParseSourceSpec(dir+"/nope", GitOptions{}); err == nil || !strings.Contains(err.Error(), "introuvable") {
		t.Errorf("missing folder: %v", err)
	}
	if _, err := ParseSourceSpec(dir+"=docs.example.org", GitOptions{}); err == nil {
		t.Error("a base URL without scheme must be refused")
	}
	if _, err := ParseSourceSpec(dir+"=https://x/|pdf", GitOptions{}); err == nil {
		t.Error("an unknown link style must be refused")
	}
}

func TestLoadFailsOnNothingToIndex(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/a.txt", []byte("pas du markdown"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), Dir(dir)); err == nil || !strings.Contains(err.Error(), "aucune page") {
		t.Errorf("err = %v", err)
	}
}

func TestSynonymErrorsNameLine(t *testing.T) {
	_, err := ParseSynonyms("syn.yaml", []byte("groupes:\n  - [k8s, kubernetes]\n  - solo\n  - [seul]\n"))
	if err == nil || !strings.Contains(err.Error(), "syn.yaml:3") || !strings.Contains(err.Error(), "syn.yaml:4") {
		t.Errorf("err = %v", err)
	}
}

func TestRenderHTMLUsesSameAnchors(t *testing.T) {
	data, err := os.ReadFile("testdata/site/guide/equipe.md")
	if err != nil {
		t.Fatal(err)
	}
	html, err := RenderHTML(data)
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	for _, want := range []string{`id="rôles-et-droits"`, `id="ajouter-un-membre-1"`, `href="../console#acc%C3%A8s"`, "<table>"} {
		if !strings.Contains(s, want) {
			t.Errorf("rendered HTML lacks %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, "parcours: projet") {
		t.Error("front matter rendered")
	}
}

func TestBrokenRelativeLinksAreReported(t *testing.T) {
	fsys := fstest.MapFS{
		"a.md":       {Data: []byte("# A\n\nCette page présente le contexte général. Voir [B](sous/b.md#détails), [C](c.md), [la section](sous/b.md#absente) et [le site](https://exemple.fr/x.md) pour la suite.\n")},
		"sous/b.md":  {Data: []byte("# B\n\n## Détails\n\nLa page B détaille le fonctionnement et renvoie vers [A](../a.md) pour le contexte.\n")},
		"_data/x.md": {Data: []byte("ignoré")},
	}
	b, err := Load(context.Background(), Source{Name: "m", FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, w := range b.Warnings {
		msgs = append(msgs, w.String())
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, "a.md: lien vers « c.md » : page introuvable") || !strings.Contains(all, "sous/b.md#absente") {
		t.Errorf("broken links not reported:\n%s", all)
	}
	if strings.Contains(all, "détails »") || strings.Contains(all, "../a.md") || strings.Contains(all, "exemple.fr") {
		t.Errorf("valid or external links reported:\n%s", all)
	}
}

func TestHugeFileIsSkippedWithWarning(t *testing.T) {
	big := strings.Repeat("Une ligne de texte répétée pour grossir le fichier bien au-delà du raisonnable.\n", (MaxFileSize/80)+10)
	fsys := fstest.MapFS{
		"enorme.md": {Data: []byte(big)},
		"ok.md":     {Data: []byte("# Page\n\nUne page normale qui explique le déploiement des applications sur la plateforme.\n")},
	}
	b, err := Load(context.Background(), Source{Name: "m", FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Pages) != 1 || b.Pages[0].Path != "ok.md" {
		t.Errorf("pages = %d", len(b.Pages))
	}
	if len(b.Warnings) != 1 || !strings.Contains(b.Warnings[0].String(), "enorme.md") {
		t.Errorf("warnings = %v", b.Warnings)
	}
}

func hasGroup(groups [][]string, word string) bool {
	for _, g := range groups {
		for _, w := range g {
			if w == word {
				return true
			}
		}
	}
	return false
}

func TestLatin1PagesAreRead(t *testing.T) {
	latin1 := []byte("# S\xe9curit\xe9\n\nLes secrets sont stock\xe9s dans le coffre-fort, jamais dans le d\xe9p\xf4t \x93Git\x94 de l'\x9cuvre.\n\n" +
		"\x95 La marque\x99 \x84cit\xe9e\x93, \x8bguillemets\x9b et \x9f majuscule, \x8aibenik.\n")
	// A stray NUL in a long page is a slip, not a binary file.
	stray := []byte("# Données personnelles\n\n" + strings.Repeat("Les données des candidats sont conservées treize mois. ", 40) + "\x00Fin.\n")
	fsys := fstest.MapFS{"latin1.md": {Data: latin1}, "binaire.md": {Data: []byte("PNG\x00\x01\x02 du binaire qui n'est pas une page")},
		"nul.md": {Data: stray}}
	b, err := Load(context.Background(), Source{Name: "m", FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Pages) != 2 || b.Pages[0].Title != "Sécurité" || !strings.Contains(b.Pages[0].Sections[0].Text, "dépôt “Git” de l'œuvre") {
		t.Fatalf("Latin-1 page not decoded, or the page with a NUL lost: %+v", b.Pages)
	}
	if p := b.Pages[1]; p.Title != "Données personnelles" || !strings.Contains(p.Sections[0].Text, "treize mois") || strings.ContainsRune(p.Sections[0].Text, 0) {
		t.Errorf("page with a stray NUL: %+v", p)
	}
	// Every character of Windows-1252, not a handful.
	if text := b.Pages[0].Sections[0].Text; !strings.Contains(text, "La marque™ „citée“, ‹guillemets› et Ÿ majuscule, Šibenik.") {
		t.Errorf("Windows-1252 punctuation lost:\n%s", text)
	}
	all := ""
	for _, w := range b.Warnings {
		all += w.String() + "\n"
	}
	if !strings.Contains(all, "latin1.md: pas en UTF-8") || !strings.Contains(all, "binaire.md: fichier binaire") ||
		!strings.Contains(all, "nul.md: 1 octet(s) nul(s) remplacé(s)") {
		t.Errorf("warnings = %s", all)
	}
}

func TestTemplateTagsAndMDXImportsAreNotText(t *testing.T) {
	fsys := fstest.MapFS{
		"jekyll.md": {Data: []byte("---\ntitle: Jekyll\n---\n{% include alerte.html %}\nLa page {{ page.title }} explique la supervision des applications, des journaux et des alertes de production.\n")},
		"doc.mdx":   {Data: []byte("import Tabs from '@theme/Tabs';\nexport const x = 1;\n\n# MDX\n\nLa page explique le déploiement des applications avec {{< figure src=\"a.png\" >}} des onglets, pas à pas, pour chaque environnement.\n")},
	}
	b, err := Load(context.Background(), Source{Name: "m", FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range b.Pages {
		text := p.Sections[0].Text
		for _, noise := range []string{"{%", "include", "page.title", "import", "@theme", "figure"} {
			if strings.Contains(text, noise) {
				t.Errorf("%s keeps template noise %q: %q", p.Path, noise, text)
			}
		}
	}
	if len(b.Pages) != 2 {
		t.Errorf("pages = %d", len(b.Pages))
	}
}

func TestFrontMatterQuestions(t *testing.T) {
	long := strings.Repeat("é", 400)
	p, warns := parsePage("s", "p.md", []byte("---\ntitle: P\nquestions:\n  - ma CI plante\n  - \"\"\n  - "+long+"\n  - [pas, une, question]\n---\n\nUn texte assez long pour que la page ne soit pas un simple gabarit vide sans contenu.\n"))
	if p == nil || len(warns) > 0 {
		t.Fatalf("page %v, warnings %v", p, warns)
	}
	if len(p.Questions) != 2 || p.Questions[0] != "ma CI plante" || len([]rune(p.Questions[1])) != maxQuestionLen {
		t.Errorf("questions = %q", p.Questions)
	}
}

func TestCodeBlocksAreKeptApartFromTheText(t *testing.T) {
	src := "# Secrets en CI\n\nLe job lit les secrets du coffre avant la construction de l'image.\n\n" +
		"- Exemple :\n\n  ```yaml\n  read_secret:\n    stage: read-secret\n  ```\n\nLe message d'erreur :\n\n" +
		"    PKIX path building failed\n\nFin de la page, avec assez de mots pour être indexée.\n"
	p, _ := parsePage("s", "ci.md", []byte(src))
	if p == nil {
		t.Fatal("page not parsed")
	}
	for _, want := range []string{"read_secret:", "stage: read-secret", "PKIX path building failed"} {
		if !strings.Contains(p.Code, want) {
			t.Errorf("code blocks lost %q: %q", want, p.Code)
		}
	}
	for _, s := range p.Sections {
		if strings.Contains(s.Text, "read_secret") || strings.Contains(s.Text, "PKIX") {
			t.Errorf("code shown as prose in section %q: %q", s.Anchor, s.Text)
		}
	}
	huge := "# Gros\n\nUne page de configuration avec assez de mots pour être indexée sans souci.\n\n```\n" + strings.Repeat("cle: valeur\n", MaxPageCode/4) + "```\n"
	if p, _ := parsePage("s", "gros.md", []byte(huge)); p == nil || len(p.Code) > MaxPageCode {
		t.Errorf("code not bounded to %d bytes", MaxPageCode)
	}
}

func TestJekyllCollectionsAreContent(t *testing.T) {
	dir := t.TempDir()
	page := "---\ntitle: %s\n---\n\nUne page de la documentation, avec assez de mots pour être indexée sans souci.\n"
	files := map[string]string{
		"_config.yml":                        "collections_dir: articles\ncollections:\n  api:\n    output: true\n  guides: {}\n",
		"index.md":                           fmt.Sprintf(page, "Accueil"),
		"articles/_api/intro.md":             fmt.Sprintf(page, "Introduction à l'API"),
		"articles/_guides/publier/README.md": fmt.Sprintf(page, "Publier"),
		"articles/_api/_brouillons/x.md":     fmt.Sprintf(page, "Brouillon"),
		"articles/_autre/y.md":               fmt.Sprintf(page, "Pas une collection"),
		"_includes/z.md":                     fmt.Sprintf(page, "Gabarit"),
		"_data/w.md":                         fmt.Sprintf(page, "Données"),
	}
	for name, text := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := ParseSourceSpec(dir+"=https://doc.example.fr", GitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for _, p := range b.Pages {
		urls[p.Path] = p.URL
	}
	want := map[string]string{
		"index.md":                           "https://doc.example.fr/",
		"articles/_api/intro.md":             "https://doc.example.fr/api/intro",
		"articles/_guides/publier/README.md": "https://doc.example.fr/guides/publier/",
	}
	if len(urls) != len(want) {
		t.Errorf("pages %v, want %v", urls, want)
	}
	for path, url := range want {
		if urls[path] != url {
			t.Errorf("%s: URL %q, want %q (all: %v)", path, urls[path], url, urls)
		}
	}
	// Without a site, links point at the files.
	plain, err := Load(context.Background(), Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plain.Pages {
		if p.URL != p.Path {
			t.Errorf("%s: Markdown link %q, want the file's path", p.Path, p.URL)
		}
	}
	if _, err := ReadPage(src, "articles/_api/intro.md"); err != nil {
		t.Errorf("a collection's page cannot be shown: %v", err)
	}
	if _, err := ReadPage(src, "_includes/z.md"); err == nil {
		t.Error("an include folder's file is shown")
	}
}

func TestJekyllConfigIsReadWithCare(t *testing.T) {
	for cfg, want := range map[string][]string{
		"collections: [recettes, faq]\n":                        {"_faq", "_recettes"},
		"collections_dir: ../..\ncollections: [x]\n":            nil,
		"collections:\n  ../../etc: {}\n  .git: {}\n  ok: {}\n": {"_ok"},
		"collections: 3\n":                                      nil,
		"[[[":                                                   nil,
		"":                                                      nil,
	} {
		if got := parseJekyllCollections([]byte(cfg)).folders(); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%q: collections %v, want %v", cfg, got, want)
		}
	}
}

func TestBoilerplateLinesAreDropped(t *testing.T) {
	files := fstest.MapFS{}
	for i := range 6 {
		text := fmt.Sprintf("# Page %d\n\n> Une nouvelle documentation est disponible sur le nouveau site.\n\nLe sujet numéro %d de cette documentation, expliqué avec assez de mots pour être indexé.\n\nModifier cette page sur la forge du projet\n", i, i)
		if i >= 4 {
			text = fmt.Sprintf("# Page %d\n\nUn sujet sans bandeau, le numéro %d, expliqué avec assez de mots pour être indexé.\n", i, i)
		}
		files[fmt.Sprintf("p%d.md", i)] = &fstest.MapFile{Data: []byte(text)}
	}
	b, err := Load(context.Background(), Source{Name: "s", FS: files})
	if err != nil {
		t.Fatal(err)
	}
	warned := false
	for _, w := range b.Warnings {
		warned = warned || strings.Contains(w.Msg, "répétée")
	}
	if !warned {
		t.Errorf("no warning about the repeated lines: %v", b.Warnings)
	}
	for _, p := range b.Pages {
		text := p.Sections[0].Text
		if strings.Contains(text, "nouvelle documentation") || strings.Contains(text, "Modifier cette page") {
			t.Errorf("%s keeps the boilerplate: %q", p.Path, text)
		}
		if !strings.Contains(text, "numéro") {
			t.Errorf("%s lost its own text: %q", p.Path, text)
		}
	}
}

// folders lists the collections' folders, sorted (for tests).
func (c collections) folders() []string {
	out := make([]string, 0, len(c))
	for f := range c {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}
