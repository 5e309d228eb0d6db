package federation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/config"
	"cuttle.video/server/database"
	"cuttle.video/server/servertest"
)

// remoteVideo is what a follower's API says of a video of another
// instance.
type remoteVideo struct {
	UUID    string `json:"uuid"`
	Name    string `json:"name"`
	IsLocal bool   `json:"isLocal"`
	URL     string `json:"url"`
	Account struct {
		Name string `json:"name"`
		Host string `json:"host"`
	} `json:"account"`
	Channel struct {
		Name string `json:"name"`
		Host string `json:"host"`
		URL  string `json:"url"`
	} `json:"channel"`
	StreamingPlaylists []struct {
		PlaylistURL       string `json:"playlistUrl"`
		SegmentsSha256URL string `json:"segmentsSha256Url"`
		Files             []struct {
			FileURL    string `json:"fileUrl"`
			Resolution struct {
				ID int `json:"id"`
			} `json:"resolution"`
		} `json:"files"`
	} `json:"streamingPlaylists"`
}

type follow struct {
	State     string                `json:"state"`
	Follower  struct{ Host string } `json:"follower"`
	Following struct{ Host string } `json:"following"`
}

// followInstance makes follower's instance follow origin's and waits
// until origin accepted.
func followInstance(t *testing.T, follower, origin *servertest.Server) {
	t.Helper()
	follower.Root(t).Do("POST", "/api/v1/server/following", map[string]any{"hosts": []string{origin.Host()}}).Expect(http.StatusNoContent)
	servertest.Eventually(t, 30*time.Second, func() (bool, string) {
		var l struct{ Data []follow }
		follower.Anonymous(t).Do("GET", "/api/v1/server/following", nil).Expect(http.StatusOK).JSON(&l)
		if len(l.Data) == 1 && l.Data[0].State == database.FollowAccepted && l.Data[0].Following.Host == origin.Host() {
			return true, ""
		}
		return false, fmt.Sprintf("follower's following: %+v", l.Data)
	})
	var l struct{ Data []follow }
	origin.Anonymous(t).Do("GET", "/api/v1/server/followers", nil).Expect(http.StatusOK).JSON(&l)
	if len(l.Data) != 1 || l.Data[0].Follower.Host != follower.Host() || l.Data[0].State != database.FollowAccepted {
		t.Fatalf("origin's followers: %+v", l.Data)
	}
}

// remoteVideos lists what follower shows of other instances.
func remoteVideos(t *testing.T, follower *servertest.Server) []remoteVideo {
	var l struct{ Data []remoteVideo }
	follower.Anonymous(t).Do("GET", "/api/v1/videos?isLocal=false", nil).Expect(http.StatusOK).JSON(&l)
	return l.Data
}

// waitRemote waits until follower lists the video uuid (or, with gone,
// no longer does) and returns it.
func waitRemote(t *testing.T, follower *servertest.Server, uuid string, want func(remoteVideo) bool) remoteVideo {
	t.Helper()
	var found remoteVideo
	servertest.Eventually(t, 30*time.Second, func() (bool, string) {
		vs := remoteVideos(t, follower)
		for _, v := range vs {
			if v.UUID == uuid {
				found = v
				return want != nil && want(v), fmt.Sprintf("follower has %+v", v)
			}
		}
		return want == nil, fmt.Sprintf("follower lists %d remote videos, not %s", len(vs), uuid)
	})
	return found
}

