package httpapi

import (
	"bytes"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"strings"

	"go.uber.org/zap"
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · parcours</title>
<style>body{max-width:48rem;margin:2rem auto;padding:0 1rem;font-family:system-ui,sans-serif;line-height:1.5;color:#1e1e1e}
a{color:#000091}pre,code{background:#f4f4f4}pre{padding:.5rem;overflow:auto}nav{font-size:.9rem;margin-bottom:1rem}</style>
</head><body><nav><a href="/kb/">Base de connaissances Cloud Pi Native</a></nav>
<main>{{.Body}}</main></body></html>
`))

var (
	frontMatter = regexp.MustCompile(`(?s)\A---\r?\n.*?\r?\n---\r?\n`)
	titleLine   = regexp.MustCompile(`(?m)^(?:title|titre):\s*"?([^"\n]+)"?\s*$`)
	mdLink      = regexp.MustCompile(`(\]\([^)#\s]+)\.md([#)])`)
)

// handleKB serves a knowledge page as HTML, from the first source that has
// it. Only .md pages are served; _data and hidden files stay private.
func (s *Server) handleKB(w http.ResponseWriter, r *http.Request) {
	if s.opts.RenderHTML == nil || len(s.opts.Pages) == 0 {
		http.Error(w, "Pages de la base de connaissances non disponibles sur ce serveur.", http.StatusNotFound)
		return
	}
	for _, name := range cleanKBPath(r.PathValue("path")) {
		if !fs.ValidPath(name) || strings.HasPrefix(name, "_") || strings.Contains(name, "/_") || strings.Contains(name, "/.") || strings.HasPrefix(name, ".") {
			break
		}
		for _, fsys := range s.opts.Pages {
			data, err := fs.ReadFile(fsys, name)
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) {
				continue
			}
			if err != nil {
				// A directory named like the page, or a read error.
				continue
			}
			s.writePage(w, name, data)
			return
		}
	}
	http.Error(w, "Page introuvable dans la base de connaissances.", http.StatusNotFound)
}

func (s *Server) writePage(w http.ResponseWriter, name string, data []byte) {
	title := strings.TrimSuffix(name, ".md")
	if fm := frontMatter.Find(data); fm != nil {
		if m := titleLine.FindSubmatch(fm); m != nil {
			title = strings.TrimSpace(string(m[1]))
		}
		data = data[len(fm):]
	}
	// Links between pages point at .md files; served here without it.
	data = mdLink.ReplaceAll(data, []byte("$1$2"))
	body, err := s.opts.RenderHTML(data)
	if err != nil {
		s.opts.Logger.Error("rendering knowledge page failed", zap.String("page", name), zap.Error(err))
		http.Error(w, "Cette page n'a pas pu être affichée.", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, struct {
		Title string
		Body  template.HTML
	}{title, template.HTML(body)}); err != nil {
		http.Error(w, "Cette page n'a pas pu être affichée.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:")
	w.Write(buf.Bytes())
}
