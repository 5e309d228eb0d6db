package e2e

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/jobs"
	"cuttle.video/server/servertest"
	"cuttle.video/server/videos"
	"cuttle.video/storage/local"
	"cuttle.video/transcoder/probe"
	"cuttle.video/transcoder/queue/memqueue"
)

// interruptFinish leaves the server's data as a finish that died right
// after storing the original would: the video row is recorded (attached
// to the resumable upload uploadID, when not "") and the file at path is
// moved into media storage, through the same code the server runs, and
// nothing more. With recorded, the finish died a step later, once the
// transaction recording the transcoding job had committed but before
// the job reached the queue. The server must be stopped. It returns the
// video's uuid.
func interruptFinish(t *testing.T, s *servertest.Server, channelID int64, path, uploadID string, recorded bool) string {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, s.Config.DatabaseURL, s.Config.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	media, err := local.New(local.Config{Dir: filepath.Join(s.Config.DataDir, "media"), BaseURL: s.URL + "/storage",
		Secret: []byte(strings.Repeat("s", 32))})
	if err != nil {
		t.Fatal(err)
	}
	defer media.Close()
	res, err := probe.File(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	vs := videos.New(db, media, slog.New(slog.DiscardHandler))
	name := "Interrupted"
	m := &videos.Metadata{Name: &name, ChannelID: &channelID, Filename: "clip.mp4"}
	v, err := vs.Create(ctx, m, videos.Original{Size: fi.Size(), Probe: res}, func(tx *database.DB, v *database.Video) error {
		if uploadID == "" {
			return nil
		}
		return tx.AttachUploadVideo(ctx, uploadID, v.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := vs.StoreOriginal(ctx, v, path); err != nil {
		t.Fatal(err)
	}
	if recorded {
		// The job is recorded as the finish records it, on a queue that
		// is dropped unread, as a killed process's would be.
		q := memqueue.New(memqueue.Config{})
		defer q.Close()
		js := jobs.New(jobs.Config{SegmentSeconds: s.Config.Transcoding.SegmentSeconds}, db, q, media, slog.New(slog.DiscardHandler))
		defer js.Close()
		err := db.Tx(ctx, func(tx *database.DB) error {
			j, err := js.TranscodeJob(ctx, tx, v)
			if err == nil && j == nil {
				err = errors.New("no job recorded")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return v.UUID
}

// A video whose original was stored when the server died is transcoded
// and published, by one job, once the server is back: whether the server
// died before recording its transcoding job (the start-up reconciliation
// gives it one), or after, before the job reached the queue (the
// reconciliation queues the recorded one).
func TestInterruptedFinishIsPublishedAfterRestart(t *testing.T) {
	for name, recorded := range map[string]bool{"job not recorded": false, "job recorded, not queued": true} {
		t.Run(name, func(t *testing.T) {
			servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
				s := servertest.Start(t, b, servertest.FastTranscoding)
				user := s.NewUser(t, 2, -1)
				channel := user.Channel()
				clip := servertest.Clip(t)
				var id string
				s.RestartAfter(t, func() { id = interruptFinish(t, s, channel, clip, "", recorded) })
				user = s.Client(t, user.Username, user.Password)
				v := servertest.WaitVideo[videoState](t, user, id, 2*time.Minute, 1, 7)
				if v.State.ID != 1 {
					t.Fatalf("transcoding failed: %s", v.StateReason)
				}
				s.Anonymous(t).Do("GET", "/api/v1/videos/"+id, nil).Expect(http.StatusOK)
				if n := transcodes(t, s, id); n != 1 {
					t.Fatalf("the video was transcoded by %d jobs, want one", n)
				}
			})
		})
	}
}

// transcodes counts the completed transcoding jobs of a video.
func transcodes(t *testing.T, s *servertest.Server, videoUUID string) int {
	t.Helper()
	var js struct {
		Data []struct {
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		} `json:"data"`
	}
	s.Root(t).Do("GET", "/api/v1/jobs/completed?count=100", nil).Expect(http.StatusOK).JSON(&js)
	n := 0
	for _, j := range js.Data {
		if j.Type == "vod-hls" && j.Data["videoUUID"] == videoUUID {
			n++
		}
	}
	return n
}

// A resumable upload whose finish died after its original was stored,
// and whose client never came back, ends as a published video when it
// expires: nothing stays waiting for a transcoding that never comes.
func TestInterruptedUploadIsPublishedWhenItExpires(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b, servertest.FastTranscoding)
		user := s.NewUser(t, 2, -1)
		channel := user.Channel()
		data, err := os.ReadFile(servertest.Clip(t))
		if err != nil {
			t.Fatal(err)
		}
		total := int64(len(data))
		loc := user.InitUpload(total, map[string]any{"name": "Interrupted", "channelId": channel, "filename": "clip.mp4"}).
			Expect(http.StatusCreated).Header.Get("Location")
		user.PutChunk(loc, 0, data[:total-1], total).Expect(http.StatusPermanentRedirect)
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		uploadID := u.Query().Get("upload_id")
		var id string
		s.RestartAfter(t, func() {
			// The last byte arrived and the finish stopped after storing
			// the original; a day later the upload has expired.
			part := filepath.Join(s.Config.DataDir, "uploads", "part-"+uploadID)
			f, err := os.OpenFile(part, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write(data[total-1:]); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			id = interruptFinish(t, s, channel, part, uploadID, false)
			s.Clock.Advance(25 * time.Hour)
		})
		user = s.Client(t, user.Username, user.Password)
		v := servertest.WaitVideo[videoState](t, user, id, 2*time.Minute, 1, 7)
		if v.State.ID != 1 {
			t.Fatalf("transcoding failed: %s", v.StateReason)
		}
		user.UploadStatus(s.URL+u.RequestURI(), total).Problem(http.StatusNotFound)
		if files := s.UploadFiles(t); len(files) != 0 {
			t.Fatalf("the expired upload left %v", files)
		}
	})
}
