// Package serve wires the Mattermost bot together: configuration, store,
// knowledge engine, HTTP server, slash command registration and the
// WebSocket loop. `parcours serve` and the end-to-end tests both run it.
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
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/bolt"
	"github.com/cloud-pi-native/parcours/internal/command"
	"github.com/cloud-pi-native/parcours/internal/config"
	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/dashboard"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/httpapi"
	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/cloud-pi-native/parcours/internal/mattermost/onboarding"
	"github.com/cloud-pi-native/parcours/internal/metrics"
	"github.com/cloud-pi-native/parcours/internal/ratelimit"
	"github.com/cloud-pi-native/parcours/internal/report"
	"github.com/cloud-pi-native/parcours/internal/version"
	"github.com/cloud-pi-native/parcours/internal/welcome"
	"github.com/cloud-pi-native/parcours/knowledge"
	"go.uber.org/zap"
)

// StateFile, in the data folder, is where versions before the progress
// store kept the time of the newest post seen, on clean shutdowns only. It
// is read once, when the store has no position yet.
const StateFile = "dernier-message"

// Bot is a running bot.
type Bot struct {
	Config  *config.Config
	Store   *bolt.DB // nil with PostgreSQL (PARCOURS_DATABASE_URL)
	Engine  *answer.Engine
	HTTP    *httpapi.Server
	MM      *mattermost.Bot
	Client  *mattermost.Client
	Command *command.Handler
	Metrics *metrics.Metrics
	Tokens  *httpapi.Tokens
	// Diagnostic runs the maturity diagnostics; Onboarding holds them
	// and the welcome on Mattermost.
	Diagnostic *diagnostic.Engine
	Onboarding *onboarding.Onboarding
	// Analytics records what happens for the statistics; Reports answers
	// /parcours stats, tableau and export; Dashboard serves /tableau.
	Analytics *analytics.Recorder
	Reports   *report.Reports
	Dashboard *dashboard.Handler
	Addr      net.Addr // where the HTTP server listens

	log   *zap.Logger
	srv   *http.Server
	state *state
	done  chan error
}

