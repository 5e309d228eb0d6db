package engagement

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// MaxCommentLength is the longest comment, in characters, as in PeerTube.
const MaxCommentLength = 10000

// ThreadPage is a page of a video's threads.
type ThreadPage struct {
	Threads []database.Comment
	// Total counts the threads listed; NotDeleted every comment of the
	// video that is not deleted, replies included.
	Total, NotDeleted int
}

// Threads returns a page of the threads of a video the viewer may see.
// A video whose comments are disabled has none to show.
func (s *Service) Threads(ctx context.Context, viewer *database.User, ref string, start, count int, sortKey string) (*database.Video, ThreadPage, error) {
	sort, err := database.ThreadSort(sortKey)
	if err != nil {
		return nil, ThreadPage{}, problem.Invalid(map[string]string{"sort": err.Error()})
	}
	v, err := s.videos.Get(ctx, viewer, ref)
	if err != nil {
		return nil, ThreadPage{}, err
	}
	if !v.CommentsEnabled {
		return v, ThreadPage{Threads: []database.Comment{}}, nil
	}
	ts, total, live, err := s.db.Threads(ctx, database.ThreadFilter{
		VideoID: v.ID, OwnerAccountID: ownerAccount(v), Start: start, Count: count, Sort: sort,
	})
	if err != nil {
		return nil, ThreadPage{}, problem.Internal(err)
	}
	return v, ThreadPage{Threads: ts, Total: total, NotDeleted: live}, nil
}

// Thread returns one thread of a video the viewer may see: its root
// first, then its replies, oldest first.
func (s *Service) Thread(ctx context.Context, viewer *database.User, ref string, threadID int64) (*database.Video, []database.Comment, error) {
	v, err := s.videos.Get(ctx, viewer, ref)
	if err != nil {
		return nil, nil, err
	}
	if !v.CommentsEnabled {
		return nil, nil, problem.NotFound("thread")
	}
	cs, err := s.db.Thread(ctx, v.ID, threadID)
	if err != nil {
		return nil, nil, problem.Internal(err)
	}
	if len(cs) == 0 || cs[0].ID != threadID || cs[0].ThreadID != nil {
		return nil, nil, problem.NotFound("thread")
	}
	return v, cs, nil
}

// Comment starts a thread on a video, or replies within a thread when
// replyTo is not 0. It returns the video with the comment.
func (s *Service) Comment(ctx context.Context, u *database.User, ref string, replyTo int64, text string) (*database.Video, *database.Comment, error) {
	text = strings.TrimSpace(text)
	if n := utf8.RuneCountInString(text); n < 1 || n > MaxCommentLength {
		return nil, nil, problem.Invalid(map[string]string{"text": fmt.Sprintf("must be between 1 and %d characters", MaxCommentLength)})
	}
	v, err := s.videos.Get(ctx, u, ref)
	if err != nil {
		return nil, nil, err
	}
	if !v.CommentsEnabled {
		return nil, nil, problem.Conflict("Video comments are disabled for this video.")
	}
	c := &database.Comment{VideoID: v.ID, AccountID: &u.Account.ID, Text: text}
	if replyTo != 0 {
		parent, err := s.db.CommentOf(ctx, v.ID, replyTo)
		if errors.Is(err, database.ErrNotFound) {
			return nil, nil, problem.NotFound("comment")
		}
		if err != nil {
			return nil, nil, problem.Internal(err)
		}
		root := parent.Root()
		c.ThreadID, c.InReplyToID = &root, &parent.ID
	}
	if err := s.db.CreateComment(ctx, c); err != nil {
		return nil, nil, problem.Internal(err)
	}
	c.Account = u.Account
	if s.hooks.Commented != nil {
		s.hooks.Commented(context.WithoutCancel(ctx), v, c)
	}
	return v, c, nil
}

// DeleteComment deletes a comment of a video the user may see. Its
// author, the video's owner and moderators may; the comment stays as a
// tombstone so its replies keep their thread.
func (s *Service) DeleteComment(ctx context.Context, u *database.User, ref string, id int64) error {
	v, err := s.videos.Get(ctx, u, ref)
	if err != nil {
		return err
	}
	c, err := s.db.CommentOf(ctx, v.ID, id)
	if errors.Is(err, database.ErrNotFound) {
		return problem.NotFound("comment")
	}
	if err != nil {
		return problem.Internal(err)
	}
	if c.DeletedAt != nil {
		return problem.Conflict("This comment is already deleted")
	}
	author := c.AccountID != nil && *c.AccountID == u.Account.ID
	if !author && ownerAccount(v) != u.Account.ID && !isModerator(u) {
		return problem.Forbidden("Cannot remove video comment of another user")
	}
	before := *c
	err = s.db.DeleteComment(ctx, c)
	if errors.Is(err, database.ErrNotFound) {
		return problem.Conflict("This comment is already deleted")
	}
	if err != nil {
		return problem.Internal(err)
	}
	if s.hooks.Uncommented != nil {
		s.hooks.Uncommented(context.WithoutCancel(ctx), v, &before)
	}
	return nil
}

func ownerAccount(v *database.Video) int64 {
	if v.Channel == nil {
		return 0
	}
	return v.Channel.AccountID
}
