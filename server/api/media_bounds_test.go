package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"cuttle.video/server/servertest"
)

// stretched makes a tiny video whose second frame is stamped at
// lastFrame seconds, so its container claims that long a duration while
// holding two frames.
func stretched(t *testing.T, lastFrame int) string {
	t.Helper()
	return servertest.Generate(t, "stretched.mkv",
		"-f", "lavfi", "-i", "testsrc=size=64x64:rate=1:duration=2",
		"-vf", "setpts='if(eq(N,1),"+strconv.Itoa(lastFrame)+"/TB,PTS)'", "-fps_mode", "passthrough",
		"-c:v", "libx264")
}

func TestUploadRefusesOverlongMedia(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		user := s.NewUser(t, 2, -1)
		ch := strconv.FormatInt(user.Channel(), 10)

		// Longer than the 12 h default, resumable and legacy.
		days := stretched(t, 400000)
		p := user.Upload(days, map[string][]string{"name": {"Days"}, "channelId": {ch}}).Problem(http.StatusUnprocessableEntity)
		if !strings.Contains(p.Detail, "at most 12h0m0s") {
			t.Fatalf("detail %q does not name the maximum duration", p.Detail)
		}
		data := readFile(t, days)
		loc := user.InitUpload(int64(len(data)), map[string]any{"name": "Days", "channelId": user.Channel(), "filename": "days.mkv"}).
			Expect(http.StatusCreated).Header.Get("Location")
		p = user.PutChunk(loc, 0, data, int64(len(data))).Problem(http.StatusUnprocessableEntity)
		if !strings.Contains(p.Detail, "at most 12h0m0s") {
			t.Fatalf("resumable: detail %q does not name the maximum duration", p.Detail)
		}

		// Within the maximum, but two frames cannot fill eleven hours.
		p = user.Upload(stretched(t, 11*3600), map[string][]string{"name": {"Hollow"}, "channelId": {ch}}).
			Problem(http.StatusUnprocessableEntity)
		if !strings.Contains(p.Detail, "holds only 2 packets") {
			t.Fatalf("detail %q does not say the file is hollow", p.Detail)
		}

		nothingStored(t, s, user)
	})
}
