package mattermost

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"

	"github.com/cloud-pi-native/parcours/internal/conversation"
	"github.com/cloud-pi-native/parcours/internal/logctx"
)

// Post props: what a message keeps once its choices are closed (the
// question without its list of options), which survives a restart as the
// post does; and the diagnostic question a post shows.
const (
	propHead     = "parcours_head"
	propQuestion = "parcours_question"
)

// maxButtonLabel is the longest label shown on a button; when one is
// longer, the buttons show their short labels ("1", "Passer") and the
// message lists the options.
const maxButtonLabel = 32

// Poster turns the conversation's replies into posts of the bot: Markdown
// message, signed buttons, and the edits that close an earlier message.
type Poster struct {
	API    API
	BotID  string
	Signer *Signer
	// ActionURL is where Mattermost posts the clicks (<public
	// URL>/mattermost/action); without it or a signer, no buttons.
	ActionURL string
	// LongTTL is how long the buttons of a diagnostic question stay
	// clickable: as long as a diagnostic (the signer's own validity when 0).
	LongTTL time.Duration
	Logger  *zap.Logger
	// wrote, when set, notes a thread the bot wrote in.
	wrote func(root string)
}

// post renders a reply as a post for userID (the buttons are theirs).
func (p *Poster) post(userID string, r conversation.Reply) *model.Post {
	post := &model.Post{Message: r.Text}
	if r.Keep != "" {
		post.AddProp(propHead, r.Keep)
	}
	if r.Question != "" {
		post.AddProp(propQuestion, r.Question)
	}
	if len(r.Choices) == 0 || p.Signer == nil || p.ActionURL == "" {
		return post
	}
	short := false
	for _, ch := range r.Choices {
		if utf8.RuneCountInString(ch.Label) > maxButtonLabel {
			short = true
		}
	}
	// One nonce for the reply's buttons: a click names the reply it
	// belongs to (feedback is counted once per answer).
	nonce := NewNonce()
	att := &model.MessageAttachment{Text: r.Prompt}
	for i, ch := range r.Choices {
		name := ch.Label
		if short && ch.Short != "" {
			name = ch.Short
		}
		var expires int64
		if ch.Action == conversation.ActionDiagnostic && p.LongTTL > 0 {
			expires = time.Now().Add(p.LongTTL).Unix()
		}
		id := ch.ID
		if id == "" {
			id = fmt.Sprintf("choix%d", i+1)
		}
		att.Actions = append(att.Actions, &model.PostAction{Id: id, Name: name, Type: model.PostActionTypeButton, Style: string(ch.Style),
			Integration: &model.PostActionIntegration{URL: p.ActionURL, Context: p.Signer.Context(Claims{
				Action: ch.Action, UserID: userID, Nonce: nonce, Data: ch.Data, Expires: expires})}})
	}
	model.ParseMessageAttachment(post, []*model.MessageAttachment{att})
	return post
}

// closed returns a post without its buttons and with a line saying what
// became of it ("→ **Souvent**"): what it keeps (propHead), else its
// message.
func closed(p *model.Post, line string) (message string, props model.StringInterface) {
	head, _ := p.GetProp(propHead).(string)
	if head == "" {
		head = p.Message
	}
	props = model.StringInterface{}
	for k, v := range p.GetProps() {
		if k != model.PostPropsAttachments {
			props[k] = v
		}
	}
	if line == "" {
		return head, props
	}
	return head + "\n\n" + line, props
}

// close closes an earlier post of the bot.
func (p *Poster) close(ctx context.Context, id, line string) error {
	old, err := p.API.GetPost(ctx, id)
	if err != nil {
		return fmt.Errorf("lecture du message à fermer: %w", err)
	}
	msg, props := closed(old, line)
	if _, err := p.API.PatchPost(ctx, id, &model.PostPatch{Message: &msg, Props: &props}); err != nil {
		return fmt.Errorf("fermeture du message: %w", err)
	}
	return nil
}

// Outbox returns where the replies of a conversation with userID go: the
// thread root of channelID (root "" for none), and the user's direct
// channel with the bot. direct says channelID is that direct channel.
func (p *Poster) Outbox(userID, channelID, root string, direct bool) conversation.Outbox {
	o := &postOutbox{p: p, user: userID, channel: channelID, root: root}
	if direct {
		o.dm = channelID
	}
	return o
}

