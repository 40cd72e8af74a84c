package lexicon

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/blevesearch/vellum"
)

// The tables, as the generator writes them and Open reads them without
// copying or parsing them: lookups decode a few bytes in place.
//
// forms (vellum FST): Fold(form) → value. An even value v is the offset
// v>>1 of the form's only lemma record in lemmas; an odd value is the
// offset v>>1 of a lemma list in lemmas.
//
// lemmas: magicLemmas, the CRC-32 of the rest of the file (its identity),
// then records and lists. A record is
// [n byte][spelling, n bytes][POS uint16][f byte][f lemma offsets],
// a list is [n byte][n lemma offsets]; offsets are 3 bytes, little endian,
// from the start of the file, so that no record is at offset 0.
//
// thesaurus: magicThesaurus, the identity of the lemmas table it refers to,
// the count n, n pairs [lemma offset][list offset] sorted by lemma offset,
// then the lists ([n byte][n lemma offsets], list offsets counted from the
// end of the pairs).
//
// englishIndex (vellum FST): Fold(English words) → offset<<16 | length of
// the French translations in englishText, separated by '|'.
const (
	magicLemmas    = "PLXLEM1\n"
	lemmasHeader   = len(magicLemmas) + 4
	magicThesaurus = "PLXTHE1\n"
	refSize        = 3
	maxRef         = 1<<24 - 1
	thesPairSize   = 2 * refSize
)

// Table is a loaded set of lexical tables. Its methods are safe for
// concurrent use.
type Table struct {
	forms    *vellum.FST
	lemmas   []byte
	thesIdx  []byte // pairs
	thesData []byte // lists
	english  *vellum.FST
	enText   []byte
}

// Open reads tables as the generator wrote them. thesaurus, englishIndex
// and englishText may be empty: the table then knows no neighbours or no
// English. The slices are used in place and must not change afterwards.
func Open(forms, lemmas, thesaurus, englishIndex, englishText []byte) (*Table, error) {
	t := &Table{}
	var err error
	if t.forms, err = vellum.Load(forms); err != nil {
		return nil, fmt.Errorf("table des formes: %w", err)
	}
	if len(lemmas) < lemmasHeader || !bytes.HasPrefix(lemmas, []byte(magicLemmas)) {
		return nil, errors.New("table des lemmes: en-tête inconnu")
	}
	t.lemmas = lemmas
	if len(thesaurus) > 0 {
		if err := t.openThesaurus(thesaurus); err != nil {
			return nil, fmt.Errorf("thésaurus: %w", err)
		}
	}
	if len(englishIndex) > 0 {
		if t.english, err = vellum.Load(englishIndex); err != nil {
			return nil, fmt.Errorf("index anglais: %w", err)
		}
		t.enText = englishText
	}
	return t, nil
}

func (t *Table) openThesaurus(b []byte) error {
	h := len(magicThesaurus)
	if len(b) < h+8 || string(b[:h]) != magicThesaurus {
		return errors.New("en-tête inconnu")
	}
	if !bytes.Equal(b[h:h+4], t.lemmas[len(magicLemmas):lemmasHeader]) {
		return errors.New("construit pour une autre table des lemmes")
	}
	n := int(binary.LittleEndian.Uint32(b[h+4:]))
	start := h + 8
	if n < 0 || n > (len(b)-start)/thesPairSize {
		return errors.New("taille incohérente")
	}
	t.thesIdx = b[start : start+n*thesPairSize]
	t.thesData = b[start+n*thesPairSize:]
	return nil
}

func ref(b []byte, off int) (uint32, bool) {
	if off < 0 || off+refSize > len(b) {
		return 0, false
	}
	return uint32(b[off]) | uint32(b[off+1])<<8 | uint32(b[off+2])<<16, true
}

func putRef(b []byte, v uint32) []byte {
	return append(b, byte(v), byte(v>>8), byte(v>>16))
}

// refList decodes [n byte][n refs] at off.
func refList(b []byte, off int) []uint32 {
	if off < 0 || off >= len(b) {
		return nil
	}
	n := int(b[off])
	out := make([]uint32, 0, n)
	for i := range n {
		r, ok := ref(b, off+1+i*refSize)
		if !ok {
			return out
		}
		out = append(out, r)
	}
	return out
}

