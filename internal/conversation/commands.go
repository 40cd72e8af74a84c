package conversation

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/cloud-pi-native/parcours/internal/answer"
	"github.com/cloud-pi-native/parcours/internal/fr"
	"github.com/cloud-pi-native/parcours/internal/fuzzy"
	"github.com/cloud-pi-native/parcours/internal/kb"
	"github.com/cloud-pi-native/parcours/internal/parcours"
	"github.com/cloud-pi-native/parcours/internal/quote"
)

// Request is one /parcours command: who typed it, where, and the words
// after "/parcours".
type Request struct {
	Message
	out Outbox
}

// SubFunc runs a sub-command; args are the words after its name. The text
// it returns is the reply to the caller ("" for none).
type SubFunc func(ctx context.Context, req Request, args []string) (string, error)

// Sub is a sub-command of /parcours.
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
	Run     SubFunc
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

// AdminChecker says whether the caller may run admin sub-commands; it is
// checked on the server side, never trusted from the request.
type AdminChecker func(ctx context.Context, userID, userName string) (bool, error)

func (c *Conversation) registerBuiltins() {
	c.Register(&Sub{Name: "aide", Aliases: []string{"help", "?"}, Help: "cette aide", Run: c.help})
	c.Register(&Sub{Name: "liste", Aliases: []string{"parcours", "list"}, Help: "les quatre parcours", Run: c.list})
	c.Register(&Sub{Name: "chercher", Aliases: []string{"question", "cherche", "search"}, Usage: "chercher <question>",
		Help: "poser une question à la base de connaissances", Run: c.search})
	if c.diag != nil {
		c.Register(&Sub{Name: "diagnostic", Aliases: []string{"diag"}, Usage: "diagnostic [equipe [nom]] [recommencer]",
			Help: "faire le diagnostic de maturité (en message direct), pour vous ou votre équipe", Run: c.cmdDiagnostic})
		c.Register(&Sub{Name: "resultat", Aliases: []string{"resultats", "result"},
			Usage: "resultat [equipe]", Help: "voir votre dernier résultat de diagnostic et son évolution ; `equipe` : ceux de vos équipes dans le temps", Run: c.result})
		c.Register(&Sub{Name: "oublier", Aliases: []string{"effacer", "forget"},
			Help: "effacer vos résultats et votre diagnostic en cours (droit à l'effacement, RGPD)", Run: c.forget})
	}
	c.Register(&Sub{Name: "reindex", Aliases: []string{"reindexer"}, Usage: "reindex [forcer]", Help: "recharger la base de connaissances", Admin: true, Run: c.reindex})
	c.Register(&Sub{Name: "stats", Aliases: []string{"statistiques"}, Help: "questions, avis et questions sans réponse", Admin: true, Run: c.stats})
	if c.dir != nil && c.stores.Welcomed != nil {
		c.Register(&Sub{Name: "bienvenue", Aliases: []string{"accueil", "welcome"}, Usage: "bienvenue [@nom]",
			Help: "voir le message de bienvenue, ou le renvoyer à quelqu'un", Admin: true, Run: c.cmdWelcome})
	}
}

// Register adds a sub-command, replacing one with the same name.
func (c *Conversation) Register(s *Sub) {
	for i, old := range c.subs {
		if old.Name == s.Name {
			for _, a := range old.Aliases {
				delete(c.byKey, a)
			}
			c.subs = append(c.subs[:i], c.subs[i+1:]...)
			break
		}
	}
	c.subs = append(c.subs, s)
	c.byKey[s.Name] = s
	for _, a := range s.Aliases {
		c.byKey[a] = s
	}
}

// Command runs /parcours: m.Text is what follows it. Errors become a French
// message; nothing is lost from the user's input.
func (c *Conversation) Command(ctx context.Context, m Message, out Outbox) error {
	defer c.lock(m.User.ID)()
	return c.command(ctx, m, out)
}

func (c *Conversation) command(ctx context.Context, m Message, out Outbox) error {
	if m.Received.IsZero() {
		m.Received = time.Now()
	}
	name, text, err := c.run(ctx, Request{Message: m, out: out})
	if c.metrics != nil {
		c.metrics.SlashCommands.WithLabelValues(name).Inc()
	}
	c.logger(ctx).Debug("command", zap.String("sub", name), zap.Duration("took", time.Since(m.Received)))
	if err != nil {
		c.logger(ctx).Error("sub-command failed", zap.String("sub", name), zap.Error(err))
		text = errorText
	}
	if text == "" {
		return nil
	}
	_, err = c.send(ctx, m.User.ID, out, Reply{Text: text})
	return err
}

