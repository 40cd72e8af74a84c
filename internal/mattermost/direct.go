package mattermost

import (
	"context"
	"fmt"

	"github.com/mattermost/mattermost/server/public/model"
)

// File is an attachment of a direct message.
type File struct {
	Name string
	Data []byte
}

// SendDirect posts text in the direct conversation of the bot (botID) with
// userID, files attached: they are uploaded to that conversation first.
func (c *Client) SendDirect(ctx context.Context, botID, userID, text string, files []File) error {
	ch, _, err := c.C.CreateDirectChannel(ctx, botID, userID)
	if err != nil {
		return fmt.Errorf("ouverture du message direct: %w", err)
	}
	p := &model.Post{ChannelId: ch.Id, Message: text}
	for _, f := range files {
		up, _, err := c.C.UploadFile(ctx, f.Data, ch.Id, f.Name)
		if err != nil {
			return fmt.Errorf("envoi du fichier %s: %w", f.Name, err)
		}
		for _, info := range up.FileInfos {
			p.FileIds = append(p.FileIds, info.Id)
		}
	}
	if _, err := c.CreatePost(ctx, p); err != nil {
		return err
	}
	return nil
}
