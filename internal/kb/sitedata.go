package kb

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Pages may quote the data of their source the way Jekyll pages do:
// "{{ site.data.organisation.support.canal }}" is the key support.canal of
// _data/organisation.yaml. The organisation's own contacts and URLs (support
// channel, ticket tool, console, on-call phone) thus live in one data file an
// admin edits, not in the prose. At load time each reference becomes its
// value; an unset value becomes the text of a Liquid "default" filter
// ("{{ site.data.organisation.support.canal | default: \"le canal de support
// de votre organisation\" }}"), else a neutral phrase, and the load warns
// about it so that the admin knows what to fill in.

// siteDataRE matches a Liquid output tag reading site.data, with optional
// filters.
var siteDataRE = regexp.MustCompile(`\{\{-?\s*site\.data\.([\w.-]+)\s*((?:\|[^{}|]*)*)-?\}\}`)

// defaultFilterRE reads the text of a Liquid "default" filter.
var defaultFilterRE = regexp.MustCompile(`^default\s*:\s*(?:"([^"]*)"|'([^']*)')\s*$`)

// unsetText stands for a value nobody set, when the page gives no default.
const unsetText = "(information à demander à votre organisation)"

// maxDataValue bounds what one value may put in a page.
const maxDataValue = 500

// siteData resolves the site.data references of one load. A page reads its
// own source's data first, then the other sources' in order, then the
// embedded base's, whose defaults every deployment has.
type siteData struct {
	sources []Source
	files   map[dataKey]any // parsed data files; nil value: absent or invalid
	unset   map[string][]string
	warns   []Warning
}

type dataKey struct {
	source int
	name   string
}

func newSiteData(sources []Source) *siteData {
	d := &siteData{files: map[dataKey]any{}, unset: map[string][]string{}}
	for _, s := range sources {
		if s.Name != EmbeddedName {
			d.sources = append(d.sources, s)
		}
	}
	d.sources = append(d.sources, Embedded())
	return d
}

// expand replaces the site.data references of a page of src.
func (d *siteData) expand(src Source, page string, data []byte) []byte {
	if !bytes.Contains(data, []byte("site.data.")) {
		return data
	}
	return siteDataRE.ReplaceAllFunc(data, func(tag []byte) []byte {
		m := siteDataRE.FindSubmatch(tag)
		ref := string(m[1])
		if v, ok := d.lookup(src, ref); ok {
			return []byte(v)
		}
		// The shipped base alone leaves some values unset on purpose
		// (no public on-call number): its own defaults are no news at
		// each "parcours ask". With a source of the organisation's, they
		// are worth a warning.
		if len(d.sources) > 1 && !containsString(d.unset[ref], page) {
			d.unset[ref] = append(d.unset[ref], page)
		}
		if def, ok := defaultText(string(m[2])); ok {
			return []byte(def)
		}
		return []byte(unsetText)
	})
}

// warnings lists what the load found missing: unreadable data files, and
// for each data file one line naming its unset values and the pages that
// use them.
func (d *siteData) warnings() []Warning {
	out := append([]Warning(nil), d.warns...)
	refs := make([]string, 0, len(d.unset))
	for r := range d.unset {
		refs = append(refs, r)
	}
	sort.Strings(refs)
	byFile := map[string][]string{}
	var files []string
	for _, r := range refs {
		file := "_data/" + strings.SplitN(r, ".", 2)[0] + ".yaml"
		if byFile[file] == nil {
			files = append(files, file)
		}
		pages := d.unset[r]
		more := ""
		if len(pages) > 3 {
			pages, more = pages[:3], fmt.Sprintf(" et %d autres", len(d.unset[r])-3)
		}
		byFile[file] = append(byFile[file], fmt.Sprintf("%s (%s%s)", r, strings.Join(pages, ", "), more))
	}
	for _, f := range files {
		out = append(out, Warning{Path: f, Msg: "valeurs non renseignées, un texte neutre est affiché à leur place : " +
			strings.Join(byFile[f], " ; ") + " ; à renseigner dans le dossier _data/ d'une source"})
	}
	return out
}