// run finds and runs the sub-command; name is the one run, for metrics
// ("inconnue" when unknown).
func (c *Conversation) run(ctx context.Context, req Request) (name, text string, err error) {
	words := strings.Fields(req.Text)
	if len(words) == 0 {
		text, err = c.help(ctx, req, nil)
		return "aide", text, err
	}
	key := fold(strings.ToLower(words[0]))
	args := words[1:]
	sub := c.byKey[key]
	if sub == nil {
		if cat := c.know.Catalog(); cat.Path(key) != nil {
			text, err = c.path(cat, key, args)
			return key, text, err
		}
		return "inconnue", c.unknown(words[0]), nil
	}
	if sub.Admin || sub.Allowed != nil {
		check := c.admin
		if sub.Allowed != nil {
			check = func(ctx context.Context, req Request) (bool, error) {
				return sub.Allowed(ctx, req.User.ID, req.User.Username)
			}
		}
		ok, err := check(ctx, req)
		if err != nil {
			c.logger(ctx).Warn("admin check failed", zap.String("user_id", req.User.ID), zap.Error(err))
			return sub.Name, "Impossible de vérifier vos droits pour le moment. Réessayez dans un instant.", nil
		}
		if !ok {
			c.logger(ctx).Info("admin sub-command refused", zap.String("sub", sub.Name), zap.String("user_id", req.User.ID))
			who := "aux administrateurs du bot"
			if sub.Allowed != nil {
				who = "aux administrateurs du bot et aux responsables de contenu"
			}
			return sub.Name, fmt.Sprintf("`/parcours %s` est réservée %s.", sub.Name, who), nil
		}
	}
	text, err = sub.Run(ctx, req, args)
	return sub.Name, text, err
}

func (c *Conversation) admin(ctx context.Context, req Request) (bool, error) {
	if c.isAdmin == nil {
		return false, nil
	}
	return c.isAdmin(ctx, req.User.ID, req.User.Username)
}

func (c *Conversation) unknown(word string) string {
	cands := make([]string, 0, len(c.byKey)+4)
	for k, s := range c.byKey {
		if !s.Hidden {
			cands = append(cands, k)
		}
	}
	cands = append(cands, c.know.Catalog().IDs()...)
	sort.Strings(cands)
	var b strings.Builder
	fmt.Fprintf(&b, "Je ne connais pas la sous-commande « %s ».", quote.Text(word, 40))
	if s := fuzzy.Closest(fold(strings.ToLower(word)), cands); s != "" {
		fmt.Fprintf(&b, " Vouliez-vous dire `/parcours %s` ?", s)
	}
	b.WriteString("\nTapez `/parcours aide` pour la liste des sous-commandes, ou `/parcours chercher <votre question>` pour poser une question.")
	return b.String()
}

