package answer

import (
	"regexp"
	"slices"

	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/search"
)

// glossaries are the pages titled like a glossary, with the terms they
// hold, for questions asking what a word means.
type glossaries []glossary

type glossary struct {
	page  *kb.Page
	terms map[string]bool
}

func findGlossaries(pages []*kb.Page) glossaries {
	var gs glossaries
	for _, p := range pages {
		if !glossaryRE.MatchString(p.Title) {
			continue
		}
		g := glossary{page: p, terms: map[string]bool{}}
		for _, s := range p.Sections {
			for _, t := range search.Terms(s.Title + "\n" + s.Text) {
				g.terms[t] = true
			}
		}
		gs = append(gs, g)
	}
	return gs
}

// definedRE captures the word a definition question is about: "c'est quoi
// le slug ?", "DSO ça veut dire quoi", "que signifie SLO", "what is a PVC".
var definedRE = []*regexp.Regexp{
	regexp.MustCompile(`(?i)(?:c'est quoi|c quoi|qu'est[- ]ce qu[e']|que veut dire|que signifie|signification d[eu']|définition d[eu']|definition of|what is|what's|meaning of)\s*(?:un |une |le |la |les |l'|a |an |the |des |du )?([\p{L}\p{N}][\p{L}\p{N}_./-]*)`),
	regexp.MustCompile(`(?i)([\p{L}\p{N}][\p{L}\p{N}_./-]*)\s*(?:\(|,)?\s*(?:ça |ca |ce |cela )?(?:veut dire|signifie|c'est quoi|stands for|means)`),
	regexp.MustCompile(`(?i)what does\s+(?:a |an |the )?([\p{L}\p{N}][\p{L}\p{N}_./-]*)\s+mean`),
}

// definedTerms returns the analyzed terms of the word a question asks to
// define, or nil.
func definedTerms(q string) []string {
	for _, re := range definedRE {
		if m := re.FindStringSubmatch(q); m != nil {
			if ts := search.Terms(m[1]); len(ts) > 0 && !search.IsFiller(ts[0]) {
				return ts
			}
		}
	}
	return nil
}

// defining returns the first glossary holding the word the question asks
// to define, or nil; a best page whose title starts with that word (the
// page of the tool itself) beats any glossary.
func (gs glossaries) defining(q string, best *kb.Page) *kb.Page {
	ts := definedTerms(q)
	if len(ts) == 0 {
		return nil
	}
	if best != nil {
		// "Kyverno", "ArgoCD : déployer" name their subject first;
		// "Accompagnement DSO" is about something else.
		if title := search.Terms(best.Title); len(title) > 0 && title[0] == ts[0] {
			return nil
		}
	}
	for _, g := range gs {
		if len(g.page.Definitions) > 0 {
			// A glossary whose entries could be read: one of them.
			if definesAll(g.page, ts) {
				return g.page
			}
			continue
		}
		all := true
		for _, t := range ts {
			if !g.terms[t] {
				all = false
				break
			}
		}
		if all {
			return g.page
		}
	}
	return nil
}

// definesAny reports whether a page lists a definition of one of these
// analyzed terms (or lists no definitions at all, when its structure could
// not be read: a glossary written as prose).
func definesAny(p *kb.Page, terms map[string]bool) bool {
	if len(p.Definitions) == 0 {
		return true
	}
	for _, d := range p.Definitions {
		ts := search.Terms(d.Term)
		if len(ts) == 0 {
			continue
		}
		all := true
		for _, t := range ts {
			all = all && terms[t]
		}
		if all {
			return true
		}
	}
	return false
}

// definesAll reports whether the page has a definition whose term is
// exactly these analyzed terms.
func definesAll(p *kb.Page, ts []string) bool {
	for _, d := range p.Definitions {
		if slices.Equal(search.Terms(d.Term), ts) {
			return true
		}
	}
	return false
}
