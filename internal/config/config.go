// Package config reads the bot's configuration from PARCOURS_* environment
// variables, with command-line flags overriding them, and validates it so
// that each wrong or missing value yields one French message naming the
// variable to fix.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cloud-pi-native/parcours/internal/kb"
	"go.uber.org/zap"
)

// KeyFile is the button signing key generated in the data folder when none
// is configured.
const KeyFile = "action.key"

// Config is the validated configuration of `parcours serve` and `check`.
type Config struct {
	MMURL     string // Mattermost server URL, without trailing slash
	MMToken   string // bot access token: never log it
	Listen    string // address of the bot's HTTP server
	PublicURL string // how Mattermost reaches the HTTP server, without trailing slash
	// BrowserURL is how users' browsers reach the HTTP server (its /kb
	// pages), without trailing slash; PublicURL when not set.
	BrowserURL string
	DataDir    string
	// DatabaseURL, when set, puts the bot's state in PostgreSQL instead of
	// the bbolt file of DataDir, so that several replicas can run. It may
	// hold a password: never log it.
	DatabaseURL string

	// CommandTokens are slash command tokens registered by hand; tokens of
	// the commands the bot registers itself are added at run time.
	CommandTokens   []string
	RegisterCommand bool
	// Sources are the knowledge sources; the embedded one has an empty
	// BaseURL until serve points it at the bot's own /kb/ pages.
	Sources []kb.Source
	// Git says where git sources are cloned (the data folder) and with
	// which credentials.
	Git kb.GitOptions
	// Admins are usernames or user ids allowed the admin sub-commands, on
	// top of Mattermost system admins.
	Admins []string

	LogLevel string // debug, info, warn, error
	// Level, when set, is the running logger's level: /parcours journal
	// switches it without a restart.
	Level     *zap.AtomicLevel
	LogFormat string // json or console

	// ActionKey signs button contexts; when empty, Load leaves it to
	// LoadOrCreateKey, which keeps a generated one in the data folder.
	ActionKey []byte
	// ActionTTL is how long answer buttons stay clickable.
	ActionTTL time.Duration
	// DiagnosticExpiry is how long an abandoned diagnostic is kept.
	DiagnosticExpiry time.Duration
	// RateLimit is how many messages (and slash commands) a user may send
	// the bot per minute, with bursts of RateBurst; 0 turns it off.
	RateLimit, RateBurst int
	// Welcome sends newcomers of the bot's teams a welcome in a direct
	// message; WelcomeGuests includes guest accounts.
	Welcome, WelcomeGuests bool
	// ReindexMaxDrop is the share of the pages (0.01 to 1) a reindex may
	// remove unless forced (/parcours reindex forcer).
	ReindexMaxDrop float64

	// AnalyticsIdentity keeps the user id with each recorded event (off:
	// the statistics name nobody).
	AnalyticsIdentity bool
	// AnalyticsRetention is how long the statistics are kept.
	AnalyticsRetention time.Duration
	// DashboardTTL is how long a link to the dashboard opens it.
	DashboardTTL time.Duration
	// ContentOwners (usernames or ids) may see the statistics, the
	// dashboard and the export, without the other admin sub-commands.
	ContentOwners []string
}

