package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cloud-pi-native/parcours/internal/command"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/cloud-pi-native/parcours/internal/quote"
	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"
)

var contentTypes = []string{"application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data; boundary=x", ""}

func fuzzServer() *Server {
	return New(Options{Logger: zap.NewNop(), Command: command.New(command.Deps{Answers: fakeAsk{}}),
		Tokens: NewTokens(goodToken), Signer: mattermost.NewSigner([]byte(strings.Repeat("k", 32)), 0),
		ActionURL: "http://bot/mattermost/action"})
}

// FuzzCommandRequest posts any body to /mattermost/command: the server
// never panics, answers with a known status and a JSON response Mattermost
// can show, bounded and without a live mention. Seeds:
// testdata/fuzz/FuzzCommandRequest.
func FuzzCommandRequest(f *testing.F) {
	form := func(text string) string {
		return url.Values{"token": {goodToken}, "user_id": {"u1"}, "user_name": {"alice"}, "channel_id": {"c1"}, "team_id": {"t1"}, "command": {"/parcours"}, "text": {text}}.Encode()
	}
	for _, s := range []string{form("aide"), form("chercher comment déployer"), form("@channel"), form("sre 2"),
		form(strings.Repeat("x", 5000)), "token=" + goodToken + "&user_id=u1&text=%zz", "token=bad&user_id=u1&text=aide",
		`{"token":"` + goodToken + `","user_id":"u1","text":"liste"}`, `{"token":`, "", "a=b&a=c;d"} {
		for i := range contentTypes {
			f.Add(s, uint8(i))
		}
	}
	s := fuzzServer()
	f.Fuzz(func(t *testing.T, body string, ct uint8) {
		r := httptest.NewRequest(http.MethodPost, "/mattermost/command", strings.NewReader(body))
		r.Header.Set("Content-Type", contentTypes[int(ct)%len(contentTypes)])
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		switch w.Code {
		case 200, 400, 401, 413, 415:
		default:
			t.Fatalf("status %d for %q", w.Code, body)
		}
		var out model.CommandResponse
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("response not JSON (%v): %q", err, w.Body.String())
		}
		if out.Text == "" || utf8.RuneCountInString(out.Text) > mattermost.MaxPostRunes {
			t.Fatalf("response text of %d characters for %q", utf8.RuneCountInString(out.Text), body)
		}
		if m := quote.LiveMentions(out.Text); len(m) != 0 {
			t.Fatalf("response mentions %v for %q:\n%s", m, body, out.Text)
		}
	})
}

// FuzzActionRequest posts any body to /mattermost/action, the button
// clicks: never a panic, never an action run without a valid signature.
// Seeds: testdata/fuzz/FuzzActionRequest.
func FuzzActionRequest(f *testing.F) {
	s := fuzzServer()
	ran := false
	s.HandleAction("test", func(ctx context.Context, r ActionRequest) (*model.PostActionIntegrationResponse, error) {
		ran = true
		return nil, nil
	})
	for _, b := range []string{`{"user_id":"u1","context":{"t":"x.y"}}`, `{"user_id":"u1","context":{"t":123}}`, `{"context":null}`,
		`{"user_id":"u1","context":{"t":"eyJhIjoidGVzdCJ9.AAAA"}}`, `[]`, `{`, ""} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body string) {
		ran = false
		r := httptest.NewRequest(http.MethodPost, "/mattermost/action", bytes.NewReader([]byte(body)))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if ran {
			t.Fatalf("action run for an unsigned click: %q", body)
		}
		var out model.PostActionIntegrationResponse
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("response not JSON (%v): %q", err, w.Body.String())
		}
	})
}
