package mattermost

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds the button signature check anything a click could
// carry: it never panics, refuses with one of its errors, and accepts only
// tokens it signed itself. Seeds: testdata/fuzz/FuzzVerify.
func FuzzVerify(f *testing.F) {
	s := NewSigner([]byte(strings.Repeat("k", 32)), time.Hour)
	signed := map[string]bool{}
	// A fixed expiry: the fuzzing processes sign the same tokens as the one
	// that gave the seeds, whatever second each starts in.
	exp := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for _, c := range []Claims{
		{Action: "feedback", UserID: "u1", Nonce: "n1", Data: map[string]string{"v": "1"}, Expires: exp},
		{Action: "diagnostic", UserID: "u1", Nonce: "n2", Data: map[string]string{"q": "freq", "o": "mois"}, Expires: exp},
		{Action: "bienvenue", Nonce: "n3", Expires: exp},
	} {
		tok := s.Sign(c)
		signed[tok] = true
		f.Add(tok, "u1")
		payload, sig, _ := strings.Cut(tok, ".")
		f.Add(payload+"."+sig[:len(sig)-1]+"A", "u1")                                                                 // signature altered
		f.Add(base64.RawURLEncoding.EncodeToString([]byte(`{"a":"feedback","u":"u1","e":9999999999}`))+"."+sig, "u1") // payload swapped
	}
	for _, tok := range []string{"", ".", "..", "a.b", "%%%.###", "e30.", strings.Repeat("A", 5000) + ".x"} {
		f.Add(tok, "u2")
	}
	f.Fuzz(func(t *testing.T, token, user string) {
		c, err := s.Verify(token, user)
		if err == nil {
			if !signed[token] {
				t.Fatalf("Verify accepted a token it did not sign: %q", token)
			}
			if c == nil || c.UserID != "" && c.UserID != user {
				t.Fatalf("Verify(%q, %q) = %+v", token, user, c)
			}
			return
		}
		if !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrExpired) && !errors.Is(err, ErrWrongUser) {
			t.Fatalf("Verify(%q): unexpected error %v", token, err)
		}
	})
}
