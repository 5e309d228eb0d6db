package api_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"cuttle.video/server/servertest"
)

type chapter struct {
	Timecode int    `json:"timecode"`
	Title    string `json:"title"`
}

func getChapters(t *testing.T, c *servertest.Client, id string) []chapter {
	t.Helper()
	var body struct {
		Chapters []chapter `json:"chapters"`
	}
	res := c.Do("GET", "/api/v1/videos/"+id+"/chapters", nil).Expect(http.StatusOK)
	res.JSON(&body)
	if body.Chapters == nil {
		t.Fatalf("chapters is not a list: %s", res.Body)
	}
	return body.Chapters
}

func TestChapters(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b, servertest.FastTranscoding)
		owner := s.NewUser(t, 2, -1)
		other := s.NewUser(t, 2, -1)
		anon := s.Anonymous(t)
		id := owner.PublishVideo(servertest.Clip(t), "Chaptered", 1).Video.UUID
		describe := func(d string) {
			t.Helper()
			owner.Do("PUT", "/api/v1/videos/"+id, map[string]any{"description": d}).Expect(http.StatusNoContent)
		}

		if got := getChapters(t, anon, id); len(got) != 0 {
			t.Fatalf("a video without description has chapters %v", got)
		}
		// From the description: the first block of timestamped lines.
		describe("00:00 Intro\n1:02:03 Questions\nThanks for watching\n1:10:00 Not a chapter")
		want := []chapter{{0, "Intro"}, {3723, "Questions"}}
		if got := getChapters(t, anon, id); !reflect.DeepEqual(got, want) {
			t.Fatalf("chapters from the description = %v, want %v", got, want)
		}
		res := anon.Do("GET", "/api/v1/videos/"+id+"/chapters.vtt", nil).Expect(http.StatusOK)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/vtt") {
			t.Fatalf("chapters track served as %q", ct)
		}
		if !strings.HasPrefix(string(res.Body), "WEBVTT\n") || !strings.Contains(string(res.Body), "00:00:00.000 --> 01:02:03.000\nIntro\n") {
			t.Fatalf("chapters track:\n%s", res.Body)
		}
		// One timestamped line is not a table of contents.
		describe("00:00 Intro only")
		if got := getChapters(t, anon, id); len(got) != 0 {
			t.Fatalf("one line gave chapters %v", got)
		}

		// Only the owner (or a moderator) sets chapters, and they are checked.
		put := func(c *servertest.Client, body any) *servertest.Response {
			t.Helper()
			return c.Do("PUT", "/api/v1/videos/"+id+"/chapters", body)
		}
		manual := map[string]any{"chapters": []chapter{{90, "Second"}, {0, "First"}}}
		put(anon, manual).Problem(http.StatusUnauthorized)
		put(other, manual).Problem(http.StatusForbidden)
		p := put(owner, map[string]any{"chapters": []chapter{{0, "A"}, {0, "B"}}}).Problem(http.StatusBadRequest)
		if p.InvalidParams["chapters[1].timecode"] == "" {
			t.Fatalf("duplicate timecodes: %+v", p)
		}
		put(owner, map[string]any{"chapters": []chapter{{0, strings.Repeat("x", 101)}}}).Problem(http.StatusBadRequest)
		put(owner, map[string]any{"chapters": []map[string]any{{"timecode": 1.5, "title": "x"}}}).Problem(http.StatusBadRequest)
		put(owner, map[string]any{}).Problem(http.StatusBadRequest)
		put(owner, manual).Expect(http.StatusNoContent)
		want = []chapter{{0, "First"}, {90, "Second"}}
		if got := getChapters(t, anon, id); !reflect.DeepEqual(got, want) {
			t.Fatalf("manual chapters = %v, want %v", got, want)
		}

		// A description edit never overwrites manual chapters, even an
		// empty list set on purpose.
		describe("00:00 Other\n00:10 Chapters")
		if got := getChapters(t, anon, id); !reflect.DeepEqual(got, want) {
			t.Fatalf("after a description edit: %v, want %v", got, want)
		}
		put(owner, map[string]any{"chapters": []chapter{}}).Expect(http.StatusNoContent)
		describe("00:00 Still\n00:10 Ignored")
		if got := getChapters(t, anon, id); len(got) != 0 {
			t.Fatalf("emptied chapters came back from the description: %v", got)
		}

		// Chapters follow the video's privacy.
		priv := owner.UploadVideo(servertest.Clip(t), "Private chaptered", 3).Video.UUID
		anon.Do("GET", "/api/v1/videos/"+priv+"/chapters", nil).Problem(http.StatusNotFound)
		other.Do("GET", "/api/v1/videos/"+priv+"/chapters.vtt", nil).Problem(http.StatusNotFound)
		getChapters(t, owner, priv)
	})
}
