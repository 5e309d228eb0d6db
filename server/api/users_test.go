package api_test

import (
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"cuttle.video/server/servertest"
)

func TestUserAdministration(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		root := s.Root(t)
		var created struct {
			User struct {
				ID      int64 `json:"id"`
				Account struct {
					ID int64 `json:"id"`
				} `json:"account"`
			} `json:"user"`
		}
		root.Do("POST", "/api/v1/users", map[string]any{
			"username": "alice", "password": "alice-secret", "email": "alice@example.com", "role": 2, "videoQuota": 1 << 30,
		}).Expect(http.StatusOK).JSON(&created)
		if created.User.ID == 0 || created.User.Account.ID == 0 {
			t.Fatalf("create answer = %+v", created)
		}
		userPath := "/api/v1/users/" + strconv.FormatInt(created.User.ID, 10)

		root.Do("POST", "/api/v1/users", map[string]any{"username": "alice", "password": "another-one", "email": "other@example.com"}).
			Problem(http.StatusConflict)
		p := root.Do("POST", "/api/v1/users", map[string]any{"username": "Bad Name!", "password": "x", "email": "nope", "role": 7}).
			Problem(http.StatusBadRequest)
		for _, field := range []string{"username", "password", "email", "role"} {
			if p.InvalidParams[field] == "" {
				t.Errorf("invalid user: no message for %s in %v", field, p.InvalidParams)
			}
		}
		root.Raw("POST", "/api/v1/users", stringsReader("[1,2"), http.Header{"Content-Type": {"application/json"}}).Problem(http.StatusBadRequest)

		alice := s.Client(t, "alice", "alice-secret")
		var me struct {
			Username      string `json:"username"`
			VideoQuota    int64  `json:"videoQuota"`
			VideoChannels []struct {
				Name string `json:"name"`
			} `json:"videoChannels"`
		}
		alice.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK).JSON(&me)
		if me.Username != "alice" || me.VideoQuota != 1<<30 || len(me.VideoChannels) != 1 || me.VideoChannels[0].Name != "alice_channel" {
			t.Fatalf("alice = %+v", me)
		}
		// Users cannot administer.
		alice.Do("GET", "/api/v1/users", nil).Problem(http.StatusForbidden)
		alice.Do("POST", "/api/v1/users", map[string]any{"username": "mallory", "password": "mallory1", "email": "m@example.com"}).Problem(http.StatusForbidden)
		s.NewUser(t, 1, -1).Do("DELETE", userPath, nil).Problem(http.StatusForbidden)

		var users struct {
			Total int `json:"total"`
			Data  []struct {
				Username string `json:"username"`
			} `json:"data"`
		}
		root.Do("GET", "/api/v1/users?sort=username", nil).Expect(http.StatusOK).JSON(&users)
		if users.Total < 2 || users.Data[0].Username != "alice" {
			t.Fatalf("users = %+v", users)
		}

		root.Do("PUT", userPath, map[string]any{"videoQuota": 5000, "role": 1}).Expect(http.StatusNoContent)
		var got struct {
			VideoQuota int64 `json:"videoQuota"`
			Role       struct {
				ID    int    `json:"id"`
				Label string `json:"label"`
			} `json:"role"`
		}
		root.Do("GET", userPath, nil).Expect(http.StatusOK).JSON(&got)
		if got.VideoQuota != 5000 || got.Role.ID != 1 || got.Role.Label != "Moderator" {
			t.Fatalf("after update: %+v", got)
		}

		// Blocking ends sessions and refuses logins.
		root.Do("PUT", userPath, map[string]any{"blocked": true}).Expect(http.StatusNoContent)
		alice.Do("GET", "/api/v1/users/me", nil).Problem(http.StatusUnauthorized)
		anon := s.Anonymous(t)
		if p := anon.TokenRequest(url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"alice-secret"}}).Problem(http.StatusBadRequest); p.Code != "invalid_grant" || p.Detail != "Invalid grant: user is blocked" {
			t.Fatalf("blocked login: %+v", p)
		}
		// The login page tells it from a wrong password.
		form := url.Values{"username": {"alice"}, "password": {"alice-secret"}}.Encode()
		if page := anon.Raw("POST", "/login", strings.NewReader(form), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}).
			Expect(http.StatusForbidden); !strings.Contains(string(page.Body), "This account is blocked.") {
			t.Fatalf("blocked login page: %s", page.Body)
		}
		root.Do("PUT", userPath, map[string]any{"blocked": false}).Expect(http.StatusNoContent)

		// An admin password reset ends sessions too.
		alice = s.Client(t, "alice", "alice-secret")
		root.Do("PUT", userPath, map[string]any{"password": "alice-new-secret", "videoQuota": -1}).Expect(http.StatusNoContent)
		alice.Do("GET", "/api/v1/users/me", nil).Problem(http.StatusUnauthorized)
		alice = s.Client(t, "alice", "alice-new-secret")

		// Deleting a user removes their videos and files.
		up := alice.UploadVideo(servertest.Clip(t), "Alice's clip", 1)
		root.Do("DELETE", userPath, nil).Expect(http.StatusNoContent)
		root.Do("GET", userPath, nil).Problem(http.StatusNotFound)
		root.Do("GET", "/api/v1/videos/"+up.Video.UUID, nil).Problem(http.StatusNotFound)
		if _, err := os.Stat(s.OriginalFile(up.Video.UUID, ".mp4")); err == nil {
			t.Fatal("a deleted user's original is still stored")
		}
		root.Do("DELETE", "/api/v1/users/1", nil).Problem(http.StatusBadRequest)
	})
}

