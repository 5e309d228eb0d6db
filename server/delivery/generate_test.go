package delivery_test

import (
	"encoding/json"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"cuttle.video/server/delivery"
)

// generatedFile is what the API says of a rendition, as PeerTube clients
// read it before they ask for a download.
type generatedFile struct {
	ID         int64 `json:"id"`
	Resolution struct {
		ID int `json:"id"`
	} `json:"resolution"`
	HasVideo bool `json:"hasVideo"`
	HasAudio bool `json:"hasAudio"`
}

// TestGenerateDownload muxes a published video's rendition into one MP4
// by PeerTube's route, by every kind of video id, and turns away what
// the route must not answer.
func TestGenerateDownload(t *testing.T) {
	s, owner, v := publishLocal(t)
	var api struct {
		Duration           float64 `json:"duration"`
		StreamingPlaylists []struct {
			Files []generatedFile `json:"files"`
		} `json:"streamingPlaylists"`
	}
	anon := s.Anonymous(t)
	anon.Do("GET", "/api/v1/videos/"+v.UUID, nil).Expect(http.StatusOK).JSON(&api)
	var videos []generatedFile
	for _, f := range api.StreamingPlaylists[0].Files {
		if f.HasVideo {
			videos = append(videos, f)
		}
	}
	if len(videos) == 0 {
		t.Fatalf("no rendition with video: %+v", api.StreamingPlaylists[0].Files)
	}
	top := videos[0]
	route := func(ref string, ids ...int64) string {
		q := make([]string, len(ids))
		for i, id := range ids {
			q[i] = "videoFileIds=" + strconv.FormatInt(id, 10)
		}
		return "/download/videos/generate/" + ref + "?" + strings.Join(q, "&")
	}

	for _, ref := range []string{strconv.FormatInt(v.ID, 10), v.UUID, v.ShortUUID} {
		res := anon.Raw("GET", route(ref, top.ID), nil, nil).Expect(http.StatusOK)
		if ct := res.Header.Get("Content-Type"); ct != "video/mp4" {
			t.Errorf("%s: Content-Type %q, want video/mp4", ref, ct)
		}
		want := "attachment; filename=\"Hardened " + strconv.Itoa(top.Resolution.ID) + "p.mp4\""
		if cd := res.Header.Get("Content-Disposition"); cd != want {
			t.Errorf("%s: Content-Disposition %q, want %q", ref, cd, want)
		}
		got := probeMP4(t, res.Body)
		if got.streams["video"] != 1 || got.streams["audio"] != 1 || got.height != top.Resolution.ID {
			t.Errorf("%s: streams %v, height %d; want one video of %dp and one audio", ref, got.streams, got.height, top.Resolution.ID)
		}
		if math.Abs(got.duration-api.Duration) > 0.5 {
			t.Errorf("%s: duration %.2fs, want about %.0fs", ref, got.duration, api.Duration)
		}
	}

	// Asking twice for one file asks for its streams once.
	anon.Raw("GET", route(v.UUID, top.ID, top.ID), nil, nil).Expect(http.StatusOK)
	if len(videos) < 2 {
		t.Fatalf("want two renditions with video to ask for both: %+v", videos)
	}
	anon.Raw("GET", route(v.UUID, videos[0].ID, videos[1].ID), nil, nil).Problem(http.StatusBadRequest)
	anon.Raw("GET", "/download/videos/generate/"+v.UUID, nil, nil).Problem(http.StatusBadRequest)
	anon.Raw("GET", "/download/videos/generate/"+v.UUID+"?videoFileIds=one", nil, nil).Problem(http.StatusBadRequest)
	if p := anon.Raw("GET", route(v.UUID, top.ID+1<<20), nil, nil).Problem(http.StatusNotFound); !strings.Contains(p.Detail, "video file") {
		t.Errorf("unknown file id: %q, want it to name the video file", p.Detail)
	}
	anon.Raw("GET", route("4b1d5e0c-6a7f-4e9b-8c2d-1f3a5b7c9d0e", top.ID), nil, nil).Problem(http.StatusNotFound)

	owner.Do("PUT", "/api/v1/videos/"+v.UUID, map[string]any{"downloadEnabled": false}).Expect(http.StatusNoContent)
	anon.Raw("GET", route(v.UUID, top.ID), nil, nil).Problem(http.StatusForbidden)
	owner.Raw("GET", route(v.UUID, top.ID), nil, nil).Expect(http.StatusOK)
	owner.Do("PUT", "/api/v1/videos/"+v.UUID, map[string]any{"downloadEnabled": true, "privacy": 3}).Expect(http.StatusNoContent)
	// A private video answers as its other files do: 403 by uuid, and
	// by numeric id as if it did not exist, unless a file token opens it.
	anon.Raw("GET", route(v.UUID, top.ID), nil, nil).Problem(http.StatusForbidden)
	anon.Raw("GET", route(strconv.FormatInt(v.ID, 10), top.ID), nil, nil).Problem(http.StatusNotFound)
	token := "&videoFileToken=" + owner.FileToken(v.UUID, "")
	anon.Raw("GET", route(v.UUID, top.ID)+token, nil, nil).Expect(http.StatusOK)
	anon.Raw("GET", route(strconv.FormatInt(v.ID, 10), top.ID)+token, nil, nil).Expect(http.StatusOK)
	owner.Raw("GET", route(v.UUID, top.ID), nil, nil).Expect(http.StatusOK)

	if left := delivery.FFmpegChildren(t); len(left) > 0 {
		t.Errorf("ffmpeg still running after the downloads: %v", left)
	}
}

type probed struct {
	streams  map[string]int
	height   int
	duration float64
}

// probeMP4 reads an MP4 with ffprobe.
func probeMP4(t *testing.T, body []byte) probed {
	t.Helper()
	file := filepath.Join(t.TempDir(), "download.mp4")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-of", "json", "-show_streams", "-show_format", file).Output()
	if err != nil {
		t.Fatalf("ffprobe of the download (%d bytes): %v", len(body), err)
	}
	var p struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
			Height    int    `json:"height"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	got := probed{streams: map[string]int{}}
	for _, st := range p.Streams {
		got.streams[st.CodecType]++
		if st.CodecType == "video" {
			got.height = st.Height
		}
	}
	got.duration, _ = strconv.ParseFloat(p.Format.Duration, 64)
	return got
}
