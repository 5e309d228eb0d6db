package api_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cuttle.video/player/swarm"
	"cuttle.video/server/config"
	"cuttle.video/server/p2p"
	"cuttle.video/server/servertest"
)

// trackerClient is a WebTorrent tracker client reduced to its messages.
type trackerClient struct {
	t   *testing.T
	ws  *websocket.Conn
	in  chan map[string]any
	end error // why the socket ended, once in is closed
}

// dialTracker opens a tracker socket for a video as the watch page's
// player does; on a refusal it returns the HTTP status instead.
func dialTracker(t *testing.T, s *servertest.Server, videoUUID, token string) (*trackerClient, int) {
	t.Helper()
	ws, res, err := websocket.DefaultDialer.Dial(p2p.TrackerURL(s.URL, videoUUID, token), nil)
	if err != nil {
		if res == nil {
			t.Fatalf("dial tracker: %v", err)
		}
		return nil, res.StatusCode
	}
	c := &trackerClient{t: t, ws: ws, in: make(chan map[string]any, 64)}
	go func() {
		defer close(c.in)
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				c.end = err
				return
			}
			var m map[string]any
			if json.Unmarshal(b, &m) == nil {
				c.in <- m
			}
		}
	}()
	t.Cleanup(func() { ws.Close() })
	return c, http.StatusSwitchingProtocols
}

func mustDialTracker(t *testing.T, s *servertest.Server, videoUUID, token string) *trackerClient {
	t.Helper()
	c, status := dialTracker(t, s, videoUUID, token)
	if c == nil {
		t.Fatalf("tracker socket refused: %d", status)
	}
	return c
}

func (c *trackerClient) send(m map[string]any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(m); err != nil {
		c.t.Fatalf("send to tracker: %v", err)
	}
}

// next returns the next message; a bound only keeps a broken server from
// hanging the test.
func (c *trackerClient) next() map[string]any {
	c.t.Helper()
	select {
	case m, ok := <-c.in:
		if !ok {
			c.t.Fatalf("tracker socket ended: %v", c.end)
		}
		return m
	case <-time.After(30 * time.Second):
		c.t.Fatal("no tracker message")
	}
	return nil
}

// cutOff reads until the server ends the socket and returns the reason
// it gave. The socket must receive no offer or answer on the way: no
// viewer's address, nothing to answer.
func (c *trackerClient) cutOff() string {
	c.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m, ok := <-c.in:
			if !ok {
				var ce *websocket.CloseError
				if !errors.As(c.end, &ce) || ce.Code != websocket.ClosePolicyViolation {
					c.t.Fatalf("socket ended with %v, want a close frame with code %d", c.end, websocket.ClosePolicyViolation)
				}
				return ce.Text
			}
			if m["offer"] != nil || m["answer"] != nil {
				c.t.Fatalf("a socket whose access was withdrawn received %v", m)
			}
		case <-timeout:
			c.t.Fatal("the tracker kept a socket whose access was withdrawn")
		}
	}
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
	v := waitPlayable(t, c, videoUUID)
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
func (c *trackerClient) joined(infoHash, peerID string, offers int) {
	c.t.Helper()
	c.send(announceMsg(infoHash, peerID, offers))
	if r := c.next(); r["failure reason"] != nil || r["info_hash"] != infoHash {
		c.t.Fatalf("announce of %s: %v", peerID, r)
	}
}

// A socket opened while a video was public loses the swarm when the
// owner makes it private: it gets no offer of the viewers still allowed
// (their addresses), cannot answer, and cannot come back without a token.
// Deleting the video ends the remaining sockets.
func TestTrackerSocketRevokedOnPrivacyChange(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, fastTranscoding)
	owner := s.NewUser(t, 2, -1)
	anon := s.Anonymous(t)
	up := published(t, owner, servertest.Clip(t), "Soon private", 1)
	ih := swarmHash(t, anon, up.Video.UUID)

	spy := mustDialTracker(t, s, up.Video.UUID, "")
	spy.joined(ih, trackerPeer(0), 0)

	owner.Do("PUT", "/api/v1/videos/"+up.Video.UUID, map[string]any{"privacy": 3}).Expect(http.StatusNoContent)

	viewer := mustDialTracker(t, s, up.Video.UUID, owner.FileToken(up.Video.UUID, ""))
	viewer.joined(ih, trackerPeer(1), 5)
	if reason := spy.cutOff(); !strings.Contains(reason, "access to this video changed") {
		t.Fatalf("close reason %q", reason)
	}
	if _, status := dialTracker(t, s, up.Video.UUID, ""); status != http.StatusForbidden {
		t.Fatalf("an anonymous socket after the change: %d", status)
	}

	owner.Do("DELETE", "/api/v1/videos/"+up.Video.UUID, nil).Expect(http.StatusNoContent)
	viewer.cutOff()
}

