// Package command is the /parcours command, independent of the chat it runs
// in: it parses the text after the command, checks rights and returns
// Markdown (or an answer for the adapter to render). Adapters only carry the
// request in and the response out.
package command

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/fuzzy"
	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/parcours"
	"github.com/cloud-pi-native/parcours/internal/quote"
	"go.uber.org/zap"
)

// Request is one invocation of the command.
type Request struct {
	UserID    string
	UserName  string
	ChannelID string
	TeamID    string
	Text      string // what follows "/parcours"
}

// Response is what the command replies. Answer is set for a question: the
// adapter renders it like a chat answer.
type Response struct {
	Text      string
	Answer    *answer.Answer
	InChannel bool   // ephemeral unless set
	Sub       string // sub-command run, for metrics ("inconnue" when unknown)
}

// Answerer answers a question from the knowledge base.
type Answerer interface {
	Ask(ctx context.Context, question string) (*answer.Answer, error)
}

// IndexStats describes the loaded knowledge base.
type IndexStats struct {
	Pages, Sections int
	Warnings        []string
	LoadedAt        time.Time
	Diff            kb.Diff // what the reload changed
}

// Index reloads the knowledge base without downtime.
type Index interface {
	// Reload refuses (*answer.DropError) to lose more than the allowed
	// share of the pages unless forced.
	Reload(ctx context.Context, force bool) (IndexStats, error)
	Stats() IndexStats
}

// Usage is what admins see in `stats`.
type Usage struct {
	Answered, Missed  int
	Useful, NotUseful int
	RecentMisses      []Miss
}

// Miss is a question that found nothing.
type Miss struct {
	Question string
	At       time.Time
}

// UsageSource reads the usage counters from the store.
type UsageSource interface {
	Usage(ctx context.Context, recent int) (Usage, error)
}

// AdminChecker says whether the caller may run admin sub-commands; it is
// checked on the server side, never trusted from the request.
type AdminChecker func(ctx context.Context, userID, userName string) (bool, error)

// Func runs a sub-command; args are the words after its name.
type Func func(ctx context.Context, req Request, args []string) (Response, error)

// Sub is a sub-command: later features (the diagnostic, the welcome)
// register theirs with Handler.Register.
type Sub struct {
	Name    string
	Aliases []string
	Usage   string // "produit|sre|projet|strategie [1|2|3]"
	Help    string
	Admin   bool
	// Allowed, when set, says who may run it instead of the admins only
	// (the statistics: admins and content owners).
	Allowed AdminChecker
	Hidden  bool // not listed in the help (path names are listed apart)
	Run     Func
}

// Deps is what the command needs; nil fields make the matching
// sub-commands answer that they are unavailable.
type Deps struct {
	Catalog func() *parcours.Catalog
	// Link builds the URL of a knowledge page section.
	Link    func(page, anchor string) string
	Answers Answerer
	Index   Index
	Usage   UsageSource
	IsAdmin AdminChecker
	Logger  *zap.Logger
}

// Handler runs /parcours.
type Handler struct {
	deps  Deps
	subs  []*Sub
	byKey map[string]*Sub
}

// New returns the handler with the built-in sub-commands.
func New(d Deps) *Handler {
	if d.Logger == nil {
		d.Logger = zap.NewNop()
	}
	if d.Link == nil {
		d.Link = func(page, anchor string) string { return "" }
	}
	h := &Handler{deps: d, byKey: map[string]*Sub{}}
	h.Register(&Sub{Name: "aide", Aliases: []string{"help", "?"}, Help: "cette aide", Run: h.help})
	h.Register(&Sub{Name: "liste", Aliases: []string{"parcours", "list"}, Help: "les quatre parcours", Run: h.list})
	h.Register(&Sub{Name: "chercher", Aliases: []string{"question", "cherche", "search"}, Usage: "chercher <question>",
		Help: "poser une question à la base de connaissances", Run: h.search})
	// Placeholders until the diagnostic (issue 4) registers the real ones
	// with the same names, which replaces these.
	for _, s := range []struct{ name, help string }{
		{"diagnostic", "faire le diagnostic de maturité (en message direct)"},
		{"resultat", "voir votre dernier résultat de diagnostic"},
		{"oublier", "effacer vos résultats de diagnostic"},
	} {
		h.Register(&Sub{Name: s.name, Help: s.help, Run: soon})
	}
	h.Register(&Sub{Name: "reindex", Aliases: []string{"reindexer"}, Usage: "reindex [forcer]", Help: "recharger la base de connaissances", Admin: true, Run: h.reindex})
	h.Register(&Sub{Name: "stats", Aliases: []string{"statistiques"}, Help: "questions, avis et questions sans réponse", Admin: true, Run: h.stats})
	return h
}

