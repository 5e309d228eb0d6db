package pipeline

import (
	"reflect"
	"testing"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/probe"
)

func video(w, h int, fps float64, audio bool) *probe.Result {
	p := &probe.Result{Duration: 10, Video: &probe.Video{Codec: "h264", Width: w, Height: h, FPS: fps}}
	if audio {
		p.Audio = &probe.Audio{Codec: "aac", Channels: 2, SampleRate: 48000}
	}
	return p
}

// rd is an expected rendition in one line: name, size, fps, video and
// audio bitrates; no audio bitrate means no audio.
func rd(name string, w, h int, fps float64, vk, ak int) job.Rendition {
	return job.Rendition{Name: name, Width: w, Height: h, FPS: fps, VideoKbps: vk, AudioKbps: ak, HasAudio: ak > 0}
}

func TestLadder(t *testing.T) {
	tests := []struct {
		name  string
		probe *probe.Result
		want  []job.Rendition
	}{
		{"1080p", video(1920, 1080, 30, true), []job.Rendition{
			rd("1080p", 1920, 1080, 30, 5000, 128),
			rd("720p", 1280, 720, 30, 2800, 128),
			rd("480p", 854, 480, 30, 1400, 128),
			rd("360p", 640, 360, 30, 800, 128),
			rd("240p", 426, 240, 30, 450, 96),
			rd("144p", 256, 144, 30, 200, 96),
		}},
		{"720p NTSC rate", video(1280, 720, 30000.0/1001, true), []job.Rendition{
			rd("720p", 1280, 720, 29.97, 2800, 128),
			rd("480p", 854, 480, 29.97, 1400, 128),
			rd("360p", 640, 360, 29.97, 800, 128),
			rd("240p", 426, 240, 29.97, 450, 96),
			rd("144p", 256, 144, 29.97, 200, 96),
		}},
		{"700 px high", video(1244, 700, 25, true), []job.Rendition{
			rd("480p", 854, 480, 25, 1400, 128),
			rd("360p", 640, 360, 25, 800, 128),
			rd("240p", 426, 240, 25, 450, 96),
			rd("144p", 256, 144, 25, 200, 96),
		}},
		{"4K is capped at 1080p", video(3840, 2160, 24, true), []job.Rendition{
			rd("1080p", 1920, 1080, 24, 5000, 128),
			rd("720p", 1280, 720, 24, 2800, 128),
			rd("480p", 854, 480, 24, 1400, 128),
			rd("360p", 640, 360, 24, 800, 128),
			rd("240p", 426, 240, 24, 450, 96),
			rd("144p", 256, 144, 24, 200, 96),
		}},
		{"portrait phone video", video(1080, 1920, 30, true), []job.Rendition{
			rd("1080p", 1080, 1920, 30, 5000, 128),
			rd("720p", 720, 1280, 30, 2800, 128),
			rd("480p", 480, 854, 30, 1400, 128),
			rd("360p", 360, 640, 30, 800, 128),
			rd("240p", 240, 426, 30, 450, 96),
			rd("144p", 144, 256, 30, 200, 96),
		}},
		{"tiny", video(160, 100, 15, true), []job.Rendition{
			rd("100p", 160, 100, 15, 200, 96),
		}},
		{"tiny and odd", video(99, 75, 15, false), []job.Rendition{
			rd("74p", 98, 74, 15, 200, 0),
		}},
		{"120 fps is halved", video(1280, 720, 120, true), []job.Rendition{
			rd("720p", 1280, 720, 60, 4200, 128),
			rd("480p", 854, 480, 60, 2100, 128),
			rd("360p", 640, 360, 60, 1200, 128),
			rd("240p", 426, 240, 60, 675, 96),
			rd("144p", 256, 144, 60, 300, 96),
		}},
		{"100 fps becomes 50", video(256, 144, 100, false), []job.Rendition{
			rd("144p", 256, 144, 50, 300, 0),
		}},
		{"unknown fps", video(640, 360, 0, true), []job.Rendition{
			rd("360p", 640, 360, 30, 800, 128),
			rd("240p", 426, 240, 30, 450, 96),
			rd("144p", 256, 144, 30, 200, 96),
		}},
		{"silent video", video(640, 480, 30, false), []job.Rendition{
			rd("480p", 640, 480, 30, 1400, 0),
			rd("360p", 480, 360, 30, 800, 0),
			rd("240p", 320, 240, 30, 450, 0),
			rd("144p", 192, 144, 30, 200, 0),
		}},
		{"audio only", &probe.Result{Duration: 10, Audio: &probe.Audio{Codec: "mp3", Channels: 2, SampleRate: 44100}}, []job.Rendition{
			{Name: "audio", AudioKbps: 128, HasAudio: true},
		}},
		{"nothing", &probe.Result{Duration: 10}, nil},
		{"no probe", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Ladder(tt.probe)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Ladder() =\n%+v\nwant\n%+v", got, tt.want)
			}
			if len(got) > 0 {
				if err := check("in", "out", got); err != nil {
					t.Errorf("Run would refuse the ladder: %v", err)
				}
			}
		})
	}
}
