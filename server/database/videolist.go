package database

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// VideoFilter selects videos for a list. Empty fields select everything.
type VideoFilter struct {
	// Privacies limits the list to these privacy levels.
	Privacies []int
	// States limits the list to these states.
	States []int
	// AccountID limits the list to one account's videos.
	AccountID int64
	// ChannelID limits the list to one channel's videos.
	ChannelID int64
	// SubscriberID limits the list to the videos of the channels this
	// local account subscribed to.
	SubscriberID int64
	// Words keeps videos where each word is in the name or is a tag,
	// ignoring case.
	Words []string
	// TagsOneOf keeps videos with at least one of these tags, TagsAllOf
	// those with all of them, ignoring case.
	TagsOneOf, TagsAllOf []string
	// CategoryOneOf and LicenceOneOf keep videos with one of these ids.
	CategoryOneOf, LicenceOneOf []int
	// LanguageOneOf keeps videos in one of these languages, or with a
	// caption in one; "" keeps videos without a language.
	LanguageOneOf []string
	// NSFW keeps only the videos whose nsfw flag is this.
	NSFW *bool
	// Remote keeps only the videos of other instances (true) or of this
	// one (false).
	Remote *bool
	// DurationMin and DurationMax bound the duration, in seconds; 0 is
	// no bound.
	DurationMin, DurationMax int
	// TrendingSince is the first day whose views count in the trending
	// sort.
	TrendingSince time.Time
	// SkipCount spares the count: the total returned is 0.
	SkipCount bool

	Start int
	Count int
	Sort  Sort[Video]
}

// The video list's sort keys are PeerTube's. Three order by a score
// rather than a column; their placeholders are filled per query by
// videoOrder.
var videoSorts = newSorting[Video]("-publishedAt",
	sortKey{"publishedAt", "video.published_at"}, sortKey{"createdAt", "video.created_at"},
	sortKey{"name", "video.name"}, sortKey{"views", "video.views"},
	sortKey{"likes", "video.likes"}, sortKey{"duration", "video.duration"},
	// A video never published elsewhere first was when it was here.
	sortKey{"originallyPublishedAt", "COALESCE(video.originally_published_at, video.published_at)"},
	sortKey{"trending", "{{trending}}"}, sortKey{"hot", "{{hot}}"},
	// PeerTube's best is hot minus the videos the viewer watched; no
	// watch history is kept, so it is hot for everyone, as it is on
	// PeerTube for anonymous viewers.
	sortKey{"best", "{{hot}}"})

// VideoSort reads the sort key of a video list; "" is the newest
// published first.
func VideoSort(key string) (Sort[Video], error) { return videoSorts.parse(key) }

// trendingScore is the views of a video counted on or after a day.
const trendingScore = "(SELECT COALESCE(SUM(dv.views), 0) FROM video_daily_views AS dv WHERE dv.video_id = video.id AND dv.day >= %d)"

// hotScore is PeerTube's "hot", an adaptation of Reddit's: the base-10
// logarithms of likes (less one), dislikes (less one, counting
// against), views (plus one) and comments, with PeerTube's weights,
// plus the publication time in units of about half a day, so that a
// video needs ten times the likes to outrank one published 6.5 days
// later. Both databases' LOG is base 10.
const hotScore = `(LOG(CASE WHEN video.likes > 1 THEN video.likes - 1 ELSE 1 END) * 150
	- LOG(CASE WHEN video.dislikes > 1 THEN video.dislikes - 1 ELSE 1 END) * 150
	+ LOG(video.views + 1) * 16
	+ LOG(COALESCE(NULLIF((SELECT COUNT(*) FROM video_comments AS hc WHERE hc.video_id = video.id AND hc.deleted_at IS NULL), 0), 1)) * 100
	+ ({{published}} - 1446156582) / 47000.0)`

// videoOrder is the ORDER BY of f, its scores written for the database
// in use.
func (db *DB) videoOrder(f VideoFilter) string {
	// Seconds since 1970 of the publication: SQLite keeps times as text,
	// which julianday reads.
	published := "((julianday(video.published_at) - 2440587.5) * 86400.0)"
	if db.bun.Dialect().Name().String() == "pg" {
		published = "EXTRACT(EPOCH FROM video.published_at)"
	}
	return strings.NewReplacer(
		"{{trending}}", fmt.Sprintf(trendingScore, dayNumber(f.TrendingSince)),
		"{{hot}}", strings.ReplaceAll(hotScore, "{{published}}", published),
	).Replace(videoSorts.orderBy(f.Sort))
}

