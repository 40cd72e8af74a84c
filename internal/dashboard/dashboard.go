package dashboard

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed" // the template and the style sheet
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"go.uber.org/zap"
)

// Paths served.
const (
	Path       = "/tableau"
	StylePath  = "/tableau/style.css"
	exportPath = "/tableau/export/"
)

// CSP is the page's Content-Security-Policy: nothing but its own style
// sheet; no script, no font, no image from anywhere, no framing.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

var (
	//go:embed page.html
	pageHTML string
	//go:embed style.css
	styleCSS []byte

	page = template.Must(template.New("page").Funcs(template.FuncMap{
		"pct": analytics.Percent,
	}).Parse(pageHTML))
)

// Options configures the dashboard.
type Options struct {
	Store analytics.Store
	Links *Links
	// Allowed says whether the user a link names may still see the
	// dashboard (an administrator or a content owner), checked at each
	// request: a link stops working when its user loses the right.
	Allowed func(ctx context.Context, userID string) (bool, error)
	// Names gives titles to paths and dimensions.
	Names func() analytics.Names
	// PageURL links a knowledge page ("guide/equipe.md"), "" for none.
	PageURL func(page string) string
	// Identity and Retention are shown, so that readers know what is kept.
	Identity  bool
	Retention time.Duration
	Logger    *zap.Logger
	Now       func() time.Time
}

// Handler serves the dashboard.
type Handler struct {
	o Options
}

// New returns the dashboard handler.
func New(o Options) *Handler {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Names == nil {
		o.Names = func() analytics.Names { return analytics.Names{} }
	}
	if o.PageURL == nil {
		o.PageURL = func(string) string { return "" }
	}
	if o.Retention <= 0 {
		o.Retention = analytics.DefaultRetention
	}
	return &Handler{o: o}
}

// Mux is where the routes go (an http.ServeMux).
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Register adds the dashboard's routes to mux.
func (h *Handler) Register(mux Mux) {
	mux.Handle("GET "+Path, http.HandlerFunc(h.servePage))
	mux.Handle("GET "+StylePath, http.HandlerFunc(serveStyle))
	mux.Handle("GET "+exportPath+"{file}", http.HandlerFunc(h.serveExport))
}

func serveStyle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(styleCSS)
}

// secure sets the headers of every dashboard response that holds data.
func secure(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// authorize checks the link of a request and returns its token and user,
// or answers the refusal itself.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) (string, bool) {
	token := r.URL.Query().Get("t")
	user, err := h.o.Links.Check(token)
	if err != nil {
		reason := "bad_link"
		msg := "Ce lien n'ouvre pas le tableau de bord : il est incomplet ou a été modifié. Demandez-en un nouveau avec /parcours tableau."
		if errors.Is(err, ErrExpired) {
			reason = "expired"
			msg = fmt.Sprintf("Ce lien a expiré (un lien vaut %s). Demandez-en un nouveau avec /parcours tableau.", frDuration(h.o.Links.TTL()))
		}
		h.o.Logger.Info("dashboard refused", zap.String("reason", reason), zap.String("remote", r.RemoteAddr))
		h.refuse(w, http.StatusForbidden, msg)
		return "", false
	}
	if h.o.Allowed == nil {
		h.refuse(w, http.StatusForbidden, "Le tableau de bord n'est pas disponible sur ce serveur.")
		return "", false
	}
	ok, err := h.o.Allowed(r.Context(), user)
	if err != nil {
		h.o.Logger.Warn("dashboard: rights check failed", zap.String("user_id", user), zap.Error(err))
		h.refuse(w, http.StatusServiceUnavailable, "Impossible de vérifier vos droits pour le moment. Réessayez dans un instant.")
		return "", false
	}
	if !ok {
		h.o.Logger.Info("dashboard refused", zap.String("reason", "not_allowed"), zap.String("user_id", user))
		h.refuse(w, http.StatusForbidden, "Ce lien n'ouvre pas le tableau de bord : la personne à qui il a été envoyé n'est pas (ou plus) administratrice du bot ni responsable de contenu.")
		return "", false
	}
	return token, true
}

