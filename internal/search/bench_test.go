package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/kb"
)

// vocabulary for generated pages: real words of the domain, so that analysis
// and posting lists look like those of real documentation.
var vocabulary = strings.Fields(`déploiement conteneur kubernetes pipeline intégration continue test
	recette supervision observabilité journaux métriques alerte incident astreinte sauvegarde
	restauration secret coffre-fort dépôt branche fusion revue sécurité vulnérabilité analyse
	dépendance image registre cluster namespace quota projet équipe produit usager service
	public ministère plateforme console environnement production préproduction développement
	architecture microservice couplage interface contrat version livraison fréquence délai
	qualité fiabilité disponibilité performance capacité coût budget achat marché compétence
	formation parcours niveau fondamentaux avancé expert diagnostic maturité pratique outil
	automatisation provisionnement infrastructure code configuration paramètre variable
	les des une pour avec dans sur par est sont qui que aux plus cette leur`)

// generatedBase makes n pages of about 300 words in 4 sections each.
func generatedBase(n int) *kb.Base {
	r := rand.New(rand.NewPCG(1, 2))
	words := func(k int) string {
		var b strings.Builder
		for i := range k {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(vocabulary[r.IntN(len(vocabulary))])
		}
		return b.String()
	}
	b := &kb.Base{}
	for i := range n {
		p := &kb.Page{Source: "gen", Path: fmt.Sprintf("dossier%d/page%d.md", i%50, i), Title: words(4), Summary: words(15), Tags: []string{"gen"}}
		for s := range 4 {
			p.Sections = append(p.Sections, kb.Section{Anchor: fmt.Sprintf("section-%d", s), Title: words(3), Level: 2, Text: words(70)})
		}
		b.Pages = append(b.Pages, p)
	}
	return b
}

func benchmarkIndex(b *testing.B, n int) {
	base := generatedBase(n)
	b.ResetTimer()
	for b.Loop() {
		ix, err := Build(context.Background(), base, "")
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		ix.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// Targets on a 2-core machine: 1,000 pages under 2 s, 10,000 under 20 s.
func BenchmarkIndex1000(b *testing.B)  { benchmarkIndex(b, 1000) }
func BenchmarkIndex10000(b *testing.B) { benchmarkIndex(b, 10000) }

// BenchmarkQuery measures search latency on the shipped knowledge base with
// real-style questions and reports percentiles (targets: p50 < 1 ms, p99 < 5 ms).
func BenchmarkQuery(b *testing.B) {
	base, err := kb.Load(context.Background(), kb.Embedded())
	if err != nil {
		b.Fatal(err)
	}
	ix, err := Build(context.Background(), base, "")
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	questions := []string{
		"je suis chef de projet, par où commencer ?", "c'est quoi k8s", "comment faire une MEP",
		"où ranger mes mdp", "kubernets deploiment", "how do feature flags work?",
		"quel temps fera-t-il demain", "mon pipeline CI/CD est trop lent", "tests de non-régression",
		"comment superviser mon application",
	}
	var lat []time.Duration
	ctx := context.Background()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		t0 := time.Now()
		if _, err := ix.Search(ctx, Request{Question: questions[i%len(questions)], Limit: 3}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		i++
	}
	sort.Slice(lat, func(a, c int) bool { return lat[a] < lat[c] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}
