package database

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"
)

// Actor is what federation knows of an actor besides its account or
// channel. A local actor's row has no URL (its URLs follow the instance's
// address); a remote one's has everything needed to reach it and check
// what it signs.
type Actor struct {
	bun.BaseModel `bun:"table:actors,alias:act"`
	ID            int64  `bun:"id,pk,autoincrement"`
	Type          string `bun:"type,notnull"`
	URL           string `bun:"url,notnull"`
	Host          string `bun:"host,notnull"`
	Username      string `bun:"username,notnull"`
	Inbox         string `bun:"inbox,notnull"`
	SharedInbox   string `bun:"shared_inbox,notnull"`
	Outbox        string `bun:"outbox,notnull"`
	Followers     string `bun:"followers,notnull"`
	KeyID         string `bun:"key_id,notnull"`
	PublicKeyPEM  string `bun:"public_key_pem,notnull"`
	// AccountID or ChannelID is the Person's or the Group's row; neither
	// for an Application.
	AccountID int64      `bun:"account_id,nullzero"`
	ChannelID int64      `bun:"channel_id,nullzero"`
	FetchedAt *time.Time `bun:"fetched_at"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
}

// DeliveryInbox is where activities for the actor go: its server's
// shared inbox when it has one, so one request serves all its followers
// there.
func (a *Actor) DeliveryInbox() string {
	if a.SharedInbox != "" {
		return a.SharedInbox
	}
	return a.Inbox
}

// LocalActor returns the row of a local actor, made on first need: the
// account's, the channel's, or the instance's when both ids are 0.
func (db *DB) LocalActor(ctx context.Context, typ string, accountID, channelID int64) (*Actor, error) {
	find := func() (*Actor, error) {
		a := new(Actor)
		q := db.bun.NewSelect().Model(a).Where("act.url = ''")
		switch {
		case accountID != 0:
			q = q.Where("act.account_id = ?", accountID)
		case channelID != 0:
			q = q.Where("act.channel_id = ?", channelID)
		default:
			q = q.Where("act.type = ? AND act.account_id IS NULL AND act.channel_id IS NULL", typ)
		}
		return a, mapErr(q.Scan(ctx), "local actor")
	}
	a, err := find()
	if !errors.Is(err, ErrNotFound) {
		return a, err
	}
	a = &Actor{Type: typ, AccountID: accountID, ChannelID: channelID, CreatedAt: time.Now().UTC()}
	_, err = db.bun.NewInsert().Model(a).Exec(ctx)
	if err = mapErr(err, "insert local actor"); errors.Is(err, ErrConflict) {
		// Another request made it first.
		return find()
	}
	return a, err
}

// ActorByURL loads a remote actor by its id.
func (db *DB) ActorByURL(ctx context.Context, url string) (*Actor, error) {
	a := new(Actor)
	err := db.bun.NewSelect().Model(a).Where("act.url = ? AND act.url <> ''", url).Scan(ctx)
	return a, mapErr(err, "actor by url")
}

// ActorByID loads an actor by its row.
func (db *DB) ActorByID(ctx context.Context, id int64) (*Actor, error) {
	a := new(Actor)
	err := db.bun.NewSelect().Model(a).Where("act.id = ?", id).Scan(ctx)
	return a, mapErr(err, "actor by id")
}

// ActorOfAccount returns the actor row of an account, local or remote;
// ErrNotFound for a local account that never needed one.
func (db *DB) ActorOfAccount(ctx context.Context, accountID int64) (*Actor, error) {
	a := new(Actor)
	err := db.bun.NewSelect().Model(a).Where("act.account_id = ?", accountID).Scan(ctx)
	return a, mapErr(err, "actor of account")
}

// ActorOfChannel is ActorOfAccount for a channel.
func (db *DB) ActorOfChannel(ctx context.Context, channelID int64) (*Actor, error) {
	a := new(Actor)
	err := db.bun.NewSelect().Model(a).Where("act.channel_id = ?", channelID).Scan(ctx)
	return a, mapErr(err, "actor of channel")
}

// InsertActor stores a new actor row; ErrConflict when its URL is known.
func (db *DB) InsertActor(ctx context.Context, a *Actor) error {
	a.CreatedAt = time.Now().UTC()
	_, err := db.bun.NewInsert().Model(a).Exec(ctx)
	return mapErr(err, "insert actor")
}

// UpdateActor writes the given columns of an actor.
func (db *DB) UpdateActor(ctx context.Context, a *Actor, columns ...string) error {
	_, err := db.bun.NewUpdate().Model(a).Column(columns...).WherePK().Exec(ctx)
	return mapErr(err, "update actor")
}

// DeleteActor removes a remote actor and, through its account or
// channel, everything of it: channels, videos, comments, ratings,
// follows.
func (db *DB) DeleteActor(ctx context.Context, a *Actor) error {
	return db.Tx(ctx, func(tx *DB) error {
		var err error
		switch {
		case a.AccountID != 0:
			_, err = tx.bun.NewDelete().Model((*Account)(nil)).Where("id = ? AND host <> ''", a.AccountID).Exec(ctx)
		case a.ChannelID != 0:
			_, err = tx.bun.NewDelete().Model((*Channel)(nil)).Where("id = ? AND host <> ''", a.ChannelID).Exec(ctx)
		}
		if err != nil {
			return mapErr(err, "delete actor's account or channel")
		}
		_, err = tx.bun.NewDelete().Model((*Actor)(nil)).Where("id = ?", a.ID).Exec(ctx)
		return mapErr(err, "delete actor")
	})
}

// InsertAccount stores an account without a user: a remote one.
func (db *DB) InsertAccount(ctx context.Context, a *Account) error {
	now := time.Now().UTC()
	a.CreatedAt, a.UpdatedAt = now, now
	_, err := db.bun.NewInsert().Model(a).Exec(ctx)
	return mapErr(err, "insert account")
}

// AccountByID loads an account.
func (db *DB) AccountByID(ctx context.Context, id int64) (*Account, error) {
	a := new(Account)
	err := db.bun.NewSelect().Model(a).Where("id = ?", id).Scan(ctx)
	return a, mapErr(err, "account by id")
}

// The states of a follow, as PeerTube names them.
const (
	FollowPending  = "pending"
	FollowAccepted = "accepted"
	FollowRejected = "rejected"
)

// Follow says that one actor follows another.
type Follow struct {
	bun.BaseModel `bun:"table:follows,alias:fo"`
	ID            int64  `bun:"id,pk,autoincrement"`
	FollowerID    int64  `bun:"follower_id,notnull"`
	FollowingID   int64  `bun:"following_id,notnull"`
	State         string `bun:"state,notnull"`
	// URL is the Follow activity's id.
	URL       string    `bun:"url,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
	Follower  *Actor    `bun:"rel:belongs-to,join:follower_id=id"`
	Following *Actor    `bun:"rel:belongs-to,join:following_id=id"`
}

