package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/eval"
	"github.com/cloud-pi-native/parcours/internal/fr"
	"github.com/cloud-pi-native/parcours/internal/kb"
)

func init() {
	commands["eval"] = command{summary: "mesure la qualité de la recherche sur un jeu de questions", run: runEval}
}

func runEval(ctx context.Context, env *cliEnv, args []string) error {
	var k kbFlags
	fs := newFlagSet("eval", "eval [--source DOSSIER]... [--index DOSSIER] [-v] questions.yaml\n       parcours eval --jeux jeux.yaml", env.stderr)
	k.register(fs, env.getenv)
	verbose := fs.Bool("v", false, "affiche chaque question")
	quiet := fs.Bool("q", false, "n'affiche que les totaux (jeux à l'aveugle : ne pas lire les questions)")
	baseline := fs.Bool("baseline", false, "mesure aussi un index bleve simple (analyseur français, sans synonymes ni règles) sur les mêmes pages")
	manifest := fs.String("jeux", "", "fichier listant des jeux de questions et leurs sources (comme scripts/calibrate.yaml) : un tableau moteur / référence")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *manifest != "" {
		return evalManifest(ctx, env, *manifest)
	}
	if len(pos) != 1 {
		return usagef("donnez un fichier de questions (voir knowledge/_data/questions.yaml)")
	}
	set, err := eval.Load(pos[0])
	if err != nil {
		return err
	}
	eng, err := k.open(ctx, cliLogger(env.stderr))
	if err != nil {
		return err
	}
	defer eng.Close()
	rep, err := eval.Run(ctx, eng, set)
	if err != nil {
		return err
	}
	w := env.stdout
	for _, o := range rep.Outcomes {
		if *quiet || o.OK && !*verbose {
			continue
		}
		mark := "ok "
		if !o.OK {
			mark = "ÉCHEC"
		}
		want := strings.Join(o.Question.Expected, " | ")
		if o.Question.OffTopic {
			want = "(hors sujet : ne pas répondre)"
		}
		fmt.Fprintf(w, "%-5s %q\n      attendu : %s\n      obtenu  : rang %d, %s, %s\n",
			mark, o.Question.Text, want, o.Rank, o.Tier, strings.Join(o.Got, ", "))
		if o.Signals != nil && *verbose {
			fmt.Fprintf(w, "      signaux : %+v\n", *o.Signals)
		}
	}
	fmt.Fprintf(w, "\n%d questions dans le sujet : hit@1 %s, hit@3 %s, MRR %s ; sûres %d, incertaines %d, refusées %d (%d sûres à tort)\n",
		rep.InScope, fr.Percent(rep.Hit1), fr.Percent(rep.Hit3), fr.Decimal(rep.MRR, 3),
		rep.Tiers[answer.TierSure], rep.Tiers[answer.TierTentative], rep.Tiers[answer.TierNone], rep.AnsweredWrong)
	if rep.SectionTotal > 0 {
		fmt.Fprintf(w, "sections attendues trouvées : %d/%d\n", rep.SectionMatches, rep.SectionTotal)
	}
	if rep.OffTopic > 0 {
		fmt.Fprintf(w, "%d questions hors sujet : %s refusées (incertaines %d, sûres %d)\n", rep.OffTopic, fr.Percent(rep.RefusedRate),
			rep.OffTopicTiers[answer.TierTentative], rep.OffTopicTiers[answer.TierSure])
	}
	if !*baseline {
		return nil
	}
	if k.index != "" {
		return usagef("--baseline lit les sources : il ne s'utilise pas avec --index")
	}
	srcs, err := k.kbSources(env.getenv)
	if err != nil {
		return err
	}
	base, err := kb.Load(ctx, srcs...)
	if err != nil {
		return err
	}
	bl, err := eval.NewBaseline(ctx, base)
	if err != nil {
		return err
	}
	defer bl.Close()
	brep, err := eval.Run(ctx, bl, set)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "référence (bleve simple) : hit@1 %s, hit@3 %s, MRR %s\n", fr.Percent(brep.Hit1), fr.Percent(brep.Hit3), fr.Decimal(brep.MRR, 3))
	return nil
}

// evalManifest prints one Markdown table row per question set of a
// manifest: the engine's figures beside the plain bleve baseline's. Only
// totals: blind sets must stay unread.
func evalManifest(ctx context.Context, env *cliEnv, name string) error {
	sets, err := loadManifest(env, name)
	if err != nil {
		return err
	}
	w := env.stdout
	fmt.Fprintln(w, "| Jeu | Questions | MRR | hit@1 | hit@3 | refusées à tort | hors sujet refusés | référence MRR | référence hit@3 |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, s := range sets {
		eng, err := answer.Open(ctx, answer.Options{Sources: s.Sources, Logger: cliLogger(env.stderr)})
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		rep, err := eval.Run(ctx, eng, s.Set)
		eng.Close()
		if err != nil {
			return err
		}
		base, err := kb.Load(ctx, s.Sources...)
		if err != nil {
			return err
		}
		bl, err := eval.NewBaseline(ctx, base)
		if err != nil {
			return err
		}
		brep, err := eval.Run(ctx, bl, s.Set)
		bl.Close()
		if err != nil {
			return err
		}
		refused := 0.0
		if rep.InScope > 0 {
			refused = float64(rep.Tiers[answer.TierNone]) / float64(rep.InScope)
		}
		fmt.Fprintf(w, "| %s | %d + %d | %s | %s | %s | %s | %s | %s | %s |\n",
			s.Name, rep.InScope, rep.OffTopic, fr.Decimal(rep.MRR, 3), fr.Percent(rep.Hit1), fr.Percent(rep.Hit3), fr.Percent(refused),
			fr.Percent(rep.RefusedRate), fr.Decimal(brep.MRR, 3), fr.Percent(brep.Hit3))
	}
	return nil
}