func TestProfileUpdate(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	user := s.NewUser(t, 2, -1)
	user.Do("PUT", "/api/v1/users/me", map[string]any{"displayName": "Alice in Chains"}).Expect(http.StatusNoContent)
	var me struct {
		Account struct {
			DisplayName string `json:"displayName"`
		} `json:"account"`
	}
	user.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK).JSON(&me)
	if me.Account.DisplayName != "Alice in Chains" {
		t.Fatalf("display name = %q", me.Account.DisplayName)
	}
	p := user.Do("PUT", "/api/v1/users/me", map[string]any{"password": "new-password", "currentPassword": "wrong"}).Problem(http.StatusBadRequest)
	if p.InvalidParams["currentPassword"] == "" {
		t.Fatalf("wrong current password: %+v", p)
	}
	user.Do("PUT", "/api/v1/users/me", map[string]any{"password": "new-password", "currentPassword": user.Password}).Expect(http.StatusNoContent)
	s.Client(t, user.Username, "new-password")
}

func TestChannels(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		owner := s.NewUser(t, 2, -1)
		other := s.NewUser(t, 2, -1)
		name := servertest.NewName("music")
		var created struct {
			VideoChannel struct {
				ID int64 `json:"id"`
			} `json:"videoChannel"`
		}
		owner.Do("POST", "/api/v1/video-channels", map[string]any{"name": name, "displayName": "Music", "description": "Songs"}).
			Expect(http.StatusOK).JSON(&created)
		owner.Do("POST", "/api/v1/video-channels", map[string]any{"name": name, "displayName": "Again"}).Problem(http.StatusConflict)
		p := owner.Do("POST", "/api/v1/video-channels", map[string]any{"name": "has space"}).Problem(http.StatusBadRequest)
		if p.InvalidParams["name"] == "" || p.InvalidParams["displayName"] == "" {
			t.Fatalf("invalid channel: %+v", p)
		}
		s.Anonymous(t).Do("POST", "/api/v1/video-channels", map[string]any{"name": "x1", "displayName": "X"}).Problem(http.StatusUnauthorized)

		var ch struct {
			ID           int64  `json:"id"`
			Name         string `json:"name"`
			DisplayName  string `json:"displayName"`
			Description  string `json:"description"`
			URL          string `json:"url"`
			OwnerAccount struct {
				Name string `json:"name"`
			} `json:"ownerAccount"`
		}
		s.Anonymous(t).Do("GET", "/api/v1/video-channels/"+name, nil).Expect(http.StatusOK).JSON(&ch)
		if ch.ID != created.VideoChannel.ID || ch.DisplayName != "Music" || ch.URL != s.URL+"/video-channels/"+name || ch.OwnerAccount.Name != owner.Username {
			t.Fatalf("channel = %+v", ch)
		}
		owner.Do("PUT", "/api/v1/video-channels/"+name, map[string]any{"displayName": "Music & more"}).Expect(http.StatusNoContent)
		other.Do("PUT", "/api/v1/video-channels/"+name, map[string]any{"displayName": "Mine now"}).Problem(http.StatusForbidden)
		s.Anonymous(t).Do("GET", "/api/v1/video-channels/"+name, nil).Expect(http.StatusOK).JSON(&ch)
		if ch.DisplayName != "Music & more" {
			t.Fatalf("after update: %+v", ch)
		}

		var l struct {
			Total int `json:"total"`
		}
		s.Anonymous(t).Do("GET", "/api/v1/accounts/"+owner.Username+"/video-channels", nil).Expect(http.StatusOK).JSON(&l)
		if l.Total != 2 {
			t.Fatalf("owner has %d channels, want 2", l.Total)
		}
		// Uploading into the new channel, then listing its videos as owner.
		owner.Upload(servertest.Clip(t), map[string][]string{"name": {"Song"}, "channelId": {strconv.FormatInt(ch.ID, 10)}}).Expect(http.StatusOK)
		owner.Do("GET", "/api/v1/users/me/videos", nil).Expect(http.StatusOK).JSON(&l)
		if l.Total != 1 {
			t.Fatalf("owner has %d videos, want 1", l.Total)
		}

		other.Do("DELETE", "/api/v1/video-channels/"+name, nil).Problem(http.StatusForbidden)
		owner.Do("DELETE", "/api/v1/video-channels/"+name, nil).Expect(http.StatusNoContent)
		s.Anonymous(t).Do("GET", "/api/v1/video-channels/"+name, nil).Problem(http.StatusNotFound)
		owner.Do("GET", "/api/v1/users/me/videos", nil).Expect(http.StatusOK).JSON(&l)
		if l.Total != 0 {
			t.Fatalf("the deleted channel's video survived")
		}
		owner.Do("DELETE", "/api/v1/video-channels/"+owner.Username+"_channel", nil).Problem(http.StatusConflict)
	})
}

// PeerTube clients name accounts and channels name@host: every account
// and channel route answers to the instance's own host, and to no other.
func TestHandlesWithHostOnRoutes(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	user := s.NewUser(t, 2, -1)
	var ch struct {
		Name string `json:"name"`
	}
	user.Do("GET", "/api/v1/video-channels/"+user.Username+"_channel", nil).Expect(http.StatusOK).JSON(&ch)
	anon := s.Anonymous(t)
	for _, path := range []string{
		"/api/v1/accounts/" + user.Username + "@" + u.Host,
		"/api/v1/accounts/" + user.Username + "@" + u.Host + "/videos",
		"/api/v1/accounts/" + user.Username + "@" + u.Host + "/video-channels",
		"/api/v1/video-channels/" + ch.Name + "@" + u.Host,
		"/api/v1/video-channels/" + ch.Name + "@" + u.Host + "/videos",
	} {
		anon.Do("GET", path, nil).Expect(http.StatusOK)
		other := strings.Replace(path, "@"+u.Host, "@elsewhere.example", 1)
		anon.Do("GET", other, nil).Problem(http.StatusNotFound)
	}
}