// postOutbox posts the replies of a message (or of a welcome: no channel).
type postOutbox struct {
	p                   *Poster
	user, channel, root string
	mu                  sync.Mutex
	dm                  string // the user's direct channel with the bot, once known
}

func (o *postOutbox) Send(ctx context.Context, r conversation.Reply) (string, error) {
	post := o.p.post(forUser(r, o.user), r)
	switch {
	case r.To == conversation.ToDirect:
		ch, err := o.direct(ctx, forUser(r, o.user))
		if err != nil {
			return "", err
		}
		post.ChannelId = ch
	case o.channel == "":
		return "", fmt.Errorf("réponse sans canal")
	default:
		post.ChannelId, post.RootId = o.channel, o.root
	}
	// Without a message to answer (a welcome), a failed post gets no
	// « could not post my answer » in its place: there was no question.
	return o.p.create(ctx, post, o.channel != "")
}

func (o *postOutbox) Close(ctx context.Context, id, line string) error {
	return o.p.close(ctx, id, line)
}

// direct returns the direct channel of the bot and userID.
func (o *postOutbox) direct(ctx context.Context, userID string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if userID == o.user && o.dm != "" {
		return o.dm, nil
	}
	ch, err := o.p.API.DirectChannel(ctx, o.p.BotID, userID)
	if err != nil {
		return "", fmt.Errorf("ouverture du message direct: %w", err)
	}
	if userID == o.user {
		o.dm = ch.Id
	}
	return ch.Id, nil
}

func forUser(r conversation.Reply, user string) string {
	if r.For != "" {
		return r.For
	}
	return user
}

// create posts, bounded, with a short message in its place when Mattermost
// refuses it (if fallback), and notes the thread the bot wrote in.
func (p *Poster) create(ctx context.Context, post *model.Post, fallback bool) (string, error) {
	var created *model.Post
	var err error
	if fallback {
		created, err = CreatePost(ctx, p.API, post, logctx.From(ctx, p.Logger))
	} else {
		post.Message = Bound(post.Message)
		MarkReply(ctx, post)
		created, err = p.API.CreatePost(ctx, post)
	}
	if err != nil {
		return "", err
	}
	if post.RootId != "" && p.wrote != nil {
		p.wrote(post.RootId)
	}
	if created == nil {
		return "", nil
	}
	return created.Id, nil
}

// clickOutbox holds the replies to a click: the clicked post is changed
// through the response (no second request, no race with it), notices are
// the response's ephemeral text, the rest is posted.
type clickOutbox struct {
	postOutbox
	clicked string
	update  *model.Post
	notices []string
}

func (o *clickOutbox) Send(ctx context.Context, r conversation.Reply) (string, error) {
	if r.To == conversation.ToCaller {
		o.notices = append(o.notices, r.Text)
		return "", nil
	}
	return o.postOutbox.Send(ctx, r)
}

func (o *clickOutbox) Close(ctx context.Context, id, line string) error {
	if id != o.clicked {
		return o.p.close(ctx, id, line)
	}
	p, err := o.p.API.GetPost(ctx, id)
	if err != nil {
		return fmt.Errorf("lecture du message cliqué: %w", err)
	}
	msg, props := closed(p, line)
	u := &model.Post{Id: p.Id, ChannelId: p.ChannelId, UserId: p.UserId, Message: msg}
	u.SetProps(props)
	o.update = u
	return nil
}

func (o *clickOutbox) response() *model.PostActionIntegrationResponse {
	return &model.PostActionIntegrationResponse{Update: o.update, EphemeralText: strings.Join(o.notices, "\n\n")}
}

// commandOutbox holds the replies to a slash command: what is for the
// caller is the command's (ephemeral) response; what goes to the direct
// channel is posted there.
type commandOutbox struct {
	postOutbox
	texts []string
	atts  []*model.MessageAttachment
}

func (o *commandOutbox) Send(ctx context.Context, r conversation.Reply) (string, error) {
	if r.To == conversation.ToDirect {
		return o.postOutbox.Send(ctx, r)
	}
	o.texts = append(o.texts, r.Text)
	if o.atts == nil {
		o.atts = o.p.post(o.user, r).Attachments()
	}
	return "", nil
}

func (o *commandOutbox) response() *model.CommandResponse {
	return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral,
		Text: Bound(strings.Join(o.texts, "\n\n")), Attachments: o.atts}
}