// Register adds a sub-command, replacing one with the same name.
func (h *Handler) Register(s *Sub) {
	for i, old := range h.subs {
		if old.Name == s.Name {
			for _, a := range old.Aliases {
				delete(h.byKey, a)
			}
			h.subs = append(h.subs[:i], h.subs[i+1:]...)
			break
		}
	}
	h.subs = append(h.subs, s)
	h.byKey[s.Name] = s
	for _, a := range s.Aliases {
		h.byKey[a] = s
	}
}

// soon is the honest answer of the diagnostic sub-commands until the
// diagnostic exists (issue 4).
func soon(ctx context.Context, req Request, args []string) (Response, error) {
	return Response{Text: "Le diagnostic de maturité arrive bientôt : cette commande n'est pas encore disponible. " +
		"En attendant, `/parcours liste` présente les parcours et vous pouvez me poser vos questions."}, nil
}

// Handle runs the command. Errors become a French message; nothing is lost
// from the user's input.
func (h *Handler) Handle(ctx context.Context, req Request) Response {
	words := strings.Fields(req.Text)
	if len(words) == 0 {
		r, _ := h.help(ctx, req, nil)
		r.Sub = "aide"
		return r
	}
	key := fold(words[0])
	args := words[1:]
	sub := h.byKey[key]
	var pathRun Func
	if sub == nil {
		if cat := h.catalog(); cat != nil && cat.Path(key) != nil {
			pathRun = func(ctx context.Context, req Request, args []string) (Response, error) {
				return h.path(cat, key, args)
			}
		}
	}
	if sub == nil && pathRun == nil {
		return h.unknown(words[0])
	}
	name := key
	run := pathRun
	if sub != nil {
		name, run = sub.Name, sub.Run
		if sub.Admin || sub.Allowed != nil {
			check := h.isAdmin
			if sub.Allowed != nil {
				check = func(ctx context.Context, req Request) (bool, error) {
					return sub.Allowed(ctx, req.UserID, req.UserName)
				}
			}
			ok, err := check(ctx, req)
			if err != nil {
				h.deps.Logger.Warn("admin check failed", zap.String("user_id", req.UserID), zap.Error(err))
				return Response{Sub: name, Text: "Impossible de vérifier vos droits pour le moment. Réessayez dans un instant."}
			}
			if !ok {
				h.deps.Logger.Info("admin sub-command refused", zap.String("sub", name), zap.String("user_id", req.UserID))
				who := "aux administrateurs du bot"
				if sub.Allowed != nil {
					who = "aux administrateurs du bot et aux responsables de contenu"
				}
				return Response{Sub: name, Text: fmt.Sprintf("`/parcours %s` est réservée %s.", name, who)}
			}
		}
	}
	resp, err := run(ctx, req, args)
	if err != nil {
		h.deps.Logger.Error("sub-command failed", zap.String("sub", name), zap.Error(err))
		resp = Response{Text: "Désolé, une erreur est survenue. Réessayez dans un instant ; si elle persiste, prévenez un administrateur."}
	}
	resp.Sub = name
	return resp
}

func (h *Handler) isAdmin(ctx context.Context, req Request) (bool, error) {
	if h.deps.IsAdmin == nil {
		return false, nil
	}
	return h.deps.IsAdmin(ctx, req.UserID, req.UserName)
}