func (h *Handler) refuse(w http.ResponseWriter, status int, msg string) {
	secure(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	page.ExecuteTemplate(w, "refus", msg)
}

func (h *Handler) period(w http.ResponseWriter, r *http.Request) (analytics.Period, bool) {
	p, err := analytics.ParsePeriod(r.URL.Query().Get("p"), h.o.Now())
	if err != nil {
		h.refuse(w, http.StatusBadRequest, err.Error()+".")
		return p, false
	}
	return p, true
}

func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	token, ok := h.authorize(w, r)
	if !ok {
		return
	}
	p, ok := h.period(w, r)
	if !ok {
		return
	}
	body, err := h.Render(r.Context(), token, p)
	if err != nil {
		h.o.Logger.Error("dashboard failed", zap.Error(err))
		h.refuse(w, http.StatusInternalServerError, "Le tableau de bord n'a pas pu être préparé. Réessayez dans un instant.")
		return
	}
	secure(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	writeCompressed(w, r, body)
}

// writeCompressed sends body gzipped when the browser accepts it: the page
// is mostly repeated SVG markup, a tenth of its size once compressed, which
// a phone on a poor network notices.
func writeCompressed(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Add("Vary", "Accept-Encoding")
	if len(body) < 1024 || !acceptsGzip(r.Header.Get("Accept-Encoding")) {
		w.Write(body)
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	zw.Write(body)
	zw.Close()
}

func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			return !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") || strings.Contains(params, "q=0.")
		}
	}
	return false
}

// Render builds the page for a period; token goes into its links.
func (h *Handler) Render(ctx context.Context, token string, p analytics.Period) ([]byte, error) {
	rep, err := analytics.Build(ctx, h.o.Store, p)
	if err != nil {
		return nil, err
	}
	v := h.view(rep, token)
	var buf bytes.Buffer
	if err := page.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("page du tableau de bord: %w", err)
	}
	return buf.Bytes(), nil
}

