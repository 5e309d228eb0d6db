package videos_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
	"cuttle.video/server/servertest"
	"cuttle.video/server/videos"
)

// lister lists videos of a test database as a viewer would, at a fixed
// time.
type lister struct {
	t   *testing.T
	db  *database.DB
	vs  *videos.Service
	now time.Time
	ch  *database.Channel
}

func newLister(t *testing.T, b servertest.Backend) *lister {
	db := servertest.OpenDatabase(t, b)
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	vs := videos.New(db, servertest.LocalMedia(t), servertest.Quiet(),
		videos.WithClock(func() time.Time { return now }), videos.WithTrendingDays(7))
	_, ch := servertest.CreateUser(t, db, database.RoleUser, -1)
	return &lister{t: t, db: db, vs: vs, now: now, ch: ch}
}

// video stores a published public video of l's channel, changed by set;
// columns are written again as set gives them, as creating a video
// writes some of its own (created_at).
func (l *lister) video(name string, set func(v *database.Video), columns ...string) *database.Video {
	l.t.Helper()
	ctx := context.Background()
	id := uuid.New()
	v := &database.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: l.ch.ID, Name: name,
		Privacy: database.PrivacyPublic, State: database.StatePublished, PublishedAt: l.now}
	if set != nil {
		set(v)
	}
	if err := l.db.CreateVideo(ctx, v); err != nil {
		l.t.Fatal(err)
	}
	if len(columns) > 0 {
		set(v)
		if err := l.db.UpdateVideo(ctx, v, false, columns...); err != nil {
			l.t.Fatal(err)
		}
	}
	return v
}

// names lists with p as viewer and returns the names in order.
func (l *lister) names(viewer *database.User, p videos.ListParams) []string {
	l.t.Helper()
	got, _, err := l.list(viewer, p)
	if err != nil {
		l.t.Fatalf("%+v: %v", p, err)
	}
	return got
}

func (l *lister) list(viewer *database.User, p videos.ListParams) ([]string, int, error) {
	if p.Count == 0 {
		p.Count = 100
	}
	vs, total, err := l.vs.List(context.Background(), viewer, p)
	var names []string
	for _, v := range vs {
		names = append(names, v.Name)
	}
	return names, total, err
}

func (l *lister) expect(viewer *database.User, p videos.ListParams, want ...string) {
	l.t.Helper()
	if got := l.names(viewer, p); !slices.Equal(got, want) {
		l.t.Errorf("%+v: %q, want %q", p, got, want)
	}
}

func day(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// Every sort PeerTube accepts orders the list as its users expect, both
// ways.
func TestListSorts(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		l := newLister(t, b)
		ctx := context.Background()
		at := func(d time.Duration) *time.Time { t := l.now.Add(d); return &t }
		a := l.video("Alpha", func(v *database.Video) {
			v.PublishedAt, v.CreatedAt, v.OriginallyPublishedAt = l.now.Add(-day(1)), l.now.Add(-day(5)), at(-day(10))
			v.Duration, v.Likes = 300, 1
		}, "created_at", "likes")
		bv := l.video("Bravo", func(v *database.Video) {
			v.PublishedAt, v.CreatedAt = l.now.Add(-day(2)), l.now.Add(-day(1))
			v.Duration, v.Likes = 100, 5
		}, "created_at", "likes")
		c := l.video("Charlie", func(v *database.Video) {
			v.PublishedAt, v.CreatedAt, v.OriginallyPublishedAt = l.now.Add(-day(3)), l.now.Add(-day(3)), at(-day(100))
			v.Duration, v.Likes = 200, 9
		}, "created_at", "likes")
		// Recent views: Bravo's 3 six days ago, Charlie's 2 today and
		// Alpha's 1 today; Alpha's 50 of a week ago are past the window
		// of 7 days, today's included.
		views := []struct {
			at    time.Time
			views map[int64]int64
		}{
			{l.now.Add(-day(7)), map[int64]int64{a.ID: 50}},
			{l.now.Add(-day(6)), map[int64]int64{bv.ID: 2}},
			{l.now.Add(-day(6) + time.Hour), map[int64]int64{bv.ID: 1}},
			// Views of a deleted video are dropped.
			{l.now, map[int64]int64{a.ID: 1, c.ID: 2, c.ID + 1000: 5}},
		}
		for _, v := range views {
			if err := l.db.AddViews(ctx, v.at, v.views); err != nil {
				t.Fatal(err)
			}
		}
		// All-time totals: Alpha 51, Bravo 3, Charlie 2.
		for _, tc := range []struct {
			sort string
			want []string
		}{
			{"", []string{"Alpha", "Bravo", "Charlie"}},
			{"-publishedAt", []string{"Alpha", "Bravo", "Charlie"}},
			{"-createdAt", []string{"Bravo", "Charlie", "Alpha"}},
			{"name", []string{"Alpha", "Bravo", "Charlie"}},
			{"-duration", []string{"Alpha", "Charlie", "Bravo"}},
			{"-views", []string{"Alpha", "Bravo", "Charlie"}},
			{"-likes", []string{"Charlie", "Bravo", "Alpha"}},
			{"-originallyPublishedAt", []string{"Bravo", "Alpha", "Charlie"}},
			{"-trending", []string{"Bravo", "Charlie", "Alpha"}},
		} {
			l.expect(nil, videos.ListParams{Sort: tc.sort}, tc.want...)
			if tc.sort != "" {
				asc := slices.Clone(tc.want)
				slices.Reverse(asc)
				key, desc := strings.CutPrefix(tc.sort, "-")
				if !desc {
					key = "-" + key
				}
				l.expect(nil, videos.ListParams{Sort: key}, asc...)
			}
		}
		_, _, err := l.list(nil, videos.ListParams{Sort: "-random"})
		if p := problem.From(err); p.Status != http.StatusBadRequest || p.InvalidParams["sort"] == "" {
			t.Errorf("unknown sort: %v", err)
		}
	})
}