// A video published on an instance reaches the instances that follow it,
// follows its changes, and leaves them when made private or deleted.
func TestVideoTravelsToFollowers(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		origin := servertest.Start(t, b, servertest.Federated)
		follower := servertest.Start(t, servertest.SQLite, servertest.Federated)
		followInstance(t, follower, origin)

		creator := origin.NewUser(t, database.RoleUser.ID(), -1)
		up := creator.PublishVideo(servertest.Clip(t), "Across instances", database.PrivacyPublic)
		uuid := up.Video.UUID
		v := waitRemote(t, follower, uuid, func(v remoteVideo) bool { return true })
		if v.IsLocal || v.Name != "Across instances" || v.Account.Host != origin.Host() || v.Channel.Host != origin.Host() {
			t.Fatalf("remote video on the follower: %+v", v)
		}
		if v.URL != origin.Config.PublicURL+"/videos/watch/"+uuid {
			t.Errorf("url = %q, want the origin's", v.URL)
		}
		var full remoteVideo
		follower.Anonymous(t).Do("GET", "/api/v1/videos/"+uuid, nil).Expect(http.StatusOK).JSON(&full)
		if len(full.StreamingPlaylists) != 1 || len(full.StreamingPlaylists[0].Files) == 0 {
			t.Fatalf("remote video's playlists: %+v", full.StreamingPlaylists)
		}
		// The playlist is the origin's: fetched there, it is a master playlist.
		status, body := follower.Anonymous(t).Fetch(full.StreamingPlaylists[0].PlaylistURL)
		if status != http.StatusOK || len(body) == 0 {
			t.Fatalf("master playlist on the origin: %d", status)
		}

		// The remote channel is found by its handle, with its videos; the
		// follower's pages link to it and to the video's origin.
		handle := v.Channel.Name + "@" + origin.Host()
		var ch struct {
			Host    string `json:"host"`
			IsLocal bool   `json:"isLocal"`
		}
		follower.Anonymous(t).Do("GET", "/api/v1/video-channels/"+handle, nil).Expect(http.StatusOK).JSON(&ch)
		if ch.Host != origin.Host() || ch.IsLocal {
			t.Errorf("the remote channel: %+v", ch)
		}
		if body := follower.Anonymous(t).Do("GET", "/api/v1/video-channels/"+handle+"/videos", nil).Expect(http.StatusOK).Body; !strings.Contains(string(body), uuid) {
			t.Errorf("the remote channel's videos: %s", body)
		}
		follower.Anonymous(t).Do("GET", "/api/v1/video-channels/"+v.Channel.Name, nil).Expect(http.StatusNotFound)
		follower.Anonymous(t).Do("GET", "/api/v1/accounts/"+v.Account.Name+"@"+origin.Host(), nil).Expect(http.StatusOK)
		if page := follower.Anonymous(t).Do("GET", "/c/"+handle, nil).Expect(http.StatusOK).Body; !strings.Contains(string(page), "Across instances") {
			t.Errorf("the remote channel's page does not list its video")
		}
		if page := follower.Anonymous(t).Do("GET", "/videos/watch/"+uuid, nil).Expect(http.StatusOK).Body; !strings.Contains(string(page), `href="`+origin.Config.PublicURL+"/w/") {
			t.Errorf("the watch page does not link the video's origin")
		}

		creator.Do("PUT", "/api/v1/videos/"+uuid, map[string]any{"name": "Renamed there"}).Expect(http.StatusNoContent)
		waitRemote(t, follower, uuid, func(v remoteVideo) bool { return v.Name == "Renamed there" })

		creator.Do("PUT", "/api/v1/videos/"+uuid, map[string]any{"privacy": database.PrivacyPrivate}).Expect(http.StatusNoContent)
		waitRemote(t, follower, uuid, nil)

		creator.Do("PUT", "/api/v1/videos/"+uuid, map[string]any{"privacy": database.PrivacyPublic}).Expect(http.StatusNoContent)
		waitRemote(t, follower, uuid, func(v remoteVideo) bool { return v.Name == "Renamed there" })

		creator.Do("DELETE", "/api/v1/videos/"+uuid, nil).Expect(http.StatusNoContent)
		waitRemote(t, follower, uuid, nil)
		follower.Anonymous(t).Do("GET", "/api/v1/videos/"+uuid, nil).Expect(http.StatusNotFound)
	})
}

// followState is the state of the one follow a list shows, "" when it
// shows none.
func followState(t *testing.T, s *servertest.Server, path string) string {
	var l struct{ Data []follow }
	s.Anonymous(t).Do("GET", path, nil).Expect(http.StatusOK).JSON(&l)
	if len(l.Data) == 0 {
		return ""
	}
	return l.Data[0].State
}

// An instance whose admin approves followers keeps a follow pending until
// accepted, follows back when configured to, and a follower removed is
// told so.
func TestInstanceFollowersApproval(t *testing.T) {
	origin := servertest.Start(t, servertest.SQLite, servertest.Federated, func(c *config.Config) {
		c.Federation.InstanceFollowersApproval, c.Federation.AutoFollowBack = true, true
	})
	follower := servertest.Start(t, servertest.SQLite, servertest.Federated)
	follower.Root(t).Do("POST", "/api/v1/server/following", map[string]any{"hosts": []string{origin.Host()}}).Expect(http.StatusNoContent)
	servertest.Eventually(t, 30*time.Second, func() (bool, string) {
		st := followState(t, origin, "/api/v1/server/followers")
		return st == database.FollowPending, "origin's follower: " + st
	})
	if st := followState(t, follower, "/api/v1/server/following"); st != database.FollowPending {
		t.Fatalf("follow before approval: %q, want pending", st)
	}
	admin := origin.Root(t)
	admin.Do("POST", "/api/v1/server/followers/peertube@nobody.example/accept", nil).Expect(http.StatusNotFound)
	admin.Do("POST", "/api/v1/server/followers/peertube@"+follower.Host()+"/accept", nil).Expect(http.StatusNoContent)
	servertest.Eventually(t, 30*time.Second, func() (bool, string) {
		st := followState(t, follower, "/api/v1/server/following")
		return st == database.FollowAccepted, "follower's follow: " + st
	})
	// The origin follows back, and the follower accepts at once.
	servertest.Eventually(t, 30*time.Second, func() (bool, string) {
		st := followState(t, origin, "/api/v1/server/following")
		return st == database.FollowAccepted, "origin's follow back: " + st
	})

	admin.Do("DELETE", "/api/v1/server/followers/peertube@"+follower.Host(), nil).Expect(http.StatusNoContent)
	if st := followState(t, origin, "/api/v1/server/followers"); st != "" {
		t.Fatalf("removed follower still listed: %q", st)
	}
	servertest.Eventually(t, 30*time.Second, func() (bool, string) {
		st := followState(t, follower, "/api/v1/server/following")
		return st == database.FollowRejected, "follower's follow after removal: " + st
	})
	// Only admins answer follows.
	origin.NewUser(t, database.RoleUser.ID(), -1).Do("POST", "/api/v1/server/followers/peertube@"+follower.Host()+"/accept", nil).Expect(http.StatusForbidden)
}

