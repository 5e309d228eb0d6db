package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/servertest"
)

func views(t *testing.T, c *servertest.Client, id string) int64 {
	t.Helper()
	var v playableVideo
	c.Do("GET", "/api/v1/videos/"+id, nil).Expect(http.StatusOK).JSON(&v)
	return v.Views
}

// view notifies a view as PeerTube's player does, from a browser with the
// given signature.
func view(c *servertest.Client, id, userAgent string) *servertest.Response {
	return c.Raw("POST", "/api/v1/videos/"+id+"/views", stringsReader(`{"currentTime": 3}`),
		http.Header{"Content-Type": {"application/json"}, "User-Agent": {userAgent}})
}

func TestViewsCountOncePerViewer(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b, servertest.FastTranscoding)
		owner := s.NewUser(t, 2, -1)
		viewer := s.NewUser(t, 2, -1)
		anon := s.Anonymous(t)
		id := owner.UploadVideo(servertest.Clip(t), "Watched", 1).Video.UUID
		servertest.WaitVideo[playableVideo](t, owner, id, 2*time.Minute, 1)

		// A reload loop counts once.
		for range 20 {
			view(anon, id, "Browser A").Expect(http.StatusNoContent)
		}
		if n := views(t, anon, id); n != 1 {
			t.Fatalf("a reload loop counted %d views, want 1", n)
		}
		// Another browser behind the same address, and a logged-in viewer
		// (once, from wherever), count too.
		view(anon, id, "Browser B").Expect(http.StatusNoContent)
		for _, ua := range []string{"Phone", "Laptop", "Phone"} {
			view(viewer, id, ua).Expect(http.StatusNoContent)
		}
		if n := views(t, anon, id); n != 3 {
			t.Fatalf("%d views, want 3", n)
		}
		// One address counts as a few viewers at most, however many
		// browser signatures a script makes up.
		for i := range 50 {
			view(anon, id, "Forged "+strconv.Itoa(i)).Expect(http.StatusNoContent)
		}
		if n := views(t, anon, id); n < 4 || n > 12 {
			t.Fatalf("forged signatures counted %d views", n)
		}
		before := views(t, anon, id)
		// An hour later the same viewer counts again.
		s.Clock.Advance(61 * time.Minute)
		view(anon, id, "Browser A").Expect(http.StatusNoContent)
		if n := views(t, anon, id); n != before+1 {
			t.Fatalf("after an hour: %d views, want %d", n, before+1)
		}

		// Views are written to the database in batches and survive a restart.
		if err := s.App.Engagement.Views.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		view(anon, id, "Browser C").Expect(http.StatusNoContent)
		s.Restart(t)
		if n := views(t, s.Anonymous(t), id); n != before+2 {
			t.Fatalf("after a restart: %d views, want %d", n, before+2)
		}

		// The body is PeerTube's; what it says does not matter, but it
		// must be well formed. Videos one may not see are refused.
		anon = s.Anonymous(t)
		anon.Raw("POST", "/api/v1/videos/"+id+"/views", stringsReader(`{"currentTime": -1}`),
			http.Header{"Content-Type": {"application/json"}}).Problem(http.StatusBadRequest)
		anon.Raw("POST", "/api/v1/videos/"+id+"/views", stringsReader(`{"currentTime": "x"`),
			http.Header{"Content-Type": {"application/json"}}).Problem(http.StatusBadRequest)
		priv := s.Client(t, owner.Username, owner.Password).UploadVideo(servertest.Clip(t), "Private", 3).Video.UUID
		view(anon, priv, "Browser A").Problem(http.StatusNotFound)
		view(anon, "00000000-0000-0000-0000-000000000000", "Browser A").Problem(http.StatusNotFound)
	})
}