// Env lists the environment variables, for help texts and docs.
var Env = []struct{ Name, Flag, Help string }{
	{"PARCOURS_MM_URL", "mm-url", "URL du serveur Mattermost (https://chat.exemple.gouv.fr)"},
	{"PARCOURS_MM_TOKEN", "mm-token", "jeton d'accès du compte bot (préférez la variable au drapeau)"},
	{"PARCOURS_LISTEN", "listen", "adresse d'écoute du serveur HTTP du bot (défaut :8080)"},
	{"PARCOURS_PUBLIC_URL", "public-url", "URL par laquelle Mattermost joint ce serveur HTTP"},
	{"PARCOURS_BROWSER_URL", "browser-url", "URL par laquelle les navigateurs des utilisateurs joignent ce serveur (liens vers les pages /kb) ; défaut PARCOURS_PUBLIC_URL"},
	{"PARCOURS_DATA_DIR", "data-dir", "dossier de données (base, clé de signature des boutons)"},
	{"PARCOURS_DATABASE_URL", "database-url", "URL PostgreSQL (postgres://utilisateur:motdepasse@hôte:5432/base) du stockage partagé par plusieurs réplicas ; sans elle, base bbolt dans le dossier de données"},
	{"PARCOURS_COMMAND_TOKENS", "command-tokens", "jetons de commande slash enregistrée à la main, séparés par des virgules"},
	{"PARCOURS_REGISTER_COMMAND", "register-command", "enregistrer /parcours dans les équipes du bot (true/false, défaut true)"},
	{"PARCOURS_SOURCES", "sources", "sources de connaissances : DOSSIER, DOSSIER=URL ou DOSSIER=URL|STYLE, séparées par des virgules ; « embarquee » = base intégrée (défaut)"},
	{"PARCOURS_ADMINS", "admins", "noms d'utilisateur ou identifiants des administrateurs du bot, séparés par des virgules"},
	{"PARCOURS_LOG_LEVEL", "log-level", "niveau de journalisation : debug, info, warn, error (défaut info)"},
	{"PARCOURS_LOG_FORMAT", "log-format", "format des journaux : json ou console (défaut json)"},
	{"PARCOURS_ACTION_KEY", "action-key", "clé de signature des boutons (32 caractères au moins) ; sinon générée dans le dossier de données"},
	{"PARCOURS_ACTION_TTL", "action-ttl", "durée de validité des boutons (défaut 168h)"},
	{"PARCOURS_DIAGNOSTIC_EXPIRY", "diagnostic-expiry", "durée de conservation d'un diagnostic abandonné (défaut 72h)"},
	{"PARCOURS_WELCOME", "welcome", "accueillir en message direct les nouveaux membres des équipes du bot (true/false, défaut true)"},
	{"PARCOURS_WELCOME_GUESTS", "welcome-guests", "accueillir aussi les invités (true/false, défaut false)"},
	{"PARCOURS_ANALYTICS_IDENTITY", "analytics-identity", "enregistrer l'identité des utilisateurs avec leurs questions, avis et diagnostics dans les statistiques (true/false, défaut false : statistiques anonymes)"},
	{"PARCOURS_ANALYTICS_RETENTION", "analytics-retention", "durée de conservation des statistiques, en jours (90j) ou en durée Go (2160h) (défaut 90j)"},
	{"PARCOURS_DASHBOARD_TTL", "dashboard-ttl", "durée de validité d'un lien vers le tableau de bord (défaut 1h)"},
	{"PARCOURS_CONTENT_OWNERS", "content-owners", "responsables de contenu (noms ou identifiants, séparés par des virgules) : statistiques, tableau de bord et export, sans les autres commandes d'administration"},
	{"PARCOURS_RATE_LIMIT", "rate-limit", "messages (et commandes) par minute qu'un utilisateur peut adresser au bot ; au-delà, un message poli puis le silence (défaut 10, 0 = sans limite)"},
	{"PARCOURS_RATE_BURST", "rate-burst", "messages qu'un utilisateur peut envoyer d'affilée avant que la limite s'applique (défaut 10)"},
	{"PARCOURS_REINDEX_MAX_DROP", "reindex-max-drop", "part des pages qu'un rechargement peut retirer sans « /parcours reindex forcer », en % (défaut 50 ; 100 = sans contrôle)"},
	{"PARCOURS_GIT_USERNAME", "git-username", "utilisateur HTTPS des sources git (défaut oauth2)"},
	{"PARCOURS_GIT_TOKEN", "git-token", "jeton (ou mot de passe) HTTPS des sources git ; préférez PARCOURS_GIT_TOKEN_FILE"},
	{"PARCOURS_GIT_TOKEN_FILE", "git-token-file", "fichier contenant le jeton HTTPS des sources git, relu à chaque mise à jour"},
	{"PARCOURS_GIT_SSH_KEY_FILE", "git-ssh-key-file", "clé privée SSH (sans phrase de passe) des sources git en ssh://"},
	{"PARCOURS_GIT_SSH_KNOWN_HOSTS", "git-ssh-known-hosts", "fichier known_hosts des forges SSH (empreintes toujours vérifiées)"},
	{"PARCOURS_GIT_TIMEOUT", "git-timeout", "durée maximale d'une mise à jour d'une source git (défaut 2m)"},
	{"PARCOURS_GIT_MAX_SIZE_MB", "git-max-size-mb", "taille maximale d'une source git récupérée, en Mo (défaut 512)"},
}

