package servertest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// stateTranscodingFailed is the API's state of a video whose
// transcoding failed for good.
const stateTranscodingFailed = 7

// WaitState polls the video as c, as a client does, until its state is
// one of want, and returns the video's JSON. A video whose transcoding
// failed when that is not awaited fails the test at once; otherwise the
// timeout keeps a stuck job from hanging the suite.
func WaitState(t *testing.T, c *Client, videoID string, timeout time.Duration, want ...int) []byte {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		res := c.Do("GET", "/api/v1/videos/"+videoID, nil).Expect(http.StatusOK)
		var v struct {
			State struct {
				ID int `json:"id"`
			} `json:"state"`
		}
		res.JSON(&v)
		for _, w := range want {
			if v.State.ID == w {
				return res.Body
			}
		}
		switch {
		case v.State.ID == stateTranscodingFailed:
			t.Fatalf("video %s failed to transcode, want state %v: %s", videoID, want, res.Body)
		case time.Now().After(deadline):
			t.Fatalf("video %s still in state %d after %v, want %v: %s", videoID, v.State.ID, timeout, want, res.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// WaitVideo is WaitState decoding the video's JSON into a T.
func WaitVideo[T any](t *testing.T, c *Client, videoID string, timeout time.Duration, want ...int) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(WaitState(t, c, videoID, timeout, want...), &v); err != nil {
		t.Fatalf("video %s: %v", videoID, err)
	}
	return v
}
