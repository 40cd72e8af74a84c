// Package serve wires the Mattermost bot together, in small steps you can
// read in order: Mattermost's account, the state (bbolt, or PostgreSQL for
// replicas), the knowledge base and the diagnostic, the conversation with
// its statistics, the Mattermost adapter and the HTTP server. New builds,
// Run serves until its context ends, Close releases. `parcours serve` and
// the end-to-end tests both use it.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/bolt"
	"github.com/cloud-pi-native/parcours/internal/config"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/dashboard"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/httpapi"
	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/cloud-pi-native/parcours/internal/metrics"
	"github.com/cloud-pi-native/parcours/internal/ratelimit"
	"github.com/cloud-pi-native/parcours/internal/report"
	"github.com/cloud-pi-native/parcours/internal/version"
	"github.com/cloud-pi-native/parcours/internal/welcome"
	"github.com/cloud-pi-native/parcours/knowledge"
)

// StateFile, in the data folder, is where versions before the progress
// store kept the time of the newest post seen, on clean shutdowns only. It
// is read once, when the store has no position yet.
const StateFile = "dernier-message"

// Bot is the Mattermost bot and what it is made of.
type Bot struct {
	Config       *config.Config
	Store        *bolt.DB // nil with PostgreSQL (PARCOURS_DATABASE_URL)
	Engine       *answer.Engine
	Diagnostic   *diagnostic.Engine
	Conversation *conversation.Conversation
	Client       *mattermost.Client
	MM           *mattermost.Bot
	Joins        *mattermost.Joins
	Tokens       *mattermost.Tokens
	HTTP         *httpapi.Server
	Metrics      *metrics.Metrics
	// Analytics records what happens for the statistics; Reports answers
	// /parcours stats, tableau and export; Dashboard serves /tableau.
	Analytics *analytics.Recorder
	Reports   *report.Reports
	Dashboard *dashboard.Handler
	Addr      net.Addr // where the HTTP server listens

	log     *zap.Logger
	me      *model.User
	signer  *mattermost.Signer
	state   *state
	ln      net.Listener
	srv     *http.Server
	closing sync.Once
	done    chan error
}