func (h *Handler) serveExport(w http.ResponseWriter, r *http.Request) {
	_, ok := h.authorize(w, r)
	if !ok {
		return
	}
	p, ok := h.period(w, r)
	if !ok {
		return
	}
	file := r.PathValue("file")
	if !slices.Contains(analytics.ExportFiles, file) {
		h.refuse(w, http.StatusNotFound, "Fichier d'export inconnu.")
		return
	}
	var buf bytes.Buffer
	if _, err := analytics.WriteCSV(r.Context(), &buf, h.o.Store, file, p, h.o.Names()); err != nil {
		h.o.Logger.Error("dashboard export failed", zap.String("file", file), zap.Error(err))
		h.refuse(w, http.StatusInternalServerError, "L'export n'a pas pu être préparé. Réessayez dans un instant.")
		return
	}
	secure(w)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="parcours-%s-%s"`, p.String(), file))
	w.Write(buf.Bytes())
}

// view is what the template shows.
type view struct {
	Generated   string
	Period      analytics.Period
	Periods     []periodLink
	Report      *analytics.Report
	Tiers       analytics.TierCounts
	Questions   template.HTML
	Days        []dayRow
	Groups      []groupRow
	MoreGroups  int
	Pages       []pageRow
	Paths       template.HTML
	PathRows    []pathBar
	Teams       []teamView
	Exports     []exportLink
	Identity    bool
	Retention   string
	Channels    []channelRow
	HasFeedback bool
}

type periodLink struct {
	Label, URL string
	Current    bool
}

type dayRow struct {
	Date                  string
	Sure, Tentative, None int
}

type groupRow struct {
	Count    int
	Bar      template.HTML
	Example  string
	Terms    string
	Wordings int
	Last     string
}

type pageRow struct {
	Title, URL               string
	Useful, NotUseful, Shown int
	Bar                      template.HTML
}

type teamView struct {
	Name   string
	Chart  template.HTML
	Dims   []string // titles, in column order
	Rows   []teamRow
	Legend []legendItem
}

type teamRow struct {
	Date    string
	Path    string
	Level   int
	Overall int
	Scores  []string // per Dims, "" when not scored
}

type legendItem struct {
	Name, Colour string
}

type exportLink struct {
	Name, URL string
}

type channelRow struct {
	Label string
	Count int
}

// maxGroups and maxPages bound the tables.
const (
	maxGroups = 25
	maxPages  = 20
)

func (h *Handler) view(r *analytics.Report, token string) *view {
	names := h.o.Names()
	v := &view{Generated: frDateTime(h.o.Now()), Period: r.Period, Report: r, Tiers: r.Tiers,
		Identity: h.o.Identity, Retention: frDuration(h.o.Retention)}
	for _, d := range []int{7, 30, 90} {
		label := fmt.Sprintf("%d jours", d)
		v.Periods = append(v.Periods, periodLink{Label: label, URL: Path + "?" + query(token, fmt.Sprintf("%dj", d)), Current: d == r.Period.Days})
	}
	for _, f := range analytics.ExportFiles {
		v.Exports = append(v.Exports, exportLink{Name: f, URL: exportPath + f + "?" + query(token, r.Period.String())})
	}
	for _, c := range []analytics.Channel{analytics.ChannelDM, analytics.ChannelPublic, analytics.ChannelTerminal} {
		if n := r.Channels[c]; n > 0 {
			v.Channels = append(v.Channels, channelRow{Label: analytics.ChannelLabel(c), Count: n})
		}
	}

	bars := make([]dayBar, len(r.Days))
	for i, d := range r.Days {
		bars[i] = dayBar{Date: d.Date, Sure: d.Tiers.Sure, Tentative: d.Tiers.Tentative, None: d.Tiers.None}
		v.Days = append(v.Days, dayRow{Date: frDate(d.Date, false), Sure: d.Tiers.Sure, Tentative: d.Tiers.Tentative, None: d.Tiers.None})
	}
	v.Questions = questionsChart(bars)

	groups := r.Unanswered
	if len(groups) > maxGroups {
		v.MoreGroups = len(groups) - maxGroups
		groups = groups[:maxGroups]
	}
	top := 0
	if len(groups) > 0 {
		top = groups[0].Count
	}
	for _, g := range groups {
		v.Groups = append(v.Groups, groupRow{Count: g.Count, Example: g.Example, Terms: strings.Join(g.Terms, ", "),
			Wordings: g.Wordings, Last: frDateTime(g.Last),
			Bar: bar(g.Count, top, colNone, plural(g.Count, "question"))})
	}

	var pages []analytics.PageStats
	for _, p := range r.Pages {
		if p.Total() > 0 {
			pages = append(pages, p)
		}
	}
	slices.SortStableFunc(pages, func(a, b analytics.PageStats) int { return b.Total() - a.Total() })
	if len(pages) > maxPages {
		pages = pages[:maxPages]
	}
	maxSide := 1
	for _, p := range pages {
		maxSide = max(maxSide, p.Useful, p.NotUseful)
	}
	for _, p := range pages {
		title := p.Title
		if title == "" {
			title = p.Page
		}
		v.Pages = append(v.Pages, pageRow{Title: title, URL: h.o.PageURL(p.Page), Useful: p.Useful, NotUseful: p.NotUseful,
			Shown: p.Shown, Bar: feedbackBar(p.Useful, p.NotUseful, maxSide)})
	}
	v.HasFeedback = r.Feedback.Total() > 0

	for _, p := range r.Paths {
		v.PathRows = append(v.PathRows, pathBar{ID: p.Path, Title: names.PathName(p.Path), Levels: p.Levels})
	}
	v.Paths = pathsChart(v.PathRows)

	for _, t := range r.Teams {
		v.Teams = append(v.Teams, h.teamView(t, names))
	}
	return v
}

func (h *Handler) teamView(t analytics.Team, names analytics.Names) teamView {
	// Columns: the questionnaire's dimensions the team was scored on, in
	// the questionnaire's order, then any other.
	var dims []string
	seen := map[string]bool{}
	for _, p := range t.Points {
		for _, d := range p.Dimensions {
			seen[d.Dimension] = true
		}
	}
	for _, d := range names.Dimensions {
		if seen[d] {
			dims = append(dims, d)
			delete(seen, d)
		}
	}
	var rest []string
	for d := range seen {
		rest = append(rest, d)
	}
	slices.Sort(rest)
	dims = append(dims, rest...)

	tv := teamView{Name: t.Name}
	overall := series{ID: "", Name: "Score global", Colour: "#1e1e1e"}
	lines := make([]series, len(dims))
	for i, d := range dims {
		lines[i] = series{ID: d, Name: names.DimensionName(d), Colour: palette[i%len(palette)]}
		tv.Dims = append(tv.Dims, names.DimensionName(d))
	}
	for _, p := range t.Points {
		overall.Points = append(overall.Points, point{At: p.At, Value: p.Overall})
		row := teamRow{Date: frDate(p.At, true), Path: names.PathName(p.Path), Level: p.Level, Overall: p.Overall, Scores: make([]string, len(dims))}
		for _, s := range p.Dimensions {
			if i := slices.Index(dims, s.Dimension); i >= 0 {
				lines[i].Points = append(lines[i].Points, point{At: p.At, Value: s.Score})
				row.Scores[i] = fmt.Sprint(s.Score)
			}
		}
		tv.Rows = append(tv.Rows, row)
	}
	all := []series{overall}
	tv.Legend = append(tv.Legend, legendItem{Name: overall.Name, Colour: overall.Colour})
	for _, l := range lines {
		if len(l.Points) > 0 {
			all = append(all, l)
			tv.Legend = append(tv.Legend, legendItem{Name: l.Name, Colour: l.Colour})
		}
	}
	tv.Chart = teamChart(t.Name, all)
	return tv
}

func frDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%s à %s", frDate(t, true), t.Format("15:04"))
}

// frDuration says a duration in French: "1 heure", "90 jours".
func frDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d jours", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "heure")
	case d >= time.Minute:
		return plural(int(d/time.Minute), "minute")
	}
	return d.String()
}
