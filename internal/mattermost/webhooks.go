package mattermost

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"

	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/logctx"
	"github.com/cloud-pi-native/parcours/internal/metrics"
	"github.com/cloud-pi-native/parcours/internal/ratelimit"
)

// Conversation is what the webhooks and the bot hand messages, commands and
// clicks to (internal/conversation).
type Conversation interface {
	Message(ctx context.Context, m conversation.Message, out conversation.Outbox) error
	Command(ctx context.Context, m conversation.Message, out conversation.Outbox) error
	Click(ctx context.Context, k conversation.Click, out conversation.Outbox) error
}

// Webhooks are the HTTP endpoints Mattermost calls: the /parcours slash
// command (POST /mattermost/command) and button clicks (POST
// /mattermost/action). Mount them on the bot's HTTP server.
type Webhooks struct {
	Conversation Conversation
	Poster       *Poster
	Tokens       *Tokens
	// Limiter limits the slash commands of one user, with their messages;
	// nil: no limit.
	Limiter *ratelimit.Limiter
	Metrics *metrics.Metrics
	Logger  *zap.Logger
}

// Routes returns the webhooks' routes, for an http.ServeMux.
func (h *Webhooks) Routes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"POST /mattermost/command": h.handleCommand,
		"POST /mattermost/action":  h.handleAction,
	}
}

func (h *Webhooks) log() *zap.Logger {
	if h.Logger == nil {
		return zap.NewNop()
	}
	return h.Logger
}

func (h *Webhooks) metrics() *metrics.Metrics {
	if h.Metrics == nil {
		h.Metrics = metrics.New()
	}
	return h.Metrics
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
	Token       string `json:"token"`
	TeamID      string `json:"team_id"`
	ChannelID   string `json:"channel_id"`
	ChannelName string `json:"channel_name"`
	UserID      string `json:"user_id"`
	UserName    string `json:"user_name"`
	Command     string `json:"command"`
	Text        string `json:"text"`
}

// maxCommandText bounds what follows /parcours.
const maxCommandText = 4000

func (h *Webhooks) handleCommand(w http.ResponseWriter, r *http.Request) {
	log := h.log().With(zap.String("remote", r.RemoteAddr), zap.String("request_id", logctx.NewRequestID()))
	var req commandRequest
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			h.refuse(w, log, http.StatusBadRequest, "bad_form", "Requête illisible : formulaire invalide ou trop volumineux.", err)
			return
		}
		f := r.PostForm
		req = commandRequest{Token: f.Get("token"), TeamID: f.Get("team_id"), ChannelID: f.Get("channel_id"), ChannelName: f.Get("channel_name"),
			UserID: f.Get("user_id"), UserName: f.Get("user_name"), Command: f.Get("command"), Text: f.Get("text")}
	case "application/json":
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			h.refuse(w, log, http.StatusBadRequest, "bad_json", "Requête illisible : JSON invalide ou trop volumineux.", err)
			return
		}
	default:
		h.refuse(w, log, http.StatusUnsupportedMediaType, "content_type", "Type de contenu non pris en charge : attendu application/x-www-form-urlencoded.", nil)
		return
	}
	if h.Tokens == nil || !h.Tokens.Valid(req.Token) {
		// The token itself is never logged.
		h.refuse(w, log.With(zap.Bool("token_present", req.Token != ""), zap.String("user_id", req.UserID)),
			http.StatusUnauthorized, "bad_token", "Jeton de commande invalide : vérifiez la configuration de /parcours (PARCOURS_COMMAND_TOKENS).", nil)
		return
	}
	if req.UserID == "" {
		h.refuse(w, log, http.StatusBadRequest, "no_user", "Requête incomplète : utilisateur manquant.", nil)
		return
	}
	if d := h.Limiter.Allow(req.UserID); d.Verdict != ratelimit.Allowed {
		// A slash command always gets a response: the polite message,
		// every time (it is ephemeral, seen by the caller only).
		h.metrics().RateLimited.Inc()
		log.Info("slash command rate limited", zap.String("user_id", req.UserID))
		writeJSON(w, http.StatusOK, &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: ratelimit.Message(d)})
		return
	}
	if len(req.Text) > maxCommandText {
		writeJSON(w, http.StatusOK, &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral,
			Text: "Votre texte est trop long (4 000 caractères au plus). Raccourcissez votre question."})
		return
	}
	log = log.With(zap.String("user_id", req.UserID))
	place := conversation.Channel
	if h.isDirect(req.ChannelName) {
		place = conversation.Direct
	}
	out := &commandOutbox{postOutbox: postOutbox{p: h.Poster, user: req.UserID, channel: req.ChannelID}}
	if place == conversation.Direct {
		out.dm = req.ChannelID
	}
	m := conversation.Message{User: conversation.User{ID: req.UserID, Username: req.UserName}, Place: place,
		Channel: req.ChannelID, Team: req.TeamID, Text: req.Text}
	if err := h.Conversation.Command(logctx.With(r.Context(), log), m, out); err != nil {
		log.Error("slash command failed", zap.Error(err))
	}
	resp := out.response()
	if resp.Text == "" {
		resp.Text = "C'est fait."
	}
	writeJSON(w, http.StatusOK, resp)
}

