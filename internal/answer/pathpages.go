package answer

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/parcours"
	"github.com/cloud-pi-native/parcours/internal/search"
)

// pathPages knows which pages present a learning path, in any source: the
// catalogue's own page, and pages titled like one ("Parcours « intégrité des
// projets »", "Parcours de formation : périmètre produit"), so that a role
// question finds the path in a documentation we did not write.
type pathPages struct {
	of    map[string]string     // page id -> path id
	pages map[string][]*kb.Page // path id -> its pages, catalogue page first
}

// keyRoot is how many first letters of a key word a title word must share:
// "stratégie" meets "stratégique".
const keyRoot = 6

func findPathPages(cat *parcours.Catalog, pages []*kb.Page) pathPages {
	pp := pathPages{of: map[string]string{}, pages: map[string][]*kb.Page{}}
	parcoursTerm := search.Terms("parcours")
	keys := map[string][]string{}
	for _, p := range cat.Paths {
		for _, w := range append([]string{p.ID}, strings.Fields(p.Title)...) {
			for _, t := range search.Terms(w) {
				if !search.IsGeneric(t) && len(t) >= 3 {
					keys[p.ID] = append(keys[p.ID], t)
				}
			}
		}
	}
	for _, pg := range pages {
		id := ""
		for _, p := range cat.Paths {
			if pg.Path == p.Page {
				id = p.ID
			}
		}
		if id == "" {
			id = titledPath(search.Terms(pg.Title), parcoursTerm, cat, keys)
		}
		if id == "" {
			continue
		}
		pp.of[pg.ID()] = id
		if p := cat.Path(id); p != nil && pg.Path == p.Page {
			pp.pages[id] = append([]*kb.Page{pg}, pp.pages[id]...)
		} else {
			pp.pages[id] = append(pp.pages[id], pg)
		}
	}
	return pp
}

// titledPath returns the path a title presents: it says "parcours" and
// exactly one path's key words.
func titledPath(title, parcoursTerm []string, cat *parcours.Catalog, keys map[string][]string) string {
	if len(parcoursTerm) == 0 || !containsTerm(title, parcoursTerm[0]) {
		return ""
	}
	found := ""
	for _, p := range cat.Paths {
		for _, k := range keys[p.ID] {
			if containsTerm(title, k) || len(k) >= keyRoot && hasPrefixTerm(title, k[:keyRoot]) {
				if found != "" && found != p.ID {
					return "" // a page about several paths presents none
				}
				found = p.ID
				break
			}
		}
	}
	return found
}

func containsTerm(terms []string, t string) bool {
	for _, x := range terms {
		if x == t {
			return true
		}
	}
	return false
}

func hasPrefixTerm(terms []string, prefix string) bool {
	for _, x := range terms {
		if strings.HasPrefix(x, prefix) {
			return true
		}
	}
	return false
}

// page is the page presenting a path, or nil.
func (pp pathPages) page(id string) *kb.Page {
	if ps := pp.pages[id]; len(ps) > 0 {
		return ps[0]
	}
	return nil
}

var levelHeadingRE = regexp.MustCompile(`(?i)^\s*(?:niveau|level|niv\.?)\s*([123])\b`)

// levelSection is the anchor of a page's section about level n ("Niveau 2 :
// avancé"), or "".
func levelSection(p *kb.Page, n int) string {
	for _, s := range p.Sections {
		if m := levelHeadingRE.FindStringSubmatch(s.Title); m != nil {
			if v, _ := strconv.Atoi(m[1]); v == n {
				return s.Anchor
			}
		}
	}
	return ""
}
