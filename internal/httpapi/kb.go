package httpapi

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"

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

// mdLink matches links to Markdown pages, served here without ".md".
var mdLink = regexp.MustCompile(`(\]\([^)#\s]+)\.md([#)])`)

// handleKB serves an indexed knowledge page as HTML. Only pages of the
// loaded base are served, never a file read by name: no draft, no _data, no
// binary, nothing through a link out of a source.
func (s *Server) handleKB(w http.ResponseWriter, r *http.Request) {
	if s.opts.RenderHTML == nil || s.opts.KBPage == nil {
		http.Error(w, "Pages de la base de connaissances non disponibles sur ce serveur.", http.StatusNotFound)
		return
	}
	for _, name := range cleanKBPath(r.PathValue("path")) {
		if !fs.ValidPath(name) {
			break
		}
		if title, data, ok := s.opts.KBPage(name); ok {
			s.writePage(w, name, title, data)
			return
		}
	}
	http.Error(w, "Page introuvable dans la base de connaissances.", http.StatusNotFound)
}

func (s *Server) writePage(w http.ResponseWriter, name, title string, data []byte) {
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
