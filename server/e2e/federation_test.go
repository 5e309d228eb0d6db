package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
)

// originSetups runs fn with the tweaks of an origin instance on each
// supported setup: the embedded one, and PostgreSQL with Redis and S3,
// whose public media the follower's viewers read from the bucket.
func originSetups(t *testing.T, fn func(t *testing.T, b servertest.Backend, tweaks ...func(*config.Config))) {
	t.Run("embedded", func(t *testing.T) { fn(t, servertest.SQLite) })
	t.Run("postgres-redis-s3", func(t *testing.T) {
		servertest.NeedsPostgres(t)
		port := freePort(t)
		startRedis(t, port)
		s3tweak, _ := servertest.S3(t)
		fn(t, servertest.Postgres, s3tweak, func(c *config.Config) {
			c.RedisURL = redisURLFor(port)
			c.Transcoding.Workers = 1
		})
	})
}

// followInstance has follower's instance follow origin's, accepted.
func followInstance(t *testing.T, follower, origin *servertest.Server) {
	t.Helper()
	follower.Root(t).Do("POST", "/api/v1/server/following", map[string]any{"hosts": []string{origin.Host()}}).Expect(http.StatusNoContent)
	servertest.Eventually(t, 30*time.Second, func() (bool, string) {
		body := follower.Anonymous(t).Do("GET", "/api/v1/server/following", nil).Expect(http.StatusOK).Body
		return strings.Contains(string(body), `"state":"accepted"`), "following: " + string(body)
	})
}

// A video published on one instance plays on the watch page of an
// instance that follows it: its segments come from the origin, and the
// follower's viewer shares them over P2P with a viewer on the origin, as
// both join the origin's swarm.
func TestFederatedVideoPlaysWithP2P(t *testing.T) {
	originSetups(t, func(t *testing.T, b servertest.Backend, tweaks ...func(*config.Config)) {
		browser := p2pBrowser(t)
		origin := servertest.Start(t, b, append(tweaks, servertest.FastTranscoding, servertest.Federated)...)
		follower := servertest.Start(t, servertest.SQLite, servertest.Federated)
		followInstance(t, follower, origin)
		v := publishedSmallClip(t, origin, 40)

		var remote videoState
		servertest.Eventually(t, 30*time.Second, func() (bool, string) {
			res := follower.Anonymous(t).Do("GET", "/api/v1/videos/"+v.UUID, nil)
			if res.StatusCode != http.StatusOK {
				return false, fmt.Sprintf("follower answers %d for the video", res.StatusCode)
			}
			res.JSON(&remote)
			return true, ""
		})
		if len(remote.StreamingPlaylists) != 1 || remote.StreamingPlaylists[0].PlaylistURL != v.StreamingPlaylists[0].PlaylistURL {
			t.Fatalf("the follower's playlist is not the origin's: %+v", remote.StreamingPlaylists)
		}

		first := openWatch(t, browser, origin.URL+"/w/"+v.ShortUUID, 4)
		first.wait("the origin's viewer plays through", 2*time.Minute, playedThrough)
		second := openWatch(t, browser, follower.URL+"/w/"+v.ShortUUID, 1)
		st := second.wait("the follower's viewer gets segments from the origin's", 2*time.Minute, func(s pageState) bool {
			return s.P2P.Enabled && s.P2P.DownloadedBytesP2P > 0 && s.Time > 5
		})
		second.wait("the follower's viewer plays through", 2*time.Minute, playedThrough)
		t.Logf("the follower's viewer got %.0f bytes from the origin's", st.P2P.DownloadedBytesP2P)
	})
}
