package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/kb"
)

// MaxIndexRSS is the memory budget of indexing a source of up to 50 MB,
// whatever its shape, as the running bot does it: the old index keeps
// serving while the new one is built.
const MaxIndexRSS = 300 << 20

// memShapes write hostile sources: the shapes that made indexing ask for
// gigabytes or die.
var memShapes = []struct {
	name  string
	big   bool // 50 MB: measured by the benchmark (scripts/bench.sh), too slow for every test run
	write func(t testing.TB, dir string)
}{
	// One 1 MB page of 20,000 "##" headings.
	{"titres", false, func(t testing.TB, dir string) {
		var b strings.Builder
		b.WriteString("# Beaucoup de titres\n\n")
		r := rand.New(rand.NewPCG(1, 2))
		for i := range 20000 {
			fmt.Fprintf(&b, "## Titre %d %s\n\n%s\n\n", i, genWords(r, 2), genWords(r, 3))
		}
		writeFile(t, filepath.Join(dir, "titres.md"), b.String())
	}},
	// 10,000 tiny pages.
	{"petites", false, func(t testing.TB, dir string) {
		r := rand.New(rand.NewPCG(3, 4))
		for i := range 10000 {
			writeFile(t, filepath.Join(dir, fmt.Sprintf("d%d/p%d.md", i%100, i)), fmt.Sprintf("# Page %d\n\n%s\n", i, genWords(r, 15)))
		}
	}},
	// One 4 MB page of a single paragraph (just under kb.MaxFileSize).
	{"paragraphe", false, func(t testing.TB, dir string) {
		writeFile(t, filepath.Join(dir, "long.md"), "# Un seul paragraphe\n\n"+paragraph(rand.New(rand.NewPCG(5, 6)), kb.MaxFileSize-100)+"\n")
	}},
	// 50 MB of ordinary pages: 5,000 pages of 10 KB.
	{"normales", true, func(t testing.TB, dir string) {
		r := rand.New(rand.NewPCG(9, 10))
		for i := range 5000 {
			var b strings.Builder
			fmt.Fprintf(&b, "# Page %d\n\n", i)
			for s := range 10 {
				fmt.Fprintf(&b, "## Section %d\n\n%s\n\n", s, paragraph(r, 1000))
			}
			writeFile(t, filepath.Join(dir, fmt.Sprintf("d%d/p%d.md", i%50, i)), b.String())
		}
	}},
	// 50 MB: fifty pages of 1 MB.
	{"mega", true, func(t testing.TB, dir string) {
		r := rand.New(rand.NewPCG(11, 12))
		for i := range 50 {
			writeFile(t, filepath.Join(dir, fmt.Sprintf("p%d.md", i)), "# Page\n\n"+paragraph(r, 1000000)+"\n")
		}
	}},
	// 50 MB: twelve such pages, and headings pages beside them.
	{"50mo", true, func(t testing.TB, dir string) {
		r := rand.New(rand.NewPCG(7, 8))
		for i := range 12 {
			writeFile(t, filepath.Join(dir, fmt.Sprintf("long%d.md", i)), "# Un seul paragraphe\n\n"+paragraph(r, kb.MaxFileSize-100)+"\n")
		}
		var b strings.Builder
		for i := range 20000 {
			fmt.Fprintf(&b, "## Titre %d\n\n", i)
		}
		writeFile(t, filepath.Join(dir, "titres.md"), "# Titres\n\n"+b.String())
	}},
}

func genWords(r *rand.Rand, k int) string {
	var b strings.Builder
	for i := range k {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(vocabulary[r.IntN(len(vocabulary))])
	}
	return b.String()
}

func paragraph(r *rand.Rand, size int) string {
	var b strings.Builder
	for b.Len() < size-40 {
		b.WriteString(vocabulary[r.IntN(len(vocabulary))])
		b.WriteByte(' ')
	}
	return b.String()
}

