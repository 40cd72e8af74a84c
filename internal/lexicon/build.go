package lexicon

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"sort"
	"strings"

	"github.com/blevesearch/vellum"
)

// Builder collects lexical data and writes the tables Open reads. The
// generator uses it; tests use it for small tables.
type Builder struct {
	pos     map[string]POS                        // lemma → parts of speech
	forms   map[string]map[string]map[string]bool // Fold(form) → lemma → forms in lower case
	family  map[string]map[string]bool            // lemma → related lemmas
	related map[string][]string                   // lemma → thesaurus neighbours, closest first
	english map[string][]string                   // Fold(English) → French
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{
		pos:     map[string]POS{},
		forms:   map[string]map[string]map[string]bool{},
		family:  map[string]map[string]bool{},
		related: map[string][]string{},
		english: map[string][]string{},
	}
}

// maxList is the most lemmas a family or a neighbour list holds;
// maxFormLemmas the most a form has; maxSpellings the most spellings of a
// form (differing by accents) that a lemma list tells apart.
const (
	maxList       = 255
	maxFormLemmas = 127
	maxSpellings  = 8
)

func (b *Builder) formListPlain(ls []string, off map[string]uint32) []byte {
	list := []byte{byte(len(ls))}
	for _, l := range ls {
		list = putRef(list, off[l])
	}
	return list
}

// formList encodes the lemmas of a folded form: [n][n lemma offsets], and
// when the form has several spellings that differ by accents ("peche":
// pêche, péché...), with the high bit of n set, [k][k spellings as
// [length][bytes]][n bytes: for each lemma, the bit set of the spellings
// that are its forms].
func (b *Builder) formList(key string, ls []string, off map[string]uint32) []byte {
	var spellings []string
	for _, l := range ls {
		for f := range b.forms[key][l] {
			if len(f) > 255 {
				return b.formListPlain(ls, off)
			}
			if !contains(spellings, f) {
				spellings = append(spellings, f)
			}
		}
	}
	sort.Strings(spellings)
	masks := make([]byte, len(ls))
	same := true
	for j, l := range ls {
		for i, f := range spellings {
			if i < maxSpellings && b.forms[key][l][f] {
				masks[j] |= 1 << i
			}
		}
		same = same && masks[j] == masks[0]
	}
	// Accents tell the lemmas apart only if their spellings differ.
	accents := !same && len(spellings) <= maxSpellings
	n := byte(len(ls))
	if accents {
		n |= 0x80
	}
	list := []byte{n}
	for _, l := range ls {
		list = putRef(list, off[l])
	}
	if accents {
		list = append(list, byte(len(spellings)))
		for _, f := range spellings {
			list = append(list, byte(len(f)))
			list = append(list, f...)
		}
		list = append(list, masks...)
	}
	return list
}

// AddForm records that form is an inflection of lemma with the given parts
// of speech. A lemma is a form of itself.
func (b *Builder) AddForm(form, lemma string, pos POS) {
	if form == "" || lemma == "" || len(lemma) > 255 || len(Fold(form)) > 255 {
		return
	}
	b.pos[lemma] |= pos
	for _, f := range []string{form, lemma} {
		k := Fold(f)
		if b.forms[k] == nil {
			b.forms[k] = map[string]map[string]bool{}
		}
		if b.forms[k][lemma] == nil {
			b.forms[k][lemma] = map[string]bool{}
		}
		b.forms[k][lemma][strings.ToLower(f)] = true
	}
}

// HasLemma reports whether lemma was added, and its parts of speech.
func (b *Builder) HasLemma(lemma string) (POS, bool) {
	p, ok := b.pos[lemma]
	return p, ok
}

