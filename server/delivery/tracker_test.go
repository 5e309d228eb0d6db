package delivery_test

import (
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"cuttle.video/player/swarm"
	"cuttle.video/server/config"
	"cuttle.video/server/p2p"
	"cuttle.video/server/servertest"
	"cuttle.video/server/tracker/trackertest"
)

// dialTracker opens a tracker socket for a video as the watch page's
// player does; on a refusal it returns the HTTP status instead.
func dialTracker(t *testing.T, s *servertest.Server, videoUUID, token string) (*trackertest.Client, int) {
	t.Helper()
	return trackertest.Dial(t, p2p.TrackerURL(s.URL, videoUUID, token))
}

func mustDialTracker(t *testing.T, s *servertest.Server, videoUUID, token string) *trackertest.Client {
	t.Helper()
	return trackertest.MustDial(t, p2p.TrackerURL(s.URL, videoUUID, token))
}

func trackerPeer(n byte) string { return "-CT0001-" + strings.Repeat(string(rune('a'+n)), 12) }

func announceMsg(infoHash, peerID string, offers int) map[string]any {
	var os []map[string]any
	for i := range offers {
		os = append(os, map[string]any{
			"offer":    map[string]any{"type": "offer", "sdp": "v=0 offer from " + peerID},
			"offer_id": strings.Repeat(string(rune('0'+i)), 20),
		})
	}
	return map[string]any{"action": "announce", "info_hash": infoHash, "peer_id": peerID, "numwant": offers,
		"offers": os, "uploaded": 0, "downloaded": 0, "event": "started"}
}

func answerMsg(infoHash, from, to string, offerID any) map[string]any {
	return map[string]any{"action": "announce", "info_hash": infoHash, "peer_id": from, "to_peer_id": to,
		"answer": map[string]any{"type": "answer", "sdp": "v=0 answer from " + from}, "offer_id": offerID}
}

// swarmHash is the info hash of the first rendition of a video, read
// from its master playlist as the player does; c must be allowed to
// fetch it.
func swarmHash(t *testing.T, c *servertest.Client, videoUUID string) string {
	t.Helper()
	v := servertest.WaitVideo[servertest.PublishedVideo](t, c, videoUUID, 2*time.Minute, 1)
	status, master := c.Fetch(v.StreamingPlaylists[0].PlaylistURL)
	if status != http.StatusOK {
		t.Fatalf("master playlist: %d", status)
	}
	streams, err := swarm.Streams(master, p2p.SwarmID(videoUUID))
	if err != nil || len(streams) == 0 {
		t.Fatalf("swarms of %s: %v", master, err)
	}
	return streams[0].InfoHash
}

// joined announces and checks the tracker took the peer in.
func joined(t *testing.T, c *trackertest.Client, infoHash, peerID string, offers int) {
	t.Helper()
	c.Send(announceMsg(infoHash, peerID, offers))
	if r := c.Next(); r["failure reason"] != nil || r["info_hash"] != infoHash {
		t.Fatalf("announce of %s: %v", peerID, r)
	}
}

// A socket opened while a video was public loses the swarm when the
// owner makes it private: it gets no offer of the viewers still allowed
// (their addresses), cannot answer, and cannot come back without a token.
// Deleting the video ends the remaining sockets.
func TestTrackerSocketRevokedOnPrivacyChange(t *testing.T) {
	servertest.EachSetup(t, func(t *testing.T, start func(...func(*config.Config)) *servertest.Server) {
		s := start(servertest.FastTranscoding)
		owner := s.NewUser(t, 2, -1)
		anon := s.Anonymous(t)
		up := owner.PublishVideo(servertest.Clip(t), "Soon private", 1)
		ih := swarmHash(t, anon, up.Video.UUID)

		spy := mustDialTracker(t, s, up.Video.UUID, "")
		joined(t, spy, ih, trackerPeer(0), 0)

		owner.Do("PUT", "/api/v1/videos/"+up.Video.UUID, map[string]any{"privacy": 3}).Expect(http.StatusNoContent)

		viewer := mustDialTracker(t, s, up.Video.UUID, owner.FileToken(up.Video.UUID, ""))
		joined(t, viewer, ih, trackerPeer(1), 5)
		if reason := spy.CutOff(); !strings.Contains(reason, "access to this video changed") {
			t.Fatalf("close reason %q", reason)
		}
		if _, status := dialTracker(t, s, up.Video.UUID, ""); status != http.StatusForbidden {
			t.Fatalf("an anonymous socket after the change: %d", status)
		}

		owner.Do("DELETE", "/api/v1/videos/"+up.Video.UUID, nil).Expect(http.StatusNoContent)
		viewer.CutOff()
	})
}

