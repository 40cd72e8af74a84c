package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/config"
	"github.com/cloud-pi-native/parcours/internal/eval"
	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/search"
)

func init() {
	commands["calibrate"] = command{summary: "apprend, sur des jeux de questions, quand une réponse est sûre, incertaine ou refusée", run: runCalibrate}
}

// calibrationManifest lists the question sets a calibration learns from,
// each with the sources it is asked on.
type calibrationManifest struct {
	Sets []struct {
		Questions string   `yaml:"questions"`
		Sources   []string `yaml:"sources"` // none: the embedded base
		Exclude   []string `yaml:"exclure"`
	} `yaml:"jeux"`
}

// manifestSet is one question set of a manifest, with its sources.
type manifestSet struct {
	Name    string
	Set     *eval.Set
	Sources []kb.Source
}

// loadManifest reads a manifest of question sets; a set whose file is
// absent is skipped with a note (blind sets live outside the repository).
func loadManifest(env *cliEnv, name string) ([]manifestSet, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("lecture de %s: %w", name, err)
	}
	var m calibrationManifest
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: YAML invalide: %w", name, err)
	}
	dir := filepath.Dir(name)
	rel := func(p string) string {
		if filepath.IsAbs(p) || strings.HasPrefix(p, "git+") {
			return p
		}
		return filepath.Join(dir, p)
	}
	git, err := config.GitOptions(env.getenv)
	if err != nil {
		return nil, usagef("%v", err)
	}
	var out []manifestSet
	for _, s := range m.Sets {
		qfile := rel(s.Questions)
		if _, err := os.Stat(qfile); err != nil {
			fmt.Fprintf(env.stderr, "jeu %s absent : ignoré\n", qfile)
			continue
		}
		set, err := eval.Load(qfile)
		if err != nil {
			return nil, err
		}
		srcs := []kb.Source{kb.Embedded()}
		if len(s.Sources) > 0 {
			srcs = srcs[:0]
			for _, spec := range s.Sources {
				src, err := kb.ParseSourceSpec(rel(spec), git)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", qfile, err)
				}
				src.Exclude = append(src.Exclude, s.Exclude...)
				srcs = append(srcs, src)
			}
		}
		out = append(out, manifestSet{Name: s.Questions, Set: set, Sources: srcs})
	}
	return out, nil
}

func runCalibrate(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("calibrate", "calibrate [--out FICHIER.go] jeux.yaml", env.stderr)
	out := fs.String("out", "", "écrit le modèle (code Go) dans ce fichier au lieu de la sortie standard")
	rankOut := fs.String("rang", "", "apprend d'abord le classement des pages et l'écrit (code Go) dans ce fichier")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("donnez le fichier qui liste les jeux de questions (voir scripts/calibrate.yaml)")
	}
	sets, err := loadManifest(env, pos[0])
	if err != nil {
		return err
	}
	var ranking *search.Ranking // nil: the learned one
	if *rankOut != "" {
		w, used, err := learnRanking(ctx, env, sets)
		if err != nil {
			return err
		}
		ranking = &w
		if err := os.WriteFile(*rankOut, eval.RankSource(w, used), 0o644); err != nil {
			return err
		}
	}
	var samples []eval.Sample
	var used []string
	bySet := map[string][]eval.Sample{}
	var names []string // of the question files, in the manifest's order
	for _, s := range sets {
		eng, err := answer.Open(ctx, answer.Options{Sources: s.Sources, Logger: cliLogger(env.stderr), Ranking: ranking})
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		got, err := eval.Collect(ctx, eng, s.Set)
		eng.Close()
		if err != nil {
			return err
		}
		samples = append(samples, got...)
		if _, seen := bySet[s.Name]; !seen {
			names = append(names, s.Name)
		}
		bySet[s.Name] = append(bySet[s.Name], got...)
		used = append(used, fmt.Sprintf("%s (%d questions)", s.Name, len(got)))
	}
	var cvIn, cvInNone, cvOff, cvOffNone int
	var marginsIn, marginsOff []float64 // of each question, learned without its file
	// How the tiers hold on a question file learned without it (both
	// copies of a file asked on two documentations are left out together).
	fits := fitFolds(names, bySet, samples)
	for i, name := range names {
		own := bySet[name]
		if c, err := fits[i].c, fits[i].err; err == nil {
			fmt.Fprintf(env.stderr, "paliers, %s appris sans lui : %s\n", name, eval.Summary(c, own))
			for _, smp := range own {
				if smp.Answerable {
					marginsIn = append(marginsIn, eval.Margin(c, smp.X))
				} else {
					marginsOff = append(marginsOff, eval.Margin(c, smp.X))
				}
			}
			t := eval.Count(c, own)
			cvIn += t.In
			cvInNone += t.InRefused
			cvOff += t.Off
			cvOffNone += t.OffRefused
		}
	}
	if cvIn > 0 && cvOff > 0 {
		fmt.Fprintf(env.stderr, "paliers, chaque jeu appris sans lui : %.1f %% des questions du sujet refusées, %.1f %% des hors sujet refusées\n",
			100*float64(cvInNone)/float64(cvIn), 100*float64(cvOffNone)/float64(cvOff))
		// The same, whatever the thresholds: how the margins separate the
		// two kinds of questions, to compare signals fairly.
		auc, off := eval.Separation(marginsIn, marginsOff, 0.04)
		fmt.Fprintf(env.stderr, "paliers, séparation sans chaque jeu : AUC %.3f ; %.1f %% des hors sujet refusés quand 4 %% des questions du sujet le sont\n", auc, 100*off)
	}
	c, err := fits[len(names)].c, fits[len(names)].err
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stderr, eval.Summary(c, samples))
	src := eval.GoSource(c, used)
	if *out == "" {
		_, err = env.stdout.Write(src)
		return err
	}
	return os.WriteFile(*out, src, 0o644)
}