func writeFile(t testing.TB, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// memChildEnv makes the test binary a child that indexes one source and
// prints its peak Go heap.
const memChildEnv = "PARCOURS_MEMTEST_SOURCE"

// TestIndexingMemoryIsBounded indexes hostile shapes in a child process,
// twice as a reindex does (the old index serving while the new one builds),
// with the memory limit parcours runs with, and checks the child's peak
// memory: its maximum resident size and its peak Go heap. The race
// detector's shadow memory and slowness make it meaningless there:
// scripts/test.sh runs it without.
func TestIndexingMemoryIsBounded(t *testing.T) {
	if dir := os.Getenv(memChildEnv); dir != "" {
		indexChild(t, dir)
		return
	}
	if raceEnabled {
		t.Skip("mémoire mesurée sans le détecteur de concurrence (scripts/test.sh)")
	}
	for _, shape := range memShapes {
		if shape.big {
			continue
		}
		t.Run(shape.name, func(t *testing.T) {
			rss, heap, out := indexInChild(t, shape.write)
			t.Logf("%s: RSS max %d Mo, tas max %d Mo", shape.name, rss>>20, heap>>20)
			if rss > MaxIndexRSS {
				t.Errorf("indexing %s took %d MB of RSS, budget %d MB\n%s", shape.name, rss>>20, MaxIndexRSS>>20, out)
			}
			if heap > MaxIndexRSS*4/5 {
				t.Errorf("indexing %s took %d MB of Go heap, budget %d MB\n%s", shape.name, heap>>20, MaxIndexRSS*4/5>>20, out)
			}
		})
	}
}

// BenchmarkIndexMemory reports the peak memory of a reindex of each shape,
// up to 50 MB sources (run by scripts/bench.sh with -benchtime 1x).
func BenchmarkIndexMemory(b *testing.B) {
	for _, shape := range memShapes {
		b.Run(shape.name, func(b *testing.B) {
			var rss, heap int64
			for b.Loop() {
				rss, heap, _ = indexInChild(b, shape.write)
			}
			b.ReportMetric(float64(rss)/(1<<20), "Mo-RSS")
			b.ReportMetric(float64(heap)/(1<<20), "Mo-tas")
		})
	}
}

// indexInChild writes a source and indexes it in a child process; it
// returns the child's maximum resident size and peak Go heap in bytes.
func indexInChild(t testing.TB, write func(testing.TB, string)) (rss, heap int64, out string) {
	dir := t.TempDir()
	write(t, dir)
	cmd := exec.Command(os.Args[0], "-test.run=^TestIndexingMemoryIsBounded$", "-test.count=1", "-test.bench=^$")
	cmd.Env = append(os.Environ(), memChildEnv+"="+dir)
	o, err := cmd.CombinedOutput()
	out = string(o)
	if err != nil {
		t.Fatalf("indexing child: %v\n%s", err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no resource usage on this system")
	}
	rss = int64(ru.Maxrss) << 10 // kilobytes on Linux
	_, after, ok := strings.Cut(out, "tas-max=")
	if !ok {
		t.Fatalf("child did not report its heap:\n%s", out)
	}
	heap, err = strconv.ParseInt(strings.Fields(after)[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return rss, heap, out
}

// indexChild loads and indexes dir twice, as a reindex does, under the
// memory limit of the parcours command, and prints the peak Go heap seen.
func indexChild(t *testing.T, dir string) {
	debug.SetMemoryLimit(MemoryLimit)
	var peak atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			if v := int64(s[0].Value.Uint64()); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	ctx := context.Background()
	var old *Index
	for range 2 {
		base, err := kb.Load(ctx, kb.Dir(dir))
		if err != nil {
			t.Fatal(err)
		}
		ix, err := Build(ctx, base, "")
		if err != nil {
			t.Fatal(err)
		}
		if old != nil {
			old.Close()
		}
		old = ix
	}
	close(stop)
	<-done
	old.Close()
	fmt.Printf("tas-max=%d\n", peak.Load())
}