func TestRatings(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b, servertest.FastTranscoding)
		owner := s.NewUser(t, 2, -1)
		alice := s.NewUser(t, 2, -1)
		bob := s.NewUser(t, 2, -1)
		anon := s.Anonymous(t)
		up := owner.PublishVideo(servertest.Clip(t), "Rated", 1)
		id := up.Video.UUID
		rate := func(c *servertest.Client, rating string) *servertest.Response {
			return c.Do("PUT", "/api/v1/videos/"+id+"/rate", map[string]string{"rating": rating})
		}
		counts := func() (int64, int64) {
			var v playableVideo
			anon.Do("GET", "/api/v1/videos/"+id, nil).Expect(http.StatusOK).JSON(&v)
			return v.Likes, v.Dislikes
		}
		mine := func(c *servertest.Client) string {
			var r struct {
				ID     int64  `json:"id"`
				Rating string `json:"rating"`
			}
			c.Do("GET", "/api/v1/users/me/videos/"+strconv.FormatInt(up.Video.ID, 10)+"/rating", nil).Expect(http.StatusOK).JSON(&r)
			if r.ID != up.Video.ID {
				t.Fatalf("rating of video %d, want %d", r.ID, up.Video.ID)
			}
			return r.Rating
		}
		check := func(likes, dislikes int64) {
			t.Helper()
			if l, d := counts(); l != likes || d != dislikes {
				t.Fatalf("likes %d, dislikes %d; want %d and %d", l, d, likes, dislikes)
			}
		}

		if mine(alice) != "none" {
			t.Fatal("a fresh user has a rating")
		}
		rate(alice, "like").Expect(http.StatusNoContent)
		rate(alice, "like").Expect(http.StatusNoContent)
		rate(bob, "like").Expect(http.StatusNoContent)
		check(2, 0)
		rate(alice, "dislike").Expect(http.StatusNoContent)
		check(1, 1)
		if mine(alice) != "dislike" || mine(bob) != "like" {
			t.Fatalf("ratings: alice %s, bob %s", mine(alice), mine(bob))
		}
		rate(alice, "none").Expect(http.StatusNoContent)
		rate(bob, "none").Expect(http.StatusNoContent)
		rate(bob, "none").Expect(http.StatusNoContent)
		check(0, 0)
		if mine(alice) != "none" {
			t.Fatal("the rating was not taken back")
		}

		rate(alice, "love").Problem(http.StatusBadRequest)
		rate(anon, "like").Problem(http.StatusUnauthorized)
		anon.Do("GET", "/api/v1/users/me/videos/"+id+"/rating", nil).Problem(http.StatusUnauthorized)
		priv := owner.UploadVideo(servertest.Clip(t), "Private", 3).Video.UUID
		alice.Do("PUT", "/api/v1/videos/"+priv+"/rate", map[string]string{"rating": "like"}).Problem(http.StatusNotFound)
	})
}

type commentJSON struct {
	ID                 int64  `json:"id"`
	Text               string `json:"text"`
	ThreadID           int64  `json:"threadId"`
	InReplyToCommentID *int64 `json:"inReplyToCommentId"`
	IsDeleted          bool   `json:"isDeleted"`
	TotalReplies       int    `json:"totalReplies"`
	// TotalRepliesFromVideoAuthor counts the owner's replies.
	TotalRepliesFromVideoAuthor int `json:"totalRepliesFromVideoAuthor"`
	Account                     *struct {
		Name string `json:"name"`
	} `json:"account"`
}

type threadTree struct {
	Comment  commentJSON  `json:"comment"`
	Children []threadTree `json:"children"`
}

type threadList struct {
	Total                   int           `json:"total"`
	TotalNotDeletedComments int           `json:"totalNotDeletedComments"`
	Data                    []commentJSON `json:"data"`
}

