package federation_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/servertest"
)

// channelName is the name of the first channel of c's user.
func channelName(t *testing.T, c *servertest.Client) string {
	t.Helper()
	var me struct {
		VideoChannels []struct{ Name string } `json:"videoChannels"`
	}
	c.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK).JSON(&me)
	if len(me.VideoChannels) == 0 {
		t.Fatal("the user has no channel")
	}
	return me.VideoChannels[0].Name
}

// openDatabase opens the database of a running server, to see what it
// recorded that no API shows.
func openDatabase(t *testing.T, s *servertest.Server) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), s.Config.DatabaseURL, s.Config.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// channelFollows lists the follows of a local channel on its server.
func channelFollows(t *testing.T, db *database.DB, channelID int64) []database.Follow {
	t.Helper()
	row, err := db.LocalActor(context.Background(), "Group", 0, channelID)
	if err != nil {
		t.Fatal(err)
	}
	fs, _, err := db.ListFollows(context.Background(), database.FollowFilter{FollowingID: row.ID, Count: 100})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// accountFollowState is the state of the follows of a local account,
// joined: "" when it follows nobody.
func accountFollowState(t *testing.T, db *database.DB, username string) string {
	t.Helper()
	ctx := context.Background()
	a, err := db.AccountByName(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	row, err := db.LocalActor(ctx, "Person", a.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	fs, _, err := db.ListFollows(ctx, database.FollowFilter{FollowerID: row.ID, Count: 100})
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, f := range fs {
		states = append(states, f.State)
	}
	return strings.Join(states, ",")
}

type channelList struct {
	Total int
	Data  []struct {
		Name    string `json:"name"`
		Host    string `json:"host"`
		IsLocal bool   `json:"isLocal"`
	}
}

type videoList struct {
	Total int
	Data  []remoteVideo
}

func subscriptionVideos(t *testing.T, c *servertest.Client) videoList {
	var l videoList
	c.Do("GET", "/api/v1/users/me/subscriptions/videos", nil).Expect(http.StatusOK).JSON(&l)
	return l
}

// A user subscribes to a channel of another instance by its handle:
// the channel's server accepts, its new public videos arrive in the
// user's subscription list, and an unsubscription reaches it, after
// which nothing more arrives. A video of that server is found by its
// URL, and its channel by its handle, when the user is signed in.
func TestSubscriptionToRemoteChannel(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		origin := servertest.Start(t, b, servertest.Federated)
		home := servertest.Start(t, servertest.SQLite, servertest.Federated)
		originDB, homeDB := openDatabase(t, origin), openDatabase(t, home)
		creator := origin.NewUser(t, database.RoleUser.ID(), -1)
		channelID := creator.Channel()
		handle := channelName(t, creator) + "@" + origin.Host()
		viewer := home.NewUser(t, database.RoleUser.ID(), -1)

		viewer.Do("POST", "/api/v1/users/me/subscriptions", map[string]any{"uri": handle}).Expect(http.StatusNoContent)
		if st := accountFollowState(t, homeDB, viewer.Username); st != database.FollowPending && st != database.FollowAccepted {
			t.Fatalf("follow state right after subscribing: %q", st)
		}
		servertest.Eventually(t, 30*time.Second, func() (bool, string) {
			st := accountFollowState(t, homeDB, viewer.Username)
			return st == database.FollowAccepted, "follow state " + st
		})
		if fs := channelFollows(t, originDB, channelID); len(fs) != 1 || fs[0].Follower.Host != home.Host() || fs[0].State != database.FollowAccepted {
			t.Fatalf("origin's channel follows: %+v", fs)
		}
		// The channel counts its follower, and the account its follow.
		var counts struct {
			FollowersCount int `json:"followersCount"`
			FollowingCount int `json:"followingCount"`
		}
		origin.Anonymous(t).Do("GET", "/api/v1/video-channels/"+channelName(t, creator), nil).Expect(http.StatusOK).JSON(&counts)
		if counts.FollowersCount != 1 {
			t.Errorf("the origin's channel has %d followers, want 1", counts.FollowersCount)
		}
		home.Anonymous(t).Do("GET", "/api/v1/accounts/"+viewer.Username, nil).Expect(http.StatusOK).JSON(&counts)
		if counts.FollowingCount != 1 {
			t.Errorf("the subscriber follows %d actors, want 1", counts.FollowingCount)
		}
		var subs channelList
		viewer.Do("GET", "/api/v1/users/me/subscriptions", nil).Expect(http.StatusOK).JSON(&subs)
		if subs.Total != 1 || len(subs.Data) != 1 || subs.Data[0].Host != origin.Host() || subs.Data[0].IsLocal {
			t.Fatalf("subscriptions: %+v", subs)
		}
		viewer.Do("GET", "/api/v1/users/me/subscriptions/"+handle, nil).Expect(http.StatusOK)

		up := creator.PublishVideo(servertest.Clip(t), "For subscribers", database.PrivacyPublic)
		servertest.Eventually(t, 30*time.Second, func() (bool, string) {
			l := subscriptionVideos(t, viewer)
			return l.Total == 1 && len(l.Data) == 1 && l.Data[0].UUID == up.Video.UUID, fmt.Sprintf("subscription videos: %+v", l)
		})
		var exist map[string]bool
		other := "nobody@" + origin.Host()
		viewer.Do("GET", "/api/v1/users/me/subscriptions/exist?uris="+url.QueryEscape(handle)+"&uris="+url.QueryEscape(other), nil).
			Expect(http.StatusOK).JSON(&exist)
		if !exist[handle] || exist[other] || len(exist) != 2 {
			t.Fatalf("exist: %v", exist)
		}
		// Another user of the same instance subscribed to nothing.
		if l := subscriptionVideos(t, home.NewUser(t, database.RoleUser.ID(), -1)); l.Total != 0 {
			t.Fatalf("another user's subscription videos: %+v", l)
		}

		viewer.Do("DELETE", "/api/v1/users/me/subscriptions/"+handle, nil).Expect(http.StatusNoContent)
		viewer.Do("DELETE", "/api/v1/users/me/subscriptions/"+handle, nil).Expect(http.StatusNotFound)
		servertest.Eventually(t, 30*time.Second, func() (bool, string) {
			fs := channelFollows(t, originDB, channelID)
			return len(fs) == 0, fmt.Sprintf("origin's channel follows: %+v", fs)
		})
		if l := subscriptionVideos(t, viewer); l.Total != 0 {
			t.Fatalf("subscription videos after unsubscribing: %+v", l)
		}
		viewer.Do("GET", "/api/v1/users/me/subscriptions/exist?uris="+url.QueryEscape(handle), nil).Expect(http.StatusOK).JSON(&exist)
		if exist[handle] {
			t.Fatalf("exist after unsubscribing: %v", exist)
		}

		// The origin no longer sends this channel's videos here.
		later := creator.PublishVideo(servertest.Clip(t), "After the goodbye", database.PrivacyPublic)
		time.Sleep(2 * time.Second)
		home.Anonymous(t).Do("GET", "/api/v1/videos/"+later.Video.UUID, nil).Expect(http.StatusNotFound)

		// Found by its URL: anonymously nothing is fetched; signed in, the
		// video is brought in.
		watch := origin.Config.PublicURL + "/videos/watch/" + later.Video.UUID
		var found videoList
		home.Anonymous(t).Do("GET", "/api/v1/search/videos?search="+url.QueryEscape(watch), nil).Expect(http.StatusOK).JSON(&found)
		if found.Total != 0 {
			t.Fatalf("anonymous search by URL: %+v", found)
		}
		viewer.Do("GET", "/api/v1/search/videos?search="+url.QueryEscape(watch), nil).Expect(http.StatusOK).JSON(&found)
		if found.Total != 1 || len(found.Data) != 1 || found.Data[0].UUID != later.Video.UUID || found.Data[0].IsLocal {
			t.Fatalf("search by URL: %+v", found)
		}
		home.Anonymous(t).Do("GET", "/api/v1/videos/"+later.Video.UUID, nil).Expect(http.StatusOK)
		missing := origin.Config.PublicURL + "/videos/watch/00000000-0000-4000-8000-000000000000"
		viewer.Do("GET", "/api/v1/search/videos?search="+url.QueryEscape(missing), nil).Expect(http.StatusOK).JSON(&found)
		if found.Total != 0 {
			t.Fatalf("search by the URL of no video: %+v", found)
		}

		var chs channelList
		viewer.Do("GET", "/api/v1/search/video-channels?search="+url.QueryEscape(handle), nil).Expect(http.StatusOK).JSON(&chs)
		if chs.Total != 1 || len(chs.Data) != 1 || chs.Data[0].Host != origin.Host() {
			t.Fatalf("channel search by handle: %+v", chs)
		}

		// An account is not a channel: PeerTube subscribes to channels.
		p := viewer.Do("POST", "/api/v1/users/me/subscriptions", map[string]any{"uri": creator.Username + "@" + origin.Host()}).
			Problem(http.StatusBadRequest)
		if !strings.Contains(p.Detail, "not a video channel") {
			t.Errorf("account handle: %q", p.Detail)
		}
	})
}

// A subscription to a channel of the same instance needs no federation:
// it is accepted at once, and the channel's videos are listed.
func TestSubscriptionToLocalChannel(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	creator := s.NewUser(t, database.RoleUser.ID(), -1)
	name := channelName(t, creator)
	viewer := s.NewUser(t, database.RoleUser.ID(), -1)
	s.Anonymous(t).Do("POST", "/api/v1/users/me/subscriptions", map[string]any{"uri": name}).Expect(http.StatusUnauthorized)
	viewer.Do("POST", "/api/v1/users/me/subscriptions", map[string]any{"uri": name + "@" + s.Host()}).Expect(http.StatusNoContent)
	var exist map[string]bool
	viewer.Do("GET", "/api/v1/users/me/subscriptions/exist?uris="+name, nil).Expect(http.StatusOK).JSON(&exist)
	if !exist[name] {
		t.Fatalf("exist: %v", exist)
	}
	up := creator.PublishVideo(servertest.Clip(t), "Next door", database.PrivacyPublic)
	creator.PublishVideo(servertest.Clip(t), "Not for lists", database.PrivacyUnlisted)
	if l := subscriptionVideos(t, viewer); l.Total != 1 || l.Data[0].UUID != up.Video.UUID || !l.Data[0].IsLocal {
		t.Fatalf("subscription videos: %+v", l)
	}
	var subs channelList
	viewer.Do("GET", "/api/v1/users/me/subscriptions", nil).Expect(http.StatusOK).JSON(&subs)
	if subs.Total != 1 || subs.Data[0].Name != name || !subs.Data[0].IsLocal {
		t.Fatalf("subscriptions: %+v", subs)
	}
	viewer.Do("DELETE", "/api/v1/users/me/subscriptions/"+name, nil).Expect(http.StatusNoContent)
	if l := subscriptionVideos(t, viewer); l.Total != 0 {
		t.Fatalf("subscription videos after unsubscribing: %+v", l)
	}
}

// What a user types to subscribe is checked before anything is asked
// of another server, and a server that does not answer is given up on
// quickly.
func TestSubscriptionHostileInput(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.Federated)
	viewer := s.NewUser(t, database.RoleUser.ID(), -1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	for _, c := range []struct {
		uri    string
		status int
	}{
		{"", http.StatusBadRequest},
		{"@", http.StatusBadRequest},
		{"name@", http.StatusBadRequest},
		{"a@b@c", http.StatusBadRequest},
		{"name@bad host", http.StatusBadRequest},
		{"name@host/path", http.StatusBadRequest},
		{"na/me@example.org", http.StatusBadRequest},
		{strings.Repeat("x", 600) + "@example.org", http.StatusBadRequest},
		{"no-such-channel", http.StatusNotFound},
		{viewer.Username, http.StatusBadRequest}, // a local account
		{"chan@" + closed, http.StatusBadRequest},
		{"http://" + closed + "/video-channels/chan", http.StatusBadRequest},
		{"ftp://example.org/video-channels/chan", http.StatusBadRequest},
	} {
		start := time.Now()
		res := viewer.Do("POST", "/api/v1/users/me/subscriptions", map[string]any{"uri": c.uri})
		res.Problem(c.status)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%q took %v", c.uri, d)
		}
	}
	var l channelList
	viewer.Do("GET", "/api/v1/users/me/subscriptions", nil).Expect(http.StatusOK).JSON(&l)
	if l.Total != 0 {
		t.Fatalf("subscriptions after refusals: %+v", l)
	}
	viewer.Do("DELETE", "/api/v1/users/me/subscriptions/a@b@c", nil).Expect(http.StatusBadRequest)
	var exist map[string]bool
	viewer.Do("GET", "/api/v1/users/me/subscriptions/exist?uris=a@b@c&uris=", nil).Expect(http.StatusOK).JSON(&exist)
	if exist["a@b@c"] || exist[""] {
		t.Fatalf("exist of malformed handles: %v", exist)
	}
	// A search by the handle of a server that does not answer finds
	// nothing, and soon.
	var chs channelList
	viewer.Do("GET", "/api/v1/search/video-channels?search="+url.QueryEscape("chan@"+closed), nil).Expect(http.StatusOK).JSON(&chs)
	if chs.Total != 0 {
		t.Fatalf("channel search on a silent host: %+v", chs)
	}
}
