package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/cloud-pi-native/parcours/internal/lexicon"
)

// A small affix file in the format of the French dictionary: two-letter
// flags, elision continuation flags, conditions with sets.
const testAff = `SET UTF-8
FLAG long
NEEDAFFIX ()
FORBIDDENWORD {}

PFX L' Y 1
PFX L' 0 l' . dp:le|la+

SFX S. Y 2
SFX S. 0 0/L'D'Q' [^sxz] is:sg
SFX S. 0 s/D'Q' [^sxz] is:pl

SFX X. Y 2
SFX X. 0 0/L'D'Q' [ul] is:sg
SFX X. l ux/D'Q' al is:pl

SFX a0 Y 5
SFX a0 er er/n'q'd'l'm't's' er po:infi
SFX a0 er é/L'D'Q' er po:ppas
SFX a0 er ées/D'Q' er po:ppas
SFX a0 yer ie/j'n'q' [aou]yer po:ipre
SFX a0 er ons/n'q' [^cg]er po:ipre
`

const testDic = `7
conserver/a0() po:v1__t_q__a
déployer/a0() po:v1__t_q_zz
journal/X.() po:nom is:mas
déploiement/S.() po:nom is:mas
conservation/S.() po:nom is:fem
les po:mg po:det is:epi is:pl
A/Um po:nom is:mas is:inv
`

