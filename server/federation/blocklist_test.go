package federation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/actors"
	"cuttle.video/server/database"
	"cuttle.video/server/httpsig"
	"cuttle.video/server/servertest"
)

// deliverAs posts to to's shared inbox an activity signed by a local
// actor of from, with that actor's real key: what from's outbox would
// send.
func deliverAs(t *testing.T, from *servertest.Server, signer actors.Actor, to *servertest.Server) *servertest.Response {
	t.Helper()
	key, err := from.App.Actors.Key(context.Background(), signer)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       signer.ID + "/likes/" + servertest.NewName("l"), "type": "Like", "actor": signer.ID,
		"object": from.Config.PublicURL + "/videos/watch/none",
	})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, to.URL+"/inbox", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := httpsig.Sign(req, key.Private, signer.KeyID(), httpsig.SignOptions{}); err != nil {
		t.Fatal(err)
	}
	return to.Anonymous(t).Raw(http.MethodPost, "/inbox", bytes.NewReader(body), req.Header)
}

func accountActor(t *testing.T, s *servertest.Server, name string) actors.Actor {
	t.Helper()
	a, err := s.App.Actors.Account(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// listed says whether s lists the video uuid among other instances'.
func listed(t *testing.T, s *servertest.Server, uuid string) bool {
	for _, v := range remoteVideos(t, s) {
		if v.UUID == uuid {
			return true
		}
	}
	return false
}

// An admin blocks an account of another instance, then the instance
// itself: what they had here goes at once, what they deliver is refused,
// nothing is fetched from the blocked instance nor delivered to it, and
// lifting the block lets things travel again.
func TestBlocklist(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		origin := servertest.Start(t, servertest.SQLite, servertest.Federated, servertest.FastTranscoding)
		blocker := servertest.Start(t, b, servertest.Federated, servertest.FastTranscoding)
		followInstance(t, blocker, origin)
		followInstance(t, origin, blocker)
		admin := blocker.Root(t)

		alice := origin.NewUser(t, database.RoleUser.ID(), -1)
		bob := origin.NewUser(t, database.RoleUser.ID(), -1)
		aliceVideo := alice.PublishVideo(servertest.Clip(t), "By alice", database.PrivacyPublic).Video.UUID
		bobVideo := bob.PublishVideo(servertest.Clip(t), "By bob", database.PrivacyPublic).Video.UUID
		waitRemote(t, blocker, aliceVideo, func(remoteVideo) bool { return true })
		waitRemote(t, blocker, bobVideo, func(remoteVideo) bool { return true })

		// Only admins keep the blocklist.
		user := blocker.NewUser(t, database.RoleUser.ID(), -1)
		user.Do("POST", "/api/v1/server/blocklist/servers", map[string]any{"host": origin.Host()}).Problem(http.StatusForbidden)
		user.Do("GET", "/api/v1/server/blocklist/accounts", nil).Problem(http.StatusForbidden)

		aliceHandle := alice.Username + "@" + origin.Host()
		admin.Do("POST", "/api/v1/server/blocklist/accounts", map[string]any{"accountName": aliceHandle}).Expect(http.StatusNoContent)
		admin.Do("POST", "/api/v1/server/blocklist/accounts", map[string]any{"accountName": aliceHandle}).Problem(http.StatusConflict)
		admin.Do("POST", "/api/v1/server/blocklist/accounts", map[string]any{"accountName": "root@" + blocker.Host()}).Problem(http.StatusConflict)
		var accounts struct {
			Total int
			Data  []struct {
				BlockedAccount struct{ Name, Host string } `json:"blockedAccount"`
			}
		}
		admin.Do("GET", "/api/v1/server/blocklist/accounts", nil).Expect(http.StatusOK).JSON(&accounts)
		if accounts.Total != 1 || accounts.Data[0].BlockedAccount.Name != alice.Username || accounts.Data[0].BlockedAccount.Host != origin.Host() {
			t.Fatalf("blocked accounts: %+v", accounts)
		}
		if listed(t, blocker, aliceVideo) || !listed(t, blocker, bobVideo) {
			t.Fatalf("after blocking alice: alice's video listed %v, bob's %v; want only bob's", listed(t, blocker, aliceVideo), listed(t, blocker, bobVideo))
		}
		blocker.Anonymous(t).Do("GET", "/api/v1/videos/"+aliceVideo, nil).Expect(http.StatusNotFound)
		p := deliverAs(t, origin, accountActor(t, origin, alice.Username), blocker).Problem(http.StatusForbidden)
		if !strings.Contains(p.Detail, "blocks") {
			t.Errorf("refusal of a blocked account's delivery says %q", p.Detail)
		}
		deliverAs(t, origin, accountActor(t, origin, bob.Username), blocker).Expect(http.StatusAccepted)
		admin.Do("DELETE", "/api/v1/server/blocklist/accounts/"+aliceHandle, nil).Expect(http.StatusNoContent)
		admin.Do("DELETE", "/api/v1/server/blocklist/accounts/"+aliceHandle, nil).Problem(http.StatusNotFound)
		deliverAs(t, origin, accountActor(t, origin, alice.Username), blocker).Expect(http.StatusAccepted)

		admin.Do("POST", "/api/v1/server/blocklist/servers", map[string]any{"host": blocker.Host()}).Problem(http.StatusConflict)
		admin.Do("POST", "/api/v1/server/blocklist/servers", map[string]any{"host": origin.Host()}).Expect(http.StatusNoContent)
		admin.Do("POST", "/api/v1/server/blocklist/servers", map[string]any{"host": origin.Host()}).Problem(http.StatusConflict)
		var servers struct {
			Total int
			Data  []struct {
				BlockedServer struct{ Host string } `json:"blockedServer"`
			}
		}
		admin.Do("GET", "/api/v1/server/blocklist/servers", nil).Expect(http.StatusOK).JSON(&servers)
		if servers.Total != 1 || servers.Data[0].BlockedServer.Host != origin.Host() {
			t.Fatalf("blocked servers: %+v", servers)
		}
		if vs := remoteVideos(t, blocker); len(vs) != 0 {
			t.Fatalf("after blocking the origin, the blocker lists %d of its videos", len(vs))
		}
		deliverAs(t, origin, origin.App.Actors.Instance(), blocker).Problem(http.StatusForbidden)
		deliverAs(t, origin, accountActor(t, origin, bob.Username), blocker).Problem(http.StatusForbidden)
		p = admin.Do("POST", "/api/v1/server/following", map[string]any{"hosts": []string{origin.Host()}}).Problem(http.StatusBadRequest)
		if !strings.Contains(p.Detail, "blocked") {
			t.Errorf("following a blocked instance: %q does not say it is blocked", p.Detail)
		}

		// What the blocker publishes does not reach the blocked origin,
		// which follows it.
		creator := blocker.NewUser(t, database.RoleUser.ID(), -1)
		mine := creator.PublishVideo(servertest.Clip(t), "Not for the origin", database.PrivacyPublic).Video.UUID
		time.Sleep(3 * time.Second)
		if listed(t, origin, mine) {
			t.Fatalf("the blocked origin received a video of the blocker")
		}

		admin.Do("DELETE", "/api/v1/server/blocklist/servers/"+origin.Host(), nil).Expect(http.StatusNoContent)
		admin.Do("DELETE", "/api/v1/server/blocklist/servers/"+origin.Host(), nil).Problem(http.StatusNotFound)
		creator.Do("PUT", "/api/v1/videos/"+mine, map[string]any{"name": "Now for everyone"}).Expect(http.StatusNoContent)
		got := waitRemote(t, origin, mine, func(v remoteVideo) bool { return v.Name == "Now for everyone" })
		if got.Account.Host != blocker.Host() {
			t.Errorf("unblocked video arrived as %+v", got)
		}
		deliverAs(t, origin, origin.App.Actors.Instance(), blocker).Expect(http.StatusAccepted)
	})
}