// Start connects to Mattermost, loads the knowledge base, starts the HTTP
// server on ln (or on cfg.Listen when nil) and the WebSocket loop. The bot
// runs until ctx ends; Wait returns once it has stopped cleanly.
func Start(ctx context.Context, cfg *config.Config, ln net.Listener, log *zap.Logger) (b *Bot, err error) {
	b = &Bot{Config: cfg, log: log, Metrics: metrics.New(), done: make(chan error, 1)}
	v := version.Get()
	log.Info("starting", zap.String("version", v.Version), zap.String("commit", v.Commit), zap.String("build_date", v.Date), zap.String("go", v.Go))
	var cleanup []func()
	defer func() {
		if err != nil {
			for i := len(cleanup) - 1; i >= 0; i-- {
				cleanup[i]()
			}
		}
	}()
	state, err := openState(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	cleanup = append(cleanup, state.close)
	b.state, b.Store = state, state.bolt
	signer := mattermost.NewSigner(state.key, cfg.ActionTTL)

	b.Client = mattermost.NewClient(cfg.MMURL, cfg.MMToken)
	me, version, err := mattermost.Check(ctx, b.Client)
	if err != nil {
		return nil, err
	}
	log.Info("connected to Mattermost", zap.String("server_version", version), zap.String("bot", me.Username), zap.String("bot_id", me.Id))

	diagStore, progress := state.diag, state.progress

	// With replicas, the version of the knowledge base is read before
	// loading it: a reindex made meanwhile elsewhere is then seen.
	if state.kb != nil {
		if _, err := state.kb.Current(ctx); err != nil {
			return nil, err
		}
	}
	b.Analytics = &analytics.Recorder{Store: state.analytics, Identity: cfg.AnalyticsIdentity, Retention: cfg.AnalyticsRetention}
	if state.bolt != nil {
		if n, err := state.bolt.MigrateMisses(ctx, b.Analytics); err != nil {
			log.Warn("unanswered questions of an earlier version not moved to the statistics", zap.Error(err))
		} else if n > 0 {
			log.Info("unanswered questions of an earlier version moved to the statistics", zap.Int("questions", n))
		}
	}
	record := report.Recorder{R: b.Analytics}
	sources, served := servedSources(cfg)
	b.Engine, err = answer.Open(ctx, answer.Options{Sources: sources, Logger: log.Named("answer"), MaxDrop: cfg.ReindexMaxDrop})
	if err != nil {
		return nil, fmt.Errorf("chargement de la base de connaissances: %w", err)
	}
	cleanup = append(cleanup, func() { b.Engine.Close() })
	st := b.Engine.Stats()
	b.Metrics.IndexPages.Set(float64(st.Pages))
	b.Metrics.IndexSections.Set(float64(st.Sections))
	log.Info("knowledge base loaded", zap.Int("pages", st.Pages), zap.Int("sections", st.Sections), zap.Int("warnings", len(st.Warnings)))

	q, qerr := loadQuestionnaire(cfg.Sources)
	if qerr != nil {
		// A bad edit must not keep the bot down: the shipped questionnaire
		// serves until the file is fixed and reindexed.
		log.Error("questionnaire invalide : le questionnaire intégré est utilisé", zap.Error(qerr))
		if q, err = diagnostic.Load(knowledge.FS, diagnostic.File); err != nil {
			return nil, fmt.Errorf("questionnaire intégré: %w", err)
		}
	}
	b.Diagnostic, err = diagnostic.New(diagnostic.Config{Questionnaire: q, Store: diagStore, TTL: cfg.DiagnosticExpiry, Logger: log.Named("diagnostic")})
	if err != nil {
		return nil, err
	}
	wel, wwarns, werr := loadWelcome(cfg.Sources)
	if werr != nil {
		log.Error("message de bienvenue invalide : celui intégré est utilisé", zap.Error(werr))
		// The shipped text, with the organisation's values all the same.
		if wel, wwarns, err = loadWelcome(append([]kb.Source{kb.Embedded()}, cfg.Sources...)); err != nil {
			return nil, fmt.Errorf("message de bienvenue intégré: %w", err)
		}
	}
	for _, w := range wwarns {
		log.Warn("message de bienvenue", zap.String("avertissement", w))
	}

	if ln == nil {
		ln, err = net.Listen("tcp", cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("écoute sur %s (PARCOURS_LISTEN): %w", cfg.Listen, err)
		}
	}
	cleanup = append(cleanup, func() { ln.Close() })
	b.Addr = ln.Addr()

	b.Tokens = httpapi.NewTokens(cfg.CommandTokens...)
	b.Command = command.New(command.Deps{
		Catalog: b.Engine.Catalog,
		Link: func(page, anchor string) string {
			if anchor != "" {
				page += "#" + anchor
			}
			return b.Engine.PageURL(page)
		},
		Answers: b.Engine,
		Index:   index{b},
		IsAdmin: b.isAdmin,
		Logger:  log.Named("command"),
	})
	if cfg.Level != nil {
		b.Command.Register(command.Journal(*cfg.Level, log.Named("command")))
	}
	actionURL := cfg.PublicURL + "/mattermost/action"
	// One limit per user for messages and slash commands together.
	limiter := ratelimit.New(cfg.RateLimit, cfg.RateBurst)
	var api mattermost.API = b.Client
	if state.lease != nil {
		api = fencedAPI{API: b.Client, lease: state.lease}
		state.lease.OnChange = func(leading bool) { b.Metrics.Leader.Set(map[bool]float64{true: 1}[leading]) }
	} else {
		b.Metrics.Leader.Set(1)
	}
	b.MM = mattermost.New(mattermost.Options{
		API: api, URL: cfg.MMURL, Token: cfg.MMToken, Answers: b.Engine, Questions: record,
		Signer: signer, ActionURL: actionURL, Logger: log.Named("mattermost"), Metrics: b.Metrics,
		Progress: progress, StateFile: filepath.Join(cfg.DataDir, StateFile), Limiter: limiter,
	}, me)
	b.HTTP = httpapi.New(httpapi.Options{
		Logger: log.Named("http"), Metrics: b.Metrics, Command: b.Command, Tokens: b.Tokens, Signer: signer,
		Feedback: state.records, Record: record, ActionURL: actionURL, KBPage: b.kbPage(served), RenderHTML: kb.RenderHTML,
		Ready: b.ready, Limiter: limiter,
	})
	b.Onboarding, err = onboarding.New(onboarding.Options{
		API: onboarding.Client{C: b.Client.C}, BotID: me.Id, BotUsername: me.Username,
		Diagnostic: b.Diagnostic, Store: diagStore,
		Router:   &conversation.Router{Answers: b.Engine, Diagnostic: b.Diagnostic},
		Welcomed: state.records, Welcome: wel, WelcomeEnabled: cfg.Welcome, WelcomeGuests: cfg.WelcomeGuests,
		Signer: signer, ActionURL: actionURL, ButtonTTL: max(cfg.ActionTTL, cfg.DiagnosticExpiry),
		Link:      b.Engine.PageURL,
		PathTitle: b.pathTitle,
		Paths: func(ctx context.Context) string {
			return b.Command.Handle(ctx, command.Request{Text: "liste"}).Text
		},
		Questions: record,
		Metrics:   b.Metrics,
		Logger:    log.Named("onboarding"),
	})
	if err != nil {
		return nil, err
	}
	b.Onboarding.Register(b.MM, b.HTTP, b.Command)

	links := dashboard.NewLinks(state.key, cfg.DashboardTTL, cfg.BrowserURL)
	b.Reports = &report.Reports{Store: state.analytics, Links: links,
		Direct: direct{client: b.Client, botID: me.Id}, Names: b.analyticsNames}
	for _, s := range b.reportCommands() {
		b.Command.Register(s)
	}
	b.Dashboard = dashboard.New(dashboard.Options{Store: state.analytics, Links: links,
		Allowed: func(ctx context.Context, userID string) (bool, error) { return b.canSeeStats(ctx, userID, "") },
		Names:   b.analyticsNames, PageURL: b.Engine.PageURL, Identity: cfg.AnalyticsIdentity, Retention: cfg.AnalyticsRetention,
		Logger: log.Named("dashboard")})
	b.Dashboard.Register(b.HTTP)

	if cfg.RegisterCommand {
		toks, err := mattermost.RegisterCommand(ctx, b.Client, me, cfg.PublicURL+"/mattermost/command", log.Named("register"))
		if err != nil {
			log.Warn("slash command registration failed", zap.Error(err))
		}
		for _, t := range toks {
			b.Tokens.Add(t)
		}
	}
	if b.Tokens.Len() == 0 {
		log.Warn("no slash command token: /parcours will be refused until it is registered (PARCOURS_COMMAND_TOKENS or PARCOURS_REGISTER_COMMAND)")
	}

	b.srv = b.HTTP.HTTPServer(cfg.Listen)
	httpDone := make(chan error, 1)
	go func() {
		if err := b.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			httpDone <- err
			return
		}
		httpDone <- nil
	}()
	log.Info("HTTP server listening", zap.String("addr", b.Addr.String()), zap.String("public_url", cfg.PublicURL))

	runCtx, stopRun := context.WithCancel(ctx)
	go b.Diagnostic.RunExpiry(runCtx, 10*time.Minute)
	go b.Analytics.RunPurge(runCtx, 6*time.Hour, func(n int, err error) {
		if err != nil {
			log.Error("statistics purge failed", zap.Error(err))
		} else if n > 0 {
			log.Info("statistics purged", zap.Int("events", n), zap.Duration("retention", cfg.AnalyticsRetention))
		}
	})
	if state.kb != nil {
		// A reindex on another replica reloads this one too.
		go state.kb.Run(runCtx, func(ctx context.Context, v int64) {
			if _, err := (index{b}).reload(ctx, true); err != nil {
				log.Error("reindex from another replica failed: the previous base stays in service", zap.Int64("version", v), zap.Error(err))
				return
			}
			log.Info("reindexed after another replica", zap.Int64("version", v))
		})
	}
	// The replica reading Mattermost's events (the only one with bbolt, the
	// lease holder with PostgreSQL) answers messages and welcomes; joins
	// missed while no one was reading (since the last post seen) or while
	// the WebSocket was cut are welcomed from the join messages.
	mmDone := make(chan struct{})
	go func() {
		defer close(mmDone)
		state.lead(runCtx, func(ctx context.Context) {
			lastRun := lastPostTime(ctx, progress, filepath.Join(cfg.DataDir, StateFile))
			reconcileDone := make(chan struct{})
			go func() {
				defer close(reconcileDone)
				b.Onboarding.RunReconcile(ctx, lastRun, 10*time.Minute)
			}()
			b.MM.Run(ctx)
			<-reconcileDone
		})
	}()
	go func() {
		var err error
		select {
		case <-ctx.Done():
		case err = <-httpDone:
			log.Error("HTTP server stopped", zap.Error(err))
		}
		// Stop taking new work, finish what is in flight, then close the
		// store and the index.
		stopRun()
		shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		b.srv.Shutdown(shutCtx)
		cancel()
		<-mmDone
		b.Onboarding.Wait()
		b.Engine.Close()
		state.close()
		log.Info("stopped")
		b.done <- err
	}()
	return b, nil
}

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
func (b *Bot) kbPage(served []string) func(string) (string, []byte, bool) {
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

// Wait blocks until the bot has stopped.
func (b *Bot) Wait() error { return <-b.done }

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

// index adapts the engine to the command's reindex and stats.
type index struct{ b *Bot }

// Reload reloads this replica's knowledge base and, with replicas, the
// others' (a reload that fails leaves them alone).
func (i index) Reload(ctx context.Context, force bool) (command.IndexStats, error) {
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

func (i index) reload(ctx context.Context, force bool) (command.IndexStats, error) {
	st, err := i.b.Engine.Reload(ctx, force)
	if err != nil {
		return command.IndexStats{}, err
	}
	i.b.Metrics.IndexPages.Set(float64(st.Pages))
	i.b.Metrics.IndexSections.Set(float64(st.Sections))
	warnings := append(slices.Clone(st.Warnings), reloadData(i.b.Config.Sources, i.b.Diagnostic, i.b.Onboarding, i.b.log)...)
	return command.IndexStats{Pages: st.Pages, Sections: st.Sections, Warnings: warnings, LoadedAt: st.LoadedAt, Diff: st.Diff}, nil
}

// reloadData reloads the questionnaire and the welcome, content like the
// pages; a broken file keeps the previous version in service and becomes a
// warning naming the file and line.
func reloadData(sources []kb.Source, d *diagnostic.Engine, ob *onboarding.Onboarding, log *zap.Logger) []string {
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
		ob.SetWelcome(w)
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

func (b *Bot) pathTitle(id string) string {
	if p := b.Engine.Catalog().Path(id); p != nil {
		return "Parcours " + p.Title
	}
	return ""
}

func (i index) Stats() command.IndexStats {
	st := i.b.Engine.Stats()
	return command.IndexStats{Pages: st.Pages, Sections: st.Sections, Warnings: st.Warnings, LoadedAt: st.LoadedAt}
}

// reportCommands are /parcours stats, tableau and export, for admins and
// content owners.
func (b *Bot) reportCommands() []*command.Sub {
	run := func(f func(context.Context, report.Caller, []string) (string, error)) command.Func {
		return func(ctx context.Context, req command.Request, args []string) (command.Response, error) {
			text, err := f(ctx, report.Caller{UserID: req.UserID, UserName: req.UserName}, args)
			return command.Response{Text: text}, err
		}
	}
	return []*command.Sub{
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
