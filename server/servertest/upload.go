package servertest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"cuttle.video/server/database"
)

// Channel returns the id of the client's default channel.
func (c *Client) Channel() int64 {
	c.t.Helper()
	var me struct {
		VideoChannels []struct {
			ID int64 `json:"id"`
		} `json:"videoChannels"`
	}
	c.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK).JSON(&me)
	if len(me.VideoChannels) == 0 {
		c.t.Fatal("the user has no channel")
	}
	return me.VideoChannels[0].ID
}

// InitUpload starts a resumable upload and returns its Location.
func (c *Client) InitUpload(size int64, meta map[string]any) *Response {
	c.t.Helper()
	return c.Raw("POST", "/api/v1/videos/upload-resumable", bytes.NewReader(mustJSON(c.t, meta)), http.Header{
		"Content-Type":            {"application/json"},
		"X-Upload-Content-Length": {fmt.Sprint(size)},
		"X-Upload-Content-Type":   {"video/mp4"},
	})
}

// PutChunk sends bytes [start, start+len(chunk)) of a file of size total.
func (c *Client) PutChunk(location string, start int64, chunk []byte, total int64) *Response {
	c.t.Helper()
	return c.Raw("PUT", location, bytes.NewReader(chunk), http.Header{
		"Content-Range":  {fmt.Sprintf("bytes %d-%d/%d", start, start+int64(len(chunk))-1, total)},
		"Content-Length": {fmt.Sprint(len(chunk))},
	})
}

// UploadStatus asks how many bytes of an upload are stored.
func (c *Client) UploadStatus(location string, total int64) *Response {
	c.t.Helper()
	return c.Raw("PUT", location, nil, http.Header{
		"Content-Range":  {fmt.Sprintf("bytes */%d", total)},
		"Content-Length": {"0"},
	})
}

// SendCut sends a chunk request announcing all of chunk but writes only
// its first n bytes before hanging up, as a dropped connection would.
func (c *Client) SendCut(location string, start int64, chunk []byte, total int64, n int) {
	c.t.Helper()
	conn, u := c.dial(location)
	defer conn.Close()
	fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Range: bytes %d-%d/%d\r\nContent-Length: %d\r\n\r\n",
		u.RequestURI(), u.Host, c.Token, start, start+int64(len(chunk))-1, total, len(chunk))
	if _, err := conn.Write(chunk[:n]); err != nil {
		c.t.Fatal(err)
	}
	// Half-close and wait for the server to notice the short body and
	// close its side, so the bytes are on disk when this returns.
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	buf := make([]byte, 4096)
	for {
		if _, err := conn.Read(buf); err != nil {
			return
		}
	}
}

func (c *Client) dial(location string) (net.Conn, *url.URL) {
	c.t.Helper()
	u, err := url.Parse(location)
	if err != nil {
		c.t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		c.t.Fatal(err)
	}
	return conn, u
}

// StoredRange parses the Range header of a 308 answer into the number of
// bytes stored.
func (r *Response) StoredRange() int64 {
	r.t.Helper()
	h := r.Header.Get("Range")
	if h == "" {
		return 0
	}
	var last int64
	if _, err := fmt.Sscanf(h, "bytes=0-%d", &last); err != nil {
		r.t.Fatalf("bad Range header %q", h)
	}
	return last + 1
}

// UploadedVideo is the answer of a finished upload.
type UploadedVideo struct {
	Video struct {
		ID        int64  `json:"id"`
		UUID      string `json:"uuid"`
		ShortUUID string `json:"shortUUID"`
	} `json:"video"`
}

// Upload sends a whole file through the legacy endpoint.
func (c *Client) Upload(path string, fields map[string][]string) *Response {
	c.t.Helper()
	f, err := os.Open(path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	return c.Multipart("/api/v1/videos/upload", fields, "videofile", path[strings.LastIndex(path, "/")+1:], f)
}

// UploadVideo uploads clip as a video called name, of the given privacy,
// to the client's channel.
func (c *Client) UploadVideo(clip, name string, privacy int) UploadedVideo {
	c.t.Helper()
	var up UploadedVideo
	c.Upload(clip, map[string][]string{
		"name": {name}, "channelId": {strconv.FormatInt(c.Channel(), 10)}, "privacy": {strconv.Itoa(privacy)},
	}).Expect(http.StatusOK).JSON(&up)
	return up
}

// PublishVideo uploads a video and waits until its transcoding is over:
// only then do viewers other than its owner see it.
func (c *Client) PublishVideo(clip, name string, privacy int) UploadedVideo {
	c.t.Helper()
	up := c.UploadVideo(clip, name, privacy)
	WaitState(c.t, c, up.Video.UUID, 3*time.Minute, database.StatePublished)
	return up
}

// PublishProtected uploads a password-protected video, with passwords,
// and waits until it is published.
func (c *Client) PublishProtected(clip string, passwords ...string) UploadedVideo {
	c.t.Helper()
	var up UploadedVideo
	c.Upload(clip, map[string][]string{
		"name": {"Protected"}, "channelId": {strconv.FormatInt(c.Channel(), 10)},
		"privacy": {strconv.Itoa(database.PrivacyPassword)}, "videoPasswords[]": passwords,
	}).Expect(http.StatusOK).JSON(&up)
	WaitState(c.t, c, up.Video.UUID, 3*time.Minute, database.StatePublished)
	return up
}

// PublishedVideo is what tests read of a published video's JSON.
type PublishedVideo struct {
	ID                 int64  `json:"id"`
	UUID               string `json:"uuid"`
	ShortUUID          string `json:"shortUUID"`
	ThumbnailPath      string `json:"thumbnailPath"`
	StreamingPlaylists []struct {
		PlaylistURL       string `json:"playlistUrl"`
		SegmentsSha256URL string `json:"segmentsSha256Url"`
		Files             []struct {
			PlaylistURL string `json:"playlistUrl"`
			FileURL     string `json:"fileUrl"`
		} `json:"files"`
	} `json:"streamingPlaylists"`
}