// Hot (and best, the same without a watch history) weighs likes against
// age: ten times the likes are worth about six and a half days, and
// comments and dislikes count too.
func TestListHot(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		l := newLister(t, b)
		ctx := context.Background()
		l.video("New", nil)
		l.video("Liked three days ago", func(v *database.Video) { v.PublishedAt, v.Likes = l.now.Add(-day(3)), 11 }, "likes")
		l.video("Liked long ago", func(v *database.Video) { v.PublishedAt, v.Likes = l.now.Add(-day(100)), 11 }, "likes")
		discussed := l.video("Liked and discussed long ago", func(v *database.Video) { v.PublishedAt, v.Likes = l.now.Add(-day(100)), 11 }, "likes")
		l.video("Disliked", func(v *database.Video) { v.Dislikes = 11 }, "dislikes")
		for range 10 {
			if err := l.db.CreateComment(ctx, &database.Comment{VideoID: discussed.ID, Text: "Yes"}); err != nil {
				t.Fatal(err)
			}
		}
		want := []string{"Liked three days ago", "Liked and discussed long ago", "New", "Liked long ago", "Disliked"}
		l.expect(nil, videos.ListParams{Sort: "-hot"}, want...)
		l.expect(nil, videos.ListParams{Sort: "-best"}, want...)
		slices.Reverse(want)
		l.expect(nil, videos.ListParams{Sort: "hot"}, want...)
	})
}

