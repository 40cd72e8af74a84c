package conversation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.uber.org/zap"

	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/welcome"
)

// The choices of the welcome and of the help, in their Data["b"].
const (
	menuDiagnostic = "diagnostic"
	menuPaths      = "parcours"
	menuQuestion   = "question"
)

// menu is what the welcome offers: the diagnostic, the paths, a question.
func (c *Conversation) menu() []Choice {
	labels := welcome.Buttons{Diagnostic: "Faire le diagnostic", Paths: "Voir les parcours", Question: "Poser une question"}
	if m := c.welcome.Load(); m != nil {
		labels = m.Buttons
	}
	choice := func(id, label string, style Style) Choice {
		return Choice{ID: id, Label: label, Style: style, Action: ActionWelcome, Data: map[string]string{"b": id}}
	}
	menu := []Choice{choice(menuPaths, labels.Paths, Secondary), choice(menuQuestion, labels.Question, Secondary)}
	if c.diag != nil {
		menu = append([]Choice{choice(menuDiagnostic, labels.Diagnostic, Primary)}, menu...)
	}
	return menu
}

// Greet sends the welcome to a user in their direct conversation, with its
// choices, whoever they are and however often: the terminal greets at every
// start. Team is the team's name ("" for none).
func (c *Conversation) Greet(ctx context.Context, u User, team string, place Place, out Outbox) error {
	defer c.lock(u.ID)()
	return c.greet(ctx, u.ID, u, team, place, out)
}

// greet sends the welcome to u on behalf of caller, whose lock is held.
func (c *Conversation) greet(ctx context.Context, caller string, u User, team string, place Place, out Outbox) error {
	msg := c.welcome.Load()
	if msg == nil {
		return errors.New("message de bienvenue non chargé")
	}
	text := msg.Render(welcome.Vars{Name: u.Name, Team: team, Typed: place == Terminal})
	_, err := c.send(ctx, caller, out, Reply{To: ToDirect, For: u.ID, Text: text, Choices: c.menu()})
	return err
}

// errNotWelcomed says why a user gets no welcome.
var errNotWelcomed = errors.New("pas d'accueil")

// Welcome sends the welcome to a member of a team, once per team: false
// when they had it already, when newcomers are not welcomed, or when they
// are a bot, a deactivated account or a guest (unless guests are
// welcomed). force sends it again (an admin's re-send) and says why not.
func (c *Conversation) Welcome(ctx context.Context, u User, teamID, teamName string, force bool, out Outbox) (bool, error) {
	defer c.lock(u.ID)()
	return c.welcomeUser(ctx, u.ID, u, teamID, teamName, force, out)
}

// welcomeUser welcomes u on behalf of caller, whose lock is held.
func (c *Conversation) welcomeUser(ctx context.Context, caller string, u User, teamID, teamName string, force bool, out Outbox) (bool, error) {
	if c.welcome.Load() == nil || c.stores.Welcomed == nil {
		return false, errors.New("message de bienvenue non chargé")
	}
	if !force && !c.wopts.Newcomers {
		return false, nil
	}
	if why := c.noWelcome(u); why != "" {
		if force {
			return false, fmt.Errorf("%w : %s", errNotWelcomed, why)
		}
		return false, nil
	}
	if force {
		if err := c.stores.Welcomed.ForgetWelcome(ctx, teamID, u.ID); err != nil {
			return false, err
		}
	}
	first, err := c.stores.Welcomed.MarkWelcomed(ctx, teamID, u.ID)
	if err != nil || !first {
		return false, err
	}
	if err := c.greet(ctx, caller, u, teamName, Direct, out); err != nil {
		// Not sent: the next join event (or an admin) may try again.
		if ferr := c.stores.Welcomed.ForgetWelcome(ctx, teamID, u.ID); ferr != nil {
			c.logger(ctx).Warn("welcome: forgetting a failed welcome failed", zap.Error(ferr))
		}
		return false, err
	}
	if c.metrics != nil {
		c.metrics.Welcomes.Inc()
	}
	if c.stores.Record != nil {
		if err := c.stores.Record.Welcome(ctx, u.ID); err != nil {
			c.logger(ctx).Warn("recording welcome failed", zap.Error(err))
		}
	}
	return true, nil
}

// noWelcome says why a user gets no welcome, or "".
func (c *Conversation) noWelcome(u User) string {
	switch {
	case u.Bot:
		return "c'est un bot"
	case u.Deactivated:
		return "compte désactivé"
	case u.Guest && !c.wopts.Guests:
		return "c'est un invité (PARCOURS_WELCOME_GUESTS=false)"
	}
	return ""
}

// clickWelcome handles the menu of the welcome and the help. The menu keeps
// its choices: each may be used again.
func (c *Conversation) clickWelcome(ctx context.Context, k Click, out Outbox) error {
	m := Message{User: k.User, Place: k.Place, Channel: k.Channel, Team: k.Team}
	switch k.Data["b"] {
	case menuDiagnostic:
		if c.diag == nil {
			break
		}
		return c.startDiagnostic(ctx, k.User, diagnostic.AudienceAsk, false, out)
	case menuPaths:
		m.Text = "liste"
		if err := c.command(ctx, m, out); err != nil {
			return err
		}
		if c.diag != nil {
			_, err := c.send(ctx, k.User.ID, out, Reply{Text: "Pour savoir par où commencer, écrivez « diagnostic »."})
			return err
		}
		return nil
	case menuQuestion:
		_, err := c.send(ctx, k.User.ID, out, Reply{Text: "Je vous écoute : écrivez votre question ici, en une phrase, " +
			"par exemple « comment déployer mon application ? » ou « c'est quoi le mode produit ? ». " +
			"Je réponds avec les passages de la base de connaissances et leurs liens."})
		return err
	}
	return notice(ctx, out, "Ce bouton n'est plus disponible.")
}

// preview is the welcome as a newcomer would get it, for an admin.
func (c *Conversation) preview(name, team string) string {
	msg := c.welcome.Load()
	if msg == nil {
		return "Aucun message de bienvenue n'est chargé."
	}
	var b strings.Builder
	state := "activé"
	if !c.wopts.Newcomers {
		state = "désactivé (PARCOURS_WELCOME=false)"
	}
	fmt.Fprintf(&b, "_Aperçu du message de bienvenue (accueil %s), tel qu'il serait envoyé en message direct :_\n\n---\n", state)
	b.WriteString(msg.Render(welcome.Vars{Name: name, Team: team}))
	labels := []string{msg.Buttons.Diagnostic, msg.Buttons.Paths, msg.Buttons.Question}
	labels = slices.DeleteFunc(labels, func(s string) bool { return s == "" })
	fmt.Fprintf(&b, "\n\nBoutons : **[%s]**\n---\n_`/parcours bienvenue @nom` le renvoie à quelqu'un._", strings.Join(labels, "]** **["))
	return b.String()
}