type fit struct {
	c   answer.Calibration
	err error
}

// fitFolds learns the tiers without each question file (both copies of a
// file asked of two documentations are left out together), then on all
// samples (the last result): one fit a processor, as each takes seconds.
func fitFolds(names []string, bySet map[string][]eval.Sample, all []eval.Sample) []fit {
	out := make([]fit, len(names)+1)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			train := all
			if i < len(names) {
				train = nil
				for _, n := range names {
					if n != names[i] {
						train = append(train, bySet[n]...)
					}
				}
			}
			out[i].c, out[i].err = eval.Fit(train)
		})
	}
	wg.Wait()
	return out
}

// learnRanking learns the ranking weights from every set, after saying how
// well weights learned without each set rank that set's questions.
func learnRanking(ctx context.Context, env *cliEnv, sets []manifestSet) (search.Ranking, []string, error) {
	// The candidates are collected under the hand-set formula, so that a
	// calibration gives the same weights whatever the weights in use.
	prior := search.PriorRanking
	per := make([][]eval.RankQuery, len(sets))
	for i, s := range sets {
		eng, err := answer.Open(ctx, answer.Options{Sources: s.Sources, Logger: cliLogger(env.stderr), Ranking: &prior})
		if err != nil {
			return search.Ranking{}, nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		per[i], err = eval.CollectRanking(ctx, eng, s.Set)
		eng.Close()
		if err != nil {
			return search.Ranking{}, nil, err
		}
	}
	var all []eval.RankQuery
	var used []string
	var priorAll, learnedAll eval.RankFigures
	for i, qs := range per {
		all = append(all, qs...)
		if len(qs) == 0 {
			continue
		}
		used = append(used, fmt.Sprintf("%s (%d questions)", sets[i].Name, len(qs)))
		var others []eval.RankQuery
		for j := range per {
			if j != i {
				others = append(others, per[j]...)
			}
		}
		if len(others) == 0 {
			continue
		}
		before := eval.RankQuality(search.PriorRanking, qs)
		after := eval.RankQuality(eval.FitRanking(others), qs)
		priorAll, learnedAll = priorAll.Add(before), learnedAll.Add(after)
		fmt.Fprintf(env.stderr, "classement, %s appris sans lui : premier attendu %.1f %% → %.1f %% (%d questions)\n", sets[i].Name, 100*before.Hit1, 100*after.Hit1, len(qs))
	}
	// Among the candidates of each question (the expected page must be one
	// of them): the figures to compare two feature sets by.
	fmt.Fprintf(env.stderr, "classement, chaque jeu appris sans lui : %s (formule d'origine : %s)\n", learnedAll, priorAll)
	if len(all) < 20 {
		return search.PriorRanking, nil, fmt.Errorf("trop peu de questions pour apprendre le classement (%d, au moins 20)", len(all))
	}
	w := eval.FitRanking(all)
	fmt.Fprintf(env.stderr, "poids du classement : %v %v\n", search.FeatureNames, w)
	return w, used, nil
}