// Deleting a channel or a user on the origin deletes, on the instances
// that follow it, its videos and the remote channel and account.
func TestDeletedActorsLeaveFollowers(t *testing.T) {
	origin := servertest.Start(t, servertest.SQLite, servertest.Federated)
	follower := servertest.Start(t, servertest.SQLite, servertest.Federated)
	followInstance(t, follower, origin)
	creator := origin.NewUser(t, database.RoleUser.ID(), -1)
	var me struct {
		ID      int64 `json:"id"`
		Account struct {
			Name string `json:"name"`
		} `json:"account"`
	}
	creator.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK).JSON(&me)

	// A second channel, with a video of its own.
	second := servertest.NewName("second")
	var created struct {
		VideoChannel struct{ ID int64 } `json:"videoChannel"`
	}
	creator.Do("POST", "/api/v1/video-channels", map[string]any{"name": second, "displayName": "Second"}).Expect(http.StatusOK).JSON(&created)
	up := creator.Upload(servertest.Clip(t), map[string][]string{
		"name": {"In the second"}, "channelId": {fmt.Sprint(created.VideoChannel.ID)}, "privacy": {"1"},
	}).Expect(http.StatusOK)
	var inSecond servertest.UploadedVideo
	up.JSON(&inSecond)
	servertest.WaitState(t, creator, inSecond.Video.UUID, 3*time.Minute, database.StatePublished)
	inFirst := creator.PublishVideo(servertest.Clip(t), "In the first", database.PrivacyPublic)
	waitRemote(t, follower, inSecond.Video.UUID, func(remoteVideo) bool { return true })
	waitRemote(t, follower, inFirst.Video.UUID, func(remoteVideo) bool { return true })

	if body := follower.Anonymous(t).Do("GET", "/api/v1/video-channels?count=100", nil).Expect(http.StatusOK).Body; !strings.Contains(string(body), second) {
		t.Fatalf("the follower does not list the remote channel: %s", body)
	}
	creator.Do("DELETE", "/api/v1/video-channels/"+second, nil).Expect(http.StatusNoContent)
	waitRemote(t, follower, inSecond.Video.UUID, nil)
	servertest.Eventually(t, 30*time.Second, func() (bool, string) {
		body := follower.Anonymous(t).Do("GET", "/api/v1/video-channels?count=100", nil).Expect(http.StatusOK).Body
		return !strings.Contains(string(body), second), "the follower still lists the deleted channel"
	})
	if vs := remoteVideos(t, follower); len(vs) != 1 || vs[0].UUID != inFirst.Video.UUID {
		t.Fatalf("after the channel's deletion the follower lists %+v, want the first channel's video", vs)
	}

	origin.Root(t).Do("DELETE", fmt.Sprintf("/api/v1/users/%d", me.ID), nil).Expect(http.StatusNoContent)
	waitRemote(t, follower, inFirst.Video.UUID, nil)
	servertest.Eventually(t, 30*time.Second, func() (bool, string) {
		body := follower.Anonymous(t).Do("GET", "/api/v1/video-channels?count=100", nil).Expect(http.StatusOK).Body
		return !strings.Contains(string(body), me.Account.Name), "the follower still lists the deleted user's channel"
	})
}