func (h *Handler) catalog() *parcours.Catalog {
	if h.deps.Catalog == nil {
		return nil
	}
	return h.deps.Catalog()
}

func (h *Handler) unknown(word string) Response {
	cands := make([]string, 0, len(h.byKey)+4)
	for k, s := range h.byKey {
		if !s.Hidden {
			cands = append(cands, k)
		}
	}
	if cat := h.catalog(); cat != nil {
		cands = append(cands, cat.IDs()...)
	}
	sort.Strings(cands)
	var b strings.Builder
	fmt.Fprintf(&b, "Je ne connais pas la sous-commande « %s ».", quote.Text(word, 40))
	if s := fuzzy.Closest(fold(word), cands); s != "" {
		fmt.Fprintf(&b, " Vouliez-vous dire `/parcours %s` ?", s)
	}
	b.WriteString("\nTapez `/parcours aide` pour la liste des sous-commandes, ou `/parcours chercher <votre question>` pour poser une question.")
	return Response{Text: b.String(), Sub: "inconnue"}
}

func (h *Handler) help(ctx context.Context, req Request, args []string) (Response, error) {
	var b strings.Builder
	b.WriteString("#### `/parcours` : l'assistant d'accueil Cloud Pi Native\n")
	b.WriteString("Posez-moi vos questions en message direct ou en me mentionnant dans un canal. Sous-commandes :\n")
	if cat := h.catalog(); cat != nil {
		fmt.Fprintf(&b, "- `/parcours %s [1|2|3]` : un parcours, ou un de ses niveaux, avec ses sujets\n", strings.Join(cat.IDs(), "|"))
	}
	for _, s := range h.subs {
		if s.Hidden || s.Name == "aide" {
			continue
		}
		usage := s.Name
		if s.Usage != "" {
			usage = s.Usage
		}
		admin := ""
		if s.Allowed != nil {
			admin = " _(administrateurs et responsables de contenu)_"
		} else if s.Admin {
			admin = " _(administrateurs)_"
		}
		fmt.Fprintf(&b, "- `/parcours %s` : %s%s\n", usage, s.Help, admin)
	}
	b.WriteString("- `/parcours aide` : cette aide")
	return Response{Text: b.String()}, nil
}

func (h *Handler) list(ctx context.Context, req Request, args []string) (Response, error) {
	cat := h.catalog()
	if cat == nil {
		return Response{Text: "Le catalogue des parcours n'est pas encore chargé. Réessayez dans un instant."}, nil
	}
	var b strings.Builder
	b.WriteString("#### Les parcours Cloud Pi Native\n")
	for _, p := range cat.Paths {
		title := p.Title
		if u := h.deps.Link(p.Page, ""); u != "" && p.Page != "" {
			title = fmt.Sprintf("[%s](%s)", p.Title, u)
		}
		fmt.Fprintf(&b, "- **%s** (`/parcours %s`)", title, p.ID)
		if p.Audience != "" {
			fmt.Fprintf(&b, " : %s", oneLine(p.Audience))
		}
		if p.Summary != "" {
			fmt.Fprintf(&b, "\n  %s", oneLine(p.Summary))
		}
		b.WriteString("\n")
	}
	levels := make([]string, 0, len(cat.Levels))
	for _, l := range cat.Levels {
		levels = append(levels, fmt.Sprintf("%d %s", l.Number, l.Title))
	}
	if len(levels) > 0 {
		fmt.Fprintf(&b, "\nNiveaux : %s. Exemple : `/parcours %s 2`.", strings.Join(levels, ", "), cat.Paths[0].ID)
	}
	return Response{Text: b.String()}, nil
}

