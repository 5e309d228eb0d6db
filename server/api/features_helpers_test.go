package api_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"cuttle.video/server/servertest"
)

// playableVideo is what the tests of chapters, captions and engagement
// read from a video.
type playableVideo struct {
	ID    int64  `json:"id"`
	UUID  string `json:"uuid"`
	Views int64  `json:"views"`
	Likes int64  `json:"likes"`
	// Dislikes and the comments switch are PeerTube's fields.
	Dislikes        int64 `json:"dislikes"`
	CommentsEnabled bool  `json:"commentsEnabled"`
	CommentsPolicy  struct {
		ID    int    `json:"id"`
		Label string `json:"label"`
	} `json:"commentsPolicy"`
	State struct {
		ID int `json:"id"`
	} `json:"state"`
	StreamingPlaylists []struct {
		PlaylistURL string `json:"playlistUrl"`
	} `json:"streamingPlaylists"`
}

// waitPlayable polls the video until its transcoding is over, as a
// client does; the deadline keeps a stuck job from hanging the suite.
func waitPlayable(t *testing.T, c *servertest.Client, id string) playableVideo {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var v playableVideo
		c.Do("GET", "/api/v1/videos/"+id, nil).Expect(http.StatusOK).JSON(&v)
		switch {
		case v.State.ID == 1:
			return v
		case v.State.ID == 7:
			t.Fatalf("video %s failed to transcode", id)
		case time.Now().After(deadline):
			t.Fatalf("video %s still in state %d", id, v.State.ID)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// putCaption sends a caption file as PeerTube clients do.
func putCaption(c *servertest.Client, video, lang, filename, content string) *servertest.Response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("captionfile", filename)
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	return c.Raw("PUT", "/api/v1/videos/"+video+"/captions/"+lang, &body,
		http.Header{"Content-Type": {mw.FormDataContentType()}})
}
