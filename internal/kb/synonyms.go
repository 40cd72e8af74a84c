package kb

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// ParseSynonyms reads a synonyms file: a "groupes" key holding a list of
// groups, each a list of words or expressions that mean the same thing
// ("- [kubernetes, k8s]"). Errors name the file and line.
func ParseSynonyms(name string, data []byte) ([][]string, error) {
	var doc struct {
		Groups yaml.Node `yaml:"groupes"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: YAML invalide: %w", name, err)
	}
	if doc.Groups.Kind == 0 {
		return nil, fmt.Errorf("%s: clé « groupes » absente", name)
	}
	if doc.Groups.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: « groupes » doit être une liste de listes", name, doc.Groups.Line)
	}
	var groups [][]string
	var errs []error
	for _, g := range doc.Groups.Content {
		if g.Kind != yaml.SequenceNode {
			errs = append(errs, fmt.Errorf("%s:%d: un groupe doit être une liste ([mot, synonyme, ...])", name, g.Line))
			continue
		}
		var words []string
		for _, w := range g.Content {
			if w.Kind != yaml.ScalarNode || strings.TrimSpace(w.Value) == "" {
				errs = append(errs, fmt.Errorf("%s:%d: entrée vide ou non textuelle", name, w.Line))
				continue
			}
			words = append(words, strings.TrimSpace(w.Value))
		}
		if len(words) < 2 {
			errs = append(errs, fmt.Errorf("%s:%d: un groupe de synonymes a besoin d'au moins deux entrées", name, g.Line))
			continue
		}
		groups = append(groups, words)
	}
	return groups, errors.Join(errs...)
}