func (c *Conversation) help(ctx context.Context, req Request, args []string) (string, error) {
	var b strings.Builder
	b.WriteString("#### `/parcours` : l'assistant d'accueil Cloud Pi Native\n")
	b.WriteString("Posez-moi vos questions en message direct ou en me mentionnant dans un canal. Sous-commandes :\n")
	if ids := c.know.Catalog().IDs(); len(ids) > 0 {
		fmt.Fprintf(&b, "- `/parcours %s [1|2|3]` : un parcours, ou un de ses niveaux, avec ses sujets\n", strings.Join(ids, "|"))
	}
	for _, s := range c.subs {
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
	return b.String(), nil
}

// link builds the URL of a knowledge page section, "" when unknown.
func (c *Conversation) link(page, anchor string) string {
	if page == "" {
		return ""
	}
	if anchor != "" {
		page += "#" + anchor
	}
	return c.know.PageURL(page)
}

func (c *Conversation) list(ctx context.Context, req Request, args []string) (string, error) {
	cat := c.know.Catalog()
	if len(cat.Paths) == 0 {
		return "Le catalogue des parcours n'est pas encore chargé. Réessayez dans un instant.", nil
	}
	var b strings.Builder
	b.WriteString("#### Les parcours Cloud Pi Native\n")
	for _, p := range cat.Paths {
		title := p.Title
		if u := c.link(p.Page, ""); u != "" {
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
	return b.String(), nil
}

// path shows a path, or one level of it.
func (c *Conversation) path(cat *parcours.Catalog, id string, args []string) (string, error) {
	p := cat.Path(id)
	level := 0
	for _, a := range args {
		a = fold(strings.ToLower(a))
		if a == "niveau" || a == "n" || a == "level" {
			continue
		}
		n := parseLevel(cat, a)
		if n == 0 {
			return fmt.Sprintf("Niveau « %s » inconnu : choisissez 1 (%s), 2 (%s) ou 3 (%s). Exemple : `/parcours %s 2`.",
				quote.Text(a, 30), cat.LevelTitle(1), cat.LevelTitle(2), cat.LevelTitle(3), p.ID), nil
		}
		level = n
		break
	}
	var b strings.Builder
	title := p.Title
	if u := c.link(p.Page, ""); u != "" {
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
			c.writeLevel(&b, cat, p, l, false)
		}
		fmt.Fprintf(&b, "\nDétail d'un niveau : `/parcours %s 1`, `2` ou `3`.", p.ID)
		return b.String(), nil
	}
	l := p.Level(level)
	if l == nil {
		return fmt.Sprintf("Le parcours %s n'a pas (encore) de niveau %d.", p.Title, level), nil
	}
	c.writeLevel(&b, cat, p, l, true)
	if level < 3 && p.Level(level+1) != nil {
		fmt.Fprintf(&b, "\nEnsuite : `/parcours %s %d`.", p.ID, level+1)
	}
	return b.String(), nil
}

func (c *Conversation) writeLevel(b *strings.Builder, cat *parcours.Catalog, p *parcours.Path, l *parcours.Level, detail bool) {
	title := l.Title
	if title == "" {
		title = cat.LevelTitle(l.Number)
	}
	head := fmt.Sprintf("Niveau %d : %s", l.Number, title)
	if u := c.link(p.Page, l.Anchor); u != "" {
		head = fmt.Sprintf("[%s](%s)", head, u)
	}
	fmt.Fprintf(b, "\n**%s**", head)
	if l.Summary != "" {
		fmt.Fprintf(b, "\n%s", oneLine(l.Summary))
	}
	b.WriteString("\n")
	topics := l.Topics
	if !detail && len(topics) > 4 {
		// The overview stays short: the level view has every topic.
		topics = topics[:4]
	}
	for _, t := range topics {
		b.WriteString("- " + c.topic(t) + "\n")
	}
	if n := len(l.Topics) - len(topics); n > 0 {
		fmt.Fprintf(b, "- … et %s\n", fr.Count(n, "autre sujet", "autres sujets"))
	}
}

func (c *Conversation) topic(t *parcours.Topic) string {
	if u := c.link(t.Page, t.Anchor); u != "" {
		return fmt.Sprintf("[%s](%s)", t.Label, u)
	}
	return t.Label
}

func (c *Conversation) search(ctx context.Context, req Request, args []string) (string, error) {
	q := strings.TrimSpace(strings.Join(args, " "))
	if q == "" {
		return "Indiquez votre question après `chercher`, par exemple : `/parcours chercher comment déployer mon application ?`", nil
	}
	return "", c.ask(ctx, req.Message, q, req.out)
}

func (c *Conversation) reindex(ctx context.Context, req Request, args []string) (string, error) {
	if c.index == nil {
		return "Rechargement indisponible : aucune base de connaissances n'est configurée.", nil
	}
	force := false
	for _, a := range args {
		switch strings.ToLower(a) {
		case "forcer", "force", "--force":
			force = true
		}
	}
	st, err := c.index.Reload(ctx, force)
	if err != nil {
		c.logger(ctx).Warn("reindex failed", zap.Error(err))
		var drop *answer.DropError
		if errors.As(err, &drop) {
			return drop.Explain() + "\nSi c'est voulu (pages déplacées ou supprimées) : `/parcours reindex forcer`.", nil
		}
		return fmt.Sprintf("Le rechargement a échoué ; l'ancienne base reste en service.\nErreur : %s", quote.Text(err.Error(), 500)), nil
	}
	c.logger(ctx).Info("reindexed", zap.String("by", req.User.ID), zap.Int("pages", st.Pages), zap.Int("sections", st.Sections))
	var b strings.Builder
	fmt.Fprintf(&b, "Base de connaissances rechargée : %d pages, %d sections.\nChangements : %s.", st.Pages, st.Sections, st.Diff.Summary(5))
	if n := len(st.Warnings); n > 0 {
		fmt.Fprintf(&b, "\n%s :", fr.Count(n, "avertissement", "avertissements"))
		for i, w := range st.Warnings {
			if i == 10 {
				fmt.Fprintf(&b, "\n- … et %s (voir les journaux)", fr.Count(n-10, "autre", "autres"))
				break
			}
			fmt.Fprintf(&b, "\n- %s", oneLine(w))
		}
	}
	return b.String(), nil
}

func (c *Conversation) stats(ctx context.Context, req Request, args []string) (string, error) {
	var b strings.Builder
	b.WriteString("#### Statistiques de parcours\n")
	if c.index != nil {
		st := c.index.Stats()
		fmt.Fprintf(&b, "Base : %d pages, %d sections", st.Pages, st.Sections)
		if !st.LoadedAt.IsZero() {
			fmt.Fprintf(&b, ", chargée le %s", st.LoadedAt.UTC().Format("02/01/2006 à 15:04 UTC"))
		}
		if len(st.Warnings) > 0 {
			fmt.Fprintf(&b, ", %s", fr.Count(len(st.Warnings), "avertissement", "avertissements"))
		}
		b.WriteString(".\n")
	}
	// The usage figures (questions, feedback, diagnostics) come from the
	// analytics: the bot serves them with its own "stats" (internal/report).
	return b.String(), nil
}

func parseLevel(cat *parcours.Catalog, a string) int {
	if n, err := strconv.Atoi(a); err == nil {
		if n >= 1 && n <= 3 {
			return n
		}
		return 0
	}
	for _, l := range cat.Levels {
		if fold(strings.ToLower(l.Title)) == a {
			return l.Number
		}
		for _, w := range l.Words {
			if fold(strings.ToLower(w)) == a {
				return l.Number
			}
		}
	}
	return 0
}
