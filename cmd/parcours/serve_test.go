package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func runWithEnv(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func TestServeAndCheckNameEveryMissingVariable(t *testing.T) {
	for _, cmd := range []string{"serve", "check"} {
		code, _, stderr := runWithEnv(t, nil, cmd)
		if code != 2 {
			t.Errorf("%s without configuration: exit %d, want 2", cmd, code)
		}
		for _, v := range []string{"PARCOURS_MM_URL", "PARCOURS_MM_TOKEN", "PARCOURS_PUBLIC_URL", "PARCOURS_DATA_DIR"} {
			if !strings.Contains(stderr, v) {
				t.Errorf("%s: message does not name %s:\n%s", cmd, v, stderr)
			}
		}
	}
}

func TestCheckRefusesABadTokenWithoutPrintingIt(t *testing.T) {
	mm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v4/system/ping" { // a Mattermost answers, the token is what is wrong
			w.Header().Set("X-Version-Id", "11.4.0.0.0.false")
			w.Write([]byte(`{"status":"OK"}`))
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"id":"api.context.session_expired.app_error","message":"Invalid or expired session","status_code":401}`))
	}))
	defer mm.Close()
	vars := map[string]string{
		"PARCOURS_MM_URL": mm.URL, "PARCOURS_MM_TOKEN": "secret-token-123456", "PARCOURS_PUBLIC_URL": "http://bot:8080",
		"PARCOURS_DATA_DIR": t.TempDir(),
	}
	code, stdout, stderr := runWithEnv(t, vars, "check")
	if code != 1 || !strings.Contains(stderr, "PARCOURS_MM_TOKEN") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	if strings.Contains(stdout+stderr, "secret-token") {
		t.Error("the token was printed")
	}
}
