package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/answer"
)

func init() {
	commands["search"] = command{summary: "classement des pages pour une ou plusieurs questions (JSON)", run: runSearch}
}

// searchResult is one line of "parcours search --json".
type searchResult struct {
	Query      string      `json:"query"`
	Tier       answer.Tier `json:"tier"`
	Answered   bool        `json:"answered"`
	Confidence float64     `json:"confidence"`
	Results    []searchHit `json:"results"`
	// Missing are the rare words of an unsure question no page holds.
	Missing []string `json:"missing,omitempty"`
}

type searchHit struct {
	Path     string  `json:"path"`
	Anchor   string  `json:"anchor"`
	Title    string  `json:"title"`
	Score    float64 `json:"score"`
	URL      string  `json:"url"`
	Parcours string  `json:"parcours"`
	Niveau   int     `json:"niveau"`
}

func toSearchResult(a *answer.Answer) searchResult {
	r := searchResult{Query: a.Query, Tier: a.Tier, Answered: a.Answered, Confidence: a.Confidence, Results: []searchHit{}, Missing: a.Missing}
	for _, p := range a.Passages {
		r.Results = append(r.Results, searchHit{Path: p.Path, Anchor: p.Anchor, Title: p.Title,
			Score: p.Score, URL: p.URL, Parcours: p.Parcours, Niveau: p.Niveau})
	}
	return r
}

func runSearch(ctx context.Context, env *cliEnv, args []string) error {
	var k kbFlags
	fs := newFlagSet("search", "search [--source DOSSIER]... [--index DOSSIER] [--limit N] --json [QUESTION]", env.stderr)
	k.register(fs, env.getenv)
	limit := fs.Int("limit", 5, "nombre maximal de pages par question")
	asJSON := fs.Bool("json", false, "sortie JSON, un objet par question (seul format disponible)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if !*asJSON {
		return usagef("ajoutez --json (pour une réponse lisible, utilisez « parcours ask »)")
	}
	if *limit < 1 || *limit > 50 {
		return usagef("--limit doit être entre 1 et 50")
	}
	eng, err := k.open(ctx, cliLogger(env.stderr))
	if err != nil {
		return err
	}
	defer eng.Close()
	enc := json.NewEncoder(env.stdout)
	enc.SetEscapeHTML(false)
	one := func(q string) error {
		a, err := eng.AskN(ctx, q, *limit)
		if err != nil {
			return err
		}
		return enc.Encode(toSearchResult(a))
	}
	if len(pos) > 0 {
		return one(strings.Join(pos, " "))
	}
	sc := bufio.NewScanner(env.stdin)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		q := strings.TrimSpace(sc.Text())
		if q == "" {
			continue
		}
		if err := one(q); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("lecture des questions: %w", err)
	}
	return nil
}