// record is a decoded lemma record.
type record struct {
	spelling []byte
	pos      POS
	family   int // offset of the family refs
	nfamily  int
}

func (t *Table) record(off uint32) (record, bool) {
	b := t.lemmas
	o := int(off)
	if o < lemmasHeader || o >= len(b) {
		return record{}, false
	}
	n := int(b[o])
	end := o + 1 + n + 2 + 1
	if end > len(b) {
		return record{}, false
	}
	r := record{spelling: b[o+1 : o+1+n], pos: POS(binary.LittleEndian.Uint16(b[o+1+n:]))}
	r.nfamily = int(b[end-1])
	r.family = end
	if r.family+r.nfamily*refSize > len(b) {
		r.nfamily = 0
	}
	return r, true
}

// lemmaRefs returns the lemma records of a word: lower is the word in lower
// case, key its folded form. When the word's spellings differ by accents,
// an accented word keeps only the lemmas of its own spelling ("pêche" is
// not a form of pécher), unless none has it; a word without accents lists
// the lemmas of its own spelling first and keeps the others, since accents
// are often left out in chat.
func (t *Table) lemmaRefs(lower, key string) []uint32 {
	own, others := t.spelledRefs(lower, key)
	if lower != key {
		if len(own) == 0 {
			return others
		}
		return own
	}
	return append(own, others...)
}

// spelledRefs returns the lemma records of a word form, split into those
// of its own spelling and those of other spellings with the same folded key.
// Without spelling variants, every record is the word's own.
func (t *Table) spelledRefs(lower, key string) (own, others []uint32) {
	if key == "" || len(key) > 255 {
		return nil, nil
	}
	v, ok, err := t.forms.Get([]byte(key))
	if err != nil || !ok {
		return nil, nil
	}
	if v&1 == 0 {
		return []uint32{uint32(v >> 1)}, nil
	}
	b := t.lemmas
	o := int(v >> 1)
	if o < 0 || o >= len(b) {
		return nil, nil
	}
	n := int(b[o] & 0x7f)
	refs := make([]uint32, 0, n)
	for i := range n {
		r, ok := ref(b, o+1+i*refSize)
		if !ok {
			return refs, nil
		}
		refs = append(refs, r)
	}
	if b[o]&0x80 == 0 {
		return refs, nil
	}
	// The spellings, then one bit set per lemma.
	p := o + 1 + n*refSize
	if p >= len(b) {
		return refs, nil
	}
	k := int(b[p])
	p++
	mine := -1
	for i := range k {
		if p >= len(b) {
			return refs, nil
		}
		l := int(b[p])
		if p+1+l > len(b) {
			return refs, nil
		}
		if string(b[p+1:p+1+l]) == lower {
			mine = i
		}
		p += 1 + l
	}
	if mine < 0 || p+n > len(b) {
		return nil, refs
	}
	masks := b[p : p+n]
	for i, r := range refs {
		if masks[i]&(1<<mine) != 0 {
			own = append(own, r)
		} else {
			others = append(others, r)
		}
	}
	return own, others
}

// thesaurus returns the neighbour refs of a lemma record.
func (t *Table) thesaurus(lemma uint32) []uint32 {
	n := len(t.thesIdx) / thesPairSize
	i := sort.Search(n, func(i int) bool {
		r, _ := ref(t.thesIdx, i*thesPairSize)
		return r >= lemma
	})
	if i == n {
		return nil
	}
	if r, _ := ref(t.thesIdx, i*thesPairSize); r != lemma {
		return nil
	}
	off, _ := ref(t.thesIdx, i*thesPairSize+refSize)
	return refList(t.thesData, int(off))
}

// englishText returns the French translations stored for a folded English
// key, as one '|'-separated string.
func (t *Table) englishText(key string) string {
	if t.english == nil || key == "" || len(key) > 255 {
		return ""
	}
	v, ok, err := t.english.Get([]byte(key))
	if err != nil || !ok {
		return ""
	}
	off, n := int(v>>16), int(v&0xffff)
	if off > len(t.enText) || n > len(t.enText)-off {
		return ""
	}
	return string(t.enText[off : off+n])
}
