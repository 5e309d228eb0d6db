package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"

	"cuttle.video/server/actors"
	"cuttle.video/server/database"
	"cuttle.video/server/engagement"
	"cuttle.video/server/problem"
	"cuttle.video/server/vocab"
)

// Comments and ratings across servers. A comment is a Note whose
// inReplyTo is the video or the comment it answers; it goes to the
// video's server when the video is remote, and to the video's followers
// when it is local. A rating of a remote video is a Like or Dislike sent
// to the video's server, taken back by an Undo; the counts of a local
// video reach its followers as an Update of the video, whose likes and
// dislikes collections they read the totals from.

// Commented tells other servers of a comment a local user made.
func (s *Service) Commented(ctx context.Context, v *database.Video, c *database.Comment) error {
	if c.Account == nil || c.URL != "" {
		return nil
	}
	inboxes, err := s.commentAudience(ctx, v)
	if err != nil || len(inboxes) == 0 {
		return err
	}
	note, err := s.noteOf(ctx, v, c)
	if err != nil {
		return err
	}
	author := s.actors.AccountActor(c.Account)
	return s.send(ctx, author, vocab.Create(author.ID, note), inboxes)
}

// Uncommented tells other servers that a local comment is gone; c is the
// comment as it was, with its author.
func (s *Service) Uncommented(ctx context.Context, v *database.Video, c *database.Comment) error {
	if c.Account == nil || c.URL != "" {
		return nil
	}
	inboxes, err := s.commentAudience(ctx, v)
	if err != nil || len(inboxes) == 0 {
		return err
	}
	author := s.actors.AccountActor(c.Account)
	to, cc := vocab.Audience(vocab.PrivacyPublic, author.Followers())
	return s.send(ctx, author, vocab.Delete(author.ID, s.commentURL(v, c.ID), to, cc), inboxes)
}

// Rated tells other servers of a rating a local account changed: the
// remote video's server by a Like or Dislike (and the Undo of the one it
// replaces), a local video's followers by its new counts.
func (s *Service) Rated(ctx context.Context, v *database.Video, account *database.Account, old, rating string) error {
	if !v.Remote {
		return s.tellCounts(ctx, v.ID)
	}
	inbox, err := s.originInbox(ctx, v)
	if err != nil {
		return err
	}
	actor := s.actors.AccountActor(account)
	key := strconv.FormatInt(v.ID, 10)
	if old != "" {
		if err := s.send(ctx, actor, vocab.Undo(rateActivity(actor, v.URL, key, old)), []string{inbox}); err != nil {
			return err
		}
	}
	if rating == "" {
		return nil
	}
	return s.send(ctx, actor, rateActivity(actor, v.URL, key, rating), []string{inbox})
}

func rateActivity(actor actors.Actor, videoURL, key, rating string) vocab.Object {
	if rating == database.RatingDislike {
		return vocab.Dislike(actor.ID, videoURL, key)
	}
	return vocab.Like(actor.ID, videoURL, key)
}

