package job

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"cuttle.video/storage"
)

func TestJobRoundTrip(t *testing.T) {
	in := VODHLSPayload{InputURL: "https://media.example/o?sig=1", SegmentSeconds: 4,
		Renditions: []Rendition{{Name: "720p", Width: 1280, Height: 720, FPS: 30, VideoKbps: 2800, AudioKbps: 128, HasAudio: true}},
		Upload: storage.Grant{Prefix: "staging/v/j/", MaxBytes: 1 << 20,
			Put: &storage.PutGrant{URL: "https://media.example/staging/v/j/", Query: "grant=2"}}}
	j, err := New("job-1", VODHLS, "video-uuid", in)
	if err != nil {
		t.Fatal(err)
	}
	wire, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	var back Job
	if err := json.Unmarshal(wire, &back); err != nil {
		t.Fatal(err)
	}
	var out VODHLSPayload
	if err := back.Decode(VODHLS, &out); err != nil {
		t.Fatal(err)
	}
	if out.InputURL != in.InputURL || out.Renditions[0] != in.Renditions[0] || out.Upload.Put == nil || *out.Upload.Put != *in.Upload.Put || out.Upload.Prefix != in.Upload.Prefix {
		t.Fatalf("payload changed on the wire: %+v", out)
	}
	if back.Version != Version || back.CreatedAt.IsZero() {
		t.Fatalf("job = %+v", back)
	}
}

func TestDecodeRefusesOtherVersionsAndTypes(t *testing.T) {
	j, _ := New("job-2", VODHLS, "v", VODHLSPayload{})
	var p VODHLSPayload
	// Version 1 payloads carried one upload URL per file, which this
	// worker no longer reads: it must say so rather than upload nothing.
	for _, v := range []int{1, Version + 1} {
		other := j
		other.Version = v
		err := other.Decode(VODHLS, &p)
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), fmt.Sprintf("version %d", v)) {
			t.Fatalf("version %d: %v, want ErrUnsupported naming the version", v, err)
		}
	}
	if err := j.Decode(Type("live-hls"), &p); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("another type: %v, want ErrUnsupported", err)
	}
	broken := j
	broken.Payload = json.RawMessage(`{"segmentSeconds":"four"}`)
	if err := broken.Decode(VODHLS, &p); err == nil || errors.Is(err, ErrUnsupported) {
		t.Fatalf("a malformed payload: %v", err)
	}
}

func TestNewEvent(t *testing.T) {
	j, _ := New("job-3", VODHLS, "v", VODHLSPayload{})
	e := j.NewEvent(EventProgress, 2, "runner-a")
	if e.JobID != "job-3" || e.JobType != VODHLS || e.Attempt != 2 || e.Worker != "runner-a" || e.At.IsZero() {
		t.Fatalf("event = %+v", e)
	}
}
