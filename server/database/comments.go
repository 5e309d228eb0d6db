package database

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Comment is a comment on a video: a thread when ThreadID is nil, else a
// reply within that thread. Deleted comments stay as tombstones, without
// text or author, so the replies under them keep their place.
type Comment struct {
	bun.BaseModel `bun:"table:video_comments,alias:comment"`
	ID            int64      `bun:"id,pk,autoincrement"`
	VideoID       int64      `bun:"video_id,notnull"`
	ThreadID      *int64     `bun:"thread_id"`
	InReplyToID   *int64     `bun:"in_reply_to_id"`
	AccountID     *int64     `bun:"account_id"`
	Text          string     `bun:"text,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	UpdatedAt     time.Time  `bun:"updated_at,notnull"`
	DeletedAt     *time.Time `bun:"deleted_at"`
	// URL is the ActivityPub id of a comment made on another server,
	// empty for local ones.
	URL     string   `bun:"url,notnull"`
	Account *Account `bun:"rel:belongs-to,join:account_id=id"`
	// TotalReplies and TotalRepliesFromVideoAuthor count the replies of
	// a thread that are not deleted; thread lists fill them.
	TotalReplies                int `bun:"total_replies,scanonly"`
	TotalRepliesFromVideoAuthor int `bun:"total_replies_from_video_author,scanonly"`
}

// Root is the id of the comment's thread.
func (c *Comment) Root() int64 {
	if c.ThreadID != nil {
		return *c.ThreadID
	}
	return c.ID
}

// CreateComment inserts a comment.
func (db *DB) CreateComment(ctx context.Context, c *Comment) error {
	now := time.Now().UTC()
	c.CreatedAt, c.UpdatedAt = now, now
	_, err := db.bun.NewInsert().Model(c).Exec(ctx)
	return mapErr(err, "insert comment")
}

// CommentOf loads a comment of a video with its author.
func (db *DB) CommentOf(ctx context.Context, videoID, id int64) (*Comment, error) {
	c := new(Comment)
	err := db.bun.NewSelect().Model(c).Relation("Account").
		Where("comment.id = ? AND comment.video_id = ?", id, videoID).Scan(ctx)
	return c, mapErr(err, "comment")
}

// CommentByURL loads a comment made on another server by its
// ActivityPub id, with its author.
func (db *DB) CommentByURL(ctx context.Context, url string) (*Comment, error) {
	c := new(Comment)
	err := db.bun.NewSelect().Model(c).Relation("Account").Where("comment.url = ?", url).Scan(ctx)
	return c, mapErr(err, "comment")
}

// SetCommentText replaces the text of a comment that is not deleted.
func (db *DB) SetCommentText(ctx context.Context, id int64, text string) error {
	_, err := db.bun.NewUpdate().Model((*Comment)(nil)).
		Set("text = ?", text).Set("updated_at = ?", time.Now().UTC()).
		Where("id = ? AND deleted_at IS NULL", id).Exec(ctx)
	return mapErr(err, "edit comment")
}

// ThreadFilter selects a page of a video's threads.
type ThreadFilter struct {
	VideoID int64
	// OwnerAccountID is the video owner's account, whose replies are
	// counted apart.
	OwnerAccountID int64
	Start, Count   int
	Sort           Sort[Comment]
}

var threadSorts = newSorting[Comment]("-createdAt",
	sortKey{"createdAt", "comment.created_at"}, sortKey{"totalReplies", "total_replies"})

// ThreadSort reads the sort key of a video's threads; "" is the newest
// first.
func ThreadSort(key string) (Sort[Comment], error) { return threadSorts.parse(key) }

const liveReplies = `(SELECT count(*) FROM video_comments AS r WHERE r.thread_id = comment.id AND r.deleted_at IS NULL`

// Threads returns a page of a video's threads with their reply counts,
// the number of threads, and the number of comments not deleted. Deleted
// threads are listed only while replies remain under them.
func (db *DB) Threads(ctx context.Context, f ThreadFilter) (threads []Comment, total, notDeleted int, err error) {
	q := db.bun.NewSelect().Model(&threads).Relation("Account").
		ColumnExpr("comment.*").
		ColumnExpr(liveReplies+") AS total_replies").
		ColumnExpr(liveReplies+" AND r.account_id = ?) AS total_replies_from_video_author", f.OwnerAccountID).
		Where("comment.video_id = ? AND comment.thread_id IS NULL", f.VideoID).
		Where("comment.deleted_at IS NULL OR EXISTS (SELECT 1 FROM video_comments AS r WHERE r.thread_id = comment.id AND r.deleted_at IS NULL)").
		OrderExpr(threadSorts.orderBy(f.Sort)).OrderExpr("comment.id DESC").
		Offset(int64(f.Start)).Limit(int64(f.Count))
	n, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, 0, mapErr(err, "threads")
	}
	live, err := db.bun.NewSelect().Model((*Comment)(nil)).Where("video_id = ? AND deleted_at IS NULL", f.VideoID).Count(ctx)
	if err != nil {
		return nil, 0, 0, mapErr(err, "count comments")
	}
	return threads, int(n), int(live), nil
}

// Thread returns a thread's root followed by its replies, oldest first,
// with their authors.
func (db *DB) Thread(ctx context.Context, videoID, threadID int64) ([]Comment, error) {
	var cs []Comment
	err := db.bun.NewSelect().Model(&cs).Relation("Account").
		Where("comment.video_id = ?", videoID).
		Where("comment.id = ? OR comment.thread_id = ?", threadID, threadID).
		OrderExpr("comment.created_at ASC, comment.id ASC").Scan(ctx)
	return cs, mapErr(err, "thread")
}

// DeleteComment turns a comment into a tombstone; ErrNotFound says it was
// already one.
func (db *DB) DeleteComment(ctx context.Context, c *Comment) error {
	now := time.Now().UTC()
	res, err := db.bun.NewUpdate().Model((*Comment)(nil)).
		Set("text = ''").Set("account_id = NULL").Set("deleted_at = ?", now).Set("updated_at = ?", now).
		Where("id = ? AND deleted_at IS NULL", c.ID).Exec(ctx)
	if err != nil {
		return mapErr(err, "delete comment")
	}
	if err := expectRow(res, "delete comment"); err != nil {
		return err
	}
	c.Text, c.AccountID, c.Account, c.DeletedAt, c.UpdatedAt = "", nil, nil, &now, now
	return nil
}