// path shows a path, or one level of it.
func (h *Handler) path(cat *parcours.Catalog, id string, args []string) (Response, error) {
	p := cat.Path(id)
	level := 0
	for _, a := range args {
		a = fold(a)
		if a == "niveau" || a == "n" || a == "level" {
			continue
		}
		n := parseLevel(cat, a)
		if n == 0 {
			return Response{Text: fmt.Sprintf("Niveau « %s » inconnu : choisissez 1 (%s), 2 (%s) ou 3 (%s). Exemple : `/parcours %s 2`.",
				quote.Text(a, 30), cat.LevelTitle(1), cat.LevelTitle(2), cat.LevelTitle(3), p.ID)}, nil
		}
		level = n
		break
	}
	var b strings.Builder
	title := p.Title
	if u := h.deps.Link(p.Page, ""); u != "" && p.Page != "" {
		title = fmt.Sprintf("[%s](%s)", p.Title, u)
	}
	fmt.Fprintf(&b, "#### Parcours %s\n", title)
	if level == 0 {
		if p.Audience != "" {
			fmt.Fprintf(&b, "_Pour : %s_\n", oneLine(p.Audience))
		}
		if p.Summary != "" {
			fmt.Fprintf(&b, "%s\n", oneLine(p.Summary))
		}
		for _, l := range p.Levels {
			h.writeLevel(&b, cat, p, l, false)
		}
		fmt.Fprintf(&b, "\nDétail d'un niveau : `/parcours %s 1`, `2` ou `3`.", p.ID)
		return Response{Text: b.String()}, nil
	}
	l := p.Level(level)
	if l == nil {
		return Response{Text: fmt.Sprintf("Le parcours %s n'a pas (encore) de niveau %d.", p.Title, level)}, nil
	}
	h.writeLevel(&b, cat, p, l, true)
	if level < 3 && p.Level(level+1) != nil {
		fmt.Fprintf(&b, "\nEnsuite : `/parcours %s %d`.", p.ID, level+1)
	}
	return Response{Text: b.String()}, nil
}

func (h *Handler) writeLevel(b *strings.Builder, cat *parcours.Catalog, p *parcours.Path, l *parcours.Level, detail bool) {
	title := l.Title
	if title == "" {
		title = cat.LevelTitle(l.Number)
	}
	head := fmt.Sprintf("Niveau %d : %s", l.Number, title)
	if u := h.deps.Link(p.Page, l.Anchor); u != "" && p.Page != "" {
		head = fmt.Sprintf("[%s](%s)", head, u)
	}
	fmt.Fprintf(b, "\n**%s**", head)
	if l.Summary != "" {
		fmt.Fprintf(b, "\n%s", oneLine(l.Summary))
	}
	b.WriteString("\n")
	if !detail && len(l.Topics) > 4 {
		// The overview stays short: the level view has every topic.
		for _, t := range l.Topics[:4] {
			b.WriteString("- " + h.topic(t) + "\n")
		}
		fmt.Fprintf(b, "- … et %d autres sujets\n", len(l.Topics)-4)
		return
	}
	for _, t := range l.Topics {
		b.WriteString("- " + h.topic(t) + "\n")
	}
}

func (h *Handler) topic(t *parcours.Topic) string {
	if t.Page != "" {
		if u := h.deps.Link(t.Page, t.Anchor); u != "" {
			return fmt.Sprintf("[%s](%s)", t.Label, u)
		}
	}
	return t.Label
}

func (h *Handler) search(ctx context.Context, req Request, args []string) (Response, error) {
	q := strings.TrimSpace(strings.Join(args, " "))
	if q == "" {
		return Response{Text: "Indiquez votre question après `chercher`, par exemple : `/parcours chercher comment déployer mon application ?`"}, nil
	}
	if h.deps.Answers == nil {
		return Response{Text: "La base de connaissances n'est pas encore chargée. Réessayez dans un instant."}, nil
	}
	a, err := h.deps.Answers.Ask(ctx, q)
	if err != nil {
		return Response{}, fmt.Errorf("question: %w", err)
	}
	return Response{Answer: a}, nil
}

