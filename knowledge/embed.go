// Package knowledge holds the knowledge base shipped with parcours: Markdown
// pages with YAML front matter, and the data files under _data (synonyms,
// learning paths, diagnostic questionnaire, welcome text, evaluation set).
package knowledge

import "embed"

// FS is the embedded knowledge base. Its root is a source root: page paths in
// results are relative to it.
//
//go:embed *.md _data sensibilisation modele parcours pratiques demarrer plateforme aide
var FS embed.FS