// dayNumber is the day of t in video_daily_views.
func dayNumber(t time.Time) int64 { return t.UTC().Unix() / 86400 }

// ListVideos returns a page of videos matching f and the total count.
func (db *DB) ListVideos(ctx context.Context, f VideoFilter) ([]Video, int, error) {
	var vs []Video
	q := db.videoQuery(&vs).OrderExpr(db.videoOrder(f)).OrderExpr("video.id DESC").
		Offset(int64(f.Start)).Limit(int64(f.Count))
	q = videoWhere(q, f)
	if f.SkipCount {
		return vs, 0, mapErr(q.Scan(ctx), "list videos")
	}
	total, err := q.ScanAndCount(ctx)
	return vs, int(total), mapErr(err, "list videos")
}

// videoWhere adds the conditions of f to q.
func videoWhere(q *bun.SelectQuery, f VideoFilter) *bun.SelectQuery {
	in := func(column string, values []int) {
		if len(values) > 0 {
			q = q.Where(column+" IN (?)", bun.In(values))
		}
	}
	in("video.privacy", f.Privacies)
	in("video.state", f.States)
	in("video.category", f.CategoryOneOf)
	in("video.licence", f.LicenceOneOf)
	if f.ChannelID != 0 {
		q = q.Where("video.channel_id = ?", f.ChannelID)
	}
	if f.AccountID != 0 {
		q = q.Where("channel.account_id = ?", f.AccountID)
	}
	if f.SubscriberID != 0 {
		q = q.Where(subscribedChannels, f.SubscriberID, FollowAccepted)
	}
	if f.NSFW != nil {
		q = q.Where("video.nsfw = ?", *f.NSFW)
	}
	if f.Remote != nil {
		q = q.Where("video.remote = ?", *f.Remote)
	}
	if f.DurationMin > 0 {
		q = q.Where("video.duration >= ?", f.DurationMin)
	}
	if f.DurationMax > 0 {
		q = q.Where("video.duration <= ?", f.DurationMax)
	}
	if len(f.LanguageOneOf) > 0 {
		q = languageWhere(q, f.LanguageOneOf)
	}
	return searchWhere(q, f)
}

// languageWhere keeps videos in one of langs or with a caption in one,
// as PeerTube does; "" stands for videos without a language.
func languageWhere(q *bun.SelectQuery, langs []string) *bun.SelectQuery {
	known := slices.DeleteFunc(slices.Clone(langs), func(l string) bool { return l == "" })
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		if len(known) > 0 {
			q = q.WhereOr("video.language IN (?)", bun.In(known)).
				WhereOr("EXISTS (SELECT 1 FROM video_captions AS lc WHERE lc.video_id = video.id AND lc.language IN (?))", bun.In(known))
		}
		if len(known) < len(langs) {
			q = q.WhereOr("video.language = ''")
		}
		return q
	})
}

// likeEscaper escapes LIKE's wildcards so a search for "100%" finds
// names containing "100%" and not every name starting with "100".
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// containsPattern is the LIKE pattern, with '\' as its escape, of a
// lowered text containing w.
func containsPattern(w string) string {
	return "%" + likeEscaper.Replace(strings.ToLower(w)) + "%"
}

// searchWhere adds the word and tag conditions of f to q. Names and
// tags compare lowered on both sides, as LIKE ignores case in SQLite but
// not in PostgreSQL.
func searchWhere(q *bun.SelectQuery, f VideoFilter) *bun.SelectQuery {
	for _, w := range f.Words {
		q = q.Where(`(lower(video.name) LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM video_tags AS st WHERE st.video_id = video.id AND lower(st.name) = ?))`,
			containsPattern(w), strings.ToLower(w))
	}
	if tags := lowered(f.TagsOneOf); len(tags) > 0 {
		q = q.Where("EXISTS (SELECT 1 FROM video_tags AS tt WHERE tt.video_id = video.id AND lower(tt.name) IN (?))", bun.In(tags))
	}
	if tags := lowered(f.TagsAllOf); len(tags) > 0 {
		q = q.Where("(SELECT COUNT(DISTINCT lower(ta.name)) FROM video_tags AS ta WHERE ta.video_id = video.id AND lower(ta.name) IN (?)) = ?",
			bun.In(tags), len(tags))
	}
	return q
}

// lowered is tags lowered, each once.
func lowered(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t = strings.ToLower(t); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