// An instance that starts following another gets the videos it
// published before, read from its outbox; the followers, following and
// outbox collections count and list what they hold.
func TestOlderVideosArriveWithTheFollow(t *testing.T) {
	origin := servertest.Start(t, servertest.SQLite, servertest.Federated)
	follower := servertest.Start(t, servertest.SQLite, servertest.Federated)
	creator := origin.NewUser(t, database.RoleUser.ID(), -1)
	older := creator.PublishVideo(servertest.Clip(t), "Published before", database.PrivacyPublic)
	creator.PublishVideo(servertest.Clip(t), "Never shared", database.PrivacyUnlisted)

	followInstance(t, follower, origin)
	waitRemote(t, follower, older.Video.UUID, func(v remoteVideo) bool { return v.Name == "Published before" })
	if vs := remoteVideos(t, follower); len(vs) != 1 {
		t.Fatalf("the follower has %d remote videos, want the public one only", len(vs))
	}

	get := func(s *servertest.Server, path string, v any) {
		t.Helper()
		res := s.Anonymous(t).Raw("GET", path, nil, http.Header{"Accept": {"application/activity+json"}}).Expect(http.StatusOK)
		res.JSON(v)
	}
	type page struct {
		TotalItems   int               `json:"totalItems"`
		First        string            `json:"first"`
		OrderedItems []json.RawMessage `json:"orderedItems"`
	}
	var coll page
	get(origin, "/accounts/peertube/followers", &coll)
	if coll.TotalItems != 1 || coll.First == "" {
		t.Fatalf("the origin's followers: %+v", coll)
	}
	var p page
	get(origin, "/accounts/peertube/followers?page=1", &p)
	if len(p.OrderedItems) != 1 || string(p.OrderedItems[0]) != `"`+follower.Config.PublicURL+`/accounts/peertube"` {
		t.Fatalf("the origin's followers, first page: %s", p.OrderedItems)
	}
	get(follower, "/accounts/peertube/following?page=1", &p)
	if len(p.OrderedItems) != 1 || string(p.OrderedItems[0]) != `"`+origin.Config.PublicURL+`/accounts/peertube"` {
		t.Fatalf("the follower's following: %s", p.OrderedItems)
	}
	var me struct {
		Account struct{ Name string } `json:"account"`
	}
	creator.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK).JSON(&me)
	get(origin, "/accounts/"+me.Account.Name+"/outbox?page=1", &p)
	if len(p.OrderedItems) != 1 || !strings.Contains(string(p.OrderedItems[0]), `"type":"Create"`) || !strings.Contains(string(p.OrderedItems[0]), older.Video.UUID) {
		t.Fatalf("the creator's outbox holds %s, want the Create of the public video", p.OrderedItems)
	}
	origin.Anonymous(t).Raw("GET", "/accounts/peertube/outbox?page=0", nil, http.Header{"Accept": {"application/activity+json"}}).Expect(http.StatusBadRequest)
}

// videoViews reads a video's view count as s's API shows it.
func videoViews(t *testing.T, s *servertest.Server, uuid string) int64 {
	var v struct {
		Views int64 `json:"views"`
	}
	s.Anonymous(t).Do("GET", "/api/v1/videos/"+uuid, nil).Expect(http.StatusOK).JSON(&v)
	return v.Views
}

// A view on an instance that follows the origin is counted by the
// origin, once per viewer, and the count comes back to the follower's
// copy with the video's next Update.
func TestViewsTravelToTheOrigin(t *testing.T) {
	origin := servertest.Start(t, servertest.SQLite, servertest.Federated)
	follower := servertest.Start(t, servertest.SQLite, servertest.Federated)
	followInstance(t, follower, origin)
	uuid := origin.NewUser(t, database.RoleUser.ID(), -1).PublishVideo(servertest.Clip(t), "Watched there", database.PrivacyPublic).Video.UUID
	waitRemote(t, follower, uuid, func(remoteVideo) bool { return true })

	viewer := follower.Anonymous(t)
	for range 5 {
		viewer.Raw("POST", "/api/v1/videos/"+uuid+"/views", strings.NewReader(`{"currentTime": 3}`),
			http.Header{"Content-Type": {"application/json"}, "User-Agent": {"Browser A"}}).Expect(http.StatusNoContent)
	}
	servertest.Eventually(t, 30*time.Second, func() (bool, string) {
		n := videoViews(t, origin, uuid)
		return n == 1, fmt.Sprintf("the origin counts %d views", n)
	})
	// The follower does not count the view itself: its count is the
	// origin's, which the next Update brings.
	if n := videoViews(t, follower, uuid); n != 0 {
		t.Fatalf("the follower counts %d views of a remote video before the origin's update", n)
	}
	if err := origin.App.Engagement.Views.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	servertest.Eventually(t, 30*time.Second, func() (bool, string) {
		n := videoViews(t, follower, uuid)
		return n == 1, fmt.Sprintf("the follower shows %d views", n)
	})
}
