// Package httpapi is the bot's HTTP server: the /parcours slash command and
// button clicks posted by Mattermost, health and readiness probes,
// Prometheus metrics, and the knowledge pages as HTML so that links in
// answers work without an external documentation site.
package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/command"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/logctx"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/cloud-pi-native/parcours/internal/metrics"
	"github.com/cloud-pi-native/parcours/internal/ratelimit"
	"github.com/mattermost/mattermost/server/public/model"
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

// ActionRequest is a verified button click.
type ActionRequest struct {
	Claims    *mattermost.Claims
	UserID    string
	UserName  string
	ChannelID string
	TeamID    string
	PostID    string
}

// ActionFunc handles the clicks of one action name.
type ActionFunc func(ctx context.Context, r ActionRequest) (*model.PostActionIntegrationResponse, error)

// FeedbackStore records "Utile"/"Pas utile" clicks.
type FeedbackStore interface {
	RecordFeedback(answerID, postID, userID string, useful bool, at time.Time) (changed bool, err error)
}

// Options configures the server.
type Options struct {
	Logger   *zap.Logger
	Metrics  *metrics.Metrics
	Command  *command.Handler
	Tokens   *Tokens
	Signer   *mattermost.Signer
	Feedback FeedbackStore
	// Record records the questions asked with `/parcours chercher` and the
	// verdicts on answers, for the statistics (the analytics).
	Record conversation.Recorder
	// Limiter limits the slash commands of one user, with the bot's
	// messages; nil: no limit.
	Limiter *ratelimit.Limiter
	// ActionURL is the public URL of /mattermost/action, put in buttons.
	ActionURL string
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
	opts    Options
	mux     *http.ServeMux
	mu      sync.RWMutex
	actions map[string]ActionFunc
}

// New returns the server with the built-in routes and the feedback action.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Metrics == nil {
		o.Metrics = metrics.New()
	}
	if o.Tokens == nil {
		o.Tokens = NewTokens()
	}
	s := &Server{opts: o, mux: http.NewServeMux(), actions: map[string]ActionFunc{}}
	s.mux.HandleFunc("POST /mattermost/command", s.handleCommand)
	s.mux.HandleFunc("POST /mattermost/action", s.handleAction)
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
	s.HandleAction(mattermost.ActionFeedback, s.feedback)
	return s
}

// Handle serves more routes (the dashboard's), with the same body limit,
// timeout and headers as the others.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
}

// HandleAction routes the clicks of an action name to f; the diagnostic
// registers its buttons here.
func (s *Server) HandleAction(name string, f ActionFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.actions[name] = f
}

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

// Tokens is the set of accepted slash command tokens. Registration adds to
// it at run time.
type Tokens struct {
	mu     sync.RWMutex
	hashes [][32]byte
}

// NewTokens returns a set holding the given tokens.
func NewTokens(tokens ...string) *Tokens {
	t := &Tokens{}
	for _, tok := range tokens {
		t.Add(tok)
	}
	return t
}

// Add accepts one more token.
func (t *Tokens) Add(token string) {
	if token == "" {
		return
	}
	h := sha256.Sum256([]byte(token))
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, old := range t.hashes {
		if old == h {
			return
		}
	}
	t.hashes = append(t.hashes, h)
}

// Len is the number of tokens accepted.
func (t *Tokens) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.hashes)
}

// Valid compares in constant time; hashing first hides the length too.
func (t *Tokens) Valid(token string) bool {
	if token == "" {
		return false
	}
	h := sha256.Sum256([]byte(token))
	t.mu.RLock()
	defer t.mu.RUnlock()
	ok := 0
	for _, want := range t.hashes {
		ok |= subtle.ConstantTimeCompare(h[:], want[:])
	}
	return ok == 1
}

// commandRequest is the slash command payload, form-encoded or JSON.
type commandRequest struct {
	Token     string `json:"token"`
	TeamID    string `json:"team_id"`
	ChannelID string `json:"channel_id"`
	UserID    string `json:"user_id"`
	UserName  string `json:"user_name"`
	Command   string `json:"command"`
	Text      string `json:"text"`
}