func (h *Handler) reindex(ctx context.Context, req Request, args []string) (Response, error) {
	if h.deps.Index == nil {
		return Response{Text: "Rechargement indisponible : aucune base de connaissances n'est configurée."}, nil
	}
	force := false
	for _, a := range args {
		switch strings.ToLower(a) {
		case "forcer", "force", "--force":
			force = true
		}
	}
	st, err := h.deps.Index.Reload(ctx, force)
	if err != nil {
		h.deps.Logger.Warn("reindex failed", zap.Error(err))
		var drop *answer.DropError
		if errors.As(err, &drop) {
			return Response{Text: drop.Explain() + "\nSi c'est voulu (pages déplacées ou supprimées) : `/parcours reindex forcer`."}, nil
		}
		return Response{Text: fmt.Sprintf("Le rechargement a échoué ; l'ancienne base reste en service.\nErreur : %s", truncate(err.Error(), 500))}, nil
	}
	h.deps.Logger.Info("reindexed", zap.String("by", req.UserID), zap.Int("pages", st.Pages), zap.Int("sections", st.Sections))
	var b strings.Builder
	fmt.Fprintf(&b, "Base de connaissances rechargée : %d pages, %d sections.\nChangements : %s.", st.Pages, st.Sections, st.Diff.Summary(5))
	if n := len(st.Warnings); n > 0 {
		fmt.Fprintf(&b, "\n%d avertissement(s) :", n)
		for i, w := range st.Warnings {
			if i == 10 {
				fmt.Fprintf(&b, "\n- … et %d autres (voir les journaux)", n-10)
				break
			}
			fmt.Fprintf(&b, "\n- %s", oneLine(w))
		}
	}
	return Response{Text: b.String()}, nil
}

func (h *Handler) stats(ctx context.Context, req Request, args []string) (Response, error) {
	var b strings.Builder
	b.WriteString("#### Statistiques de parcours\n")
	if h.deps.Index != nil {
		st := h.deps.Index.Stats()
		fmt.Fprintf(&b, "Base : %d pages, %d sections", st.Pages, st.Sections)
		if !st.LoadedAt.IsZero() {
			fmt.Fprintf(&b, ", chargée le %s", st.LoadedAt.UTC().Format("02/01/2006 à 15:04 UTC"))
		}
		if len(st.Warnings) > 0 {
			fmt.Fprintf(&b, ", %d avertissement(s)", len(st.Warnings))
		}
		b.WriteString(".\n")
	}
	if h.deps.Usage == nil {
		b.WriteString("Aucun compteur disponible.")
		return Response{Text: b.String()}, nil
	}
	u, err := h.deps.Usage.Usage(ctx, 10)
	if err != nil {
		return Response{}, fmt.Errorf("statistiques: %w", err)
	}
	total := u.Answered + u.Missed
	fmt.Fprintf(&b, "Questions : %d (%d avec réponse, %d sans réponse)\n", total, u.Answered, u.Missed)
	fmt.Fprintf(&b, "Avis : %d « Utile », %d « Pas utile »\n", u.Useful, u.NotUseful)
	if len(u.RecentMisses) > 0 {
		b.WriteString("\nDernières questions sans réponse :\n")
		for _, m := range u.RecentMisses {
			fmt.Fprintf(&b, "- %s : %s\n", m.At.UTC().Format("02/01 15:04"), quote.Text(m.Question, quote.Excerpt))
		}
	}
	return Response{Text: b.String()}, nil
}

func parseLevel(cat *parcours.Catalog, a string) int {
	if n, err := strconv.Atoi(a); err == nil {
		if n >= 1 && n <= 3 {
			return n
		}
		return 0
	}
	for _, l := range cat.Levels {
		if fold(l.Title) == a {
			return l.Number
		}
		for _, w := range l.Words {
			if fold(w) == a {
				return l.Number
			}
		}
	}
	return 0
}

// fold lower-cases and strips French accents so that "Stratégie" finds
// "strategie".
func fold(s string) string {
	s = strings.ToLower(s)
	r := strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "î", "i", "ï", "i",
		"ô", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c")
	return r.Replace(s)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