// SaveFollow records that follower follows following, or updates the
// state and activity of the follow they already have.
func (db *DB) SaveFollow(ctx context.Context, f *Follow) error {
	now := time.Now().UTC()
	f.CreatedAt, f.UpdatedAt = now, now
	_, err := db.bun.NewInsert().Model(f).
		On("CONFLICT (follower_id, following_id) DO UPDATE").
		Set("state = EXCLUDED.state, url = EXCLUDED.url, updated_at = EXCLUDED.updated_at").
		Returning("id, created_at").Exec(ctx)
	return mapErr(err, "save follow")
}

// FollowBetween loads the follow of follower to following.
func (db *DB) FollowBetween(ctx context.Context, followerID, followingID int64) (*Follow, error) {
	f := new(Follow)
	err := db.bun.NewSelect().Model(f).Relation("Follower").Relation("Following").
		Where("fo.follower_id = ? AND fo.following_id = ?", followerID, followingID).Scan(ctx)
	return f, mapErr(err, "follow")
}

// FollowByURL loads a follow by the id of its Follow activity.
func (db *DB) FollowByURL(ctx context.Context, url string) (*Follow, error) {
	f := new(Follow)
	err := db.bun.NewSelect().Model(f).Relation("Follower").Relation("Following").
		Where("fo.url = ? AND fo.url <> ''", url).Scan(ctx)
	return f, mapErr(err, "follow by url")
}

// SetFollowState changes a follow's state.
func (db *DB) SetFollowState(ctx context.Context, id int64, state string) error {
	_, err := db.bun.NewUpdate().Model((*Follow)(nil)).Set("state = ?, updated_at = ?", state, time.Now().UTC()).
		Where("id = ?", id).Exec(ctx)
	return mapErr(err, "set follow state")
}