// New builds the bot on cfg: it connects to Mattermost, opens the store,
// loads the knowledge base and listens on ln (cfg.Listen when nil); nothing
// is served until Run.
func New(ctx context.Context, cfg *config.Config, ln net.Listener, log *zap.Logger) (b *Bot, err error) {
	b = &Bot{Config: cfg, log: log, Metrics: metrics.New(), ln: ln, done: make(chan error, 1)}
	v := version.Get()
	log.Info("starting", zap.String("version", v.Version), zap.String("commit", v.Commit), zap.String("build_date", v.Date), zap.String("go", v.Go))
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	for _, step := range []func(context.Context) error{b.connect, b.openStore, b.openKnowledge, b.newConversation, b.newMattermost, b.listen} {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// connect checks the bot's account on Mattermost.
func (b *Bot) connect(ctx context.Context) error {
	b.Client = mattermost.NewClient(b.Config.MMURL, b.Config.MMToken)
	me, version, err := mattermost.Check(ctx, b.Client)
	if err != nil {
		return err
	}
	b.me = me
	b.log.Info("connected to Mattermost", zap.String("server_version", version), zap.String("bot", me.Username), zap.String("bot_id", me.Id))
	return nil
}

// openStore opens the state: the bbolt store of the data folder (with its
// admin socket for `parcours backup`), or PostgreSQL; the button signing
// key; the statistics.
func (b *Bot) openStore(ctx context.Context) error {
	st, err := openState(ctx, b.Config, b.log)
	if err != nil {
		return err
	}
	b.state, b.Store = st, st.bolt
	b.signer = mattermost.NewSigner(st.key, b.Config.ActionTTL)
	// With replicas, the version of the knowledge base is read before
	// loading it: a reindex made meanwhile elsewhere is then seen.
	if st.kb != nil {
		if _, err := st.kb.Current(ctx); err != nil {
			return err
		}
	}
	b.Analytics = &analytics.Recorder{Store: st.analytics, Identity: b.Config.AnalyticsIdentity, Retention: b.Config.AnalyticsRetention}
	if st.bolt != nil {
		if n, err := st.bolt.MigrateMisses(ctx, b.Analytics); err != nil {
			b.log.Warn("unanswered questions of an earlier version not moved to the statistics", zap.Error(err))
		} else if n > 0 {
			b.log.Info("unanswered questions of an earlier version moved to the statistics", zap.Int("questions", n))
		}
	}
	return nil
}

// openKnowledge loads the knowledge base and the diagnostic's questionnaire.
func (b *Bot) openKnowledge(ctx context.Context) error {
	var err error
	sources, _ := servedSources(b.Config)
	b.Engine, err = answer.Open(ctx, answer.Options{Sources: sources, Logger: b.log.Named("answer"), MaxDrop: b.Config.ReindexMaxDrop})
	if err != nil {
		return fmt.Errorf("chargement de la base de connaissances: %w", err)
	}
	st := b.Engine.Stats()
	b.Metrics.IndexPages.Set(float64(st.Pages))
	b.Metrics.IndexSections.Set(float64(st.Sections))
	b.log.Info("knowledge base loaded", zap.Int("pages", st.Pages), zap.Int("sections", st.Sections), zap.Int("warnings", len(st.Warnings)))
	q, err := loadQuestionnaire(b.Config.Sources)
	if err != nil {
		// A bad edit must not keep the bot down: the shipped questionnaire
		// serves until the file is fixed and reindexed.
		b.log.Error("questionnaire invalide : le questionnaire intégré est utilisé", zap.Error(err))
		if q, err = diagnostic.Load(knowledge.FS, diagnostic.File); err != nil {
			return fmt.Errorf("questionnaire intégré: %w", err)
		}
	}
	b.Diagnostic, err = diagnostic.New(diagnostic.Config{Questionnaire: q, Store: b.state.diag, TTL: b.Config.DiagnosticExpiry,
		Role: b.Engine.Role, Logger: b.log.Named("diagnostic")})
	return err
}

// newConversation builds the conversation every channel goes through.
func (b *Bot) newConversation(ctx context.Context) error {
	wel, warns, err := loadWelcome(b.Config.Sources)
	if err != nil {
		b.log.Error("message de bienvenue invalide : celui intégré est utilisé", zap.Error(err))
		// The shipped text, with the organisation's values all the same.
		if wel, warns, err = loadWelcome(append([]kb.Source{kb.Embedded()}, b.Config.Sources...)); err != nil {
			return fmt.Errorf("message de bienvenue intégré: %w", err)
		}
	}
	for _, w := range warns {
		b.log.Warn("message de bienvenue", zap.String("avertissement", w))
	}
	b.Conversation, err = conversation.New(conversation.Config{
		Knowledge:  b.Engine,
		Diagnostic: b.Diagnostic,
		Stores:     conversation.Stores{Record: report.Recorder{R: b.Analytics}, Feedback: b.state.records, Welcomed: b.state.records},
		Directory:  &mattermost.Directory{API: b.Client},
		Index:      index{b},
		IsAdmin:    b.isAdmin,
		Welcome:    conversation.WelcomeOptions{Message: wel, Newcomers: b.Config.Welcome, Guests: b.Config.WelcomeGuests},
		BotName:    b.me.Username,
		Metrics:    b.Metrics,
		Logger:     b.log.Named("conversation"),
	})
	if err != nil {
		return err
	}
	if b.Config.Level != nil {
		b.Conversation.Register(conversation.Journal(*b.Config.Level, b.log.Named("conversation")))
	}
	// The statistics: /parcours stats, tableau and export.
	links := dashboard.NewLinks(b.state.key, b.Config.DashboardTTL, b.Config.BrowserURL)
	b.Reports = &report.Reports{Store: b.state.analytics, Links: links,
		Direct: direct{client: b.Client, botID: b.me.Id}, Names: b.analyticsNames}
	for _, s := range b.reportCommands() {
		b.Conversation.Register(s)
	}
	b.Dashboard = dashboard.New(dashboard.Options{Store: b.state.analytics, Links: links,
		Allowed: func(ctx context.Context, userID string) (bool, error) { return b.canSeeStats(ctx, userID, "") },
		Names:   b.analyticsNames, PageURL: b.Engine.PageURL, Identity: b.Config.AnalyticsIdentity, Retention: b.Config.AnalyticsRetention,
		Logger: b.log.Named("dashboard")})
	return nil
}

// newMattermost builds the adapter: the posts and buttons, the WebSocket
// loop, the joins, the webhooks, and /parcours registered in the bot's teams.
func (b *Bot) newMattermost(ctx context.Context) error {
	cfg := b.Config
	poster := func(api mattermost.API) *mattermost.Poster {
		return &mattermost.Poster{API: api, BotID: b.me.Id, Signer: b.signer, ActionURL: cfg.PublicURL + "/mattermost/action",
			LongTTL: max(cfg.ActionTTL, cfg.DiagnosticExpiry), Logger: b.log.Named("mattermost")}
	}
	// The replica reading the events posts its replies and welcomes only
	// while it surely holds the lease; slash commands and clicks are served
	// by any replica.
	var events mattermost.API = b.Client
	if b.state.lease != nil {
		events = fencedAPI{API: b.Client, lease: b.state.lease}
		b.state.lease.OnChange = func(leading bool) { b.Metrics.Leader.Set(map[bool]float64{true: 1}[leading]) }
	} else {
		b.Metrics.Leader.Set(1)
	}
	// One limit per user for messages and slash commands together.
	limiter := ratelimit.New(cfg.RateLimit, cfg.RateBurst)
	b.MM = mattermost.New(mattermost.Options{
		API: events, URL: cfg.MMURL, Token: cfg.MMToken, Conversation: b.Conversation, Poster: poster(events),
		Logger: b.log.Named("mattermost"), Metrics: b.Metrics, Progress: b.state.progress,
		StateFile: filepath.Join(cfg.DataDir, StateFile), Limiter: limiter,
	}, b.me)
	b.Joins = &mattermost.Joins{Welcomer: b.Conversation, Directory: &mattermost.Directory{API: b.Client}, Poster: poster(events), Logger: b.log.Named("accueil")}
	if cfg.Welcome {
		b.MM.OnEvent(model.WebsocketEventUserAdded, b.Joins.OnUserAdded)
	}
	b.Tokens = mattermost.NewTokens(cfg.CommandTokens...)
	if cfg.RegisterCommand {
		toks, err := mattermost.RegisterCommand(ctx, b.Client, b.MM.Me(), cfg.PublicURL+"/mattermost/command", b.log.Named("register"))
		if err != nil {
			b.log.Warn("slash command registration failed", zap.Error(err))
		}
		for _, t := range toks {
			b.Tokens.Add(t)
		}
	}
	if b.Tokens.Len() == 0 {
		b.log.Warn("no slash command token: /parcours will be refused until it is registered (PARCOURS_COMMAND_TOKENS or PARCOURS_REGISTER_COMMAND)")
	}
	b.HTTP = httpapi.New(httpapi.Options{Logger: b.log.Named("http"), Metrics: b.Metrics,
		KBPage: b.kbPage(), RenderHTML: kb.RenderHTML, Ready: b.ready})
	hooks := &mattermost.Webhooks{Conversation: b.Conversation, Poster: poster(b.Client), Tokens: b.Tokens, Limiter: limiter,
		Metrics: b.Metrics, Logger: b.log.Named("http")}
	for pattern, h := range hooks.Routes() {
		b.HTTP.Handle(pattern, h)
	}
	b.Dashboard.Register(b.HTTP)
	return nil
}

// listen opens the HTTP listener.
func (b *Bot) listen(ctx context.Context) error {
	if b.ln == nil {
		ln, err := net.Listen("tcp", b.Config.Listen)
		if err != nil {
			return fmt.Errorf("écoute sur %s (PARCOURS_LISTEN): %w", b.Config.Listen, err)
		}
		b.ln = ln
	}
	b.Addr = b.ln.Addr()
	b.srv = b.HTTP.HTTPServer(b.Config.Listen)
	return nil
}

// Run serves until ctx ends or the HTTP server fails: HTTP, the WebSocket
// loop, the expiry of abandoned diagnostics, the welcome of joins missed.
// It then stops taking work, finishes what is in flight and returns; Close
// releases the rest.
func (b *Bot) Run(ctx context.Context) error {
	httpDone := make(chan error, 1)
	go func() {
		if err := b.srv.Serve(b.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			httpDone <- err
			return
		}
		httpDone <- nil
	}()
	b.log.Info("HTTP server listening", zap.String("addr", b.Addr.String()), zap.String("public_url", b.Config.PublicURL))
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	var wg sync.WaitGroup
	run := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	run(func() { b.Diagnostic.RunExpiry(runCtx, 10*time.Minute) })
	run(func() {
		b.Analytics.RunPurge(runCtx, 6*time.Hour, func(n int, err error) {
			if err != nil {
				b.log.Error("statistics purge failed", zap.Error(err))
			} else if n > 0 {
				b.log.Info("statistics purged", zap.Int("events", n), zap.Duration("retention", b.Config.AnalyticsRetention))
			}
		})
	})
	if b.state.kb != nil {
		// A reindex on another replica reloads this one too.
		run(func() {
			b.state.kb.Run(runCtx, func(ctx context.Context, v int64) {
				if _, err := (index{b}).reload(ctx, true); err != nil {
					b.log.Error("reindex from another replica failed: the previous base stays in service", zap.Int64("version", v), zap.Error(err))
					return
				}
				b.log.Info("reindexed after another replica", zap.Int64("version", v))
			})
		})
	}
	// The replica reading Mattermost's events (the only one with bbolt, the
	// lease holder with PostgreSQL) answers messages and welcomes; joins
	// missed while no one was reading (since the last post seen) or while
	// the WebSocket was cut are welcomed from the join messages.
	run(func() {
		b.state.lead(runCtx, func(ctx context.Context) {
			var lead sync.WaitGroup
			if b.Config.Welcome {
				lastRun := lastPostTime(ctx, b.state.progress, filepath.Join(b.Config.DataDir, StateFile))
				lead.Add(1)
				go func() { defer lead.Done(); b.Joins.RunReconcile(ctx, lastRun, 10*time.Minute) }()
			}
			b.MM.Run(ctx)
			lead.Wait()
		})
	})
	var err error
	select {
	case <-ctx.Done():
	case err = <-httpDone:
		b.log.Error("HTTP server stopped", zap.Error(err))
	}
	// Stop taking new work, finish what is in flight.
	stopRun()
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	b.srv.Shutdown(shutCtx)
	cancel()
	wg.Wait()
	b.Joins.Wait()
	return err
}

// Close releases the index and the state. It may be called more than once.
func (b *Bot) Close() error {
	b.closing.Do(func() {
		if b.ln != nil && b.srv == nil {
			b.ln.Close()
		}
		if b.Engine != nil {
			b.Engine.Close()
		}
		if b.state != nil {
			b.state.close()
		}
		b.log.Info("stopped")
	})
	return nil
}

// Start builds the bot and runs it until ctx ends; Wait returns once it
// has stopped and released everything.
func Start(ctx context.Context, cfg *config.Config, ln net.Listener, log *zap.Logger) (*Bot, error) {
	b, err := New(ctx, cfg, ln, log)
	if err != nil {
		return nil, err
	}
	go func() {
		err := b.Run(ctx)
		b.Close()
		b.done <- err
	}()
	return b, nil
}

// Wait blocks until a bot started with Start has stopped.
func (b *Bot) Wait() error { return <-b.done }

// servedSources gives the sources without a site of their own a base URL
// on the bot's /kb pages, at the address users' browsers reach
// (PARCOURS_BROWSER_URL), and returns the names of the sources /kb serves.
func servedSources(cfg *config.Config) ([]kb.Source, []string) {
	sources := slices.Clone(cfg.Sources)
	var served []string
	for i, s := range sources {
		if s.BaseURL == "" {
			sources[i].BaseURL = cfg.PagesURL()
			served = append(served, s.Name)
		}
	}
	return sources, served
}

// kbPage finds a page to show under /kb among the indexed pages of the
// served sources, first source first.
func (b *Bot) kbPage() func(string) (string, []byte, bool) {
	_, served := servedSources(b.Config)
	return func(path string) (string, []byte, bool) {
		for _, name := range served {
			p, data, err := b.Engine.PageMarkdown(name, path)
			if err == nil {
				return p.Title, data, true
			}
			if !errors.Is(err, fs.ErrNotExist) {
				b.log.Warn("knowledge page not served", zap.String("page", path), zap.Error(err))
			}
		}
		return "", nil, false
	}
}

// ServeAdmin serves GET /backup on the admin socket of the data folder,
// which only the bot's own user can open.
func ServeAdmin(dir string, db *bolt.DB) (*http.Server, error) {
	path := filepath.Join(dir, bolt.SocketName)
	_ = os.Remove(path) // left by a killed bot: the store's lock says none runs now
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("socket d'administration %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("socket d'administration %s: %w", path, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-tar")
		if err := db.Backup(w, dir); err != nil {
			// The archive is cut: the client sees a broken tar, not a good one.
			panic(http.ErrAbortHandler)
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return srv, nil
}

func (b *Bot) ready() (bool, []string) {
	var why []string
	if b.Engine.Stats().Pages == 0 {
		why = append(why, "base de connaissances vide ou non chargée")
	}
	switch {
	case b.state.leading():
		if ok, reason := b.MM.Alive(); !ok {
			why = append(why, reason)
		}
	default:
		// A standby serves slash commands, buttons and pages: ready when
		// it reaches the database it would take over with.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := b.state.pg.Ping(ctx); err != nil {
			why = append(why, "PostgreSQL injoignable")
		}
	}
	return len(why) == 0, why
}

// isAdmin checks the configured list, then the Mattermost system admin
// role, never anything the request claims.
func (b *Bot) isAdmin(ctx context.Context, userID, userName string) (bool, error) {
	if b.Config.IsAdminName(userID, "") {
		return true, nil
	}
	u, err := b.Client.GetUser(ctx, userID)
	if err != nil {
		return false, err
	}
	if b.Config.IsAdminName(u.Id, u.Username) {
		return true, nil
	}
	return slices.Contains(strings.Fields(u.Roles), "system_admin"), nil
}

// index adapts the engine to the conversation's reindex and stats.
type index struct{ b *Bot }

// Reload reloads this replica's knowledge base and, with replicas, the
// others' (a reload that fails leaves them alone).
func (i index) Reload(ctx context.Context, force bool) (conversation.IndexStats, error) {
	st, err := i.reload(ctx, force)
	if err != nil {
		return st, err
	}
	if kb := i.b.state.kb; kb != nil {
		if v, err := kb.Bump(ctx); err != nil {
			st.Warnings = append(st.Warnings, "les autres réplicas n'ont pas été prévenus, ils se rechargeront à leur redémarrage : "+err.Error())
		} else {
			i.b.log.Info("reindex announced to the other replicas", zap.Int64("version", v))
		}
	}
	return st, nil
}

func (i index) reload(ctx context.Context, force bool) (conversation.IndexStats, error) {
	st, err := i.b.Engine.Reload(ctx, force)
	if err != nil {
		return conversation.IndexStats{}, err
	}
	i.b.Metrics.IndexPages.Set(float64(st.Pages))
	i.b.Metrics.IndexSections.Set(float64(st.Sections))
	warnings := append(slices.Clone(st.Warnings), reloadData(i.b.Config.Sources, i.b.Diagnostic, i.b.Conversation, i.b.log)...)
	return conversation.IndexStats{Pages: st.Pages, Sections: st.Sections, Warnings: warnings, LoadedAt: st.LoadedAt, Diff: st.Diff}, nil
}

func (i index) Stats() conversation.IndexStats {
	st := i.b.Engine.Stats()
	return conversation.IndexStats{Pages: st.Pages, Sections: st.Sections, Warnings: st.Warnings, LoadedAt: st.LoadedAt}
}

// reloadData reloads the questionnaire and the welcome, content like the
// pages; a broken file keeps the previous version in service and becomes a
// warning naming the file and line.
func reloadData(sources []kb.Source, d *diagnostic.Engine, c *conversation.Conversation, log *zap.Logger) []string {
	var warnings []string
	if q, err := loadQuestionnaire(sources); err != nil {
		log.Warn("questionnaire not reloaded", zap.Error(err))
		warnings = append(warnings, "questionnaire du diagnostic non rechargé, l'ancien reste en service : "+err.Error())
	} else {
		d.SetQuestionnaire(q)
	}
	if w, wwarns, err := loadWelcome(sources); err != nil {
		log.Warn("welcome not reloaded", zap.Error(err))
		warnings = append(warnings, "message de bienvenue non rechargé, l'ancien reste en service : "+err.Error())
	} else {
		c.SetWelcome(w)
		warnings = append(warnings, wwarns...)
	}
	return warnings
}

// lastPostTime reads where the previous run stood in the stream of posts
// (see StateFile); zero when there was no previous run.
func lastPostTime(ctx context.Context, p mattermost.Progress, path string) time.Time {
	if ms, err := p.Position(ctx); err == nil && ms > 0 {
		return time.UnixMilli(ms)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return time.Time{}
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// loadQuestionnaire reads the questionnaire of the first source that has
// one, else the shipped one.
func loadQuestionnaire(sources []kb.Source) (*diagnostic.Questionnaire, error) {
	return diagnostic.Load(kb.DataFS(sources, diagnostic.File), diagnostic.File)
}

// loadWelcome reads the welcome of the first source that has one, else the
// shipped one, with the organisation's values in place of its
// {{ site.data.* }} references; the warnings name the values left unset.
func loadWelcome(sources []kb.Source) (*welcome.Message, []string, error) {
	m, warns, err := welcome.Load(sources)
	if err != nil {
		return nil, nil, err
	}
	var out []string
	for _, w := range warns {
		out = append(out, "message de bienvenue : "+w.String())
	}
	return m, out, nil
}

// reportCommands are /parcours stats, tableau and export, for admins and
// content owners.
func (b *Bot) reportCommands() []*conversation.Sub {
	run := func(f func(context.Context, report.Caller, []string) (string, error)) conversation.SubFunc {
		return func(ctx context.Context, req conversation.Request, args []string) (string, error) {
			return f(ctx, report.Caller{UserID: req.User.ID, UserName: req.User.Username}, args)
		}
	}
	return []*conversation.Sub{
		{Name: "stats", Aliases: []string{"statistiques"}, Usage: report.UsageStats, Help: report.HelpStats,
			Allowed: b.canSeeStats, Run: run(b.Reports.Stats)},
		{Name: "tableau", Aliases: []string{"dashboard", "tableau-de-bord"}, Help: report.HelpTableau,
			Allowed: b.canSeeStats, Run: run(b.Reports.Tableau)},
		{Name: "export", Aliases: []string{"exporter"}, Usage: report.UsageExport, Help: report.HelpExport,
			Allowed: b.canSeeStats, Run: run(b.Reports.Export)},
	}
}

// canSeeStats: admins and content owners see the statistics.
func (b *Bot) canSeeStats(ctx context.Context, userID, userName string) (bool, error) {
	if b.Config.IsContentOwner(userID, userName) {
		return true, nil
	}
	if ok, err := b.isAdmin(ctx, userID, userName); ok || err != nil {
		return ok, err
	}
	if len(b.Config.ContentOwners) == 0 {
		return false, nil
	}
	u, err := b.Client.GetUser(ctx, userID)
	if err != nil {
		return false, err
	}
	return b.Config.IsContentOwner(u.Id, u.Username), nil
}

// analyticsNames names paths and dimensions for the statistics.
func (b *Bot) analyticsNames() analytics.Names {
	q := b.Diagnostic.Questionnaire()
	n := analytics.Names{
		Path: func(id string) string {
			if p := b.Engine.Catalog().Path(id); p != nil {
				return p.Title
			}
			return ""
		},
		Dimension: func(id string) string {
			for _, d := range q.Dimensions {
				if d.ID == id {
					return d.Title
				}
			}
			return ""
		},
	}
	for _, d := range q.Dimensions {
		n.Dimensions = append(n.Dimensions, d.ID)
	}
	return n
}

// direct sends the reports' direct messages through the bot's account.
type direct struct {
	client *mattermost.Client
	botID  string
}

func (d direct) SendDirect(ctx context.Context, userID, text string, files []analytics.File) error {
	var fs []mattermost.File
	for _, f := range files {
		fs = append(fs, mattermost.File{Name: f.Name, Data: f.Data})
	}
	return d.client.SendDirect(ctx, d.botID, userID, text, fs)
}
