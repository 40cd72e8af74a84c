package mattermost

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ContextKey is the key of the signed token in a button's integration
// context: Mattermost sends the context back untouched on a click.
const ContextKey = "t"

// Errors of Verify, distinct so that refusals can be counted by reason.
var (
	ErrBadSignature = errors.New("signature invalide")
	ErrExpired      = errors.New("bouton expiré")
	ErrWrongUser    = errors.New("bouton destiné à une autre personne")
)

// Claims is what a button carries: which action, for whom, until when,
// with what data. Nonce makes every button distinct, so a click can be tied
// to the answer it belongs to.
type Claims struct {
	Action  string            `json:"a"`
	UserID  string            `json:"u"`
	Data    map[string]string `json:"d,omitempty"`
	Nonce   string            `json:"n"`
	Expires int64             `json:"e"`
}

// Signer signs and checks button contexts with HMAC-SHA256, so that a click
// cannot be forged, given to someone else or replayed after it expires.
type Signer struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewSigner returns a signer; buttons stay valid for ttl.
func NewSigner(key []byte, ttl time.Duration) *Signer {
	return &Signer{key: key, ttl: ttl, now: time.Now}
}

// NewNonce returns a random identifier for a group of buttons.
func NewNonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Sign returns the token for the claims, filling the expiry.
func (s *Signer) Sign(c Claims) string {
	if c.Expires == 0 {
		c.Expires = s.now().Add(s.ttl).Unix()
	}
	body, _ := json.Marshal(c)
	payload := base64.RawURLEncoding.EncodeToString(body)
	return payload + "." + s.mac(payload)
}

// Context returns the integration context of a button.
func (s *Signer) Context(c Claims) map[string]any {
	return map[string]any{ContextKey: s.Sign(c)}
}

// Verify checks a token from a click by userID and returns its claims.
func (s *Signer) Verify(token, userID string) (*Claims, error) {
	c, err := s.Open(token)
	if err != nil {
		return nil, err
	}
	if c.UserID != "" && c.UserID != userID {
		return nil, ErrWrongUser
	}
	return c, nil
}

// Open checks a token's signature and expiry and returns its claims,
// whoever presents it: for links opened in a browser, where no Mattermost
// user comes with the request and the claims name who the link is for.
func (s *Signer) Open(token string) (*Claims, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.mac(payload))) {
		return nil, ErrBadSignature
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, ErrBadSignature
	}
	var c Claims
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if s.now().Unix() > c.Expires {
		return nil, ErrExpired
	}
	return &c, nil
}

func (s *Signer) mac(payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("parcours-action\x00"))
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
