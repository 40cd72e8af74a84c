package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/kb"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func validEnv(t *testing.T) map[string]string {
	return map[string]string{
		"PARCOURS_MM_URL":     "https://chat.example.org/",
		"PARCOURS_MM_TOKEN":   "abcdefghijklmnopqrstuvwxyz",
		"PARCOURS_LISTEN":     "127.0.0.1:8080",
		"PARCOURS_PUBLIC_URL": "http://parcours:8080",
		"PARCOURS_DATA_DIR":   t.TempDir(),
	}
}

func TestLoadValid(t *testing.T) {
	env := validEnv(t)
	env["PARCOURS_ADMINS"] = "@Alice, 4xk1"
	c, err := Load(nil, envOf(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.MMURL != "https://chat.example.org" {
		t.Errorf("trailing slash kept: %q", c.MMURL)
	}
	if !c.RegisterCommand || c.LogLevel != "info" || c.LogFormat != "json" {
		t.Errorf("defaults not applied: %+v", c)
	}
	if len(c.Sources) != 1 || c.Sources[0].Name != kb.EmbeddedName {
		t.Errorf("default source should be the embedded base: %+v", c.Sources)
	}
	if !c.IsAdminName("x", "alice") || !c.IsAdminName("4XK1", "") || c.IsAdminName("y", "bob") {
		t.Errorf("admin list not applied: %v", c.Admins)
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	env := validEnv(t)
	c, err := Load([]string{"-listen", ":9999", "-log-level", "debug"}, envOf(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":9999" || c.LogLevel != "debug" {
		t.Errorf("flags did not override: %q %q", c.Listen, c.LogLevel)
	}
}

func TestEveryProblemNamed(t *testing.T) {
	_, err := Load(nil, envOf(map[string]string{
		"PARCOURS_LISTEN":     "8080",
		"PARCOURS_PUBLIC_URL": "ftp://x",
		"PARCOURS_LOG_LEVEL":  "bavard",
		"PARCOURS_ACTION_KEY": "zq7x",
		"PARCOURS_SOURCES":    "/nexiste/pas=https://doc",
	}), io.Discard)
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, name := range []string{"PARCOURS_MM_URL", "PARCOURS_MM_TOKEN", "PARCOURS_LISTEN", "PARCOURS_PUBLIC_URL",
		"PARCOURS_DATA_DIR", "PARCOURS_LOG_LEVEL", "PARCOURS_ACTION_KEY", "PARCOURS_SOURCES"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("message does not name %s:\n%v", name, err)
		}
	}
	if strings.Contains(err.Error(), "zq7x") {
		t.Errorf("message echoes the secret key: %v", err)
	}
}

func TestSources(t *testing.T) {
	env := validEnv(t)
	dir := t.TempDir()
	env["PARCOURS_SOURCES"] = "embarquee, " + dir + "=https://doc.example.org/base|html"
	c, err := Load(nil, envOf(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 2 || c.Sources[0].Name != kb.EmbeddedName || c.Sources[1].BaseURL != "https://doc.example.org/base" || c.Sources[1].Links != kb.LinkHTML {
		t.Errorf("sources %+v", c.Sources)
	}
}

func TestKeyGeneratedOnceAndPrivate(t *testing.T) {
	c := &Config{DataDir: filepath.Join(t.TempDir(), "data")}
	k1, err := c.LoadOrCreateKey()
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(c.DataDir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	k2, err := c.LoadOrCreateKey()
	if err != nil {
		t.Fatal(err)
	}
	if string(k1) != string(k2) || len(k1) < 32 {
		t.Error("key not stable across restarts")
	}
	c.ActionKey = []byte(strings.Repeat("k", 32))
	if k, _ := c.LoadOrCreateKey(); string(k) != string(c.ActionKey) {
		t.Error("configured key not preferred")
	}
}

func TestWelcomeSettings(t *testing.T) {
	env := validEnv(t)
	c, err := Load(nil, envOf(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Welcome || c.WelcomeGuests {
		t.Errorf("defaults: welcome %v, guests %v; want true, false", c.Welcome, c.WelcomeGuests)
	}
	env["PARCOURS_WELCOME"] = "false"
	env["PARCOURS_WELCOME_GUESTS"] = "oui"
	if c, err = Load(nil, envOf(env), io.Discard); err != nil || c.Welcome || !c.WelcomeGuests {
		t.Errorf("welcome=false guests=oui: %+v %v", c, err)
	}
	env["PARCOURS_WELCOME"] = "peut-être"
	if _, err := Load(nil, envOf(env), io.Discard); err == nil || !strings.Contains(err.Error(), "PARCOURS_WELCOME") {
		t.Errorf("invalid PARCOURS_WELCOME accepted: %v", err)
	}
}

func TestGitSettings(t *testing.T) {
	env := validEnv(t)
	env["PARCOURS_GIT_TOKEN_FILE"] = "/var/run/secrets/parcours-git/token"
	env["PARCOURS_GIT_TIMEOUT"] = "30s"
	env["PARCOURS_GIT_MAX_SIZE_MB"] = "64"
	c, err := Load(nil, envOf(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Git.CacheDir != filepath.Join(env["PARCOURS_DATA_DIR"], GitSourcesDir) || c.Git.Auth.TokenFile != env["PARCOURS_GIT_TOKEN_FILE"] ||
		c.Git.Timeout.Seconds() != 30 || c.Git.MaxSize != 64<<20 {
		t.Errorf("git settings %+v", c.Git)
	}
	env["PARCOURS_GIT_MAX_SIZE_MB"] = "beaucoup"
	env["PARCOURS_GIT_TIMEOUT"] = "-1s"
	_, err = Load(nil, envOf(env), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "PARCOURS_GIT_MAX_SIZE_MB") || !strings.Contains(err.Error(), "PARCOURS_GIT_TIMEOUT") {
		t.Errorf("bad git settings must name their variables: %v", err)
	}
	// The command line keeps checkouts in the data folder when there is one
	// (the image's root is read-only), else in the user's cache.
	o, err := GitOptions(envOf(map[string]string{"PARCOURS_DATA_DIR": "/data"}))
	if err != nil || o.CacheDir != "/data/sources" {
		t.Errorf("GitOptions with a data folder: %+v, %v", o, err)
	}
	if o, err := GitOptions(envOf(nil)); err != nil || o.CacheDir == "" {
		t.Errorf("GitOptions without a data folder: %+v, %v", o, err)
	}
}

func TestBrowserURL(t *testing.T) {
	env := validEnv(t)
	c, err := Load(nil, envOf(env), io.Discard)
	if err != nil || c.PagesURL() != "http://parcours:8080/kb" {
		t.Fatalf("default: links to /kb use the public URL: %q, %v", c.PagesURL(), err)
	}
	env["PARCOURS_BROWSER_URL"] = "https://parcours.exemple.gouv.fr/"
	c, err = Load(nil, envOf(env), io.Discard)
	if err != nil || c.PagesURL() != "https://parcours.exemple.gouv.fr/kb" || c.PublicURL != "http://parcours:8080" {
		t.Fatalf("browser URL: %q (public %q), %v", c.PagesURL(), c.PublicURL, err)
	}
	env["PARCOURS_BROWSER_URL"] = "parcours.exemple.gouv.fr"
	if _, err := Load(nil, envOf(env), io.Discard); err == nil || !strings.Contains(err.Error(), "PARCOURS_BROWSER_URL") {
		t.Errorf("an invalid browser URL must be named: %v", err)
	}
}

func TestRateLimitSettings(t *testing.T) {
	env := validEnv(t)
	c, err := Load(nil, envOf(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.RateLimit != 10 || c.RateBurst != 10 {
		t.Errorf("defaults %d/min burst %d, want 10 and 10", c.RateLimit, c.RateBurst)
	}
	env["PARCOURS_RATE_LIMIT"], env["PARCOURS_RATE_BURST"] = "0", "3"
	if c, err = Load(nil, envOf(env), io.Discard); err != nil || c.RateLimit != 0 || c.RateBurst != 3 {
		t.Errorf("limit off: %v %+v", err, c)
	}
	env["PARCOURS_RATE_LIMIT"], env["PARCOURS_RATE_BURST"] = "dix", "0"
	_, err = Load(nil, envOf(env), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "PARCOURS_RATE_LIMIT") || !strings.Contains(err.Error(), "PARCOURS_RATE_BURST") {
		t.Errorf("bad values accepted: %v", err)
	}
}

func TestReindexMaxDrop(t *testing.T) {
	env := validEnv(t)
	c, err := Load(nil, envOf(env), io.Discard)
	if err != nil || c.ReindexMaxDrop != 0.5 {
		t.Fatalf("default: %v %v", err, c)
	}
	for v, want := range map[string]float64{"30": 0.3, "80 %": 0.8, "100%": 1} {
		env["PARCOURS_REINDEX_MAX_DROP"] = v
		if c, err = Load(nil, envOf(env), io.Discard); err != nil || c.ReindexMaxDrop != want {
			t.Errorf("%q: %v %v", v, err, c.ReindexMaxDrop)
		}
	}
	for _, v := range []string{"0", "101", "moitié", "0.5"} {
		env["PARCOURS_REINDEX_MAX_DROP"] = v
		if _, err = Load(nil, envOf(env), io.Discard); err == nil || !strings.Contains(err.Error(), "PARCOURS_REINDEX_MAX_DROP") {
			t.Errorf("%q accepted: %v", v, err)
		}
	}
}

func TestAnalyticsSettings(t *testing.T) {
	env := validEnv(t)
	c, err := Load(nil, envOf(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.AnalyticsIdentity || c.AnalyticsRetention != 90*24*time.Hour || c.DashboardTTL != time.Hour || len(c.ContentOwners) != 0 {
		t.Errorf("defaults: identity %v, retention %v, dashboard %v, owners %v; want anonymous, 90 days, 1 hour, none",
			c.AnalyticsIdentity, c.AnalyticsRetention, c.DashboardTTL, c.ContentOwners)
	}
	for v, want := range map[string]time.Duration{"30j": 30 * 24 * time.Hour, "7d": 7 * 24 * time.Hour, "365": 365 * 24 * time.Hour, "48h": 48 * time.Hour} {
		env["PARCOURS_ANALYTICS_RETENTION"] = v
		if c, err := Load(nil, envOf(env), io.Discard); err != nil || c.AnalyticsRetention != want {
			t.Errorf("retention %q: %v, %v; want %v", v, c, err, want)
		}
	}
	env["PARCOURS_CONTENT_OWNERS"] = "@Chloe, u42"
	env["PARCOURS_ANALYTICS_IDENTITY"] = "oui"
	env["PARCOURS_ANALYTICS_RETENTION"] = "90j"
	c, err = Load(nil, envOf(env), io.Discard)
	if err != nil || !c.AnalyticsIdentity || !c.IsContentOwner("x", "chloe") || !c.IsContentOwner("U42", "") || c.IsContentOwner("bob", "bob") || c.IsAdminName("x", "chloe") {
		t.Errorf("owners %v identity %v: %v", c.ContentOwners, c.AnalyticsIdentity, err)
	}
	for _, bad := range []string{"0j", "-3j", "1h", "toujours", "j"} {
		env["PARCOURS_ANALYTICS_RETENTION"] = bad
		if _, err := Load(nil, envOf(env), io.Discard); err == nil || !strings.Contains(err.Error(), "PARCOURS_ANALYTICS_RETENTION") {
			t.Errorf("retention %q accepted: %v", bad, err)
		}
	}
}

// Without PARCOURS_DATABASE_URL the bbolt store is used, as before; a URL is
// checked without its password ever showing in the message.
func TestDatabaseURL(t *testing.T) {
	env := validEnv(t)
	c, err := Load(nil, envOf(env), io.Discard)
	if err != nil || c.DatabaseURL != "" {
		t.Fatalf("default: %v %q", err, c.DatabaseURL)
	}
	for _, ok := range []string{
		"postgres://parcours:pw@db.example.org:5432/parcours?sslmode=require",
		"postgresql://parcours@/parcours?host=/var/run/postgresql",
		"host=db.example.org user=parcours dbname=parcours",
	} {
		env["PARCOURS_DATABASE_URL"] = ok
		if c, err := Load(nil, envOf(env), io.Discard); err != nil || c.DatabaseURL != ok {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"mysql://u:s3cr3t@h/db", "postgres://u:s3cr3t@/db", "s3cr3t"} {
		env["PARCOURS_DATABASE_URL"] = bad
		_, err := Load(nil, envOf(env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "PARCOURS_DATABASE_URL") {
			t.Errorf("%s accepted: %v", bad, err)
		} else if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("the message repeats the URL: %v", err)
		}
	}
}
