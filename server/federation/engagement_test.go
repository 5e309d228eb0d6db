package federation_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/httpsig"
	"cuttle.video/server/servertest"
)

type commentOut struct {
	ID        int64  `json:"id"`
	Text      string `json:"text"`
	URL       string `json:"url"`
	IsDeleted bool   `json:"isDeleted"`
	Account   *struct {
		Name string `json:"name"`
		Host string `json:"host"`
	} `json:"account"`
}

type threadOut struct {
	Comment  commentOut  `json:"comment"`
	Children []threadOut `json:"children"`
}

// threads lists a video's threads on s.
func threads(t *testing.T, s *servertest.Server, uuid string) []commentOut {
	var l struct{ Data []commentOut }
	s.Anonymous(t).Do("GET", "/api/v1/videos/"+uuid+"/comment-threads", nil).Expect(http.StatusOK).JSON(&l)
	return l.Data
}

func likes(t *testing.T, s *servertest.Server, uuid string) int {
	var v struct{ Likes int }
	s.Anonymous(t).Do("GET", "/api/v1/videos/"+uuid, nil).Expect(http.StatusOK).JSON(&v)
	return v.Likes
}

func waitLikes(t *testing.T, s *servertest.Server, uuid string, want int) {
	t.Helper()
	servertest.Eventually(t, 30*time.Second, func() (bool, string) {
		n := likes(t, s, uuid)
		return n == want, fmt.Sprintf("%s counts %d likes, want %d", s.Host(), n, want)
	})
}

// A comment made on a follower's copy of a video reaches the video's
// instance, the answer of the video's owner comes back, likes count on
// the video's instance and their count returns to the copy, and a
// deleted comment is deleted there too.
func TestCommentsAndLikesTravel(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		origin := servertest.Start(t, b, servertest.Federated)
		follower := servertest.Start(t, servertest.SQLite, servertest.Federated)
		followInstance(t, follower, origin)
		creator := origin.NewUser(t, database.RoleUser.ID(), -1)
		uuid := creator.PublishVideo(servertest.Clip(t), "Talk about it", database.PrivacyPublic).Video.UUID
		waitRemote(t, follower, uuid, func(remoteVideo) bool { return true })

		viewer := follower.NewUser(t, database.RoleUser.ID(), -1)
		var posted struct{ Comment commentOut }
		viewer.Do("POST", "/api/v1/videos/"+uuid+"/comment-threads", map[string]any{"text": "Hello <there>\nfrom afar"}).
			Expect(http.StatusOK).JSON(&posted)

		var there commentOut
		servertest.Eventually(t, 30*time.Second, func() (bool, string) {
			ts := threads(t, origin, uuid)
			if len(ts) != 1 {
				return false, fmt.Sprintf("origin lists %d threads", len(ts))
			}
			there = ts[0]
			return true, ""
		})
		if there.Text != "Hello <there>\nfrom afar" || there.Account == nil || there.Account.Host != follower.Host() {
			t.Fatalf("comment on the origin: %+v %+v", there, there.Account)
		}
		wantURL := follower.Config.PublicURL + "/videos/watch/" + uuid + "/comments/" + fmt.Sprint(posted.Comment.ID)
		if there.URL != wantURL {
			t.Errorf("comment url on the origin = %q, want %q", there.URL, wantURL)
		}

		var reply struct{ Comment commentOut }
		creator.Do("POST", fmt.Sprintf("/api/v1/videos/%s/comments/%d", uuid, there.ID), map[string]any{"text": "Welcome"}).
			Expect(http.StatusOK).JSON(&reply)
		servertest.Eventually(t, 30*time.Second, func() (bool, string) {
			var tree threadOut
			follower.Anonymous(t).Do("GET", fmt.Sprintf("/api/v1/videos/%s/comment-threads/%d", uuid, posted.Comment.ID), nil).
				Expect(http.StatusOK).JSON(&tree)
			if len(tree.Children) != 1 {
				return false, fmt.Sprintf("follower's thread: %+v", tree)
			}
			c := tree.Children[0].Comment
			return c.Text == "Welcome" && c.Account != nil && c.Account.Host == origin.Host(), fmt.Sprintf("reply on the follower: %+v", c)
		})

		viewer.Do("PUT", "/api/v1/videos/"+uuid+"/rate", map[string]any{"rating": "like"}).Expect(http.StatusNoContent)
		waitLikes(t, origin, uuid, 1)
		// A like on the origin reaches the copy through the origin's count.
		fan := origin.NewUser(t, database.RoleUser.ID(), -1)
		fan.Do("PUT", "/api/v1/videos/"+uuid+"/rate", map[string]any{"rating": "like"}).Expect(http.StatusNoContent)
		waitLikes(t, origin, uuid, 2)
		waitLikes(t, follower, uuid, 2)
		viewer.Do("PUT", "/api/v1/videos/"+uuid+"/rate", map[string]any{"rating": "none"}).Expect(http.StatusNoContent)
		waitLikes(t, origin, uuid, 1)
		waitLikes(t, follower, uuid, 1)

		viewer.Do("DELETE", fmt.Sprintf("/api/v1/videos/%s/comments/%d", uuid, posted.Comment.ID), nil).Expect(http.StatusNoContent)
		servertest.Eventually(t, 30*time.Second, func() (bool, string) {
			ts := threads(t, origin, uuid)
			return len(ts) == 1 && ts[0].IsDeleted && ts[0].Text == "", fmt.Sprintf("origin's threads: %+v", ts)
		})

		// The reply is served as a Note at its id.
		req, _ := http.NewRequest("GET", origin.URL+fmt.Sprintf("/videos/watch/%s/comments/%d", uuid, reply.Comment.ID), nil)
		req.Header.Set("Accept", "application/activity+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var note struct{ Type, InReplyTo, Content string }
		err = json.NewDecoder(resp.Body).Decode(&note)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || note.Type != "Note" || note.Content != "<p>Welcome</p>" ||
			note.InReplyTo != wantURL {
			t.Fatalf("reply as a Note: %d %+v %v", resp.StatusCode, note, err)
		}
	})
}