// Replacing a video's passwords revokes the file tokens obtained with the
// old ones, on the files and on the tracker.
func TestPasswordChangeRevokesTokensAndSockets(t *testing.T) {
	servertest.EachSetup(t, func(t *testing.T, start func(...func(*config.Config)) *servertest.Server) {
		s := start(servertest.FastTranscoding)
		owner := s.NewUser(t, 2, -1)
		anon := s.Anonymous(t)
		up := owner.PublishProtected(servertest.Clip(t), "hunter22")
		id := up.Video.UUID
		ih := swarmHash(t, owner, id)
		v := servertest.WaitVideo[servertest.PublishedVideo](t, owner, id, 2*time.Minute, 1)
		master := v.StreamingPlaylists[0].PlaylistURL
		if i := strings.IndexByte(master, '?'); i >= 0 {
			master = master[:i]
		}
		thumb := "/lazy-static/thumbnails/" + id + ".jpg"

		old := anon.FileToken(id, "hunter22")
		for _, f := range []string{master, thumb} {
			if status, _ := anon.Fetch(f + "?videoFileToken=" + url.QueryEscape(old)); status != http.StatusOK {
				t.Fatalf("%s with a fresh token: %d", f, status)
			}
		}
		guest := mustDialTracker(t, s, id, old)
		joined(t, guest, ih, trackerPeer(0), 0)

		owner.Do("PUT", "/api/v1/videos/"+id+"/passwords", map[string]any{"passwords": []string{"newpass99"}}).Expect(http.StatusNoContent)

		if reason := guest.CutOff(); !strings.Contains(reason, "access to this video changed") {
			t.Fatalf("close reason %q", reason)
		}
		for _, f := range []string{master, thumb} {
			if status, _ := anon.Fetch(f + "?videoFileToken=" + url.QueryEscape(old)); status != http.StatusForbidden {
				t.Fatalf("%s with a token from the old password: %d", f, status)
			}
		}
		if _, status := dialTracker(t, s, id, old); status != http.StatusForbidden {
			t.Fatalf("a tracker socket with a token from the old password: %d", status)
		}
		if anon.FileToken(id, "hunter22") != "" {
			t.Fatal("the old password still gives a token")
		}
		fresh := anon.FileToken(id, "newpass99")
		joined(t, mustDialTracker(t, s, id, fresh), ih, trackerPeer(1), 0)

		// Deleting a password (one of two) revokes too.
		var second struct {
			ID int64 `json:"id"`
		}
		owner.Do("POST", "/api/v1/videos/"+id+"/passwords", map[string]any{"password": "second-one"}).Expect(http.StatusOK).JSON(&second)
		guest = mustDialTracker(t, s, id, fresh)
		joined(t, guest, ih, trackerPeer(2), 0)
		owner.Do("DELETE", "/api/v1/videos/"+id+"/passwords/"+strconv.FormatInt(second.ID, 10), nil).Expect(http.StatusNoContent)
		guest.CutOff()
		if status, _ := anon.Fetch(thumb + "?videoFileToken=" + url.QueryEscape(fresh)); status != http.StatusForbidden {
			t.Fatalf("thumbnail with a token from before a password deletion: %d", status)
		}
	})
}

// A socket opened with a file token ends when the token does.
func TestTrackerSocketEndsWithItsToken(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding, func(c *config.Config) { c.FileTokenTTL = 3 * time.Second })
	owner := s.NewUser(t, 2, -1)
	up := owner.UploadVideo(servertest.Clip(t), "Private", 3)
	ih := swarmHash(t, owner, up.Video.UUID)

	holder := mustDialTracker(t, s, up.Video.UUID, owner.FileToken(up.Video.UUID, ""))
	joined(t, holder, ih, trackerPeer(0), 0)
	if reason := holder.CutOff(); !strings.Contains(reason, "expired") {
		t.Fatalf("close reason %q", reason)
	}
	// The next viewer's offers find nobody: the swarm is empty again.
	viewer := mustDialTracker(t, s, up.Video.UUID, owner.FileToken(up.Video.UUID, ""))
	viewer.Send(announceMsg(ih, trackerPeer(1), 3))
	if r := viewer.Next(); r["failure reason"] != nil || r["incomplete"] != 1.0 {
		t.Fatalf("announce after the expiry: %v", r)
	}
}

