package api_test

import (
	"bytes"
	"mime/multipart"
	"net/http"

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
