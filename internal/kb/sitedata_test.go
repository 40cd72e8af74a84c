package kb

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"gopkg.in/yaml.v3"

	"github.com/cloud-pi-native/parcours/knowledge"
)

func warningsText(ws []Warning) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.String() + "\n")
	}
	return b.String()
}

func pageText(t *testing.T, b *Base, path string) string {
	t.Helper()
	for _, p := range b.Pages {
		if p.Path == path {
			var s strings.Builder
			s.WriteString(p.Title + "\n" + p.Summary + "\n")
			for _, sec := range p.Sections {
				s.WriteString(sec.Title + "\n" + sec.Text + "\n")
			}
			return s.String()
		}
	}
	t.Fatalf("page %s not indexed", path)
	return ""
}

func TestSiteDataReferencesShowTheOrganisationsValues(t *testing.T) {
	fsys := fstest.MapFS{
		"_data/organisation.yaml": {Data: []byte("support:\n  canal: https://chat.exemple.gouv.fr/aide\n  tickets: \"\"\nincident:\n  telephone:\n")},
		"incident.md": {Data: []byte("---\ntitle: Incident\nsummary: Qui prévenir, sur {{ site.data.organisation.support.canal }}\n---\n" +
			"# Incident\n\nPosez vos questions sur {{ site.data.organisation.support.canal }} ou dans " +
			"{{site.data.organisation.support.tickets | default: \"l'outil de tickets de votre organisation\"}}. " +
			"En urgence, appelez {{ site.data.organisation.incident.telephone | default: 'l’astreinte de votre organisation' }} " +
			"ou {{ site.data.organisation.incident.secours }}. La page {{ page.title }} reste lisible.\n")},
	}
	b, err := Load(context.Background(), Source{Name: "doc", FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	text := pageText(t, b, "incident.md")
	for _, want := range []string{
		"Posez vos questions sur https://chat.exemple.gouv.fr/aide ou dans l'outil de tickets de votre organisation.",
		"appelez l’astreinte de votre organisation ou " + unsetText,
		"Qui prévenir, sur https://chat.exemple.gouv.fr/aide",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("page text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "site.data") || strings.Contains(text, "{{") {
		t.Errorf("raw tag left in the page:\n%s", text)
	}
	all := warningsText(b.Warnings)
	if !strings.Contains(all, "_data/organisation.yaml: valeurs non renseignées") ||
		!strings.Contains(all, "organisation.incident.telephone (incident.md)") ||
		!strings.Contains(all, "organisation.support.tickets (incident.md)") ||
		!strings.Contains(all, "organisation.incident.secours (incident.md)") {
		t.Errorf("unset values not reported with their page:\n%s", all)
	}
	if strings.Contains(all, "support.canal") {
		t.Errorf("a set value reported as unset:\n%s", all)
	}
	if strings.Count(all, "valeurs non renseignées") != 1 {
		t.Errorf("want one line for the data file, got:\n%s", all)
	}
}

func TestSiteDataOwnSourceFirstThenOtherSourcesThenEmbedded(t *testing.T) {
	page := func(ref string) []byte {
		return []byte("# Aide\n\nPour toute question sur la plateforme, écrivez sur {{ site.data." + ref + " }} : l'équipe répond vite.\n")
	}
	org := fstest.MapFS{
		// A source holding only the organisation's data, as an operator
		// adds next to the embedded base.
		"_data/organisation.yaml": {Data: []byte("support:\n  canal: ~aide-org\n")},
	}
	docs := fstest.MapFS{
		"_data/organisation.yaml":   {Data: []byte("support:\n  canal: ~aide-docs\n")},
		"propre.md":                 {Data: page("organisation.support.canal")},
		"dossier.md":                {Data: page("equipe.contacts.mail")},
		"_data/equipe/contacts.yml": {Data: []byte("mail: equipe@exemple.gouv.fr\n")},
	}
	other := fstest.MapFS{"autre.md": {Data: page("organisation.support.canal")}}
	embeddedOnly := fstest.MapFS{"doc.md": {Data: page("organisation.offre.documentation")}}
	// Pages of the embedded base take the operator's values over the
	// shipped defaults, whatever the order of the sources.
	shippedPages := fstest.MapFS{"livree.md": {Data: page("organisation.support.canal")}}

	b, err := Load(context.Background(), Source{Name: EmbeddedName, FS: shippedPages}, Source{Name: "org", FS: org},
		Source{Name: "docs", FS: docs}, Source{Name: "autre", FS: other}, Source{Name: "defaut", FS: embeddedOnly})
	if err != nil {
		t.Fatal(err)
	}
	if s := pageText(t, b, "propre.md"); !strings.Contains(s, "~aide-docs") {
		t.Errorf("a page must read its own source's data first:\n%s", s)
	}
	if s := pageText(t, b, "autre.md"); !strings.Contains(s, "~aide-org") {
		t.Errorf("a source without the value must read the first source that has it:\n%s", s)
	}
	if s := pageText(t, b, "livree.md"); !strings.Contains(s, "~aide-org") {
		t.Errorf("embedded pages must read the operator's data first:\n%s", s)
	}
	if s := pageText(t, b, "dossier.md"); !strings.Contains(s, "equipe@exemple.gouv.fr") {
		t.Errorf("site.data.dossier.fichier.cle must read _data/dossier/fichier.yml:\n%s", s)
	}
	var shipped struct {
		Offre struct{ Documentation string } `yaml:"offre"`
	}
	data, err := fs.ReadFile(knowledge.FS, "_data/organisation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &shipped); err != nil || shipped.Offre.Documentation == "" {
		t.Fatalf("embedded organisation.yaml: %v %+v", err, shipped)
	}
	if s := pageText(t, b, "doc.md"); !strings.Contains(s, shipped.Offre.Documentation) {
		t.Errorf("the embedded defaults must fill what no source sets:\n%s", s)
	}
}

func TestSiteDataHostileFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"_data/organisation.yaml": {Data: []byte("support:\n  canal: [un, deux]\n  tickets:\n    url: x\n  lignes: \"premiere\\n   seconde\"\n  boucle: \"{{ site.data.organisation.support.lignes }}\"\n  long: " + strings.Repeat("a", 2000) + "\n")},
		"_data/casse.yaml":        {Data: []byte("a: [\n")},
		"p.md": {Data: []byte("# P\n\nLe support répond sur {{ site.data.organisation.support.canal }}, " +
			"{{ site.data.organisation.support.tickets }}, {{ site.data.organisation.support.lignes }}, " +
			"{{ site.data.organisation.support.boucle }}, {{ site.data.casse.a }}, {{ site.data.organisation.support.long }} " +
			"et {{ site.data.../../etc/passwd.x }} pour toutes les questions.\n")},
	}
	b, err := Load(context.Background(), Source{Name: "m", FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	text := pageText(t, b, "p.md")
	if !strings.Contains(text, "premiere seconde") {
		t.Errorf("a multi-line value must become one line:\n%s", text)
	}
	if strings.Contains(text, "un, deux") || strings.Contains(text, "url") {
		t.Errorf("lists and maps are not values:\n%s", text)
	}
	if strings.Contains(text, strings.Repeat("a", maxDataValue+1)) {
		t.Errorf("a value must be bounded")
	}
	if strings.Contains(text, "premiere seconde, premiere seconde") {
		t.Errorf("values must not be expanded again:\n%s", text)
	}
	all := warningsText(b.Warnings)
	if !strings.Contains(all, "_data/casse.yaml: YAML invalide") {
		t.Errorf("a broken data file must be reported:\n%s", all)
	}
	if len(b.Pages) != 1 {
		t.Errorf("the page must stay indexed")
	}
}

func TestEmbeddedPagesShowNoRawDataTags(t *testing.T) {
	b, err := Load(context.Background(), Embedded())
	if err != nil {
		t.Fatal(err)
	}
	used := 0
	for _, p := range b.Pages {
		raw, err := fs.ReadFile(knowledge.FS, p.Path)
		if err != nil {
			t.Fatal(err)
		}
		used += len(siteDataRE.FindAll(raw, -1))
		text := pageText(t, b, p.Path)
		if strings.Contains(text, "site.data") {
			t.Errorf("%s shows a raw site.data tag", p.Path)
		}
		if strings.Contains(text, unsetText) {
			t.Errorf("%s: every reference of the embedded pages needs a default text in context", p.Path)
		}
	}
	if used == 0 {
		t.Fatal("the embedded pages must take the organisation's contacts from _data/organisation.yaml")
	}
	// The only warnings of the shipped base are the values an operator
	// must set (no broken link, no bad data file).
	for _, w := range b.Warnings {
		if w.Path != "_data/organisation.yaml" {
			t.Errorf("unexpected warning in the embedded base: %s", w)
		}
	}
}

func TestReadDataFileExpandsTheWelcome(t *testing.T) {
	src := Source{Name: "m", FS: fstest.MapFS{
		"_data/bienvenue.md":      {Data: []byte("Bonjour {{nom}} ! Entraide : {{ site.data.organisation.support.canal }}. Urgence : {{ site.data.organisation.incident.telephone | default: \"l'astreinte\" }}.")},
		"_data/organisation.yaml": {Data: []byte("support:\n  canal: ~entraide\n")},
	}}
	data, warns, err := ReadDataFile([]Source{src, Embedded()}, "_data/bienvenue.md")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(data); got != "Bonjour {{nom}} ! Entraide : ~entraide. Urgence : l'astreinte." {
		t.Errorf("welcome = %q", got)
	}
	if all := warningsText(warns); !strings.Contains(all, "organisation.incident.telephone (_data/bienvenue.md)") {
		t.Errorf("warnings = %s", all)
	}
	// Without any source holding one, the shipped welcome is read, with
	// the shipped values.
	data, _, err = ReadDataFile(nil, "_data/bienvenue.md")
	if err != nil || strings.Contains(string(data), "site.data") {
		t.Errorf("shipped welcome not expanded: %v\n%s", err, data)
	}
}

func FuzzSiteDataExpand(f *testing.F) {
	f.Add([]byte("Écrivez sur {{ site.data.organisation.support.canal | default: \"le canal\" }}."), []byte("support:\n  canal: ~aide\n"))
	f.Add([]byte("{{site.data.a.b|default:'x'|upcase}} {{ site.data.a }}"), []byte("a: {b: [1, 2]}"))
	f.Add([]byte("{{- site.data.x.y.z -}}"), []byte("x:\n  y: &a {z: *a}\n"))
	f.Fuzz(func(t *testing.T, page, data []byte) {
		src := Source{Name: "f", FS: fstest.MapFS{"_data/organisation.yaml": {Data: data}, "_data/x.yaml": {Data: data}, "_data/a.yaml": {Data: data}}}
		d := newSiteData([]Source{src})
		out := d.expand(src, "p.md", page)
		if len(out) > len(page)+len(siteDataRE.FindAll(page, -1))*(maxDataValue*4+8)+len(unsetText)*len(siteDataRE.FindAll(page, -1)) {
			t.Fatalf("expansion grew the page beyond its bounds: %d -> %d", len(page), len(out))
		}
		_ = d.warnings()
	})
}

// The shipped base alone loads without warnings about the values it leaves
// unset on purpose: "parcours ask" must not repeat them at each call.
func TestEmbeddedBaseAloneHasNoUnsetWarning(t *testing.T) {
	b, err := Load(context.Background(), Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if all := warningsText(b.Warnings); strings.Contains(all, "non renseignées") {
		t.Errorf("warnings = %s", all)
	}
}
