package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"cuttle.video/server/actors"
	"cuttle.video/server/database"
	"cuttle.video/server/problem"
	"cuttle.video/server/vocab"
)

// The collections of local actors: who follows them, whom they follow,
// and their outbox (their public videos), which a server that starts
// following one reads to fetch what was published before.

// collectionPage is how many items a page of a collection holds.
const collectionPage = 20

// Follows is the followers (or, with following, the following)
// collection of a local actor: its size alone for page 0, else that page
// of actor ids, newest first.
func (s *Service) Follows(ctx context.Context, a actors.Actor, following bool, page int) (vocab.Object, error) {
	row, err := s.localRow(ctx, a)
	if err != nil {
		return vocab.Object{}, problem.Internal(err)
	}
	id := a.Followers()
	f := database.FollowFilter{FollowingID: row.ID, State: database.FollowAccepted, Count: collectionPage}
	if following {
		id = a.Following()
		f = database.FollowFilter{FollowerID: row.ID, State: database.FollowAccepted, Count: collectionPage}
	}
	if page < 1 {
		f.Count = 1
	} else {
		f.Start = (page - 1) * collectionPage
	}
	fs, total, err := s.db.ListFollows(ctx, f)
	if err != nil {
		return vocab.Object{}, problem.Internal(err)
	}
	if page < 1 {
		return vocab.OrderedCollection(id, total, pageURL(id, 1)), nil
	}
	items := make([]any, 0, len(fs))
	for _, fo := range fs {
		other := fo.Follower
		if following {
			other = fo.Following
		}
		if other.URL != "" {
			items = append(items, other.URL)
			continue
		}
		local, err := s.local(ctx, other)
		if err != nil {
			return vocab.Object{}, problem.Internal(err)
		}
		items = append(items, local.ID)
	}
	return vocab.OrderedCollectionPage(pageURL(id, page), id, total, items, nextPage(id, page, f.Start+len(fs), total)), nil
}

// Outbox is a local actor's outbox: its public videos, newest first, as
// the account's Creates or as Announces by the channel (the instance
// shares every public video of the instance).
func (s *Service) Outbox(ctx context.Context, a actors.Actor, page int) (vocab.Object, error) {
	sort, err := database.VideoSort("")
	if err != nil {
		return vocab.Object{}, problem.Internal(err)
	}
	local := false
	f := database.VideoFilter{Privacies: []int{database.PrivacyPublic}, States: []int{database.StatePublished},
		Remote: &local, Count: collectionPage, Sort: sort}
	switch {
	case a.Account != nil:
		f.AccountID = a.Account.ID
	case a.Channel != nil:
		f.ChannelID = a.Channel.ID
	}
	if page < 1 {
		f.Count = 1
	} else {
		f.Start = (page - 1) * collectionPage
	}
	vs, total, err := s.db.ListVideos(ctx, f)
	if err != nil {
		return vocab.Object{}, problem.Internal(err)
	}
	id := a.Outbox()
	if page < 1 {
		return vocab.OrderedCollection(id, total, pageURL(id, 1)), nil
	}
	sharer, err := s.localRow(ctx, a)
	if err != nil {
		return vocab.Object{}, problem.Internal(err)
	}
	items := make([]any, 0, len(vs))
	for i := range vs {
		v := &vs[i]
		if a.Account != nil {
			obj, err := s.VideoObject(v)
			if err != nil {
				return vocab.Object{}, problem.Internal(err)
			}
			items = append(items, vocab.Create(a.ID, obj))
			continue
		}
		to, cc := vocab.Audience(vocab.PrivacyPublic, a.Followers())
		items = append(items, vocab.Announce(a.ID, s.videoURL(v), strconv.FormatInt(sharer.ID, 10), to, cc))
	}
	return vocab.OrderedCollectionPage(pageURL(id, page), id, total, items, nextPage(id, page, f.Start+len(vs), total)), nil
}

func pageURL(id string, page int) string { return id + "?page=" + strconv.Itoa(page) }

func nextPage(id string, page, seen, total int) string {
	if seen >= total {
		return ""
	}
	return pageURL(id, page+1)
}

// backfillLimit bounds what one new follow fetches of what its actor
// published before: the newest videos, a few pages' worth.
const (
	backfillPages = 5
	backfillItems = 100
)

// backfill reads the outbox of a remote actor a local one just started
// to follow, and stores the videos it published or shared before, as if
// they had been delivered: only from the actor's own server, and only
// its Creates and Announces.
func (s *Service) backfill(ctx context.Context, target *database.Actor) error {
	if target.Outbox == "" || !vocab.SameOrigin(target.Outbox, target.URL) {
		return nil
	}
	body, err := s.fetch(ctx, target.Outbox)
	if err != nil {
		return err
	}
	var coll struct {
		First json.RawMessage `json:"first"`
	}
	if err := json.Unmarshal(body, &coll); err != nil {
		return refusal{fmt.Errorf("outbox of %s: %w", target.URL, err)}
	}
	var next string
	if err := json.Unmarshal(coll.First, &next); err != nil {
		// An embedded first page.
		next, body = "", coll.First
	} else {
		body = nil
	}
	seen := 0
	for pages := 0; pages < backfillPages && seen < backfillItems; pages++ {
		if body == nil {
			if next == "" || !vocab.SameOrigin(next, target.URL) {
				return nil
			}
			if body, err = s.fetch(ctx, next); err != nil {
				return err
			}
		}
		acts, _ := vocab.ParseInbox(body)
		for _, a := range acts {
			if seen >= backfillItems {
				break
			}
			seen++
			if !vocab.SameOrigin(a.Actor, target.URL) || (a.Type != vocab.TypeCreate && a.Type != vocab.TypeAnnounce) {
				continue
			}
			if err := s.apply(ctx, a); err != nil {
				s.log.InfoContext(ctx, "federation: an older video left out", "actor", target.URL, "activity", a.ID, "err", err)
			}
		}
		var page struct {
			Next string `json:"next"`
		}
		_ = json.Unmarshal(body, &page)
		next, body = page.Next, nil
	}
	return nil
}

// FollowCounts is how many actors follow, and are followed by, an
// account (or, with accountID 0, a channel), accepted follows only. For
// one of another instance, only the follows known here count.
func (s *Service) FollowCounts(ctx context.Context, accountID, channelID int64) (followers, following int, err error) {
	followers, following, err = s.db.FollowCounts(ctx, accountID, channelID)
	if err != nil {
		return 0, 0, problem.Internal(err)
	}
	return followers, following, nil
}
