package swarm

import "testing"

// The expected ids were computed by p2p-media-loader-core 2.3.1's own
// generateStreamShortId.
func TestStreamID(t *testing.T) {
	for _, tc := range []struct {
		v    Variant
		want string
	}{
		{Variant{Bandwidth: 1234567, VideoCodec: "avc1.64001f", Width: 1280, Height: 720, FrameRate: "30.000"}, "ljfFva3bGwsZ+fXfhFPuw0rToDM="},
		{Variant{Bandwidth: 250000, VideoCodec: "avc1.4d400d", Width: 256, Height: 144, FrameRate: "29.970"}, "U2oN08bP145cilFQIC/eZAn+fEU="},
		{Variant{Bandwidth: 96000}, "JhsmmYjqz9y1ZWKx6dV/Ehz+Dc0="},
		{Variant{Bandwidth: 800000, VideoCodec: "avc1.66.30", Width: 640, Height: 360, FrameRate: "25", VideoRange: "sdr"}, "s3q3DRcKVNSI49vz7+APhgJ5NFQ="},
	} {
		if got := tc.v.StreamID(); got != tc.want {
			t.Errorf("%+v: stream id %s, want %s", tc.v, got, tc.want)
		}
	}
}

func TestStreams(t *testing.T) {
	master := []byte(`#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=1234567,AVERAGE-BANDWIDTH=1000000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=30.000
720p.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=96000,AVERAGE-BANDWIDTH=90000,CODECS="mp4a.40.2"
audio.m3u8
`)
	streams, err := Streams(master, "a-video")
	if err != nil {
		t.Fatal(err)
	}
	if len(streams) != 2 || streams[0].URI != "720p.m3u8" || streams[0].VideoCodec != "avc1.64001f" || streams[1].VideoCodec != "" {
		t.Fatalf("streams = %+v", streams)
	}
	if want := "v2-a-video-main-ljfFva3bGwsZ+fXfhFPuw0rToDM="; streams[0].SwarmID != want {
		t.Fatalf("swarm id %s, want %s", streams[0].SwarmID, want)
	}
	// base64 of the first 15 bytes of sha1("v2-a-video-main-ljfFva3bGwsZ+fXfhFPuw0rToDM=")
	if len(streams[0].InfoHash) != InfoHashLen || streams[0].InfoHash == streams[1].InfoHash {
		t.Fatalf("info hashes %q %q", streams[0].InfoHash, streams[1].InfoHash)
	}
	if streams[0].InfoHash != "8Difa4fM5NMK7IwyAai/" {
		t.Fatalf("info hash %s", streams[0].InfoHash)
	}
	if _, err := Streams([]byte("#EXTM3U\n#EXTINF:4,\na.m4s\n"), "x"); err != ErrNotMaster {
		t.Fatalf("media playlist: %v", err)
	}
}