func TestComments(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b, servertest.FastTranscoding)
		owner := s.NewUser(t, 2, -1)
		alice := s.NewUser(t, 2, -1)
		bob := s.NewUser(t, 2, -1)
		mod := s.NewUser(t, 1, -1)
		anon := s.Anonymous(t)
		id := owner.PublishVideo(servertest.Clip(t), "Discussed", 1).Video.UUID
		post := func(c *servertest.Client, path, text string) commentJSON {
			t.Helper()
			var out struct {
				Comment commentJSON `json:"comment"`
			}
			c.Do("POST", "/api/v1/videos/"+id+path, map[string]string{"text": text}).Expect(http.StatusOK).JSON(&out)
			return out.Comment
		}
		reply := func(c *servertest.Client, to int64, text string) commentJSON {
			t.Helper()
			return post(c, "/comments/"+strconv.FormatInt(to, 10), text)
		}
		threads := func(query string) threadList {
			t.Helper()
			var l threadList
			anon.Do("GET", "/api/v1/videos/"+id+"/comment-threads"+query, nil).Expect(http.StatusOK).JSON(&l)
			return l
		}
		tree := func(thread int64) threadTree {
			t.Helper()
			var tr threadTree
			anon.Do("GET", "/api/v1/videos/"+id+"/comment-threads/"+strconv.FormatInt(thread, 10), nil).Expect(http.StatusOK).JSON(&tr)
			return tr
		}
		del := func(c *servertest.Client, comment int64) *servertest.Response {
			return c.Do("DELETE", "/api/v1/videos/"+id+"/comments/"+strconv.FormatInt(comment, 10), nil)
		}

		first := post(alice, "/comment-threads", "  First!  ")
		if first.Text != "First!" || first.ThreadID != first.ID || first.InReplyToCommentID != nil || first.Account == nil || first.Account.Name != alice.Username {
			t.Fatalf("new thread = %+v", first)
		}
		second := post(bob, "/comment-threads", "Second thread")
		r1 := reply(bob, first.ID, "A reply")
		r2 := reply(owner, r1.ID, "The author answers")
		if r2.ThreadID != first.ID || r2.InReplyToCommentID == nil || *r2.InReplyToCommentID != r1.ID {
			t.Fatalf("nested reply = %+v", r2)
		}

		l := threads("")
		if l.Total != 2 || l.TotalNotDeletedComments != 4 || l.Data[0].ID != second.ID || l.Data[1].ID != first.ID {
			t.Fatalf("threads, newest first = %+v", l)
		}
		if l.Data[1].TotalReplies != 2 || l.Data[1].TotalRepliesFromVideoAuthor != 1 || l.Data[0].TotalReplies != 0 {
			t.Fatalf("reply counts = %+v", l.Data)
		}
		if l := threads("?sort=-totalReplies&count=1"); l.Total != 2 || len(l.Data) != 1 || l.Data[0].ID != first.ID {
			t.Fatalf("threads by replies = %+v", l)
		}
		anon.Do("GET", "/api/v1/videos/"+id+"/comment-threads?sort=likes", nil).Problem(http.StatusBadRequest)

		tr := tree(first.ID)
		if tr.Comment.ID != first.ID || len(tr.Children) != 1 || tr.Children[0].Comment.ID != r1.ID ||
			len(tr.Children[0].Children) != 1 || tr.Children[0].Children[0].Comment.ID != r2.ID {
			t.Fatalf("thread tree = %+v", tr)
		}
		anon.Do("GET", "/api/v1/videos/"+id+"/comment-threads/"+strconv.FormatInt(r1.ID, 10), nil).Problem(http.StatusNotFound)

		// Who may delete what.
		del(anon, r1.ID).Problem(http.StatusUnauthorized)
		del(alice, r1.ID).Problem(http.StatusForbidden)
		del(bob, r1.ID).Expect(http.StatusNoContent)       // its author
		del(bob, r1.ID).Problem(http.StatusConflict)       // already deleted
		del(owner, second.ID).Expect(http.StatusNoContent) // the video's owner
		del(mod, r2.ID).Expect(http.StatusNoContent)       // a moderator
		del(alice, 999999).Problem(http.StatusNotFound)    // no such comment
		tr = tree(first.ID)
		if d := tr.Children[0].Comment; !d.IsDeleted || d.Text != "" || d.Account != nil || len(tr.Children[0].Children) != 1 {
			t.Fatalf("a deleted reply keeps its place without its text: %+v", tr)
		}
		// A deleted thread without replies left is no longer listed.
		if l := threads(""); l.Total != 1 || l.Data[0].ID != first.ID || l.TotalNotDeletedComments != 1 {
			t.Fatalf("threads after deletions = %+v", l)
		}

		// Writing needs a user and a text.
		anon.Do("POST", "/api/v1/videos/"+id+"/comment-threads", map[string]string{"text": "hi"}).Problem(http.StatusUnauthorized)
		alice.Do("POST", "/api/v1/videos/"+id+"/comment-threads", map[string]string{"text": "   "}).Problem(http.StatusBadRequest)
		alice.Do("POST", "/api/v1/videos/"+id+"/comment-threads", map[string]string{"text": strings.Repeat("x", 10001)}).Problem(http.StatusBadRequest)
		alice.Do("POST", "/api/v1/videos/"+id+"/comments/999999", map[string]string{"text": "to nothing"}).Problem(http.StatusNotFound)

		// Disabled comments: nothing listed, nothing posted, the thread
		// gone; PeerTube's commentsPolicy says so too.
		owner.Do("PUT", "/api/v1/videos/"+id, map[string]any{"commentsPolicy": 2}).Expect(http.StatusNoContent)
		var v playableVideo
		anon.Do("GET", "/api/v1/videos/"+id, nil).Expect(http.StatusOK).JSON(&v)
		if v.CommentsEnabled || v.CommentsPolicy.ID != 2 || v.CommentsPolicy.Label != "Disabled" {
			t.Fatalf("disabled comments show as %+v", v)
		}
		if l := threads(""); l.Total != 0 || len(l.Data) != 0 {
			t.Fatalf("threads of a video without comments = %+v", l)
		}
		alice.Do("POST", "/api/v1/videos/"+id+"/comment-threads", map[string]string{"text": "hello?"}).Problem(http.StatusConflict)
		alice.Do("POST", "/api/v1/videos/"+id+"/comments/"+strconv.FormatInt(first.ID, 10), map[string]string{"text": "hello?"}).Problem(http.StatusConflict)
		anon.Do("GET", "/api/v1/videos/"+id+"/comment-threads/"+strconv.FormatInt(first.ID, 10), nil).Problem(http.StatusNotFound)
		owner.Do("PUT", "/api/v1/videos/"+id, map[string]any{"commentsPolicy": 3}).Problem(http.StatusBadRequest)
		owner.Do("PUT", "/api/v1/videos/"+id, map[string]any{"commentsEnabled": true}).Expect(http.StatusNoContent)
		if l := threads(""); l.Total != 1 {
			t.Fatalf("threads are back with comments: %+v", l)
		}

		// Comments follow the video's privacy.
		priv := owner.UploadVideo(servertest.Clip(t), "Private", 3).Video.UUID
		anon.Do("GET", "/api/v1/videos/"+priv+"/comment-threads", nil).Problem(http.StatusNotFound)
		alice.Do("POST", "/api/v1/videos/"+priv+"/comment-threads", map[string]string{"text": "hi"}).Problem(http.StatusNotFound)
	})
}