// Lemmas returns the lemmas added so far, sorted.
func (b *Builder) Lemmas() []string {
	out := make([]string, 0, len(b.pos))
	for l := range b.pos {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// LemmasOf returns the lemmas of a folded form, sorted.
func (b *Builder) LemmasOf(key string) []string {
	var out []string
	for l := range b.forms[key] {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// AddFamily records that two lemmas derive from one another.
func (b *Builder) AddFamily(a, c string) {
	if a == c {
		return
	}
	for _, p := range [][2]string{{a, c}, {c, a}} {
		if b.family[p[0]] == nil {
			b.family[p[0]] = map[string]bool{}
		}
		b.family[p[0]][p[1]] = true
	}
}

// SetRelated sets the thesaurus neighbours of a lemma, closest first.
func (b *Builder) SetRelated(lemma string, neighbours []string) {
	b.related[lemma] = neighbours
}

// AddEnglish adds French translations to an English word or expression.
func (b *Builder) AddEnglish(en string, fr ...string) {
	k := Fold(strings.Join(strings.Fields(en), " "))
	if k == "" || len(k) > 255 {
		return
	}
	for _, f := range fr {
		f = strings.Join(strings.Fields(strings.ReplaceAll(f, "|", " ")), " ")
		if f == "" || strings.HasPrefix(f, "-") || b.hasEnglish(k, f) {
			continue
		}
		b.english[k] = append(b.english[k], f)
	}
}

// hasEnglish reports whether an English key has a translation already,
// whatever its case or accents ("Paname", "paname").
func (b *Builder) hasEnglish(key, fr string) bool {
	f := Fold(fr)
	for _, x := range b.english[key] {
		if Fold(x) == f {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Counts returns how many lemmas, folded forms and English entries were
// added.
func (b *Builder) Counts() (lemmas, forms, english int) {
	return len(b.pos), len(b.forms), len(b.english)
}

// Tables are the bytes Open reads.
type Tables struct {
	Forms, Lemmas, Thesaurus, EnglishIndex, EnglishText []byte
}

// Build writes the tables. Unknown lemmas in families and neighbours are
// dropped.
func (b *Builder) Build() (Tables, error) {
	var t Tables
	lemmas := b.Lemmas()

	// Record offsets: records have a fixed layout, so the offsets are
	// known before writing.
	off := map[string]uint32{}
	fam := map[string][]string{}
	o := lemmasHeader
	for _, l := range lemmas {
		var f []string
		for m := range b.family[l] {
			if _, ok := b.pos[m]; ok {
				f = append(f, m)
			}
		}
		sort.Strings(f)
		if len(f) > maxList {
			f = f[:maxList]
		}
		fam[l] = f
		off[l] = uint32(o)
		o += 1 + len(l) + 2 + 1 + refSize*len(f)
	}
	out := append([]byte(magicLemmas), 0, 0, 0, 0) // identity, set below
	for _, l := range lemmas {
		out = append(out, byte(len(l)))
		out = append(out, l...)
		out = binary.LittleEndian.AppendUint16(out, uint16(b.pos[l]))
		out = append(out, byte(len(fam[l])))
		for _, m := range fam[l] {
			out = putRef(out, off[m])
		}
	}

	// Forms, with lists for the forms of several lemmas.
	keys := make([]string, 0, len(b.forms))
	for k := range b.forms {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	lists := map[string]int{}
	var fst bytes.Buffer
	fb, err := vellum.New(&fst, nil)
	if err != nil {
		return t, fmt.Errorf("formes: %w", err)
	}
	for _, k := range keys {
		ls := b.LemmasOf(k)
		// The lemmas spelled as the key come first.
		sort.SliceStable(ls, func(i, j int) bool { return Fold(ls[i]) == k && Fold(ls[j]) != k })
		if len(ls) > maxFormLemmas {
			ls = ls[:maxFormLemmas]
		}
		var v uint64
		if len(ls) == 1 {
			v = uint64(off[ls[0]]) << 1
		} else {
			list := b.formList(k, ls, off)
			lo, ok := lists[string(list)]
			if !ok {
				lo = len(out)
				lists[string(list)] = lo
				out = append(out, list...)
			}
			v = uint64(lo)<<1 | 1
		}
		if err := fb.Insert([]byte(k), v); err != nil {
			return t, fmt.Errorf("formes: %q: %w", k, err)
		}
	}
	if err := fb.Close(); err != nil {
		return t, fmt.Errorf("formes: %w", err)
	}
	if len(out) > maxRef {
		return t, fmt.Errorf("table des lemmes trop grande (%d octets)", len(out))
	}
	binary.LittleEndian.PutUint32(out[len(magicLemmas):], crc32.ChecksumIEEE(out[lemmasHeader:]))
	t.Forms, t.Lemmas = fst.Bytes(), out

	// Thesaurus.
	var heads []string
	for l, ns := range b.related {
		if _, ok := off[l]; ok && len(ns) > 0 {
			heads = append(heads, l)
		}
	}
	sort.Slice(heads, func(i, j int) bool { return off[heads[i]] < off[heads[j]] })
	var pairs, data []byte
	n := 0
	for _, l := range heads {
		var refs []uint32
		for _, m := range b.related[l] {
			if r, ok := off[m]; ok && m != l && len(refs) < maxList {
				refs = append(refs, r)
			}
		}
		if len(refs) == 0 {
			continue
		}
		pairs = putRef(pairs, off[l])
		pairs = putRef(pairs, uint32(len(data)))
		data = append(data, byte(len(refs)))
		for _, r := range refs {
			data = putRef(data, r)
		}
		n++
	}
	if len(data) > maxRef {
		return t, fmt.Errorf("thésaurus trop grand (%d octets)", len(data))
	}
	th := []byte(magicThesaurus)
	th = append(th, t.Lemmas[len(magicLemmas):lemmasHeader]...)
	th = binary.LittleEndian.AppendUint32(th, uint32(n))
	th = append(th, pairs...)
	t.Thesaurus = append(th, data...)

	// English.
	if len(b.english) > 0 {
		eks := make([]string, 0, len(b.english))
		for k := range b.english {
			eks = append(eks, k)
		}
		sort.Strings(eks)
		var idx bytes.Buffer
		eb, err := vellum.New(&idx, nil)
		if err != nil {
			return t, fmt.Errorf("anglais: %w", err)
		}
		var text []byte
		for _, k := range eks {
			s := strings.Join(b.english[k], "|")
			if len(s) > 0xffff {
				s = s[:strings.LastIndexByte(s[:0xffff], '|')]
			}
			if err := eb.Insert([]byte(k), uint64(len(text))<<16|uint64(len(s))); err != nil {
				return t, fmt.Errorf("anglais: %q: %w", k, err)
			}
			text = append(text, s...)
		}
		if err := eb.Close(); err != nil {
			return t, fmt.Errorf("anglais: %w", err)
		}
		t.EnglishIndex, t.EnglishText = idx.Bytes(), text
	}
	return t, nil
}

// emptyFST returns an FST without keys.
func emptyFST() []byte {
	var buf bytes.Buffer
	fb, err := vellum.New(&buf, nil)
	if err == nil {
		err = fb.Close()
	}
	if err != nil {
		panic(err)
	}
	return buf.Bytes()
}