// tellCounts sends a local video's followers an Update, so that they
// read its likes and dislikes again. Its id names the time of sending:
// counts change without the video's own update time moving.
func (s *Service) tellCounts(ctx context.Context, videoID int64) error {
	v, err := s.db.VideoByID(ctx, videoID)
	if errors.Is(err, database.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !federates(v) || !v.Federated {
		return nil
	}
	obj, err := s.VideoObject(v)
	if err != nil {
		return err
	}
	inboxes, err := s.videoAudience(ctx, v)
	if err != nil {
		return err
	}
	account := s.actors.AccountActor(v.Channel.Account)
	return s.send(ctx, account, vocab.Update(account.ID, obj, now()), inboxes)
}

// commentAudience is where the comments of a video go: the video's
// server for a remote video, the video's followers for a local one
// other servers have.
func (s *Service) commentAudience(ctx context.Context, v *database.Video) ([]string, error) {
	if v.Remote {
		inbox, err := s.originInbox(ctx, v)
		if err != nil {
			return nil, err
		}
		return []string{inbox}, nil
	}
	if !federates(v) || !v.Federated {
		return nil, nil
	}
	return s.videoAudience(ctx, v)
}

// originInbox is the inbox of a remote video's server: its account's,
// shared when it has one.
func (s *Service) originInbox(ctx context.Context, v *database.Video) (string, error) {
	if v.Channel == nil {
		return "", fmt.Errorf("federation: video %s has no channel", v.URL)
	}
	owner, err := s.db.ActorOfAccount(ctx, v.Channel.AccountID)
	if err != nil {
		return "", fmt.Errorf("federation: owner of video %s: %w", v.URL, err)
	}
	return owner.DeliveryInbox(), nil
}

// noteOf describes a local comment: in reply to its parent, or to the
// video for a thread, each by its ActivityPub id.
func (s *Service) noteOf(ctx context.Context, v *database.Video, c *database.Comment) (vocab.Object, error) {
	author := s.actors.AccountActor(c.Account)
	inReplyTo := s.videoID(v)
	if c.InReplyToID != nil {
		parent, err := s.db.CommentOf(ctx, v.ID, *c.InReplyToID)
		if err != nil {
			return vocab.Object{}, fmt.Errorf("federation: parent of comment %d: %w", c.ID, err)
		}
		inReplyTo = s.commentID(v, parent)
	}
	to, cc := vocab.Audience(vocab.PrivacyPublic, author.Followers())
	id := s.commentURL(v, c.ID)
	return vocab.BuildNote(vocab.Note{
		ID: id, AttributedTo: author.ID, InReplyTo: inReplyTo, Content: noteHTML(c.Text),
		Published: c.CreatedAt, To: to, CC: cc, URL: id,
	}), nil
}

// noteHTML is a comment's text as the HTML other servers expect, its
// lines kept.
func noteHTML(text string) string {
	return "<p>" + strings.ReplaceAll(html.EscapeString(text), "\n", "<br>") + "</p>"
}

// videoID is the ActivityPub id of a video, local or remote.
func (s *Service) videoID(v *database.Video) string {
	if v.Remote {
		return v.URL
	}
	return s.videoURL(v)
}

// commentID is the ActivityPub id of a comment, local or remote.
func (s *Service) commentID(v *database.Video, c *database.Comment) string {
	if c.URL != "" {
		return c.URL
	}
	return s.commentURL(v, c.ID)
}

func (s *Service) commentURL(v *database.Video, id int64) string {
	return s.actors.PublicURL() + "/videos/watch/" + v.UUID + "/comments/" + strconv.FormatInt(id, 10)
}

// localTarget reads a local URL a remote server names: a video's
// (/videos/watch/{uuid}) or a comment's (.../comments/{id}); commentID
// is 0 for a video.
func (s *Service) localTarget(ctx context.Context, target string) (*database.Video, int64, error) {
	rest, ok := strings.CutPrefix(target, s.actors.PublicURL()+"/videos/watch/")
	if !ok {
		return nil, 0, refuse("%s is not a local video or comment", target)
	}
	ref, comment, isComment := strings.Cut(rest, "/comments/")
	var id int64
	if isComment {
		n, err := strconv.ParseInt(comment, 10, 64)
		if err != nil || n <= 0 {
			return nil, 0, refuse("%s is not a local comment", target)
		}
		id = n
	}
	if ref == "" || strings.ContainsAny(ref, "/?#") {
		return nil, 0, refuse("%s is not a local video", target)
	}
	v, err := s.db.VideoByUUID(ctx, ref)
	if errors.Is(err, database.ErrNotFound) {
		return nil, 0, refuse("%s: no such video", target)
	}
	return v, id, err
}

// replyTarget finds what a remote note answers: a video known here, or
// a comment of one, with the parent comment (nil for a new thread).
func (s *Service) replyTarget(ctx context.Context, inReplyTo string) (*database.Video, *database.Comment, error) {
	if s.isLocal(inReplyTo) {
		v, id, err := s.localTarget(ctx, inReplyTo)
		if err != nil {
			return nil, nil, err
		}
		if id == 0 {
			// Our URL of a remote video is not where it lives: replies
			// to it belong to its own server.
			if v.Remote || !federates(v) {
				return nil, nil, refuse("%s is not a public local video", inReplyTo)
			}
			return v, nil, nil
		}
		parent, err := s.db.CommentOf(ctx, v.ID, id)
		if errors.Is(err, database.ErrNotFound) || (err == nil && parent.URL != "") {
			return nil, nil, refuse("%s: no such local comment", inReplyTo)
		}
		if err != nil {
			return nil, nil, err
		}
		if !v.Remote && !federates(v) {
			return nil, nil, refuse("%s is on a video other servers may not see", inReplyTo)
		}
		return v, parent, nil
	}
	v, err := s.db.VideoByURL(ctx, inReplyTo)
	if err == nil {
		return v, nil, nil
	}
	if !errors.Is(err, database.ErrNotFound) {
		return nil, nil, err
	}
	parent, err := s.db.CommentByURL(ctx, inReplyTo)
	if errors.Is(err, database.ErrNotFound) {
		return nil, nil, refuse("%s is not a video or comment known here", inReplyTo)
	}
	if err != nil {
		return nil, nil, err
	}
	v, err = s.db.VideoByID(ctx, parent.VideoID)
	if err != nil {
		return nil, nil, err
	}
	return v, parent, nil
}

// receiveNote stores a comment a remote account made, or its new text,
// on a video known here: a local public one, or a remote one (its
// server's or another's replies). Mastodon's replies to a video are
// such notes too.
func (s *Service) receiveNote(ctx context.Context, a vocab.Activity) error {
	n, err := vocab.ParseNote(a.Object)
	if err != nil {
		return refusal{err}
	}
	if n.AttributedTo != a.Actor {
		return refuse("%s sent note %s of %s", a.Actor, n.ID, n.AttributedTo)
	}
	text := vocab.PlainText(n.Content)
	if text == "" {
		return refuse("note %s has no text", n.ID)
	}
	if utf8.RuneCountInString(text) > engagement.MaxCommentLength {
		text = string([]rune(text)[:engagement.MaxCommentLength])
	}
	known, err := s.db.CommentByURL(ctx, n.ID)
	switch {
	case err == nil:
		if known.DeletedAt != nil || known.Text == text {
			return nil
		}
		if known.Account == nil || known.Account.URL != a.Actor {
			return refuse("%s edits note %s of another", a.Actor, n.ID)
		}
		return s.db.SetCommentText(ctx, known.ID, text)
	case !errors.Is(err, database.ErrNotFound):
		return err
	}
	v, parent, err := s.replyTarget(ctx, n.InReplyTo)
	if err != nil {
		return err
	}
	if !v.CommentsEnabled {
		return refuse("note %s: comments are disabled on %s", n.ID, s.videoID(v))
	}
	author, err := s.RemoteActor(ctx, a.Actor, false)
	if err != nil {
		return err
	}
	if author.AccountID == 0 {
		return refuse("note %s: %s is not an account", n.ID, a.Actor)
	}
	c := &database.Comment{VideoID: v.ID, AccountID: &author.AccountID, Text: text, URL: n.ID}
	if parent != nil {
		root := parent.Root()
		c.ThreadID, c.InReplyToID = &root, &parent.ID
	}
	err = s.db.CreateComment(ctx, c)
	if errors.Is(err, database.ErrConflict) {
		// The same note, delivered twice at once.
		return nil
	}
	return err
}

// deleteRemoteComment turns a remote comment into a tombstone, when the
// one deleting it is on its server (checked by the caller).
func (s *Service) deleteRemoteComment(ctx context.Context, id string) error {
	c, err := s.db.CommentByURL(ctx, id)
	if errors.Is(err, database.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.db.DeleteComment(ctx, c); err != nil && !errors.Is(err, database.ErrNotFound) {
		return err
	}
	return nil
}

// receiveRate records a remote account's Like or Dislike of a local
// public video, and tells the video's followers the new counts.
func (s *Service) receiveRate(ctx context.Context, a vocab.Activity) error {
	rating := database.RatingLike
	if a.Type == vocab.TypeDislike {
		rating = database.RatingDislike
	}
	return s.remoteRating(ctx, a.Actor, a.ObjectID(), rating, "")
}

// receiveUndoRate takes back a remote account's Like or Dislike, the one
// the Undo embeds.
func (s *Service) receiveUndoRate(ctx context.Context, a vocab.Activity) error {
	inner, err := a.ObjectActivity()
	if err != nil {
		return refusal{err}
	}
	if inner.Actor != a.Actor {
		return refuse("%s undoes %s of %s", a.Actor, inner.ID, inner.Actor)
	}
	rating := database.RatingLike
	if inner.Type == vocab.TypeDislike {
		rating = database.RatingDislike
	}
	return s.remoteRating(ctx, a.Actor, inner.ObjectID(), "", rating)
}

// remoteRating sets a remote account's rating of the local video target
// to rating; with only set, only a rating equal to only is replaced (an
// Undo takes back its own Like, not a later Dislike). Ratings of
// anything else (Mastodon likes comments too) are ignored.
func (s *Service) remoteRating(ctx context.Context, actor, target, rating, only string) error {
	if !s.isLocal(target) {
		return nil
	}
	v, commentID, err := s.localTarget(ctx, target)
	var r refusal
	if errors.As(err, &r) || commentID != 0 {
		return nil
	}
	if err != nil {
		return err
	}
	if v.Remote || !federates(v) {
		return refuse("%s rates %s, which is not a public local video", actor, target)
	}
	rater, err := s.RemoteActor(ctx, actor, false)
	if err != nil {
		return err
	}
	if rater.AccountID == 0 {
		return refuse("%s rates %s but is not an account", actor, target)
	}
	if only != "" {
		current, err := s.db.Rating(ctx, v.ID, rater.AccountID)
		if err != nil || current != only {
			return err
		}
	}
	old, err := s.db.SetRating(ctx, v.ID, rater.AccountID, rating)
	if err != nil || old == rating {
		return err
	}
	return s.tellCounts(ctx, v.ID)
}

// refreshRatings reads a remote video's like and dislike counts from its
// collections on its server, as PeerTube publishes them (by URL, with
// totalItems). A count that cannot be read stays as it was: it is not
// worth refusing the video for.
func (s *Service) refreshRatings(ctx context.Context, vid vocab.Video, v *database.Video) {
	for _, c := range []struct {
		url      string
		embedded int
		count    *int64
	}{{vid.LikesURL, vid.Likes, &v.Likes}, {vid.DislikesURL, vid.Dislikes, &v.Dislikes}} {
		if c.embedded > 0 || c.url == "" {
			*c.count = int64(c.embedded)
			continue
		}
		if !vocab.SameOrigin(c.url, vid.ID) {
			continue
		}
		n, err := s.collectionTotal(ctx, c.url)
		if err != nil {
			s.log.InfoContext(ctx, "federation: ratings of a remote video", "video", vid.ID, "err", err)
			continue
		}
		*c.count = int64(n)
	}
}

// collectionTotal is the totalItems of the collection at target.
func (s *Service) collectionTotal(ctx context.Context, target string) (int, error) {
	body, err := s.fetch(ctx, target)
	if err != nil {
		return 0, err
	}
	var c struct {
		ID         string `json:"id"`
		TotalItems *int   `json:"totalItems"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return 0, fmt.Errorf("federation: collection %s: %w", target, err)
	}
	if c.ID != target || c.TotalItems == nil || *c.TotalItems < 0 {
		return 0, fmt.Errorf("federation: %s is not a collection with a total", target)
	}
	return *c.TotalItems, nil
}

// LocalComment is the Note of a comment of a local public video, or of a
// local comment on a remote one, for servers that ask.
func (s *Service) LocalComment(ctx context.Context, ref string, id int64) (vocab.Object, error) {
	v, err := s.db.VideoByUUID(ctx, ref)
	if err != nil || (!v.Remote && !federates(v)) || !v.CommentsEnabled {
		if err == nil || errors.Is(err, database.ErrNotFound) {
			return vocab.Object{}, problem.NotFound("comment")
		}
		return vocab.Object{}, problem.Internal(err)
	}
	c, err := s.db.CommentOf(ctx, v.ID, id)
	if err != nil || c.URL != "" || c.DeletedAt != nil || c.Account == nil {
		if err == nil || errors.Is(err, database.ErrNotFound) {
			return vocab.Object{}, problem.NotFound("comment")
		}
		return vocab.Object{}, problem.Internal(err)
	}
	note, err := s.noteOf(ctx, v, c)
	if err != nil {
		return vocab.Object{}, problem.Internal(err)
	}
	return note, nil
}

// LocalRatings is the collection of a local public video's likes, or
// its dislikes: its total, which is what other servers read.
func (s *Service) LocalRatings(ctx context.Context, ref, rating string) (vocab.Object, error) {
	v, err := s.db.VideoByUUID(ctx, ref)
	if err != nil || !federates(v) {
		if err == nil || errors.Is(err, database.ErrNotFound) {
			return vocab.Object{}, problem.NotFound("video")
		}
		return vocab.Object{}, problem.Internal(err)
	}
	total, path := v.Likes, "/likes"
	if rating == database.RatingDislike {
		total, path = v.Dislikes, "/dislikes"
	}
	return vocab.OrderedCollection(s.videoURL(v)+path, int(total), ""), nil
}
