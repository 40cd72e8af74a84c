package kb

import (
	"hash/fnv"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/cloud-pi-native/parcours/internal/fr"
)

// Diff is what a reload changes in a knowledge base: pages by path (a page
// is the same page when it comes from the same source at the same path).
type Diff struct {
	Added, Changed, Removed []string // page paths, sorted
	Before, After           int      // pages of each base
}

// Compare lists the pages added, changed and removed from old to cur.
func Compare(old, cur *Base) Diff {
	d := Diff{Before: len(old.Pages), After: len(cur.Pages)}
	was := make(map[string]uint64, len(old.Pages))
	for _, p := range old.Pages {
		was[p.ID()] = p.fingerprint()
	}
	seen := make(map[string]bool, len(cur.Pages))
	for _, p := range cur.Pages {
		seen[p.ID()] = true
		switch sum, ok := was[p.ID()]; {
		case !ok:
			d.Added = append(d.Added, p.Path)
		case sum != p.fingerprint():
			d.Changed = append(d.Changed, p.Path)
		}
	}
	for _, p := range old.Pages {
		if !seen[p.ID()] {
			d.Removed = append(d.Removed, p.Path)
		}
	}
	sort.Strings(d.Added)
	sort.Strings(d.Changed)
	sort.Strings(d.Removed)
	return d
}

// DroppedShare is the share of the old pages that are gone (0 to 1).
func (d Diff) DroppedShare() float64 {
	if d.Before == 0 {
		return 0
	}
	return float64(len(d.Removed)) / float64(d.Before)
}

// Summary says in French what changed, naming at most names pages of each
// kind: "2 pages ajoutées (a.md, b.md), 1 page retirée (c.md)".
func (d Diff) Summary(names int) string {
	var parts []string
	add := func(list []string, one, many string) {
		if len(list) == 0 {
			return
		}
		s := fr.Count(len(list), one, many)
		shown := list[:min(len(list), names)]
		if len(shown) > 0 {
			s += " (" + strings.Join(shown, ", ")
			if len(shown) < len(list) {
				s += ", …"
			}
			s += ")"
		}
		parts = append(parts, s)
	}
	add(d.Added, "page ajoutée", "pages ajoutées")
	add(d.Changed, "page modifiée", "pages modifiées")
	add(d.Removed, "page retirée", "pages retirées")
	if len(parts) == 0 {
		return "aucune page ajoutée, modifiée ou retirée"
	}
	return strings.Join(parts, ", ")
}

// fingerprint sums what a page says, to tell a changed page.
func (p *Page) fingerprint() uint64 {
	h := fnv.New64a()
	w := func(s string) {
		io.WriteString(h, s)
		h.Write([]byte{0})
	}
	w(p.Title)
	w(p.Summary)
	w(p.Parcours)
	w(strconv.Itoa(p.Niveau))
	w(strings.Join(p.Tags, "\x01"))
	w(p.URL)
	for _, s := range p.Sections {
		w(s.Anchor)
		w(s.Title)
		w(s.Text)
	}
	return h.Sum64()
}
