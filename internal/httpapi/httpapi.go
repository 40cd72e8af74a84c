// Package httpapi is the bot's HTTP server: health and readiness probes,
// Prometheus metrics, and the knowledge pages as HTML so that links in
// answers work without an external documentation site. The Mattermost
// webhooks (slash command, button clicks) are internal/mattermost's,
// mounted here with Handle.
package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloud-pi-native/parcours/internal/metrics"
	"go.uber.org/zap"
)

const (
	// maxBody bounds every request body: a slash command or a click is a
	// few hundred bytes.
	maxBody = 64 << 10
	// handlerTimeout bounds the work of one request; Mattermost gives up on
	// slash commands after 30 s.
	handlerTimeout = 20 * time.Second
)

// Options configures the server.
type Options struct {
	Logger  *zap.Logger
	Metrics *metrics.Metrics
	// KBPage returns the title and Markdown of the indexed page at path
	// ("guide/equipe.md") served under /kb/; ok is false for anything else.
	KBPage func(path string) (title string, markdown []byte, ok bool)
	// RenderHTML turns a knowledge page's Markdown into HTML.
	RenderHTML func(markdown []byte) ([]byte, error)
	// Ready reports whether the bot can serve: index loaded, Mattermost
	// connected; reasons say what is missing.
	Ready func() (ok bool, reasons []string)
}

// Server routes the bot's HTTP requests.
type Server struct {
	opts Options
	mux  *http.ServeMux
}

// New returns the server with its own routes: health, readiness, metrics,
// and the knowledge pages.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Metrics == nil {
		o.Metrics = metrics.New()
	}
	s := &Server{opts: o, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	s.mux.HandleFunc("GET /readyz", s.handleReady)
	s.mux.Handle("GET /metrics", o.Metrics.Handler())
	s.mux.HandleFunc("GET /kb/{path...}", s.handleKB)
	s.mux.HandleFunc("GET /kb", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/kb/", http.StatusMovedPermanently)
	})
	return s
}

// Handle adds a route (the Mattermost webhooks), served with the same body
// limit and timeout.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// ServeHTTP serves a request with the body limit and timeout applied.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	ctx, cancel := context.WithTimeout(r.Context(), handlerTimeout)
	defer cancel()
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r.WithContext(ctx))
}

// HTTPServer returns an http.Server for addr with conservative timeouts.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      handlerTimeout + 5*time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          zap.NewStdLog(s.opts.Logger.Named("http")),
	}
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ok, reasons := true, []string(nil)
	if s.opts.Ready != nil {
		ok, reasons = s.opts.Ready()
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("pas prêt : " + strings.Join(reasons, " ; ") + "\n"))
		return
	}
	w.Write([]byte("prêt\n"))
}

// cleanKBPath maps a /kb/ URL path to candidate file names.
func cleanKBPath(p string) []string {
	p, _ = url.PathUnescape(p)
	p = strings.Trim(p, "/")
	if p == "" {
		return []string{"index.md"}
	}
	p = strings.TrimSuffix(p, ".html")
	if strings.HasSuffix(p, ".md") {
		return []string{p}
	}
	return []string{p + ".md", p + "/index.md"}
}
