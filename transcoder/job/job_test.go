package job

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestJobRoundTrip(t *testing.T) {
	in := VODHLSPayload{InputURL: "https://media.example/o?sig=1", SegmentSeconds: 4,
		Renditions: []Rendition{{Name: "720p", Width: 1280, Height: 720, FPS: 30, VideoKbps: 2800, AudioKbps: 128, HasAudio: true}},
		Outputs:    map[string]string{"720p.m3u8": "https://media.example/p?sig=2"}}
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
	if out.InputURL != in.InputURL || out.Renditions[0] != in.Renditions[0] || out.Outputs["720p.m3u8"] != in.Outputs["720p.m3u8"] {
		t.Fatalf("payload changed on the wire: %+v", out)
	}
	if back.Version != Version || back.CreatedAt.IsZero() {
		t.Fatalf("job = %+v", back)
	}
}

func TestDecodeRefusesOtherVersionsAndTypes(t *testing.T) {
	j, _ := New("job-2", VODHLS, "v", VODHLSPayload{})
	future := j
	future.Version = Version + 1
	var p VODHLSPayload
	if err := future.Decode(VODHLS, &p); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("a newer version: %v, want ErrUnsupported", err)
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