// Replacing a video's passwords revokes the file tokens obtained with the
// old ones, on the files and on the tracker.
func TestPasswordChangeRevokesTokensAndSockets(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, fastTranscoding)
	owner := s.NewUser(t, 2, -1)
	anon := s.Anonymous(t)
	up := uploadProtected(t, owner, servertest.Clip(t), "hunter22")
	id := up.Video.UUID
	ih := swarmHash(t, owner, id)
	v := waitPlayable(t, owner, id)
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
	guest.joined(ih, trackerPeer(0), 0)

	owner.Do("PUT", "/api/v1/videos/"+id+"/passwords", map[string]any{"passwords": []string{"newpass99"}}).Expect(http.StatusNoContent)

	if reason := guest.cutOff(); !strings.Contains(reason, "access to this video changed") {
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
	mustDialTracker(t, s, id, fresh).joined(ih, trackerPeer(1), 0)

	// Deleting a password (one of two) revokes too.
	var second struct {
		ID int64 `json:"id"`
	}
	owner.Do("POST", "/api/v1/videos/"+id+"/passwords", map[string]any{"password": "second-one"}).Expect(http.StatusOK).JSON(&second)
	guest = mustDialTracker(t, s, id, fresh)
	guest.joined(ih, trackerPeer(2), 0)
	owner.Do("DELETE", "/api/v1/videos/"+id+"/passwords/"+strconv.FormatInt(second.ID, 10), nil).Expect(http.StatusNoContent)
	guest.cutOff()
	if status, _ := anon.Fetch(thumb + "?videoFileToken=" + url.QueryEscape(fresh)); status != http.StatusForbidden {
		t.Fatalf("thumbnail with a token from before a password deletion: %d", status)
	}
}

// A socket opened with a file token ends when the token does.
func TestTrackerSocketEndsWithItsToken(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, fastTranscoding, func(c *config.Config) { c.FileTokenTTL = 3 * time.Second })
	owner := s.NewUser(t, 2, -1)
	up := upload(t, owner, servertest.Clip(t), "Private", 3)
	ih := swarmHash(t, owner, up.Video.UUID)

	holder := mustDialTracker(t, s, up.Video.UUID, owner.FileToken(up.Video.UUID, ""))
	holder.joined(ih, trackerPeer(0), 0)
	if reason := holder.cutOff(); !strings.Contains(reason, "expired") {
		t.Fatalf("close reason %q", reason)
	}
	// The next viewer's offers find nobody: the swarm is empty again.
	viewer := mustDialTracker(t, s, up.Video.UUID, owner.FileToken(up.Video.UUID, ""))
	viewer.send(announceMsg(ih, trackerPeer(1), 3))
	if r := viewer.next(); r["failure reason"] != nil || r["incomplete"] != 1.0 {
		t.Fatalf("announce after the expiry: %v", r)
	}
}

// A peer id belongs to the socket that first used it: another socket
// that learnt it (every relayed offer and answer carries it) cannot take
// it over, and the owner keeps its socket and its answers.
func TestTrackerPeerIDTakeoverRefused(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, fastTranscoding)
	owner := s.NewUser(t, 2, -1)
	anon := s.Anonymous(t)
	up := published(t, owner, servertest.Clip(t), "Public", 1)
	ih := swarmHash(t, anon, up.Video.UUID)
	victimID, attackerID, otherID := trackerPeer(0), trackerPeer(1), trackerPeer(2)

	victim := mustDialTracker(t, s, up.Video.UUID, "")
	victim.joined(ih, victimID, 0)
	attacker := mustDialTracker(t, s, up.Video.UUID, "")
	attacker.joined(ih, attackerID, 1)
	o := victim.next()
	victim.send(answerMsg(ih, victimID, attackerID, o["offer_id"]))
	if a := attacker.next(); a["peer_id"] != victimID {
		t.Fatalf("answer to the attacker: %v", a)
	}

	hijack := mustDialTracker(t, s, up.Video.UUID, "")
	hijack.send(announceMsg(ih, victimID, 0))
	if r := hijack.next(); r["failure reason"] != "peer_id is in use by another connection in this swarm" {
		t.Fatalf("announce with the victim's peer id: %v", r)
	}

	// The victim is still there and still gets what is meant for it.
	other := mustDialTracker(t, s, up.Video.UUID, "")
	other.send(announceMsg(ih, otherID, 2))
	other.next()
	var offer map[string]any
	for offer == nil {
		if m := victim.next(); m["offer"] != nil && m["peer_id"] == otherID {
			offer = m
		}
	}
	victim.send(answerMsg(ih, victimID, otherID, offer["offer_id"]))
	for {
		if m := other.next(); m["answer"] != nil {
			if m["peer_id"] != victimID {
				t.Fatalf("answer from %v, want the victim", m["peer_id"])
			}
			break
		}
	}
	// The refused socket got nothing of the victim's.
	hijack.send(map[string]any{"action": "scrape", "info_hash": ih})
	if r := hijack.next(); r["action"] != "scrape" {
		t.Fatalf("the refused socket received %v", r)
	}
}

// With Redis, a replica's sockets are revoked by a change made through
// another replica, before any later offer reaches them.
func TestTrackerRevocationAcrossReplicas(t *testing.T) {
	needsPostgres(t)
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
		fastTranscoding(c)
	}
	a := servertest.Start(t, servertest.Postgres, s3tweak, shared, func(c *config.Config) { c.Transcoding.Workers = 1 })
	b := servertest.Start(t, servertest.Postgres, s3tweak, shared, func(c *config.Config) {
		c.DatabaseURL = a.Config.DatabaseURL
		c.Transcoding.Workers = 0
	})
	owner := a.NewUser(t, 2, -1)
	up := published(t, owner, servertest.Clip(t), "Soon private", 1)
	ih := swarmHash(t, a.Anonymous(t), up.Video.UUID)

	spy := mustDialTracker(t, b, up.Video.UUID, "")
	spy.joined(ih, trackerPeer(0), 0)
	owner.Do("PUT", "/api/v1/videos/"+up.Video.UUID, map[string]any{"privacy": 3}).Expect(http.StatusNoContent)
	viewer := mustDialTracker(t, a, up.Video.UUID, owner.FileToken(up.Video.UUID, ""))
	viewer.joined(ih, trackerPeer(1), 5)
	if reason := spy.cutOff(); !strings.Contains(reason, "access to this video changed") {
		t.Fatalf("close reason %q", reason)
	}
}
