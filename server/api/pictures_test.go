package api_test

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"

	"cuttle.video/server/servertest"
)

type actorImages []struct {
	Path  string `json:"path"`
	Width int    `json:"width"`
}

// pick sends data as the picture field of a multipart form to path.
func pick(c *servertest.Client, path, field string, data []byte) *servertest.Response {
	return c.Multipart(path, nil, field, field+".png", bytes.NewReader(data))
}

// checkSizes checks a picture's sizes against PeerTube's and fetches
// each of them.
func checkSizes(t *testing.T, c *servertest.Client, what string, got actorImages, sizes [][2]int, route string) {
	t.Helper()
	if len(got) != len(sizes) {
		t.Fatalf("%s: %d sizes %+v, want %d", what, len(got), got, len(sizes))
	}
	for i, sz := range sizes {
		if got[i].Width != sz[0] || len(got[i].Path) <= len(route) || got[i].Path[:len(route)] != route {
			t.Errorf("%s: size %d = %+v, want width %d under %s", what, i, got[i], sz[0], route)
		}
		if !near(fetchJPEG(t, c, got[i].Path, sz[0], sz[1]), red) {
			t.Errorf("%s: %s is not the picture sent", what, got[i].Path)
		}
	}
}

var (
	avatarSizes = [][2]int{{1500, 1500}, {600, 600}, {120, 120}, {48, 48}}
	bannerSizes = [][2]int{{1920, 317}, {600, 100}}
)

// TestPictures sends, replaces and removes avatars of accounts and
// channels and banners of channels, at PeerTube's sizes.
func TestPictures(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		owner := s.NewUser(t, 2, -1)
		other := s.NewUser(t, 2, -1)
		anon := s.Anonymous(t)
		square := picture(t, "png", 300, 300, red)

		var mine struct {
			Avatars actorImages `json:"avatars"`
		}
		pick(owner, "/api/v1/users/me/avatar/pick", "avatarfile", square).Expect(http.StatusOK).JSON(&mine)
		checkSizes(t, anon, "my avatar", mine.Avatars, avatarSizes, "/lazy-static/avatars/")
		var acc map[string]any
		anon.Do("GET", "/api/v1/accounts/"+owner.Username, nil).Expect(http.StatusOK).JSON(&acc)
		checkShape(t, "account", acc, accountShape)
		avatars := acc["avatars"].([]any)
		if len(avatars) != 4 {
			t.Fatalf("account avatars = %v", avatars)
		}
		checkShape(t, "account's avatar", avatars[0].(map[string]any),
			map[string]string{"path": "string", "width": "integer", "createdAt": "date-time", "updatedAt": "date-time"})

		// A picture of another shape fills the square, cropped, with no
		// bars around it.
		pick(owner, "/api/v1/users/me/avatar/pick", "avatarfile", picture(t, "png", 600, 300, red)).Expect(http.StatusOK).JSON(&mine)
		if img := fetchJPEG(t, anon, mine.Avatars[3].Path, 48, 48); !nearAt(img, 1, 1, red) {
			t.Errorf("a wide avatar is not cropped to fill its square")
		}

		// A new avatar replaces the old one, whose files go.
		old := mine.Avatars[0].Path
		pick(owner, "/api/v1/users/me/avatar/pick", "avatarfile", picture(t, "jpeg", 200, 200, red)).Expect(http.StatusOK).JSON(&mine)
		if mine.Avatars[0].Path == old {
			t.Fatalf("replaced avatar kept its path %s", old)
		}
		if status, _ := anon.Fetch(old); status != http.StatusNotFound {
			t.Errorf("old avatar: %d, want 404", status)
		}
		owner.Do("DELETE", "/api/v1/users/me/avatar", nil).Expect(http.StatusNoContent)
		anon.Do("GET", "/api/v1/accounts/"+owner.Username, nil).Expect(http.StatusOK).JSON(&acc)
		if len(acc["avatars"].([]any)) != 0 {
			t.Errorf("removed avatar still listed: %v", acc["avatars"])
		}
		if status, _ := anon.Fetch(mine.Avatars[0].Path); status != http.StatusNotFound {
			t.Errorf("removed avatar: %d, want 404", status)
		}

		// Refusals: not a picture, no file, not the channel's manager.
		p := pick(owner, "/api/v1/users/me/avatar/pick", "avatarfile", []byte("GIF89a not really")).Problem(http.StatusBadRequest)
		if p.InvalidParams["avatarfile"] == "" {
			t.Errorf("not a picture: %+v", p)
		}
		pick(owner, "/api/v1/users/me/avatar/pick", "otherfile", square).Problem(http.StatusBadRequest)
		pick(anon, "/api/v1/users/me/avatar/pick", "avatarfile", square).Problem(http.StatusUnauthorized)

		name := servertest.NewName("pics")
		owner.Do("POST", "/api/v1/video-channels", map[string]any{"name": name, "displayName": "Pictures"}).Expect(http.StatusOK)
		base := "/api/v1/video-channels/" + name
		pick(other, base+"/avatar/pick", "avatarfile", square).Problem(http.StatusForbidden)
		var banner struct {
			Banners actorImages `json:"banners"`
		}
		pick(owner, base+"/banner/pick", "bannerfile", picture(t, "png", 1200, 200, red)).Expect(http.StatusOK).JSON(&banner)
		checkSizes(t, anon, "banner", banner.Banners, bannerSizes, "/lazy-static/banners/")
		var chAvatar struct {
			Avatars actorImages `json:"avatars"`
		}
		pick(owner, base+"/avatar/pick", "avatarfile", square).Expect(http.StatusOK).JSON(&chAvatar)
		var ch map[string]any
		anon.Do("GET", base, nil).Expect(http.StatusOK).JSON(&ch)
		checkShape(t, "channel", ch, channelShape)
		if len(ch["avatars"].([]any)) != 4 || len(ch["banners"].([]any)) != 2 {
			t.Errorf("channel pictures: avatars %v, banners %v", ch["avatars"], ch["banners"])
		}

		// Videos name their channel with its avatar.
		var created struct {
			ID int64 `json:"id"`
		}
		owner.Do("GET", base, nil).Expect(http.StatusOK).JSON(&created)
		owner.Upload(servertest.Clip(t), map[string][]string{"name": {"Framed"}, "channelId": {strconv.FormatInt(created.ID, 10)}}).
			Expect(http.StatusOK)
		var mineList struct {
			Data []struct {
				Channel struct {
					Avatars actorImages `json:"avatars"`
				} `json:"channel"`
			} `json:"data"`
		}
		owner.Do("GET", "/api/v1/users/me/videos", nil).Expect(http.StatusOK).JSON(&mineList)
		if len(mineList.Data) != 1 || len(mineList.Data[0].Channel.Avatars) != 4 || mineList.Data[0].Channel.Avatars[0] != chAvatar.Avatars[0] {
			t.Errorf("video's channel avatars = %+v, want %+v", mineList.Data, chAvatar.Avatars)
		}

		// Deleting the channel removes its pictures' files.
		owner.Do("DELETE", base, nil).Expect(http.StatusNoContent)
		for _, path := range []string{banner.Banners[0].Path, chAvatar.Avatars[0].Path} {
			if status, _ := anon.Fetch(path); status != http.StatusNotFound {
				t.Errorf("picture of a deleted channel %s: %d, want 404", path, status)
			}
		}
		if status, _ := anon.Fetch("/lazy-static/avatars/../../secret-1500.jpg"); status != http.StatusNotFound {
			t.Errorf("a path out of the pictures: %d", status)
		}
	})
}
