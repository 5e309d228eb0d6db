package servertest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"
)

// FileToken asks for a video file token as the client, with the video
// password when not empty. It returns "" when the server refuses.
func (c *Client) FileToken(videoID, password string) string {
	c.t.Helper()
	h := http.Header{}
	if password != "" {
		h.Set("x-peertube-video-password", password)
	}
	res := c.Raw("POST", "/api/v1/videos/"+videoID+"/token", nil, h)
	if res.StatusCode != http.StatusOK {
		return ""
	}
	var tok struct {
		Files struct {
			Token   string    `json:"token"`
			Expires time.Time `json:"expires"`
		} `json:"files"`
	}
	res.JSON(&tok)
	if tok.Files.Token == "" || !tok.Files.Expires.After(time.Now()) {
		c.t.Fatalf("token answer without a token or expiry: %s", res.Body)
	}
	return tok.Files.Token
}

// Fetch GETs a URL (a path on the server, or absolute) as the client,
// following redirects as a player would: to presigned URLs of S3, whose
// host must not see the client's bearer token.
func (c *Client) Fetch(target string) (int, []byte) {
	c.t.Helper()
	if len(target) > 0 && target[0] == '/' {
		target = c.s.URL + target
	}
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("GET %s: %v", target, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("GET %s: read body: %v", target, err)
	}
	return res.StatusCode, b
}

// PutVideoFile stores a file in a video's media directory, as captions
// and storyboards are, wherever its privacy says.
func (s *Server) PutVideoFile(t *testing.T, videoID int64, name string, data []byte) {
	t.Helper()
	if err := s.App.Videos.PutFile(context.Background(), videoID, name, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("store %s: %v", name, err)
	}
}