// DeleteFollow removes a follow; ErrNotFound when there was none.
func (db *DB) DeleteFollow(ctx context.Context, id int64) error {
	res, err := db.bun.NewDelete().Model((*Follow)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return mapErr(err, "delete follow")
	}
	return expectRow(res, "delete follow")
}

// FollowFilter selects a page of follows.
type FollowFilter struct {
	// FollowerID or FollowingID keeps the follows of or to that actor.
	FollowerID, FollowingID int64
	// State keeps the follows in it; any when empty.
	State        string
	Start, Count int
}

// ListFollows returns a page of follows, newest first, with both actors.
func (db *DB) ListFollows(ctx context.Context, f FollowFilter) ([]Follow, int, error) {
	var fs []Follow
	q := db.bun.NewSelect().Model(&fs).Relation("Follower").Relation("Following").
		OrderExpr("fo.id DESC").Offset(int64(f.Start)).Limit(int64(f.Count))
	if f.FollowerID != 0 {
		q = q.Where("fo.follower_id = ?", f.FollowerID)
	}
	if f.FollowingID != 0 {
		q = q.Where("fo.following_id = ?", f.FollowingID)
	}
	if f.State != "" {
		q = q.Where("fo.state = ?", f.State)
	}
	total, err := q.ScanAndCount(ctx)
	return fs, int(total), mapErr(err, "list follows")
}

// FollowerInboxes returns where to deliver what the actors do: the
// delivery inbox of each remote actor that follows one of them, once
// each.
func (db *DB) FollowerInboxes(ctx context.Context, actorIDs ...int64) ([]string, error) {
	if len(actorIDs) == 0 {
		return nil, nil
	}
	var inboxes []string
	err := db.bun.NewSelect().TableExpr("follows AS fo").
		Join("JOIN actors AS act ON act.id = fo.follower_id").
		ColumnExpr("DISTINCT CASE WHEN act.shared_inbox <> '' THEN act.shared_inbox ELSE act.inbox END").
		Where("fo.following_id IN (?) AND fo.state = ? AND act.url <> ''", bun.In(actorIDs), FollowAccepted).
		Scan(ctx, &inboxes)
	return inboxes, mapErr(err, "follower inboxes")
}

// InboxItem is an activity received and not yet processed.
type InboxItem struct {
	bun.BaseModel `bun:"table:inbox_items,alias:ii"`
	ID            int64 `bun:"id,pk,autoincrement"`
	// Signer is the URL of the actor whose signature the request bore.
	Signer     string    `bun:"signer,notnull"`
	Body       string    `bun:"body,notnull"`
	Attempts   int       `bun:"attempts,notnull"`
	NextAt     time.Time `bun:"next_at,notnull"`
	LastError  string    `bun:"last_error,notnull"`
	ReceivedAt time.Time `bun:"received_at,notnull"`
}

// AddInboxItem keeps an activity until it is processed.
func (db *DB) AddInboxItem(ctx context.Context, it *InboxItem) error {
	now := time.Now().UTC()
	it.ReceivedAt, it.NextAt = now, now
	_, err := db.bun.NewInsert().Model(it).Exec(ctx)
	return mapErr(err, "insert inbox item")
}

// ClaimInboxItems leases up to n due items until lease, so that two
// replicas never process one at the same time; an item whose processor
// died is due again when its lease ends.
func (db *DB) ClaimInboxItems(ctx context.Context, now, lease time.Time, n int) ([]InboxItem, error) {
	var due []InboxItem
	if err := db.bun.NewSelect().Model(&due).Where("ii.next_at <= ?", now).OrderExpr("ii.id").Limit(int64(n)).Scan(ctx); err != nil {
		return nil, mapErr(err, "due inbox items")
	}
	claimed := due[:0]
	for _, it := range due {
		res, err := db.bun.NewUpdate().Model((*InboxItem)(nil)).Set("next_at = ?", lease).
			Where("id = ? AND next_at = ?", it.ID, it.NextAt).Exec(ctx)
		if err != nil {
			return nil, mapErr(err, "claim inbox item")
		}
		if n, _ := res.RowsAffected(); n == 1 {
			claimed = append(claimed, it)
		}
	}
	return claimed, nil
}