// Load reads the configuration: each setting from its flag when given,
// else from its environment variable, else its default. It returns every
// problem at once, one line per variable. out receives the flag usage.
func Load(args []string, getenv func(string) string, out io.Writer) (*Config, error) {
	fs := flag.NewFlagSet("parcours", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintln(out, "Utilisation : parcours serve|check [options]")
		fmt.Fprintln(out, "Chaque option peut venir de la variable d'environnement indiquée entre crochets ; l'option l'emporte.")
		fs.PrintDefaults()
	}
	vals := map[string]*string{}
	for _, e := range Env {
		vals[e.Name] = fs.String(e.Flag, "", e.Help+" ["+e.Name+"]")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("argument inattendu « %s »", fs.Arg(0))
	}
	get := func(name string) string {
		if v := strings.TrimSpace(*vals[name]); v != "" {
			return v
		}
		return strings.TrimSpace(getenv(name))
	}
	var errs []error
	bad := func(name, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s : %s", name, fmt.Sprintf(format, a...)))
	}

	c := &Config{}
	c.MMURL = checkURL(get("PARCOURS_MM_URL"), "PARCOURS_MM_URL", "l'URL du serveur Mattermost", bad)
	c.MMToken = get("PARCOURS_MM_TOKEN")
	if c.MMToken == "" {
		bad("PARCOURS_MM_TOKEN", "manquant : indiquez le jeton d'accès du compte bot (Intégrations > Comptes bot)")
	} else if strings.ContainsAny(c.MMToken, " \t/") {
		bad("PARCOURS_MM_TOKEN", "jeton invalide (il ne doit contenir ni espace ni « / »)")
	}
	c.Listen = get("PARCOURS_LISTEN")
	if c.Listen == "" {
		c.Listen = ":8080"
	}
	if _, port, err := net.SplitHostPort(c.Listen); err != nil {
		bad("PARCOURS_LISTEN", "adresse « %s » invalide : attendu hôte:port, par exemple :8080 ou 127.0.0.1:8080", c.Listen)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("PARCOURS_LISTEN", "port « %s » invalide", port)
	}
	c.PublicURL = checkURL(get("PARCOURS_PUBLIC_URL"), "PARCOURS_PUBLIC_URL", "l'URL par laquelle Mattermost joint le bot (par exemple http://parcours:8080)", bad)
	c.BrowserURL = c.PublicURL
	if v := get("PARCOURS_BROWSER_URL"); v != "" {
		c.BrowserURL = checkURL(v, "PARCOURS_BROWSER_URL", "", bad)
	}

	c.DataDir = get("PARCOURS_DATA_DIR")
	if c.DataDir == "" {
		bad("PARCOURS_DATA_DIR", "manquant : indiquez le dossier où le bot garde ses données")
	} else if st, err := os.Stat(c.DataDir); err == nil && !st.IsDir() {
		bad("PARCOURS_DATA_DIR", "« %s » existe et n'est pas un dossier", c.DataDir)
	}

	c.DatabaseURL = get("PARCOURS_DATABASE_URL")
	if c.DatabaseURL != "" && !validDatabaseURL(c.DatabaseURL) {
		// The value may hold a password: not repeated.
		bad("PARCOURS_DATABASE_URL", "attendu postgres://utilisateur:motdepasse@hôte:5432/base?sslmode=require (ou host=… dbname=…)")
	}

	c.CommandTokens = splitList(get("PARCOURS_COMMAND_TOKENS"))
	for _, t := range c.CommandTokens {
		if len(t) < 8 {
			bad("PARCOURS_COMMAND_TOKENS", "un jeton fait moins de 8 caractères : copiez le jeton complet affiché par Mattermost")
			break
		}
	}
	boolVar := func(name string, def bool) bool {
		v := get(name)
		if v == "" {
			return def
		}
		b, err := parseBool(v)
		if err != nil {
			bad(name, "valeur « %s » invalide : attendu true ou false", v)
			return def
		}
		return b
	}
	c.RegisterCommand = boolVar("PARCOURS_REGISTER_COMMAND", true)
	c.Welcome = boolVar("PARCOURS_WELCOME", true)
	c.WelcomeGuests = boolVar("PARCOURS_WELCOME_GUESTS", false)

	c.Git = gitOptions(get, c.DataDir, bad)
	c.Sources = parseSources(get("PARCOURS_SOURCES"), c.Git, bad)
	c.Admins = splitList(get("PARCOURS_ADMINS"))
	for i, a := range c.Admins {
		c.Admins[i] = strings.ToLower(strings.TrimPrefix(a, "@"))
	}
	c.ContentOwners = splitList(get("PARCOURS_CONTENT_OWNERS"))
	for i, a := range c.ContentOwners {
		c.ContentOwners[i] = strings.ToLower(strings.TrimPrefix(a, "@"))
	}
	c.AnalyticsIdentity = boolVar("PARCOURS_ANALYTICS_IDENTITY", false)
	c.AnalyticsRetention = parseDays(get("PARCOURS_ANALYTICS_RETENTION"), 90*24*time.Hour, "PARCOURS_ANALYTICS_RETENTION", bad)
	c.DashboardTTL = parseDuration(get("PARCOURS_DASHBOARD_TTL"), time.Hour, "PARCOURS_DASHBOARD_TTL", bad)

	c.LogLevel = strings.ToLower(get("PARCOURS_LOG_LEVEL"))
	switch c.LogLevel {
	case "":
		c.LogLevel = "info"
	case "debug", "info", "warn", "error":
	default:
		bad("PARCOURS_LOG_LEVEL", "niveau « %s » inconnu : attendu debug, info, warn ou error", c.LogLevel)
	}
	c.LogFormat = strings.ToLower(get("PARCOURS_LOG_FORMAT"))
	switch c.LogFormat {
	case "":
		c.LogFormat = "json"
	case "json", "console":
	default:
		bad("PARCOURS_LOG_FORMAT", "format « %s » inconnu : attendu json ou console", c.LogFormat)
	}

	if k := get("PARCOURS_ACTION_KEY"); k != "" {
		if len(k) < 32 {
			bad("PARCOURS_ACTION_KEY", "clé trop courte (%d caractères, 32 au moins)", len(k))
		}
		c.ActionKey = []byte(k)
	}
	intVar := func(name string, def, lo, hi int) int {
		v := get(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			bad(name, "valeur « %s » invalide : attendu un nombre entier de %d à %d", v, lo, hi)
			return def
		}
		return n
	}
	c.RateLimit = intVar("PARCOURS_RATE_LIMIT", 10, 0, 100000)
	c.RateBurst = intVar("PARCOURS_RATE_BURST", 10, 1, 100000)
	if v := get("PARCOURS_REINDEX_MAX_DROP"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(v, "%")))
		if err != nil || n < 1 || n > 100 {
			bad("PARCOURS_REINDEX_MAX_DROP", "valeur « %s » invalide : attendu un pourcentage de 1 à 100", v)
		}
		c.ReindexMaxDrop = float64(n) / 100
	} else {
		c.ReindexMaxDrop = 0.5
	}
	c.ActionTTL = parseDuration(get("PARCOURS_ACTION_TTL"), 7*24*time.Hour, "PARCOURS_ACTION_TTL", bad)
	c.DiagnosticExpiry = parseDuration(get("PARCOURS_DIAGNOSTIC_EXPIRY"), 72*time.Hour, "PARCOURS_DIAGNOSTIC_EXPIRY", bad)

	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration invalide :\n%w", errors.Join(errs...))
	}
	return c, nil
}