// newFediverse runs a tiny remote server of Persons with keys, for
// notes sent as Mastodon sends its replies; it returns, by name, what
// signs a delivery as each.
func newFediverse(t *testing.T, names ...string) (*httptest.Server, map[string]func(body []byte, target string) *http.Request) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	signers := map[string]func([]byte, string) *http.Request{}
	for _, name := range names {
		key, err := httpsig.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		pub, err := httpsig.EncodePublicKeyPEM(&key.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		id := srv.URL + "/users/" + name
		doc, _ := json.Marshal(map[string]any{
			"@context": []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
			"type":     "Person", "id": id, "preferredUsername": name, "name": strings.ToUpper(name),
			"inbox": id + "/inbox", "followers": id + "/followers",
			"publicKey": map[string]string{"id": id + "#main-key", "owner": id, "publicKeyPem": pub},
		})
		mux.HandleFunc("/users/"+name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/activity+json")
			w.Write(doc)
		})
		signers[name] = func(body []byte, target string) *http.Request {
			req, err := http.NewRequest("POST", target, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/activity+json")
			if err := httpsig.Sign(req, key, id+"#main-key", httpsig.SignOptions{}); err != nil {
				t.Fatal(err)
			}
			return req
		}
	}
	return srv, signers
}

// Replies from the Fediverse (a Note whose inReplyTo is the video) become
// comments by their author; a note signed by someone else than its
// author, or on a video whose comments are off, does not.
func TestNotesFromTheFediverse(t *testing.T) {
	origin := servertest.Start(t, servertest.SQLite, servertest.Federated)
	creator := origin.NewUser(t, database.RoleUser.ID(), -1)
	open := creator.PublishVideo(servertest.Clip(t), "Open", database.PrivacyPublic).Video.UUID
	closed := creator.PublishVideo(servertest.Clip(t), "Closed", database.PrivacyPublic).Video.UUID
	creator.Do("PUT", "/api/v1/videos/"+closed, map[string]any{"commentsEnabled": false}).Expect(http.StatusNoContent)
	srv, sign := newFediverse(t, "alice", "bob")

	n := 0
	deliver := func(signer, author, video, text string) {
		t.Helper()
		n++
		noteID := fmt.Sprintf("%s/users/%s/statuses/%d", srv.URL, author, n)
		body, _ := json.Marshal(map[string]any{
			"@context": "https://www.w3.org/ns/activitystreams",
			"id":       noteID + "/activity", "type": "Create", "actor": srv.URL + "/users/" + signer,
			"to": []string{"https://www.w3.org/ns/activitystreams#Public"},
			"object": map[string]any{
				"id": noteID, "type": "Note", "attributedTo": srv.URL + "/users/" + author,
				"inReplyTo": origin.Config.PublicURL + "/videos/watch/" + video,
				"content":   `<p><span class="h-card"><a href="x" class="u-url mention">@<span>creator</span></a></span> ` + text + `</p>`,
				"published": time.Now().UTC().Format(time.RFC3339),
				"to":        []string{"https://www.w3.org/ns/activitystreams#Public"},
			},
		})
		resp, err := http.DefaultClient.Do(sign[signer](body, origin.URL+"/inbox"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("inbox answered %d", resp.StatusCode)
		}
	}
	deliver("alice", "bob", open, "not bob's words")
	deliver("alice", "alice", closed, "shut out")
	deliver("alice", "alice", open, "nice one")

	var ts []commentOut
	servertest.Eventually(t, 30*time.Second, func() (bool, string) {
		ts = threads(t, origin, open)
		return len(ts) > 0, "no comment from the Fediverse yet"
	})
	// Received in order: what came before the good note was refused.
	if len(ts) != 1 || ts[0].Text != "@creator nice one" || ts[0].Account == nil || ts[0].Account.Name != "alice" ||
		ts[0].Account.Host != strings.TrimPrefix(srv.URL, "http://") {
		t.Fatalf("threads: %+v", ts)
	}
	creator.Do("PUT", "/api/v1/videos/"+closed, map[string]any{"commentsEnabled": true}).Expect(http.StatusNoContent)
	if ts := threads(t, origin, closed); len(ts) != 0 {
		t.Fatalf("comments disabled, yet the note was kept: %+v", ts)
	}
}
