package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/servertest"
)

// TestVideosOverview shows, page by page, the newest videos of the
// categories, channels and tags that six public videos share.
func TestVideosOverview(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b, servertest.FastTranscoding)
		owner := s.NewUser(t, 2, -1)
		other := s.NewUser(t, 2, -1)
		anon := s.Anonymous(t)
		clip := servertest.Clip(t)
		uploaders := map[string]*servertest.Client{}
		upload := func(c *servertest.Client, name string, privacy int, category string, tags ...string) {
			var up servertest.UploadedVideo
			c.Upload(clip, map[string][]string{
				"name": {name}, "channelId": {strconv.FormatInt(c.Channel(), 10)}, "privacy": {strconv.Itoa(privacy)},
				"category": {category}, "tags[0]": tags,
			}).Expect(http.StatusOK).JSON(&up)
			uploaders[up.Video.UUID] = c
		}
		for i := range 6 {
			upload(owner, "Pot "+strconv.Itoa(i), database.PrivacyPublic, "10", "clay")
		}
		// Not enough to be drawn: five public videos of another category
		// and with another tag, in another channel; and a private one.
		for i := range 5 {
			upload(other, "Film "+strconv.Itoa(i), database.PrivacyPublic, "1", "film")
		}
		upload(owner, "Secret pot", database.PrivacyPrivate, "10", "clay")
		for id, c := range uploaders {
			servertest.WaitState(t, c, id, 3*time.Minute, database.StatePublished)
		}

		var o struct {
			Categories []struct {
				Category map[string]any   `json:"category"`
				Videos   []map[string]any `json:"videos"`
			} `json:"categories"`
			Channels []struct {
				Channel map[string]any   `json:"channel"`
				Videos  []map[string]any `json:"videos"`
			} `json:"channels"`
			Tags []struct {
				Tag    string           `json:"tag"`
				Videos []map[string]any `json:"videos"`
			} `json:"tags"`
		}
		anon.Do("GET", "/api/v1/overviews/videos", nil).Expect(http.StatusOK).JSON(&o)
		if len(o.Categories) != 1 || o.Categories[0].Category["id"] != 10.0 || o.Categories[0].Category["label"] != "Entertainment" ||
			len(o.Categories[0].Videos) != 6 || o.Categories[0].Videos[0]["name"] != "Pot 5" {
			t.Errorf("categories = %+v", o.Categories)
		}
		if len(o.Channels) != 1 || o.Channels[0].Channel["id"] != float64(owner.Channel()) || len(o.Channels[0].Videos) != 6 {
			t.Errorf("channels = %+v", o.Channels)
		} else {
			checkShape(t, "overview's channel", o.Channels[0].Channel, actorSummaryShape)
		}
		if len(o.Tags) != 1 || o.Tags[0].Tag != "clay" || len(o.Tags[0].Videos) != 6 {
			t.Errorf("tags = %+v", o.Tags)
		}

		// One group of each per page: the second page is empty.
		anon.Do("GET", "/api/v1/overviews/videos?page=2", nil).Expect(http.StatusOK).JSON(&o)
		if len(o.Categories)+len(o.Channels)+len(o.Tags) != 0 {
			t.Errorf("page 2 = %+v", o)
		}
		for _, bad := range []string{"0", "21", "x"} {
			anon.Do("GET", "/api/v1/overviews/videos?page="+bad, nil).Problem(http.StatusBadRequest)
		}
	})
}
