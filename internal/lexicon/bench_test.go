package lexicon

import (
	"runtime"
	"testing"
)

var benchWords = []string{"conservés", "journaux", "déploiement", "paumé", "les", "Équipes",
	"sauvegardées", "kubernetes", "l'utilisateur", "production"}

func BenchmarkLemmas(b *testing.B) {
	t, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		t.Lemmas(benchWords[i%len(benchWords)])
		i++
	}
}

func BenchmarkIsGrammatical(b *testing.B) {
	t, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		t.IsGrammatical(benchWords[i%len(benchWords)])
		i++
	}
}

func BenchmarkRelated(b *testing.B) {
	t, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		t.Related(benchWords[i%len(benchWords)])
		i++
	}
}

func BenchmarkFamily(b *testing.B) {
	t, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		t.Family(benchWords[i%len(benchWords)])
		i++
	}
}

func BenchmarkEnglish(b *testing.B) {
	t, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	words := []string{"keep", "logs", "deployed", "password", "users", "team"}
	i := 0
	for b.Loop() {
		t.English(words[i%len(words)])
		i++
	}
}

// BenchmarkOpen measures the first load of the embedded tables with one
// lookup, and reports the heap that a load and one lookup of each kind
// leave (heap-bytes): the tables themselves stay in the binary's data.
func BenchmarkOpen(b *testing.B) {
	open := func() *Table {
		t, err := Open(formsFST, lemmasBin, thesaurusBin, englishFST, englishTxt)
		if err != nil {
			b.Fatal(err)
		}
		return t
	}
	for b.Loop() {
		open().Lemmas("conservés")
	}
	b.StopTimer()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t := open()
	t.Lemmas("conservés")
	t.Related("conserver")
	t.Family("conserver")
	t.English("keep")
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(t)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc), "heap-bytes")
	b.ReportMetric(float64(len(formsFST)+len(lemmasBin)+len(thesaurusBin)+len(englishFST)+len(englishTxt)), "table-bytes")
}

func BenchmarkRank(b *testing.B) {
	Rank("de") // the first call builds the rank table
	i := 0
	for b.Loop() {
		Rank(benchWords[i%len(benchWords)])
		i++
	}
}