func loadTest(t *testing.T) *lexicon.Table {
	t.Helper()
	af, err := parseAffix(strings.NewReader(testAff))
	if err != nil {
		t.Fatal(err)
	}
	b := lexicon.NewBuilder()
	st, err := loadDic(strings.NewReader(testDic), af, b)
	if err != nil {
		t.Fatal(err)
	}
	if st.entries != 7 || st.skipped != 1 {
		t.Errorf("stats = %+v, want 7 entries, 1 skipped (the unit symbol)", st)
	}
	addFamilies(b)
	tb, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := lexicon.Open(tb.Forms, tb.Lemmas, tb.Thesaurus, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestHunspellExpansion(t *testing.T) {
	tab := loadTest(t)
	cases := map[string]string{
		"conservées":   "conserver",
		"conservé":     "conserver",
		"conservons":   "conserver",
		"journaux":     "journal",
		"déploiements": "déploiement",
		"déploie":      "déployer",
	}
	for form, want := range cases {
		if got := tab.Lemmas(form); !slices.Contains(got, want) {
			t.Errorf("Lemmas(%q) = %v, want %q", form, got, want)
		}
	}
	// Conditions hold: "journals" is not a form (X. only adds -ux after
	// -al), nor "déployons" through the [^cg]er rule's "yer" exception.
	for _, form := range []string{"journals", "a", "conserv"} {
		if got := tab.Lemmas(form); got != nil {
			t.Errorf("Lemmas(%q) = %v, want nil", form, got)
		}
	}
	if !tab.IsGrammatical("les") {
		t.Error("les is not grammatical")
	}
	if got := tab.Family("déployer"); !slices.Equal(got, []string{"déploiement"}) {
		t.Errorf("Family(déployer) = %v", got)
	}
	if got := tab.Family("conservation"); !slices.Equal(got, []string{"conserver"}) {
		t.Errorf("Family(conservation) = %v", got)
	}
}

func TestAffixConditions(t *testing.T) {
	cases := []struct {
		strip, add, cond, root, want string
	}{
		{"", "s", "[^sxz]", "chat", "chats"},
		{"", "s", "[^sxz]", "nez", ""},
		{"l", "ux", "al", "journal", "journaux"},
		{"l", "ux", "al", "bol", ""},
		{"yer", "ie", "[aou]yer", "déployer", "déploie"},
		{"er", "é", ".", "garder", "gardé"},
		{"er", "é", ".", "finir", ""},
	}
	for _, c := range cases {
		cond, err := parseCondition(c.cond)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := affix{strip: c.strip, add: c.add, cond: cond}.apply(c.root)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s -%s +%s [%s] = %q, %v; want %q", c.root, c.strip, c.add, c.cond, got, ok, c.want)
		}
	}
	for _, bad := range []string{"[abc", "ab]"} {
		if _, err := parseCondition(bad); err == nil {
			t.Errorf("parseCondition(%q) accepted", bad)
		}
	}
}

func TestParseAffixRefusesShortFlags(t *testing.T) {
	if _, err := parseAffix(strings.NewReader("SFX A Y 1\nSFX A 0 s .\n")); err == nil {
		t.Error("an affix file without FLAG long was accepted")
	}
}

const testThes = `UTF-8
conserver|2
(Verbe)|garder|stocker|préserver|sauvegarder|fumer
(Verbe)|mot de passe|conserver
garder|1
(Verbe)|conserver|préserver|sauvegarder|stocker
préserver|1
(Verbe)|conserver|garder|sauvegarder
sauvegarder|1
(Verbe)|conserver|garder|préserver
stocker|1
(Verbe)|conserver|garder
fumer|1
(Verbe)|griller|conserver
paumer|1
(Verbe)|perdre
`

func TestThesaurus(t *testing.T) {
	raw, err := parseMythes(strings.NewReader(testThes))
	if err != nil {
		t.Fatal(err)
	}
	if got := raw["conserver"]; !slices.Equal(got, []string{"garder", "stocker", "préserver", "sauvegarder", "fumer", "mot de passe"}) {
		t.Errorf("conserver = %v", got)
	}
	b := lexicon.NewBuilder()
	for _, v := range []string{"conserver", "garder", "stocker", "préserver", "sauvegarder", "fumer", "griller", "paumer", "perdre"} {
		b.AddForm(v, v, lexicon.Verb)
	}
	st := addThesaurus(raw, b)
	if st.kept != 7 {
		t.Errorf("kept %d headwords, want 7", st.kept)
	}
	tb, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := lexicon.Open(tb.Forms, tb.Lemmas, tb.Thesaurus, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := tab.Related("conserver")
	// The close neighbours come first; the other sense (fumer) shares no
	// neighbour and goes; the expression is dropped.
	if len(got) != 4 || slices.Contains(got, "fumer") || slices.Contains(got, "mot de passe") {
		t.Errorf("Related(conserver) = %v", got)
	}
	if got := tab.Related("paumer"); !slices.Equal(got, []string{"perdre"}) {
		t.Errorf("Related(paumer) = %v", got)
	}
}

func TestParseMythesErrors(t *testing.T) {
	for _, bad := range []string{"", "ISO8859-1\n", "UTF-8\nmot|x\n", "UTF-8\nmot|3\n(Nom)|a\n", "UTF-8\nsans-nombre\n"} {
		if _, err := parseMythes(strings.NewReader(bad)); err == nil {
			t.Errorf("parseMythes(%q) accepted", bad)
		}
	}
}

// dictd builds an index and a dictionary text from articles.
func dictd(articles ...string) (string, []byte) {
	var idx strings.Builder
	var dict []byte
	enc := func(n int) string {
		if n == 0 {
			return "A"
		}
		var s []byte
		for ; n > 0; n /= 64 {
			s = append([]byte{b64digits[n%64]}, s...)
		}
		return string(s)
	}
	for _, a := range articles {
		head, _, _ := strings.Cut(a, "\n")
		fmt.Fprintf(&idx, "%s\t%s\t%s\n", strings.ReplaceAll(head, "-", ""), enc(len(dict)), enc(len(a)))
		dict = append(dict, a...)
	}
	return idx.String(), dict
}

func TestParseDictd(t *testing.T) {
	idx, dict := dictd(
		"keep /kiːp/\n1. continuer, continuer à\n2. garder (quelque chose); conserver\n",
		"faire-part /fɛʀpaʀ/ <n, masc>\nannouncement\n",
	)
	arts, err := parseDictd(strings.NewReader("00databaseinfo\tA\tB\n"+idx), dict)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 2 {
		t.Fatalf("%d articles, want 2", len(arts))
	}
	if arts[0].headword != "keep" || !slices.Equal(arts[0].translations, []string{"continuer", "continuer à", "garder", "conserver"}) {
		t.Errorf("keep = %+v", arts[0])
	}
	// The headword is spelled as in the article, not as the index has it.
	if arts[1].headword != "faire-part" {
		t.Errorf("headword = %q, want faire-part", arts[1].headword)
	}
	for _, bad := range []string{"a\tB\n", "a\t!\tB\n", "a\tA\tzzzz\n"} {
		if _, err := parseDictd(strings.NewReader(bad), dict); err == nil {
			t.Errorf("parseDictd(%q) accepted", bad)
		}
	}
}

func TestDictzipIsGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	io.WriteString(zw, "x")
	zw.Close()
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(zr); string(b) != "x" {
		t.Errorf("read %q", b)
	}
}

func TestDebName(t *testing.T) {
	if got := debName(hunspellFr); got != "hunspell-fr-comprehensive_1%3a7.0-1_all.deb" {
		t.Errorf("debName = %q", got)
	}
}

func FuzzParseAffix(f *testing.F) {
	f.Add(testAff)
	f.Add("FLAG long\nSFX a0 er [^ ]\n")
	f.Fuzz(func(t *testing.T, aff string) {
		af, err := parseAffix(strings.NewReader(aff))
		if err != nil {
			return
		}
		b := lexicon.NewBuilder()
		if _, err := loadDic(strings.NewReader(testDic), af, b); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseDic(f *testing.F) {
	f.Add(testDic)
	f.Add("x/\n/ab po:\n\xff/a0 po:nom\n")
	af, err := parseAffix(strings.NewReader(testAff))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, dic string) {
		b := lexicon.NewBuilder()
		if _, err := loadDic(strings.NewReader(dic), af, b); err != nil {
			return
		}
		if _, err := b.Build(); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseMythes(f *testing.F) {
	f.Add(testThes)
	f.Add("UTF-8\na|1\n|\n")
	f.Fuzz(func(t *testing.T, thes string) {
		raw, err := parseMythes(strings.NewReader(thes))
		if err != nil {
			return
		}
		b := lexicon.NewBuilder()
		b.AddForm("conserver", "conserver", lexicon.Verb)
		addThesaurus(raw, b)
	})
}

func FuzzParseDictd(f *testing.F) {
	idx, dict := dictd("keep /kiːp/\n1. garder, conserver\n")
	f.Add(idx, dict)
	f.Fuzz(func(t *testing.T, idx string, dict []byte) {
		parseDictd(strings.NewReader(idx), dict)
	})
}

func TestRankLemmas(t *testing.T) {
	tab := loadTest(t)
	list := "les\njournaux\nconservé\nxyz\nl'conservation\njournal\n"
	got, st, err := rankLemmas(strings.NewReader(list), tab)
	if err != nil {
		t.Fatal(err)
	}
	// Lemmas in the order of their most frequent form, each once; elided
	// forms read without their elision; unknown forms left out.
	if want := "les\njournal\nconserver\nconservation\n"; string(got) != want {
		t.Errorf("rankLemmas = %q, want %q", got, want)
	}
	if st.forms != 6 || st.unknown != 1 || st.lemmas != 4 {
		t.Errorf("stats = %+v", st)
	}
}

func TestTarFile(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range map[string]string{"package/a.txt": "a", "package/b.txt": "bb"} {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))})
		io.WriteString(tw, body)
	}
	tw.Close()
	zw.Close()
	b, err := tarFile(bytes.NewReader(buf.Bytes()), "package/b.txt")
	if err != nil || string(b) != "bb" {
		t.Errorf("tarFile = %q, %v", b, err)
	}
	if _, err := tarFile(bytes.NewReader(buf.Bytes()), "package/c.txt"); err == nil {
		t.Error("a missing file must be an error")
	}
	if _, err := tarFile(strings.NewReader("not gzip"), "x"); err == nil {
		t.Error("a damaged tarball must be an error")
	}
}

func TestSpdxText(t *testing.T) {
	if s, err := spdxText([]byte(`{"name":"x","licenseText":"Creative Commons"}`)); err != nil || s != "Creative Commons" {
		t.Errorf("spdxText = %q, %v", s, err)
	}
	for _, bad := range []string{`{"name":"x"}`, `not json`} {
		if _, err := spdxText([]byte(bad)); err == nil {
			t.Errorf("spdxText(%s) must fail", bad)
		}
	}
}

func TestTopForms(t *testing.T) {
	list := "de 8435682\nje 8308698\n\nest 6942248\npas 5833676\n"
	if got := string(topForms([]byte(list), 3)); got != "de\nje\n" {
		t.Errorf("topForms = %q, want the words of the first 3 lines", got)
	}
}