// isDirect says whether a channel name is the bot's direct channel with
// someone ("<id>__<id>").
func (h *Webhooks) isDirect(name string) bool {
	a, b, ok := strings.Cut(name, "__")
	return ok && h.Poster != nil && (a == h.Poster.BotID || b == h.Poster.BotID)
}

func (h *Webhooks) handleAction(w http.ResponseWriter, r *http.Request) {
	log := h.log().With(zap.String("remote", r.RemoteAddr), zap.String("request_id", logctx.NewRequestID()))
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		h.refuseAction(w, log, http.StatusUnsupportedMediaType, "content_type", "Type de contenu non pris en charge : attendu application/json.")
		return
	}
	var req model.PostActionIntegrationRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		h.refuseAction(w, log, http.StatusBadRequest, "bad_json", "Requête illisible : JSON invalide ou trop volumineux.")
		return
	}
	token, _ := req.Context[ContextKey].(string)
	if h.Poster == nil || h.Poster.Signer == nil || token == "" || req.UserId == "" {
		h.refuseAction(w, log, http.StatusForbidden, "unsigned", "Action refusée : bouton non reconnu.")
		return
	}
	claims, err := h.Poster.Signer.Verify(token, req.UserId)
	switch {
	case errors.Is(err, ErrExpired):
		h.refuseAction(w, log, http.StatusOK, "expired", "Ce bouton a expiré. Posez à nouveau votre question pour obtenir une réponse à jour.")
		return
	case errors.Is(err, ErrWrongUser):
		h.refuseAction(w, log.With(zap.String("user_id", req.UserId)), http.StatusOK, "wrong_user", "Ces boutons sont réservés à la personne qui a posé la question.")
		return
	case err != nil:
		h.refuseAction(w, log.With(zap.String("user_id", req.UserId)), http.StatusForbidden, "forged", "Action refusée : signature invalide.")
		return
	}
	log = log.With(zap.String("user_id", req.UserId), zap.String("action", claims.Action))
	// Diagnostic and welcome buttons live in the direct channel.
	out := &clickOutbox{postOutbox: postOutbox{p: h.Poster, user: req.UserId, channel: req.ChannelId, dm: req.ChannelId}, clicked: req.PostId}
	k := conversation.Click{User: conversation.User{ID: req.UserId, Username: req.UserName}, Place: conversation.Direct,
		Channel: req.ChannelId, Team: req.TeamId, Message: req.PostId, Group: claims.Nonce, Action: claims.Action, Data: claims.Data}
	if err := h.Conversation.Click(logctx.With(r.Context(), log), k, out); err != nil {
		log.Error("action failed", zap.Error(err))
		writeJSON(w, http.StatusOK, &model.PostActionIntegrationResponse{EphemeralText: "Désolé, une erreur est survenue. Réessayez dans un instant."})
		return
	}
	writeJSON(w, http.StatusOK, out.response())
}

// refuse answers a slash command request that cannot be served, with an
// ephemeral French message Mattermost can show.
func (h *Webhooks) refuse(w http.ResponseWriter, log *zap.Logger, status int, reason, msg string, err error) {
	h.metrics().RefusedActions.WithLabelValues("command_" + reason).Inc()
	log.Warn("slash command refused", zap.String("reason", reason), zap.Int("status", status), zap.NamedError("cause", err))
	writeJSON(w, status, &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: msg})
}

func (h *Webhooks) refuseAction(w http.ResponseWriter, log *zap.Logger, status int, reason, msg string) {
	h.metrics().RefusedActions.WithLabelValues("action_" + reason).Inc()
	log.Warn("button click refused", zap.String("reason", reason), zap.Int("status", status))
	writeJSON(w, status, &model.PostActionIntegrationResponse{EphemeralText: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