// A peer id belongs to the socket that first used it: another socket
// that learnt it (every relayed offer and answer carries it) cannot take
// it over, and the owner keeps its socket and its answers.
func TestTrackerPeerIDTakeoverRefused(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	owner := s.NewUser(t, 2, -1)
	anon := s.Anonymous(t)
	up := owner.PublishVideo(servertest.Clip(t), "Public", 1)
	ih := swarmHash(t, anon, up.Video.UUID)
	victimID, attackerID, otherID := trackerPeer(0), trackerPeer(1), trackerPeer(2)

	victim := mustDialTracker(t, s, up.Video.UUID, "")
	joined(t, victim, ih, victimID, 0)
	attacker := mustDialTracker(t, s, up.Video.UUID, "")
	joined(t, attacker, ih, attackerID, 1)
	o := victim.Next()
	victim.Send(answerMsg(ih, victimID, attackerID, o["offer_id"]))
	if a := attacker.Next(); a["peer_id"] != victimID {
		t.Fatalf("answer to the attacker: %v", a)
	}

	hijack := mustDialTracker(t, s, up.Video.UUID, "")
	hijack.Send(announceMsg(ih, victimID, 0))
	if r := hijack.Next(); r["failure reason"] != "peer_id is in use by another connection in this swarm" {
		t.Fatalf("announce with the victim's peer id: %v", r)
	}

	// The victim is still there and still gets what is meant for it.
	other := mustDialTracker(t, s, up.Video.UUID, "")
	other.Send(announceMsg(ih, otherID, 2))
	other.Next()
	var offer map[string]any
	for offer == nil {
		if m := victim.Next(); m["offer"] != nil && m["peer_id"] == otherID {
			offer = m
		}
	}
	victim.Send(answerMsg(ih, victimID, otherID, offer["offer_id"]))
	for {
		if m := other.Next(); m["answer"] != nil {
			if m["peer_id"] != victimID {
				t.Fatalf("answer from %v, want the victim", m["peer_id"])
			}
			break
		}
	}
	// The refused socket got nothing of the victim's.
	hijack.Send(map[string]any{"action": "scrape", "info_hash": ih})
	if r := hijack.Next(); r["action"] != "scrape" {
		t.Fatalf("the refused socket received %v", r)
	}
}

// With Redis, a replica's sockets are revoked by a change made through
// another replica, before any later offer reaches them.
func TestTrackerRevocationAcrossReplicas(t *testing.T) {
	servertest.NeedsPostgres(t)
	redisURL := os.Getenv("CUTTLE_TEST_REDIS_URL")
	if redisURL == "" {
		if os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("CUTTLE_TEST_REDIS_URL is not set")
		}
		t.Skip("CUTTLE_TEST_REDIS_URL is not set; run through make test")
	}
	s3tweak, _ := servertest.S3(t)
	shared := func(c *config.Config) {
		c.RedisURL = redisURL
		c.Secret = "a secret both replicas share"
		servertest.FastTranscoding(c)
	}
	a := servertest.Start(t, servertest.Postgres, s3tweak, shared, func(c *config.Config) { c.Transcoding.Workers = 1 })
	b := servertest.Start(t, servertest.Postgres, s3tweak, shared, func(c *config.Config) {
		c.DatabaseURL = a.Config.DatabaseURL
		c.Transcoding.Workers = 0
	})
	owner := a.NewUser(t, 2, -1)
	up := owner.PublishVideo(servertest.Clip(t), "Soon private", 1)
	ih := swarmHash(t, a.Anonymous(t), up.Video.UUID)

	spy := mustDialTracker(t, b, up.Video.UUID, "")
	joined(t, spy, ih, trackerPeer(0), 0)
	owner.Do("PUT", "/api/v1/videos/"+up.Video.UUID, map[string]any{"privacy": 3}).Expect(http.StatusNoContent)
	viewer := mustDialTracker(t, a, up.Video.UUID, owner.FileToken(up.Video.UUID, ""))
	joined(t, viewer, ih, trackerPeer(1), 5)
	if reason := spy.CutOff(); !strings.Contains(reason, "access to this video changed") {
		t.Fatalf("close reason %q", reason)
	}
}

// A rendition's torrent names the video's tracker socket, which takes
// its info hash as one of the video's swarms, and no other info hash.
func TestRenditionTorrentSwarm(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	owner := s.NewUser(t, 2, -1)
	up := owner.PublishVideo(servertest.Clip(t), "Torrent swarm", 1)
	var v struct {
		StreamingPlaylists []struct {
			Files []struct {
				MagnetURI string `json:"magnetUri"`
			} `json:"files"`
		} `json:"streamingPlaylists"`
	}
	owner.Do("GET", "/api/v1/videos/"+up.Video.UUID, nil).Expect(http.StatusOK).JSON(&v)
	magnet, err := url.Parse(v.StreamingPlaylists[0].Files[0].MagnetURI)
	if err != nil {
		t.Fatal(err)
	}
	announce := magnet.Query().Get("tr")
	if announce != p2p.TrackerURL(s.URL, up.Video.UUID, "") {
		t.Fatalf("the magnet's tracker is %q", announce)
	}
	raw, err := hex.DecodeString(strings.TrimPrefix(magnet.Query().Get("xt"), "urn:btih:"))
	if err != nil || len(raw) != 20 {
		t.Fatalf("info hash of %s: %v", magnet, err)
	}
	c := trackertest.MustDial(t, announce)
	joined(t, c, binaryString(raw), trackerPeer(0), 0)
	raw[0] ^= 0xff
	c.Send(announceMsg(binaryString(raw), trackerPeer(0), 0))
	if r := c.Next(); r["failure reason"] == nil {
		t.Fatalf("an info hash of no file of the video was taken: %v", r)
	}
}

// binaryString is raw bytes as the tracker protocol's binary strings
// carry them: one character per byte.
func binaryString(raw []byte) string {
	runes := make([]rune, len(raw))
	for i, b := range raw {
		runes[i] = rune(b)
	}
	return string(runes)
}