// validDatabaseURL accepts what pgx reads: a postgres:// or postgresql://
// URL with a host or a socket folder, or key=value settings.
func validDatabaseURL(v string) bool {
	if strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://") {
		u, err := url.Parse(v)
		return err == nil && (u.Host != "" || u.Query().Get("host") != "")
	}
	return strings.Contains(v, "=") && !strings.Contains(v, "://")
}

// PagesURL is the address of the bot's /kb pages in links users open.
func (c *Config) PagesURL() string {
	if c.BrowserURL == "" {
		return c.PublicURL + "/kb"
	}
	return c.BrowserURL + "/kb"
}

// IsContentOwner reports whether a username or user id is in the
// configured list of content owners.
func (c *Config) IsContentOwner(userID, username string) bool {
	for _, a := range c.ContentOwners {
		if a == strings.ToLower(userID) || (username != "" && a == strings.ToLower(username)) {
			return true
		}
	}
	return false
}

// IsAdminName reports whether a username or user id is in the configured
// admin list.
func (c *Config) IsAdminName(userID, username string) bool {
	for _, a := range c.Admins {
		if a == strings.ToLower(userID) || (username != "" && a == strings.ToLower(username)) {
			return true
		}
	}
	return false
}

// LoadOrCreateKey returns the configured button signing key, or the one
// kept in the data folder, generating it (0600) on first start so that
// buttons stay valid across restarts.
func (c *Config) LoadOrCreateKey() ([]byte, error) {
	if len(c.ActionKey) > 0 {
		return c.ActionKey, nil
	}
	path := filepath.Join(c.DataDir, KeyFile)
	if data, err := os.ReadFile(path); err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(data)))
		if err != nil || len(key) < 32 {
			return nil, fmt.Errorf("clé de signature %s illisible : supprimez le fichier pour en générer une nouvelle", path)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("lecture de la clé de signature: %w", err)
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("création du dossier de données %s: %w", c.DataDir, err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("génération de la clé de signature: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("écriture de la clé de signature: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("écriture de la clé de signature: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("écriture de la clé de signature: %w", err)
	}
	return key, nil
}

func checkURL(v, name, what string, bad func(string, string, ...any)) string {
	if v == "" {
		bad(name, "manquant : indiquez %s", what)
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad(name, "URL « %s » invalide : attendu http(s)://hôte[:port]", v)
		return ""
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		bad(name, "URL « %s » invalide : ni identifiants, ni paramètres, ni fragment", v)
		return ""
	}
	return strings.TrimRight(v, "/")
}

func parseSources(v string, git kb.GitOptions, bad func(string, string, ...any)) []kb.Source {
	items := splitList(v)
	if len(items) == 0 {
		return []kb.Source{kb.Embedded()}
	}
	var out []kb.Source
	for _, it := range items {
		dir, base, _ := strings.Cut(it, "=")
		switch strings.ToLower(strings.TrimSpace(dir)) {
		case "embarque", "embarquee", "embarquée", "embedded":
			src := kb.Embedded()
			src.BaseURL = strings.TrimSpace(base)
			out = append(out, src)
			continue
		}
		src, err := kb.ParseSourceSpec(it, git)
		if err != nil {
			bad("PARCOURS_SOURCES", "%v", err)
			continue
		}
		out = append(out, src)
	}
	return out
}

// GitSourcesDir is where git sources are cloned, inside the data folder.
const GitSourcesDir = "sources"

// GitOptions reads the PARCOURS_GIT_* variables for commands that are not
// the bot (ask, search...): checkouts go to PARCOURS_DATA_DIR when set (as
// in the image, whose root is read-only), else the user's cache.
func GitOptions(getenv func(string) string) (kb.GitOptions, error) {
	var errs []error
	bad := func(name, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s : %s", name, fmt.Sprintf(format, a...)))
	}
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	o := gitOptions(get, get("PARCOURS_DATA_DIR"), bad)
	if o.CacheDir == "" {
		if cache, err := os.UserCacheDir(); err == nil {
			o.CacheDir = filepath.Join(cache, "parcours", GitSourcesDir)
		} else {
			o.CacheDir = filepath.Join(os.TempDir(), "parcours-"+GitSourcesDir)
		}
	}
	return o, errors.Join(errs...)
}

func gitOptions(get func(string) string, dataDir string, bad func(string, string, ...any)) kb.GitOptions {
	o := kb.GitOptions{Auth: kb.GitAuth{
		Username:      get("PARCOURS_GIT_USERNAME"),
		Token:         get("PARCOURS_GIT_TOKEN"),
		TokenFile:     get("PARCOURS_GIT_TOKEN_FILE"),
		SSHKeyFile:    get("PARCOURS_GIT_SSH_KEY_FILE"),
		SSHKnownHosts: get("PARCOURS_GIT_SSH_KNOWN_HOSTS"),
	}}
	if dataDir != "" {
		o.CacheDir = filepath.Join(dataDir, GitSourcesDir)
	}
	o.Timeout = parseDuration(get("PARCOURS_GIT_TIMEOUT"), kb.DefaultGitTimeout, "PARCOURS_GIT_TIMEOUT", bad)
	if v := get("PARCOURS_GIT_MAX_SIZE_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			bad("PARCOURS_GIT_MAX_SIZE_MB", "taille « %s » invalide : attendu un nombre de Mo, par exemple 512", v)
		} else {
			o.MaxSize = int64(n) << 20
		}
	}
	return o
}

func parseDuration(v string, def time.Duration, name string, bad func(string, string, ...any)) time.Duration {
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		bad(name, "durée « %s » invalide : attendu par exemple 72h ou 30m", v)
		return def
	}
	return d
}

// parseDays reads a duration in days ("90j", "90d", "90") or as Go writes
// it ("2160h"), at least a day.
func parseDays(v string, def time.Duration, name string, bad func(string, string, ...any)) time.Duration {
	if v == "" {
		return def
	}
	num := strings.TrimRight(strings.ToLower(v), "jd")
	if n, err := strconv.Atoi(num); err == nil && num != "" {
		if n < 1 || n > 3650 {
			bad(name, "durée « %s » invalide : de 1j à 3650j", v)
			return def
		}
		return time.Duration(n) * 24 * time.Hour
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 24*time.Hour {
		bad(name, "durée « %s » invalide : attendu un nombre de jours (90j) ou une durée d'au moins 24h", v)
		return def
	}
	return d
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "oui", "yes", "on":
		return true, nil
	case "0", "false", "non", "no", "off":
		return false, nil
	}
	return false, errors.New("booléen invalide")
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
