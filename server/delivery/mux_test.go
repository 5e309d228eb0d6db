package delivery

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/database"
)

// muxServer serves mux of inputs on /dl, and closes done when the
// handler has returned.
func muxServer(t *testing.T, inputs ...string) (url string, done <-chan struct{}) {
	t.Helper()
	finished := make(chan struct{})
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/dl", func(c *gin.Context) {
		defer close(finished)
		(&server{}).mux(c, &database.Video{UUID: "test"}, inputs, []string{"0:v:0", "0:a:0"}, "clip.mp4")
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL + "/dl", finished
}

// A client that goes away in the middle of a download stops ffmpeg,
// even while ffmpeg waits on an input, and the handler returns.
func TestMuxStopsWithClient(t *testing.T) {
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=20",
		"-f", "lavfi", "-i", "sine=duration=20", "-c:v", "libx264", "-preset", "ultrafast", "-g", "12", "-c:a", "aac",
		"-movflags", "frag_keyframe+empty_moov", clip).CombinedOutput(); err != nil {
		t.Fatalf("make clip: %v\n%s", err, out)
	}
	data, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	// The input sends half the clip, then stalls until ffmpeg hangs up.
	input := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		_, _ = w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer input.Close()
	url, done := muxServer(t, input.URL)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", res.StatusCode)
	}
	if _, err := io.ReadFull(res.Body, make([]byte, 4096)); err != nil {
		t.Fatalf("read the start of the download: %v", err)
	}
	cancel()
	res.Body.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler still runs after the client went away")
	}
	if left := ffmpegChildren(t); len(left) > 0 {
		t.Errorf("ffmpeg still running after the client went away: %v", left)
	}
}

// An input ffmpeg cannot read fails the download before it starts.
func TestMuxUnreadableInput(t *testing.T) {
	input := httptest.NewServer(http.NotFoundHandler())
	defer input.Close()
	url, done := muxServer(t, input.URL+"/gone.mp4")
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	<-done
	if res.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", res.StatusCode)
	}
}
