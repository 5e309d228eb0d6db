package api_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"cuttle.video/server/servertest"
)

func listNames(t *testing.T, c *servertest.Client, query string) (names []string, total int) {
	t.Helper()
	var l videoList
	c.Do("GET", "/api/v1/videos?"+query, nil).Expect(http.StatusOK).JSON(&l)
	for _, v := range l.Data {
		names = append(names, v.Name)
	}
	return names, l.Total
}

// sort=-trending, the first screen of PeerTube's apps, ranks videos by
// the views they got over the last days, as counted from players;
// filters take arrays as repeated parameters; unknown values are refused
// naming the parameter.
func TestVideoListTrendingAndFilters(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b, servertest.FastTranscoding)
		owner := s.NewUser(t, 2, -1)
		anon := s.Anonymous(t)
		clip := servertest.Clip(t)
		ids := map[string]string{}
		for i, name := range []string{"Old hit", "New hit", "Quiet"} {
			ids[name] = owner.PublishVideo(clip, name, 1).Video.UUID
			owner.Do("PUT", "/api/v1/videos/"+ids[name], map[string]any{"category": i + 1, "tags": []string{"clip", name}}).
				Expect(http.StatusNoContent)
		}
		watch := func(name string, viewers int) {
			for i := range viewers {
				view(anon, ids[name], "Browser "+string(rune('A'+i))).Expect(http.StatusNoContent)
			}
			if err := s.App.Engagement.Views.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		// The old hit's views are past the 7 days trending counts.
		watch("Old hit", 3)
		s.Clock.Advance(8 * 24 * time.Hour)
		watch("New hit", 2)
		watch("Quiet", 1)

		for query, want := range map[string][]string{
			"sort=-trending": {"New hit", "Quiet", "Old hit"},
			"sort=-views":    {"Old hit", "New hit", "Quiet"},
			"sort=name&categoryOneOf=1&categoryOneOf=2":                    {"New hit", "Old hit"},
			"sort=name&tagsOneOf=quiet&tagsOneOf=Old+hit":                  {"Old hit", "Quiet"},
			"sort=name&tagsAllOf=clip&tagsAllOf=quiet":                     {"Quiet"},
			"sort=name&isLocal=true&isLive=false&nsfw=false&durationMin=1": {"New hit", "Old hit", "Quiet"},
			"isLive=true": nil,
		} {
			if got, _ := listNames(t, anon, query); !slices.Equal(got, want) {
				t.Errorf("?%s: %q, want %q", query, got, want)
			}
		}
		if names, total := listNames(t, anon, "sort=-trending&skipCount=true&count=1"); total != 0 || !slices.Equal(names, []string{"New hit"}) {
			t.Errorf("skipCount: %q, total %d", names, total)
		}
		var l videoList
		anon.Do("GET", "/api/v1/accounts/"+owner.Username+"/videos?search=hit&sort=name", nil).Expect(http.StatusOK).JSON(&l)
		if l.Total != 2 || l.Data[0].Name != "New hit" {
			t.Errorf("account videos searched for hit: %+v", l)
		}

		for query, param := range map[string]string{
			"sort=-random": "sort", "categoryOneOf=1&categoryOneOf=x": "categoryOneOf", "nsfw=maybe": "nsfw",
			"isLocal=yes": "isLocal", "isLive=2": "isLive", "skipCount=sure": "skipCount", "durationMin=-1": "durationMin",
			"privacyOneOf=9": "privacyOneOf", "licenceOneOf=": "licenceOneOf",
		} {
			p := anon.Do("GET", "/api/v1/videos?"+query, nil).Problem(http.StatusBadRequest)
			if p.InvalidParams[param] == "" {
				t.Errorf("?%s: %+v does not name %s", query, p, param)
			}
		}
		var cfg struct {
			Trending struct {
				Videos struct {
					IntervalDays int `json:"intervalDays"`
				} `json:"videos"`
			} `json:"trending"`
		}
		anon.Do("GET", "/api/v1/config", nil).Expect(http.StatusOK).JSON(&cfg)
		if cfg.Trending.Videos.IntervalDays != 7 {
			t.Errorf("config: trending over %d days, want 7", cfg.Trending.Videos.IntervalDays)
		}

		anon.Do("GET", "/api/v1/videos?privacyOneOf=3", nil).Problem(http.StatusUnauthorized)
		// The clock moved past the owner's token.
		s.Client(t, owner.Username, owner.Password).Do("GET", "/api/v1/videos?privacyOneOf=3", nil).Problem(http.StatusForbidden)
		s.NewUser(t, 1, -1).Do("GET", "/api/v1/videos?privacyOneOf=3", nil).Expect(http.StatusOK)
	})
}