// lookup finds the value of ref ("organisation.support.canal"), the page's
// own source first.
func (d *siteData) lookup(src Source, ref string) (string, bool) {
	segs := strings.Split(ref, ".")
	// The embedded base only holds defaults: its own pages read the
	// operator's sources first.
	order := make([]int, 0, len(d.sources))
	for i, s := range d.sources {
		if s.Name == src.Name && s.Name != EmbeddedName {
			order = append(order, i)
		}
	}
	for i, s := range d.sources {
		if s.Name != src.Name || s.Name == EmbeddedName {
			order = append(order, i)
		}
	}
	for _, i := range order {
		// "site.data.a.b.c" is key b.c of _data/a.yaml, or key c of
		// _data/a/b.yaml (Jekyll reads data folders too).
		for n := 1; n < len(segs); n++ {
			doc := d.file(i, strings.Join(segs[:n], "/"))
			if doc == nil {
				continue
			}
			v, present := walk(doc, segs[n:])
			if !present {
				break
			}
			// A key a source sets, even to "", is its answer: an
			// organisation without an on-call phone hides the default.
			return scalar(v)
		}
	}
	return "", false
}

// file returns the parsed _data/name.yaml (or .yml) of source i, nil when
// absent or invalid (then with a warning, once).
func (d *siteData) file(i int, name string) any {
	k := dataKey{i, name}
	if doc, ok := d.files[k]; ok {
		return doc
	}
	d.files[k] = nil
	src := d.sources[i]
	if src.FS == nil || !fs.ValidPath("_data/"+name) {
		return nil
	}
	for _, ext := range []string{".yaml", ".yml"} {
		p := "_data/" + name + ext
		info, err := fs.Stat(src.FS, p)
		if err != nil || info.IsDir() {
			continue
		}
		if info.Size() > MaxFileSize {
			d.warns = append(d.warns, Warning{Source: src.Name, Path: p, Msg: "fichier de données trop gros, ignoré"})
			return nil
		}
		data, err := fs.ReadFile(src.FS, p)
		if err != nil {
			d.warns = append(d.warns, Warning{Source: src.Name, Path: p, Msg: "illisible: " + err.Error()})
			return nil
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			d.warns = append(d.warns, Warning{Source: src.Name, Path: p, Msg: "YAML invalide, valeurs ignorées: " + err.Error()})
			return nil
		}
		if doc == nil {
			doc = map[string]any{}
		}
		d.files[k] = doc
		return doc
	}
	return nil
}

// walk follows keys down nested maps; false when a key is missing.
func walk(v any, keys []string) (any, bool) {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// scalar is the text of a set value: one line, bounded. Lists, maps, null
// and blank strings are not values a sentence can show.
func scalar(v any) (string, bool) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case int:
		s = strconv.Itoa(v)
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(v)
	default:
		return "", false
	}
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", false
	}
	if utf8.RuneCountInString(s) > maxDataValue {
		s = string([]rune(s)[:maxDataValue]) + "…"
	}
	return s, true
}

// defaultText reads the default filter of a tag's filters ("| default: \"x\"").
func defaultText(filters string) (string, bool) {
	for _, f := range strings.Split(filters, "|") {
		if m := defaultFilterRE.FindStringSubmatch(strings.TrimSpace(f)); m != nil {
			s, _ := scalar(m[1] + m[2])
			return s, true
		}
	}
	return "", false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ReadDataFile reads a data file that holds prose (the welcome,
// "_data/bienvenue.md") from the first source that has it, else from the
// embedded base, with its site.data references replaced as in pages. The
// warnings name the values left unset.
func ReadDataFile(sources []Source, name string) ([]byte, []Warning, error) {
	src := Embedded()
	for _, s := range sources {
		if s.FS == nil {
			continue
		}
		if _, err := fs.Stat(s.FS, name); err == nil {
			src = s
			break
		}
	}
	data, err := fs.ReadFile(src.FS, name)
	if err != nil {
		return nil, nil, fmt.Errorf("lecture de %s: %w", path.Join(src.Name, name), err)
	}
	d := newSiteData(sources)
	data = d.expand(src, name, data)
	return data, d.warnings(), nil
}
