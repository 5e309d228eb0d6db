package videos

import (
	"context"
	"sync"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// PeerTube's overview of videos: each page shows the newest videos of
// one category, one channel and one tag, drawn at random among those
// that enough public videos share. The draw is kept for a while so that
// paging through it shows each group once.
const (
	// OverviewPages is how many groups of each kind are drawn, hence
	// the last page.
	OverviewPages = 20
	// overviewThreshold is how many public videos a group needs to be
	// drawn.
	overviewThreshold = 6
	// overviewVideos is how many videos each group shows.
	overviewVideos = 12
	// overviewDrawAge is how long a draw is kept.
	overviewDrawAge = 4 * time.Hour
)

// Overview is one page of the overview; a group whose videos the viewer
// may not see is left out.
type Overview struct {
	Categories []CategoryVideos
	Channels   []ChannelVideos
	Tags       []TagVideos
}

// CategoryVideos are the newest videos of a category.
type CategoryVideos struct {
	Category int
	Videos   []database.Video
}

// ChannelVideos are the newest videos of a channel.
type ChannelVideos struct {
	Channel *database.Channel
	Videos  []database.Video
}

// TagVideos are the newest videos with a tag.
type TagVideos struct {
	Tag    string
	Videos []database.Video
}

// overviewDraw is the groups drawn for the overview's pages.
type overviewDraw struct {
	mu         sync.Mutex
	at         time.Time
	categories []int
	channels   []int64
	tags       []string
}

// overviewGroups returns the draw, drawing again when it is old.
func (s *Service) overviewGroups(ctx context.Context) (categories []int, channels []int64, tags []string, err error) {
	d := &s.overview
	d.mu.Lock()
	defer d.mu.Unlock()
	now := s.p.now()
	if d.at.IsZero() || now.Sub(d.at) >= overviewDrawAge {
		var c []int
		var ch []int64
		var t []string
		for _, g := range []struct {
			group database.VideoGroup
			dest  any
		}{{database.ByCategory, &c}, {database.ByChannel, &ch}, {database.ByTag, &t}} {
			if err := s.db.SharedByVideos(ctx, g.group, overviewThreshold, OverviewPages, g.dest); err != nil {
				return nil, nil, nil, problem.Internal(err)
			}
		}
		d.at, d.categories, d.channels, d.tags = now, c, ch, t
	}
	return d.categories, d.channels, d.tags, nil
}

// Overview returns page (from 1 to OverviewPages) of the overview, with
// the videos viewer may find in lists.
func (s *Service) Overview(ctx context.Context, viewer *database.User, page int) (*Overview, error) {
	if page < 1 || page > OverviewPages {
		return nil, problem.Invalid(map[string]string{"page": "must be between 1 and 20"})
	}
	categories, channels, tags, err := s.overviewGroups(ctx)
	if err != nil {
		return nil, err
	}
	i := page - 1
	newest := func(p ListParams) ([]database.Video, error) {
		p.Count, p.Sort, p.SkipCount = overviewVideos, "-createdAt", true
		vs, _, err := s.List(ctx, viewer, p)
		return vs, err
	}
	out := &Overview{}
	if i < len(categories) {
		vs, err := newest(ListParams{CategoryOneOf: []int{categories[i]}})
		if err != nil {
			return nil, err
		}
		if len(vs) > 0 {
			out.Categories = append(out.Categories, CategoryVideos{Category: categories[i], Videos: vs})
		}
	}
	if i < len(channels) {
		vs, err := newest(ListParams{ChannelID: channels[i]})
		if err != nil {
			return nil, err
		}
		if len(vs) > 0 {
			out.Channels = append(out.Channels, ChannelVideos{Channel: vs[0].Channel, Videos: vs})
		}
	}
	if i < len(tags) {
		vs, err := newest(ListParams{TagsOneOf: []string{tags[i]}})
		if err != nil {
			return nil, err
		}
		if len(vs) > 0 {
			out.Tags = append(out.Tags, TagVideos{Tag: tags[i], Videos: vs})
		}
	}
	return out, nil
}
