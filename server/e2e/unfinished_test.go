package e2e

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/servertest"
	"cuttle.video/server/videos"
	"cuttle.video/storage/local"
	"cuttle.video/transcoder/probe"
)

// interruptFinish leaves the server's data as a finish that died right
// after storing the original would: the video row is recorded (attached
// to the resumable upload uploadID, when not "") and the file at path is
// moved into media storage, through the same code the server runs, and
// nothing more. The server must be stopped. It returns the video's uuid.
func interruptFinish(t *testing.T, s *servertest.Server, channelID int64, path, uploadID string) string {
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
	return v.UUID
}

// A video whose original was stored when the server died, before its
// transcoding job was recorded, is transcoded and published once the
// server is back.
func TestVideoLeftWithoutJobIsPublishedAfterRestart(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b, servertest.FastTranscoding)
		user := s.NewUser(t, 2, -1)
		channel := user.Channel()
		clip := servertest.Clip(t)
		var id string
		s.RestartAfter(t, func() { id = interruptFinish(t, s, channel, clip, "") })
		user = s.Client(t, user.Username, user.Password)
		v := servertest.WaitVideo[videoState](t, user, id, 2*time.Minute, 1, 7)
		if v.State.ID != 1 {
			t.Fatalf("transcoding failed: %s", v.StateReason)
		}
		s.Anonymous(t).Do("GET", "/api/v1/videos/"+id, nil).Expect(http.StatusOK)
	})
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
			id = interruptFinish(t, s, channel, part, uploadID)
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
