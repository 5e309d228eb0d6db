package database

import (
	"context"
	"strings"

	"github.com/uptrace/bun"
)

// A subscription is a follow of a channel (local or remote) by a local
// account, as PeerTube's "My subscriptions" lists them. Local channels
// are found through the channel rows, so one query serves both: a
// local channel's actor row has no name, its channel row does.

// SubscriptionFilter selects a page of a local account's subscriptions.
type SubscriptionFilter struct {
	AccountID int64
	// Names keeps the channels with one of these names, ignoring case.
	Names        []string
	Start, Count int
}

// Subscriptions returns a page of the channels a local account
// subscribed to (accepted, or pending the remote server's answer),
// newest subscription first.
func (db *DB) Subscriptions(ctx context.Context, f SubscriptionFilter) ([]Channel, int, error) {
	var chs []Channel
	// An account has one actor row, and follows a channel at most once:
	// one row per channel.
	q := db.channelQuery(&chs).
		Join("JOIN actors AS sfg ON sfg.channel_id = ch.id").
		Join("JOIN follows AS sfo ON sfo.following_id = sfg.id").
		Join("JOIN actors AS sfr ON sfr.id = sfo.follower_id").
		Where("sfr.account_id = ? AND sfr.url = '' AND sfo.state <> ?", f.AccountID, FollowRejected).
		OrderExpr("sfo.id DESC").Offset(int64(f.Start)).Limit(int64(f.Count))
	if len(f.Names) > 0 {
		q = q.Where("lower(ch.name) IN (?)", bun.In(lowered(f.Names)))
	}
	total, err := q.ScanAndCount(ctx)
	return chs, int(total), mapErr(err, "subscriptions")
}

// SubscriptionTo loads a local account's follow of the channel called
// name on host ("" for a local one), with both actors.
func (db *DB) SubscriptionTo(ctx context.Context, accountID int64, name, host string) (*Follow, error) {
	f := new(Follow)
	err := db.bun.NewSelect().Model(f).Relation("Follower").Relation("Following").
		Join(`JOIN video_channels AS ch ON ch.id = "following".channel_id`).
		Where(`"follower".account_id = ? AND "follower".url = ''`, accountID).
		Where("lower(ch.name) = ? AND ch.host = ?", strings.ToLower(name), strings.ToLower(host)).
		Scan(ctx)
	return f, mapErr(err, "subscription")
}

// subscribedChannels is the condition on a video query that its channel
// is one the local account follows, accepted: what a subscriber's list
// shows.
const subscribedChannels = `video.channel_id IN (SELECT sfg.channel_id FROM follows AS sfo
	JOIN actors AS sfr ON sfr.id = sfo.follower_id
	JOIN actors AS sfg ON sfg.id = sfo.following_id
	WHERE sfr.account_id = ? AND sfr.url = '' AND sfo.state = ? AND sfg.channel_id IS NOT NULL)`
