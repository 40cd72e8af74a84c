package lexicon

import (
	"slices"
	"testing"
)

// small builds a table from a few hand-made entries.
func small(t testing.TB) (*Table, Tables) {
	t.Helper()
	b := NewBuilder()
	for _, f := range []string{"conserver", "conserve", "conserves", "conservés", "conservée"} {
		b.AddForm(f, "conserver", Verb)
	}
	for _, f := range []string{"conserve", "conserves"} {
		b.AddForm(f, "conserve", Noun)
	}
	b.AddForm("conservation", "conservation", Noun)
	b.AddForm("garder", "garder", Verb)
	b.AddForm("gardé", "garder", Verb)
	b.AddForm("pêche", "pêche", Noun)
	b.AddForm("péché", "péché", Noun)
	b.AddForm("péché", "pécher", Verb)
	b.AddForm("les", "le", Determiner|Grammatical)
	b.AddFamily("conserver", "conservation")
	b.AddFamily("conserver", "inconnu") // not a lemma: dropped
	b.SetRelated("conserver", []string{"garder", "inconnu", "conserver"})
	b.AddEnglish("keep", "garder", "conserver", "garder", "-iste")
	b.AddEnglish("Keep  up", "maintenir")
	tb, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := Open(tb.Forms, tb.Lemmas, tb.Thesaurus, tb.EnglishIndex, tb.EnglishText)
	if err != nil {
		t.Fatal(err)
	}
	return tab, tb
}

func TestBuiltTableAnswers(t *testing.T) {
	tab, _ := small(t)
	if got := tab.Lemmas("Conservés"); !slices.Equal(got, []string{"conserver"}) {
		t.Errorf("Lemmas(Conservés) = %v", got)
	}
	if got := tab.Lemmas("conserves"); !slices.Equal(got, []string{"conserve", "conserver"}) {
		t.Errorf("Lemmas(conserves) = %v", got)
	}
	if got := tab.Lookup("gardé"); !slices.Equal(got, []Reading{{"garder", Verb}}) {
		t.Errorf("Lookup(gardé) = %v", got)
	}
	// Accents: the accented spelling keeps its own lemmas; without accents
	// every reading stays, its own spelling's first.
	if got := tab.Lemmas("pêche"); !slices.Equal(got, []string{"pêche"}) {
		t.Errorf("Lemmas(pêche) = %v", got)
	}
	if got := tab.Lemmas("péché"); !slices.Equal(got, []string{"péché", "pécher"}) {
		t.Errorf("Lemmas(péché) = %v", got)
	}
	if got := tab.Lemmas("peche"); len(got) != 3 {
		t.Errorf("Lemmas(peche) = %v, want the three lemmas", got)
	}
	if !tab.IsGrammatical("les") || tab.IsGrammatical("garder") {
		t.Error("IsGrammatical: les should be, garder should not")
	}
	if got := tab.Family("conservés"); !slices.Equal(got, []string{"conservation"}) {
		t.Errorf("Family(conservés) = %v", got)
	}
	if got := tab.Family("conservation"); !slices.Equal(got, []string{"conserver"}) {
		t.Errorf("Family(conservation) = %v", got)
	}
	if got := tab.Related("conserver"); !slices.Equal(got, []string{"garder"}) {
		t.Errorf("Related(conserver) = %v", got)
	}
	if got := tab.English("keeps"); !slices.Equal(got, []string{"garder", "conserver"}) {
		t.Errorf("English(keeps) = %v", got)
	}
	if got := tab.English("keep up"); !slices.Equal(got, []string{"maintenir"}) {
		t.Errorf("English(keep up) = %v", got)
	}
}

func TestOpenRejectsDamagedTables(t *testing.T) {
	_, tb := small(t)
	if _, err := Open([]byte("not an fst"), tb.Lemmas, nil, nil, nil); err == nil {
		t.Error("Open accepted a damaged form table")
	}
	if _, err := Open(tb.Forms, []byte("garbage!"), nil, nil, nil); err == nil {
		t.Error("Open accepted a damaged lemma table")
	}
	// A thesaurus built for other lemmas is refused, not misread.
	other := NewBuilder()
	other.AddForm("garder", "garder", Verb)
	other.AddForm("conserver", "conserver", Verb)
	other.SetRelated("conserver", []string{"garder"})
	ob, err := other.Build()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(tb.Forms, tb.Lemmas, ob.Thesaurus, nil, nil); err == nil {
		t.Error("Open accepted a thesaurus of another lemma table")
	}
}

func TestWithoutOptionalTables(t *testing.T) {
	_, tb := small(t)
	tab, err := Open(tb.Forms, tb.Lemmas, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tab.English("keep") != nil || tab.Related("conserver") != nil {
		t.Error("a table without thesaurus or English found some")
	}
	if got := tab.Lemmas("gardé"); !slices.Equal(got, []string{"garder"}) {
		t.Errorf("Lemmas(gardé) = %v", got)
	}
}

// FuzzOpen checks that damaged lemma and thesaurus tables give wrong
// answers at worst, never a crash.
func FuzzOpen(f *testing.F) {
	_, tb := small(f)
	f.Add(tb.Lemmas, tb.Thesaurus, "conserves")
	f.Add(tb.Lemmas[:20], tb.Thesaurus[:12], "peche")
	f.Fuzz(func(t *testing.T, lemmas, thesaurus []byte, word string) {
		lemmas = append([]byte(magicLemmas), lemmas...)
		if len(lemmas) >= lemmasHeader && len(thesaurus) >= len(magicThesaurus)+4 {
			// Give the thesaurus the lemmas' identity half of the time.
			if thesaurus[0]&1 == 0 {
				copy(thesaurus[len(magicThesaurus):], lemmas[len(magicLemmas):lemmasHeader])
			}
		}
		tab, err := Open(tb.Forms, lemmas, thesaurus, tb.EnglishIndex, tb.EnglishText)
		if err != nil {
			return
		}
		for _, w := range []string{word, "conserves", "peche", "péché", "les", "conserver", "keep"} {
			tab.Lookup(w)
			tab.IsGrammatical(w)
			tab.Related(w)
			tab.Family(w)
			tab.English(w)
		}
	})
}

// FuzzLookup checks that any input word is answered without a crash.
func FuzzLookup(f *testing.F) {
	for _, w := range []string{"conservés", "l'équipe", "qu’il", "Œuvre", "keep up", "'", "", "\xff"} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w string) {
		Lookup(w)
		Related(w)
		Family(w)
		English(w)
		IsGrammatical(w)
	})
}
