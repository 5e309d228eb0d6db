package api_test

import (
	"net/http"
	"os"
	"testing"

	"cuttle.video/server/servertest"
	"cuttle.video/server/stats"
)

var serverStatsShape = map[string]string{
	"totalUsers": "integer", "totalModerators": "integer", "totalAdmins": "integer",
	"totalLocalVideos": "integer", "totalLocalVideoViews": "integer", "totalLocalVideoComments": "integer",
	"totalLocalVideoFilesSize": "integer", "totalVideos": "integer", "totalVideoComments": "integer",
	"totalLocalVideoChannels": "integer", "totalLocalDailyActiveVideoChannels": "integer",
	"totalLocalWeeklyActiveVideoChannels": "integer", "totalLocalMonthlyActiveVideoChannels": "integer",
	"totalInstanceFollowers": "integer", "totalInstanceFollowing": "integer", "videosRedundancy": "array",
}

// TestServerStats counts users, videos, comments, channels and the
// stored files, and counts again only once the counts are old.
func TestServerStats(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b, servertest.FastTranscoding)
		anon := s.Anonymous(t)
		get := func() map[string]any {
			t.Helper()
			var st map[string]any
			anon.Do("GET", "/api/v1/server/stats", nil).Expect(http.StatusOK).JSON(&st)
			checkShape(t, "stats", st, serverStatsShape)
			return st
		}
		st := get()
		if st["totalUsers"] != 1.0 || st["totalAdmins"] != 1.0 || st["totalModerators"] != 0.0 || st["totalLocalVideos"] != 0.0 ||
			st["totalLocalVideoChannels"] != 1.0 || st["totalLocalVideoFilesSize"] != 0.0 {
			t.Fatalf("new instance: %v", st)
		}

		s.NewUser(t, 1, -1)
		owner := s.NewUser(t, 2, -1)
		clip := servertest.Clip(t)
		public := owner.PublishVideo(clip, "Counted", 1).Video.UUID
		owner.UploadVideo(clip, "Private", 3)
		owner.Do("POST", "/api/v1/videos/"+public+"/comment-threads", map[string]any{"text": "Nice"}).Expect(http.StatusOK)
		if again := get(); again["totalUsers"] != 1.0 {
			t.Fatalf("counted again before stats.MaxAge: %v", again)
		}

		s.Clock.Advance(stats.MaxAge)
		st = get()
		fi, err := os.Stat(clip)
		if err != nil {
			t.Fatal(err)
		}
		// Two originals stored, and the published one's renditions.
		if st["totalUsers"] != 3.0 || st["totalModerators"] != 1.0 || st["totalAdmins"] != 1.0 ||
			st["totalLocalVideos"] != 1.0 || st["totalVideos"] != 1.0 || st["totalLocalVideoComments"] != 1.0 ||
			st["totalLocalVideoChannels"] != 3.0 || st["totalLocalDailyActiveVideoChannels"] != 1.0 ||
			st["totalLocalMonthlyActiveVideoChannels"] != 1.0 || st["totalLocalVideoFilesSize"].(float64) <= float64(2*fi.Size()) {
			t.Fatalf("after uploads: %v (original %d bytes)", st, fi.Size())
		}
	})
}
