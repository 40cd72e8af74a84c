package mattermost

import (
	"context"
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"
)

// Trigger is the slash command's trigger word.
const Trigger = "parcours"

// RegisterCommand makes sure /parcours exists in every team of the bot,
// pointing at commandURL: it reuses a command already registered there
// (updating its URL when the bot created it) and creates it otherwise. It
// returns the tokens to accept. A team where it fails (the bot is not team
// admin) is logged and skipped: the command can be registered by hand.
func RegisterCommand(ctx context.Context, c *Client, me *model.User, commandURL string, log *zap.Logger) ([]string, error) {
	teams, _, err := c.C.GetTeamsForUser(ctx, me.Id, "")
	if err != nil {
		return nil, fmt.Errorf("équipes du bot: %w", err)
	}
	if len(teams) == 0 {
		log.Warn("the bot belongs to no team: /parcours not registered; add it to a team")
	}
	var tokens []string
	for _, t := range teams {
		tok, err := registerInTeam(ctx, c, me, t, commandURL, log)
		if err != nil {
			log.Warn("registering /parcours failed: give the bot the team admin role, or register it by hand and set PARCOURS_COMMAND_TOKENS",
				zap.String("team", t.Name), zap.Error(err))
			continue
		}
		if tok != "" {
			tokens = append(tokens, tok)
		}
	}
	return tokens, nil
}

func registerInTeam(ctx context.Context, c *Client, me *model.User, t *model.Team, commandURL string, log *zap.Logger) (string, error) {
	cmds, _, err := c.C.ListCommands(ctx, t.Id, true)
	if err != nil {
		return "", fmt.Errorf("liste des commandes: %w", err)
	}
	for _, cmd := range cmds {
		if cmd.Trigger != Trigger || cmd.DeleteAt != 0 {
			continue
		}
		if cmd.URL == commandURL {
			log.Info("/parcours already registered", zap.String("team", t.Name), zap.Bool("by_bot", cmd.CreatorId == me.Id))
			return cmd.Token, nil
		}
		if cmd.CreatorId != me.Id {
			// Someone registered it by hand elsewhere: theirs to change.
			return "", fmt.Errorf("/parcours existe déjà dans l'équipe %s avec l'URL %s", t.Name, cmd.URL)
		}
		cmd.URL = commandURL
		up, _, err := c.C.UpdateCommand(ctx, cmd)
		if err != nil {
			return "", fmt.Errorf("mise à jour de /parcours: %w", err)
		}
		log.Info("/parcours URL updated", zap.String("team", t.Name))
		return up.Token, nil
	}
	created, _, err := c.C.CreateCommand(ctx, &model.Command{
		TeamId:           t.Id,
		Trigger:          Trigger,
		Method:           model.CommandMethodPost,
		URL:              commandURL,
		DisplayName:      "parcours",
		Description:      "Assistant d'accueil Cloud Pi Native : parcours, questions, diagnostic",
		AutoComplete:     true,
		AutoCompleteDesc: "Parcours d'apprentissage, questions à la base de connaissances, diagnostic de maturité",
		AutoCompleteHint: "[aide | liste | " + strings.Join([]string{"produit", "sre", "projet", "strategie"}, " | ") + " [1|2|3] | chercher <question> | diagnostic]",
	})
	if err != nil {
		return "", fmt.Errorf("création de /parcours: %w", err)
	}
	log.Info("/parcours registered", zap.String("team", t.Name))
	return created.Token, nil
}
