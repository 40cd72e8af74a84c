package mmtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "e2e.env")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const complete = `# written by mattermost-up.sh
MM_URL=http://127.0.0.1:8065/
MM_ADMIN_USERNAME=admin
MM_ADMIN_USER_ID=a1
export MM_ADMIN_TOKEN='tok-admin'
MM_ALICE_USER_ID=u1
MM_ALICE_TOKEN="tok-alice"
MM_BOB_USER_ID=u2
MM_BOB_TOKEN=tok-bob

MM_BOT_USERNAME=parcours
MM_BOT_USER_ID=b1
MM_BOT_TOKEN=tok=bot
MM_TEAM_ID=t1
MM_TEAM_NAME=parcours-e2e
MM_CHANNEL_ID=c1
MM_CHANNEL_NAME=bots
MM_PID=1234
MM_LOG_DIR=/tmp/logs
MM_FUTURE=kept
`

func TestEnvFileIsParsedAsTheShellWouldSourceIt(t *testing.T) {
	vars, err := readEnvFile(writeFile(t, complete))
	if err != nil {
		t.Fatal(err)
	}
	env, err := fromVars(vars)
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string][2]string{
		"URL without trailing slash": {env.URL, "http://127.0.0.1:8065"},
		"export prefix, quotes":      {env.AdminToken, "tok-admin"},
		"double quotes":              {env.AliceToken, "tok-alice"},
		"= inside value":             {env.BotToken, "tok=bot"},
		"channel":                    {env.ChannelName, "bots"},
		"unknown key kept":           {env.Vars["MM_FUTURE"], "kept"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: got %q, want %q", name, c[0], c[1])
		}
	}
	if env.MattermostPID != 1234 || env.PostgresPID != 0 {
		t.Errorf("pids: got %d/%d, want 1234/0", env.MattermostPID, env.PostgresPID)
	}
}

func TestMissingKeysAreNamed(t *testing.T) {
	content := strings.Replace(complete, "MM_BOT_TOKEN=tok=bot\n", "", 1)
	content = strings.Replace(content, "MM_TEAM_ID=t1\n", "MM_TEAM_ID=\n", 1)
	vars, err := readEnvFile(writeFile(t, content))
	if err != nil {
		t.Fatal(err)
	}
	_, err = fromVars(vars)
	if err == nil || !strings.Contains(err.Error(), "MM_BOT_TOKEN") || !strings.Contains(err.Error(), "MM_TEAM_ID") {
		t.Fatalf("want an error naming MM_BOT_TOKEN and MM_TEAM_ID, got %v", err)
	}
}

func TestMalformedLineIsReported(t *testing.T) {
	_, err := readEnvFile(writeFile(t, "MM_URL=x\nnot a pair\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("want an error at line 2, got %v", err)
	}
}

func TestWithoutEnvVarTheSuiteIsSkippedWithAHint(t *testing.T) {
	t.Setenv(EnvVar, "")
	env, skip, err := load()
	if env != nil || err != nil || !strings.Contains(skip, "mattermost-up.sh") {
		t.Fatalf("got env=%v skip=%q err=%v, want a skip message naming mattermost-up.sh", env, skip, err)
	}
}

func TestUnreachableServerFailsClearly(t *testing.T) {
	content := strings.Replace(complete, "http://127.0.0.1:8065/", "http://127.0.0.1:1", 1)
	t.Setenv(EnvVar, writeFile(t, content))
	_, _, err := load()
	if err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Fatalf("want a 'does not answer' error, got %v", err)
	}
}