func (s *Server) handleCommand(w http.ResponseWriter, r *http.Request) {
	log := s.opts.Logger.With(zap.String("remote", r.RemoteAddr), zap.String("request_id", logctx.NewRequestID()))
	var req commandRequest
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			s.refuse(w, log, http.StatusBadRequest, "bad_form", "Requête illisible : formulaire invalide ou trop volumineux.", err)
			return
		}
		f := r.PostForm
		req = commandRequest{Token: f.Get("token"), TeamID: f.Get("team_id"), ChannelID: f.Get("channel_id"),
			UserID: f.Get("user_id"), UserName: f.Get("user_name"), Command: f.Get("command"), Text: f.Get("text")}
	case "application/json":
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			s.refuse(w, log, http.StatusBadRequest, "bad_json", "Requête illisible : JSON invalide ou trop volumineux.", err)
			return
		}
	default:
		s.refuse(w, log, http.StatusUnsupportedMediaType, "content_type", "Type de contenu non pris en charge : attendu application/x-www-form-urlencoded.", nil)
		return
	}
	if !s.opts.Tokens.Valid(req.Token) {
		// The token itself is never logged.
		s.refuse(w, log.With(zap.Bool("token_present", req.Token != ""), zap.String("user_id", req.UserID)),
			http.StatusUnauthorized, "bad_token", "Jeton de commande invalide : vérifiez la configuration de /parcours (PARCOURS_COMMAND_TOKENS).", nil)
		return
	}
	if req.UserID == "" {
		s.refuse(w, log, http.StatusBadRequest, "no_user", "Requête incomplète : utilisateur manquant.", nil)
		return
	}
	if len(req.Text) > 4000 {
		writeJSON(w, http.StatusOK, &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral,
			Text: "Votre texte est trop long (4 000 caractères au plus). Raccourcissez votre question."})
		return
	}
	if d := s.opts.Limiter.Allow(req.UserID); d.Verdict != ratelimit.Allowed {
		// An ephemeral answer costs nothing: always say why.
		s.opts.Metrics.RateLimited.Inc()
		log.Info("slash command rate limited", zap.String("user_id", req.UserID))
		writeJSON(w, http.StatusOK, &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: ratelimit.Message(d)})
		return
	}
	start := time.Now()
	resp := s.opts.Command.Handle(logctx.With(r.Context(), log), command.Request{UserID: req.UserID, UserName: req.UserName,
		ChannelID: req.ChannelID, TeamID: req.TeamID, Text: req.Text})
	s.opts.Metrics.SlashCommands.WithLabelValues(resp.Sub).Inc()
	out := &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: resp.Text}
	if resp.InChannel {
		out.ResponseType = model.CommandResponseTypeInChannel
	}
	if resp.Answer != nil {
		s.countQuestion(r.Context(), resp.Answer, req.UserID, start)
		var btn *mattermost.Buttons
		if s.opts.Signer != nil && s.opts.ActionURL != "" {
			btn = &mattermost.Buttons{Signer: s.opts.Signer, URL: s.opts.ActionURL, UserID: req.UserID}
		}
		out.Text, out.Attachments = mattermost.RenderAnswer(resp.Answer, btn)
	}
	out.Text = mattermost.Bound(out.Text)
	log.Debug("slash command", zap.String("sub", resp.Sub), zap.String("user_id", req.UserID), zap.Duration("took", time.Since(start)))
	writeJSON(w, http.StatusOK, out)
}

// countQuestion feeds the metrics and the store with a question's outcome.
func (s *Server) countQuestion(ctx context.Context, a *answer.Answer, userID string, start time.Time) {
	outcome := "not_found"
	if a.Answered {
		outcome = "answered"
	}
	s.opts.Metrics.Questions.WithLabelValues(outcome).Inc()
	s.opts.Metrics.AnswerLatency.Observe(time.Since(start).Seconds())
	if s.opts.Record != nil {
		// A slash command's channel may be a direct message: its type is
		// not in the request; it counts as a channel.
		q := conversation.Asked{Question: a.Query, Tier: a.Tier, Place: conversation.Channel, User: userID, At: time.Now(), Answer: a}
		if err := s.opts.Record.Question(ctx, q); err != nil {
			s.opts.Logger.Warn("recording question failed", zap.Error(err))
		}
	}
}