// Every filter PeerTube accepts narrows the list, on top of what the
// viewer may see.
func TestListFilters(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		l := newLister(t, b)
		ctx := context.Background()
		owner, err := l.db.UserByID(ctx, mustAccount(t, l).UserID)
		if err != nil {
			t.Fatal(err)
		}
		user, _ := servertest.CreateUser(t, l.db, database.RoleUser, -1)
		mod, _ := servertest.CreateUser(t, l.db, database.RoleModerator, -1)
		tags := func(names ...string) []database.Tag {
			var ts []database.Tag
			for _, n := range names {
				ts = append(ts, database.Tag{Name: n})
			}
			return ts
		}
		l.video("Cat", func(v *database.Video) {
			v.Category, v.Licence, v.Language, v.Duration, v.Tags = 1, 1, "en", 60, tags("Pets", "Cute")
		})
		l.video("Dog", func(v *database.Video) {
			v.Category, v.Licence, v.Language, v.Duration, v.NSFW, v.Tags = 2, 2, "fr", 600, true, tags("pets")
		})
		eel := l.video("Eel", func(v *database.Video) { v.Category, v.Licence, v.Duration, v.Tags = 3, 1, 1200, tags("Sea") })
		if _, err := l.db.PutCaption(ctx, &database.Caption{VideoID: eel.ID, Language: "fr"}); err != nil {
			t.Fatal(err)
		}
		l.video("Fox", func(v *database.Video) { v.Privacy = database.PrivacyUnlisted })
		l.video("Gnu", func(v *database.Video) { v.Privacy = database.PrivacyPrivate })
		l.video("Hen", func(v *database.Video) { v.Privacy = database.PrivacyInternal })
		l.video("Ibis", func(v *database.Video) { v.Remote = true })

		yes, no := true, false
		for _, tc := range []struct {
			p    videos.ListParams
			want []string
		}{
			{videos.ListParams{}, []string{"Cat", "Dog", "Eel", "Ibis"}},
			{videos.ListParams{CategoryOneOf: []int{1, 3}}, []string{"Cat", "Eel"}},
			{videos.ListParams{LicenceOneOf: []int{2}}, []string{"Dog"}},
			{videos.ListParams{LanguageOneOf: []string{"fr"}}, []string{"Dog", "Eel"}},
			{videos.ListParams{LanguageOneOf: []string{"en", "_unknown"}}, []string{"Cat", "Eel", "Ibis"}},
			{videos.ListParams{TagsOneOf: []string{"PETS", "sea"}}, []string{"Cat", "Dog", "Eel"}},
			{videos.ListParams{TagsAllOf: []string{"pets", "CUTE"}}, []string{"Cat"}},
			{videos.ListParams{TagsAllOf: []string{"pets", "Pets"}}, []string{"Cat", "Dog"}},
			{videos.ListParams{NSFW: &yes}, []string{"Dog"}},
			{videos.ListParams{NSFW: &no}, []string{"Cat", "Eel", "Ibis"}},
			{videos.ListParams{DurationMin: 100}, []string{"Dog", "Eel"}},
			{videos.ListParams{DurationMax: 600}, []string{"Cat", "Dog", "Ibis"}},
			{videos.ListParams{DurationMin: 100, DurationMax: 600}, []string{"Dog"}},
			{videos.ListParams{IsLive: &yes}, nil},
			{videos.ListParams{IsLive: &no}, []string{"Cat", "Dog", "Eel", "Ibis"}},
			{videos.ListParams{IsLocal: &yes}, []string{"Cat", "Dog", "Eel"}},
			{videos.ListParams{IsLocal: &no}, []string{"Ibis"}},
			{videos.ListParams{Search: "do"}, []string{"Dog"}},
			{videos.ListParams{Search: "sea"}, []string{"Eel"}},
			{videos.ListParams{Search: "sea", TagsOneOf: []string{"pets"}}, nil},
		} {
			tc.p.Sort = "name"
			l.expect(nil, tc.p, tc.want...)
		}
		// Signed-in users see internal videos too.
		l.expect(user, videos.ListParams{Sort: "name"}, "Cat", "Dog", "Eel", "Hen", "Ibis")

		// Others' unlisted and private videos are for moderators to list;
		// anyone may filter their own list by privacy.
		private := videos.ListParams{Sort: "name", PrivacyOneOf: []int{database.PrivacyUnlisted, database.PrivacyPrivate}}
		l.expect(mod, private, "Fox", "Gnu")
		l.expect(owner, videos.ListParams{Mine: true, Sort: "name", PrivacyOneOf: []int{database.PrivacyInternal}}, "Hen")
		for _, tc := range []struct {
			viewer *database.User
			p      videos.ListParams
			status int
			param  string
		}{
			{nil, private, http.StatusUnauthorized, ""},
			{user, private, http.StatusForbidden, ""},
			{owner, private, http.StatusForbidden, ""},
			{mod, videos.ListParams{PrivacyOneOf: []int{6}}, http.StatusBadRequest, "privacyOneOf"},
			{nil, videos.ListParams{TagsAllOf: []string{"a", "b", "c", "d", "e", "f"}}, http.StatusBadRequest, "tagsAllOf"},
			{nil, videos.ListParams{DurationMin: 10, DurationMax: 5}, http.StatusBadRequest, "durationMax"},
		} {
			_, _, err := l.list(tc.viewer, tc.p)
			var p *problem.Problem
			if !errors.As(err, &p) || p.Status != tc.status || (tc.param != "" && p.InvalidParams[tc.param] == "") {
				t.Errorf("%+v: %v, want %d naming %q", tc.p, err, tc.status, tc.param)
			}
		}

		// Search narrows an account's and a channel's lists too.
		other, otherCh := servertest.CreateUser(t, l.db, database.RoleUser, -1)
		id := uuid.New()
		if err := l.db.CreateVideo(ctx, &database.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: otherCh.ID,
			Name: "Dog walker", Privacy: database.PrivacyPublic, State: database.StatePublished}); err != nil {
			t.Fatal(err)
		}
		l.expect(nil, videos.ListParams{AccountID: other.Account.ID, Search: "dog"}, "Dog walker")
		l.expect(nil, videos.ListParams{ChannelID: l.ch.ID, Search: "dog"}, "Dog")
		l.expect(nil, videos.ListParams{Search: "dog", Sort: "name"}, "Dog", "Dog walker")

		// skipCount spares the total, not the page.
		names, total, err := l.list(nil, videos.ListParams{Sort: "name", Count: 2, SkipCount: true})
		if err != nil || total != 0 || !slices.Equal(names, []string{"Cat", "Dog"}) {
			t.Errorf("skipCount: %q, total %d, %v", names, total, err)
		}
		if _, total, _ := l.list(nil, videos.ListParams{Count: 2}); total != 5 {
			t.Errorf("total %d, want 5", total)
		}
	})
}

func mustAccount(t *testing.T, l *lister) *database.Account {
	t.Helper()
	ch, err := l.db.ChannelByID(context.Background(), l.ch.ID)
	if err != nil || ch.Account == nil {
		t.Fatalf("channel's account: %v", err)
	}
	return ch.Account
}
