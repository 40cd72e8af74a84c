// Package dashboard is the programme's dashboard: a page served by the bot
// with what learners asked and could not find, what they thought of the
// pages, the diagnostics by path and level and each team's maturity over
// time, as charts drawn on the server (SVG), plus the CSV export.
//
// Nothing opens it but a link that `/parcours tableau` sends an
// administrator in a direct message: signed, naming its user, expiring
// (an hour by default). The page loads no script and no font, and sends a
// strict Content-Security-Policy.
package dashboard

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"net/url"
	"time"

	"github.com/cloud-pi-native/parcours/internal/mattermost"
)

// Action is the action name in a dashboard link's claims.
const Action = "tableau"

// DefaultTTL is how long a link opens the dashboard.
const DefaultTTL = time.Hour

// Refusals of Check.
var (
	ErrBadLink = errors.New("lien du tableau de bord invalide")
	ErrExpired = errors.New("lien du tableau de bord expiré")
)

// Links makes and checks dashboard links. They are signed with a key of
// their own, derived from the bot's signing key, so that a button's token
// never opens the dashboard nor the other way round.
type Links struct {
	signer *mattermost.Signer
	ttl    time.Duration
	base   string
	now    func() time.Time
}

// NewLinks returns the links of the dashboard served at baseURL (the
// address users' browsers reach), valid for ttl (DefaultTTL when zero).
func NewLinks(key []byte, ttl time.Duration, baseURL string) *Links {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("parcours-tableau"))
	return &Links{signer: mattermost.NewSigner(m.Sum(nil), ttl), ttl: ttl, base: baseURL, now: time.Now}
}

// TTL is how long a new link stays valid.
func (l *Links) TTL() time.Duration { return l.ttl }

// New returns a link for userID and when it expires.
func (l *Links) New(userID string) (string, time.Time) {
	exp := l.now().Add(l.ttl)
	return l.URL(l.token(userID, exp), ""), exp
}

func (l *Links) token(userID string, exp time.Time) string {
	return l.signer.Sign(mattermost.Claims{Action: Action, UserID: userID, Nonce: mattermost.NewNonce(), Expires: exp.Unix()})
}

// URL is the address of the dashboard page for a token, with a period
// ("30j") or the default one.
func (l *Links) URL(token, period string) string {
	return l.base + Path + "?" + query(token, period)
}

func query(token, period string) string {
	v := url.Values{"t": {token}}
	if period != "" {
		v.Set("p", period)
	}
	return v.Encode()
}

// Check returns the user a token was made for, or ErrBadLink (altered,
// truncated, not a dashboard link) or ErrExpired.
func (l *Links) Check(token string) (string, error) {
	if token == "" || len(token) > 2048 {
		return "", ErrBadLink
	}
	c, err := l.signer.Open(token)
	switch {
	case errors.Is(err, mattermost.ErrExpired):
		return "", ErrExpired
	case err != nil:
		return "", ErrBadLink
	case c.Action != Action || c.UserID == "":
		return "", ErrBadLink
	}
	return c.UserID, nil
}