// NextInboxItemAt is when the next item is due; zero when none is left.
func (db *DB) NextInboxItemAt(ctx context.Context) (time.Time, error) {
	var next []time.Time
	err := db.bun.NewSelect().Model((*InboxItem)(nil)).ColumnExpr("next_at").OrderExpr("next_at").Limit(1).Scan(ctx, &next)
	if err != nil || len(next) == 0 {
		return time.Time{}, mapErr(err, "next inbox item")
	}
	return next[0], nil
}

// DeleteInboxItem forgets a processed item.
func (db *DB) DeleteInboxItem(ctx context.Context, id int64) error {
	_, err := db.bun.NewDelete().Model((*InboxItem)(nil)).Where("id = ?", id).Exec(ctx)
	return mapErr(err, "delete inbox item")
}

// RetryInboxItem puts an item back for another attempt at next.
func (db *DB) RetryInboxItem(ctx context.Context, id int64, next time.Time, lastErr string) error {
	_, err := db.bun.NewUpdate().Model((*InboxItem)(nil)).
		Set("attempts = attempts + 1, next_at = ?, last_error = ?", next, lastErr).Where("id = ?", id).Exec(ctx)
	return mapErr(err, "retry inbox item")
}

// VideoByURL loads a remote video by its ActivityPub id.
func (db *DB) VideoByURL(ctx context.Context, url string) (*Video, error) {
	return db.videoBy(ctx, "video.url = ? AND video.url <> ''", url)
}

// FollowedHere says a local actor follows (accepted) one of the actors,
// or the instance actor of host: whether what they publish is wanted
// here.
func (db *DB) FollowedHere(ctx context.Context, host string, actorIDs ...int64) (bool, error) {
	q := db.bun.NewSelect().TableExpr("follows AS fo").
		Join("JOIN actors AS fr ON fr.id = fo.follower_id").
		Join("JOIN actors AS fg ON fg.id = fo.following_id").
		Where("fo.state = ? AND fr.url = ''", FollowAccepted).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			if len(actorIDs) > 0 {
				q = q.Where("fg.id IN (?)", bun.In(actorIDs))
			}
			return q.WhereOr("fg.type = 'Application' AND fg.host = ?", host)
		})
	n, err := q.Count(ctx)
	return n > 0, mapErr(err, "followed here")
}

// VideosToFederate lists the local videos whose federated flag
// disagrees with their being published and public, the condition for
// other servers to have them: what a change not yet told to them left
// behind.
func (db *DB) VideosToFederate(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := db.bun.NewSelect().Model((*Video)(nil)).Column("video.id").
		Where("NOT video.remote AND video.federated <> (video.state = ? AND video.privacy = ?)", StatePublished, PrivacyPublic).
		Scan(ctx, &ids)
	return ids, mapErr(err, "videos to federate")
}

// FederatedVideos lists the local videos of an account or a channel that
// other servers have.
func (db *DB) FederatedVideos(ctx context.Context, accountID, channelID int64) ([]int64, error) {
	var ids []int64
	q := db.bun.NewSelect().TableExpr("videos AS v").Column("v.id").
		Join("JOIN video_channels AS ch ON ch.id = v.channel_id").
		Where("v.federated AND NOT v.remote")
	if accountID != 0 {
		q = q.Where("ch.account_id = ?", accountID)
	}
	if channelID != 0 {
		q = q.Where("v.channel_id = ?", channelID)
	}
	err := q.Scan(ctx, &ids)
	return ids, mapErr(err, "federated videos")
}

// FollowCounts counts the accepted follows of and by the actor of an
// account (or, with accountID 0, a channel): 0 and 0 for one that never
// took part in a follow.
func (db *DB) FollowCounts(ctx context.Context, accountID, channelID int64) (followers, following int, err error) {
	count := func(side string) (int, error) {
		q := db.bun.NewSelect().TableExpr("follows AS fo").Join("JOIN actors AS act ON act.id = fo."+side).
			Where("fo.state = ?", FollowAccepted)
		if accountID != 0 {
			q = q.Where("act.account_id = ?", accountID)
		} else {
			q = q.Where("act.channel_id = ?", channelID)
		}
		n, err := q.Count(ctx)
		return int(n), mapErr(err, "count follows")
	}
	if followers, err = count("following_id"); err != nil {
		return 0, 0, err
	}
	following, err = count("follower_id")
	return followers, following, err
}
