package kb

import (
	"io/fs"
	"strings"

	"gopkg.in/yaml.v3"
)

// A Jekyll site keeps its collections' documents in folders named with an
// underscore ("_api", or "articles/_api" with collections_dir: articles),
// which the default excludes take for data and layout folders ("_data",
// "_includes"). The collections its _config.yml declares are content: they
// are read, and their pages are linked where Jekyll publishes them
// (/api/intro/ for articles/_api/intro.md).

// maxJekyllConfig bounds the _config.yml read: a site's settings, not a page.
const maxJekyllConfig = 256 << 10

// collections maps the folder of each declared collection to its name.
type collections map[string]string

// jekyllCollections reads the collections a source's _config.yml declares;
// none when there is no such file or it cannot be read.
func jekyllCollections(fsys fs.FS) collections {
	if fsys == nil {
		return nil
	}
	data, err := readBounded(fsys, "_config.yml")
	if err != nil || len(data) > maxJekyllConfig {
		return nil
	}
	return parseJekyllCollections(data)
}

// parseJekyllCollections reads collections_dir and collections, given as
// a map (name: settings) or a list of names.
func parseJekyllCollections(data []byte) collections {
	var cfg struct {
		Dir         string    `yaml:"collections_dir"`
		Collections yaml.Node `yaml:"collections"`
	}
	if yaml.Unmarshal(data, &cfg) != nil {
		return nil
	}
	var names []string
	switch cfg.Collections.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(cfg.Collections.Content); i += 2 {
			names = append(names, cfg.Collections.Content[i].Value)
		}
	case yaml.SequenceNode:
		for _, n := range cfg.Collections.Content {
			names = append(names, n.Value)
		}
	}
	dir := strings.Trim(cfg.Dir, "/")
	if dir != "" && !fs.ValidPath(dir) {
		return nil
	}
	if dir != "" {
		for _, part := range strings.Split(dir, "/") {
			if strings.HasPrefix(part, ".") {
				return nil // a hidden folder is never content
			}
		}
	}
	out := collections{}
	for _, n := range names {
		// "posts" is a collection too; names are single folder names.
		if n == "" || strings.ContainsAny(n, "/\\") || n == "." || n == ".." || strings.HasPrefix(n, ".") {
			continue
		}
		folder := "_" + n
		if dir != "" {
			folder = dir + "/" + folder
		}
		out[folder] = n
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// of returns the folder and name of the collection a file belongs to.
func (c collections) of(name string) (folder, collection string, ok bool) {
	for f, n := range c {
		if strings.HasPrefix(name, f+"/") {
			return f, n, true
		}
	}
	return "", "", false
}

// sitePath is where Jekyll publishes a file: a collection's document under
// the collection's name, any other file at its own path.
func (c collections) sitePath(name string) string {
	if f, n, ok := c.of(name); ok {
		return n + "/" + strings.TrimPrefix(name, f+"/")
	}
	return name
}