func (s *Server) handleAction(w http.ResponseWriter, r *http.Request) {
	log := s.opts.Logger.With(zap.String("remote", r.RemoteAddr), zap.String("request_id", logctx.NewRequestID()))
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		s.refuseAction(w, log, http.StatusUnsupportedMediaType, "content_type", "Type de contenu non pris en charge : attendu application/json.")
		return
	}
	var req model.PostActionIntegrationRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.refuseAction(w, log, http.StatusBadRequest, "bad_json", "Requête illisible : JSON invalide ou trop volumineux.")
		return
	}
	token, _ := req.Context[mattermost.ContextKey].(string)
	if s.opts.Signer == nil || token == "" || req.UserId == "" {
		s.refuseAction(w, log, http.StatusForbidden, "unsigned", "Action refusée : bouton non reconnu.")
		return
	}
	claims, err := s.opts.Signer.Verify(token, req.UserId)
	switch {
	case errors.Is(err, mattermost.ErrExpired):
		s.refuseAction(w, log, http.StatusOK, "expired", "Ce bouton a expiré. Posez à nouveau votre question pour obtenir une réponse à jour.")
		return
	case errors.Is(err, mattermost.ErrWrongUser):
		s.refuseAction(w, log.With(zap.String("user_id", req.UserId)), http.StatusOK, "wrong_user", "Ces boutons sont réservés à la personne qui a posé la question.")
		return
	case err != nil:
		s.refuseAction(w, log.With(zap.String("user_id", req.UserId)), http.StatusForbidden, "forged", "Action refusée : signature invalide.")
		return
	}
	s.mu.RLock()
	f := s.actions[claims.Action]
	s.mu.RUnlock()
	if f == nil {
		s.refuseAction(w, log, http.StatusOK, "unknown_action", "Cette action n'est plus disponible.")
		return
	}
	resp, err := f(r.Context(), ActionRequest{Claims: claims, UserID: req.UserId, UserName: req.UserName,
		ChannelID: req.ChannelId, TeamID: req.TeamId, PostID: req.PostId})
	if err != nil {
		log.Error("action failed", zap.String("action", claims.Action), zap.Error(err))
		writeJSON(w, http.StatusOK, &model.PostActionIntegrationResponse{EphemeralText: "Désolé, une erreur est survenue. Réessayez dans un instant."})
		return
	}
	if resp == nil {
		resp = &model.PostActionIntegrationResponse{}
	}
	writeJSON(w, http.StatusOK, resp)
}

// feedback records an "Utile"/"Pas utile" click, once per person and
// answer.
func (s *Server) feedback(ctx context.Context, r ActionRequest) (*model.PostActionIntegrationResponse, error) {
	useful := r.Claims.Data["v"] == "1"
	if s.opts.Feedback == nil {
		return &model.PostActionIntegrationResponse{EphemeralText: "Merci ! (les avis ne sont pas enregistrés sur ce serveur)"}, nil
	}
	// The answer's nonce, not the post id sent with the click, identifies
	// it for deduplication: the signature covers the nonce, not the post id.
	changed, err := s.opts.Feedback.RecordFeedback(r.Claims.Nonce, r.PostID, r.UserID, useful, time.Now())
	if err != nil {
		return nil, err
	}
	if !changed {
		return &model.PostActionIntegrationResponse{EphemeralText: "Votre avis était déjà enregistré, merci."}, nil
	}
	if s.opts.Record != nil {
		if err := s.opts.Record.Feedback(ctx, conversation.Rated{Answer: r.Claims.Nonce, Page: r.Claims.Data["p"], User: r.UserID, Useful: useful}); err != nil {
			s.opts.Logger.Warn("recording feedback failed", zap.Error(err))
		}
	}
	verdict := "not_useful"
	if useful {
		verdict = "useful"
	}
	s.opts.Metrics.Feedback.WithLabelValues(verdict).Inc()
	if useful {
		return &model.PostActionIntegrationResponse{EphemeralText: "Merci pour votre retour : cette réponse vous a été utile."}, nil
	}
	return &model.PostActionIntegrationResponse{EphemeralText: "Merci pour votre retour. Précisez votre question, ou essayez `/parcours liste` pour trouver le bon parcours."}, nil
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

// refuse answers a slash command request that cannot be served, with an
// ephemeral French message Mattermost can show.
func (s *Server) refuse(w http.ResponseWriter, log *zap.Logger, status int, reason, msg string, err error) {
	s.opts.Metrics.RefusedActions.WithLabelValues("command_" + reason).Inc()
	log.Warn("slash command refused", zap.String("reason", reason), zap.Int("status", status), zap.NamedError("cause", err))
	writeJSON(w, status, &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: msg})
}

func (s *Server) refuseAction(w http.ResponseWriter, log *zap.Logger, status int, reason, msg string) {
	s.opts.Metrics.RefusedActions.WithLabelValues("action_" + reason).Inc()
	log.Warn("button click refused", zap.String("reason", reason), zap.Int("status", status))
	writeJSON(w, status, &model.PostActionIntegrationResponse{EphemeralText: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
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
