// Package parcours holds the catalogue of learning paths: four responsibility
// perimeters, three levels each, read from the knowledge base's
// _data/parcours.yaml so that admins change it without a rebuild.
package parcours

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// CatalogFile is where a knowledge source keeps its learning paths.
const CatalogFile = "_data/parcours.yaml"

// Catalog is the set of learning paths.
type Catalog struct {
	Paths []*Path `yaml:"parcours"`
	// Levels describes the three levels shared by every path, with the words
	// people use for them ("débutant", "expert").
	Levels []LevelInfo `yaml:"niveaux"`
}

// LevelInfo is the common description of a level.
type LevelInfo struct {
	Number int      `yaml:"niveau"`
	Title  string   `yaml:"titre"`
	Words  []string `yaml:"mots"`
}

// Path is one learning path ("parcours") of a responsibility perimeter.
type Path struct {
	ID       string   `yaml:"id"`
	Title    string   `yaml:"titre"`
	Audience string   `yaml:"public"`
	Summary  string   `yaml:"resume"`
	Page     string   `yaml:"page"`  // knowledge page of the path, relative to the source root
	Roles    []string `yaml:"roles"` // words people use for themselves ("chef de projet")
	Levels   []*Level `yaml:"niveaux"`
}

// Level is one level of a path.
type Level struct {
	Number  int      `yaml:"niveau"`
	Title   string   `yaml:"titre"`
	Summary string   `yaml:"resume"`
	Anchor  string   `yaml:"ancre"` // section of the path page for this level
	Topics  []*Topic `yaml:"sujets"`
}

// Topic is a subject studied at a level, optionally linked to a page.
type Topic struct {
	Label  string `yaml:"titre"`
	Page   string `yaml:"page,omitempty"`
	Anchor string `yaml:"ancre,omitempty"`
}

// UnmarshalYAML accepts a topic written as a plain string or as a mapping.
func (t *Topic) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		t.Label = n.Value
		return nil
	}
	type plain Topic
	return n.Decode((*plain)(t))
}

// IDs lists the valid path identifiers, in catalogue order.
func (c *Catalog) IDs() []string {
	ids := make([]string, len(c.Paths))
	for i, p := range c.Paths {
		ids[i] = p.ID
	}
	return ids
}

// Path returns the path with this identifier, or nil.
func (c *Catalog) Path(id string) *Path {
	for _, p := range c.Paths {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// Level returns level n of the path, or nil.
func (p *Path) Level(n int) *Level {
	for _, l := range p.Levels {
		if l.Number == n {
			return l
		}
	}
	return nil
}

// LevelTitle returns the shared title of level n ("Fondamentaux").
func (c *Catalog) LevelTitle(n int) string {
	for _, l := range c.Levels {
		if l.Number == n {
			return l.Title
		}
	}
	return fmt.Sprintf("Niveau %d", n)
}

// Load reads and validates the catalogue at name in fsys. Errors name the
// file and, where YAML gives one, the line.
func Load(fsys fs.FS, name string) (*Catalog, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("lecture du catalogue des parcours: %w", err)
	}
	return Parse(name, data)
}

// Parse decodes and validates a catalogue; name is used in error messages.
func Parse(name string, data []byte) (*Catalog, error) {
	var c Catalog
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: YAML invalide: %w", name, err)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &c, nil
}

func (c *Catalog) validate() error {
	if len(c.Paths) == 0 {
		return errors.New("aucun parcours défini (clé « parcours »)")
	}
	seen := map[string]bool{}
	for i, p := range c.Paths {
		if p == nil {
			return fmt.Errorf("parcours n°%d vide", i+1)
		}
		if p.ID == "" || strings.ContainsAny(p.ID, " /") {
			return fmt.Errorf("parcours n°%d: identifiant « %s » invalide", i+1, p.ID)
		}
		if seen[p.ID] {
			return fmt.Errorf("parcours %q défini deux fois", p.ID)
		}
		seen[p.ID] = true
		if p.Title == "" {
			return fmt.Errorf("parcours %q: titre manquant", p.ID)
		}
		for i, l := range p.Levels {
			if l == nil {
				return fmt.Errorf("parcours %q: niveau n°%d vide", p.ID, i+1)
			}
			if l.Number < 1 || l.Number > 3 {
				return fmt.Errorf("parcours %q: niveau %d hors de 1-3", p.ID, l.Number)
			}
			for j, t := range l.Topics {
				if t == nil || strings.TrimSpace(t.Label) == "" {
					return fmt.Errorf("parcours %q, niveau %d: sujet n°%d sans titre", p.ID, l.Number, j+1)
				}
			}
		}
		sort.Slice(p.Levels, func(a, b int) bool { return p.Levels[a].Number < p.Levels[b].Number })
	}
	return nil
}
