package e2e

import (
	"database/sql"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun/driver/sqliteshim"

	"cuttle.video/player/bundle"
	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
)

// unreachableUpload starts a server whose public URL, where workers fetch
// originals, nobody listens on, and uploads a public video there as a
// new user.
func unreachableUpload(t *testing.T) (*servertest.Server, *servertest.Client, servertest.UploadedVideo, string) {
	t.Helper()
	unreachable := "http://127.0.0.1:" + strconv.Itoa(freePort(t))
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding, func(c *config.Config) {
		c.PublicURL = unreachable
		c.Transcoding.MaxAttempts = 1
	})
	owner := s.NewUser(t, 2, -1)
	var up servertest.UploadedVideo
	owner.Upload(clip(t, 2), map[string][]string{
		"name": {"Unreachable"}, "channelId": {strconv.FormatInt(owner.Channel(), 10)}, "privacy": {"1"},
	}).Expect(http.StatusOK).JSON(&up)
	return s, owner, up, unreachable
}

// A worker that cannot reach the server's public URL (a hairpin-NAT or
// proxy setup, a remote runner's network failure) fails the job with a
// network error. Neither the presigned URL in it nor any detail reaches
// anonymous viewers of the public video; the owner and admins learn what
// went wrong, still without the URL.
func TestNetworkFailureLeaksNoURL(t *testing.T) {
	s, owner, up, unreachable := unreachableUpload(t)
	v := servertest.WaitVideo[videoState](t, owner, up.Video.UUID, 2*time.Minute, 1, 7)
	if v.State.ID != 7 {
		t.Fatalf("state %d, want 7 (transcoding failed)", v.State.ID)
	}
	secrets := []string{unreachable, strings.TrimPrefix(unreachable, "http://"), "sig=", "expires=", "X-Amz-", "/storage/", "?"}
	leaks := func(who, text string) {
		t.Helper()
		for _, bad := range secrets {
			if strings.Contains(text, bad) {
				t.Errorf("%s sees %q in %q", who, bad, text)
			}
		}
	}

	// The owner learns why, without the URL.
	if v.Transcoding == nil || v.Transcoding.State != "failed" {
		t.Fatalf("owner: transcoding = %+v", v.Transcoding)
	}
	for _, reason := range []string{v.StateReason, v.Transcoding.Error} {
		if !strings.Contains(reason, "download original") || !strings.Contains(reason, "connection refused") {
			t.Errorf("owner: reason %q does not say what failed", reason)
		}
		leaks("owner", reason)
	}
	var jobs struct {
		Data []struct {
			Error string `json:"error"`
		} `json:"data"`
	}
	s.Root(t).Do("GET", "/api/v1/jobs/failed", nil).Expect(http.StatusOK).JSON(&jobs)
	if len(jobs.Data) != 1 || !strings.Contains(jobs.Data[0].Error, "connection refused") {
		t.Fatalf("admin jobs list = %+v", jobs.Data)
	}
	leaks("admin", jobs.Data[0].Error)

	// Anonymous visitors and other users do not reach a video that never
	// published: it answers as a missing one, without the failure.
	missing := s.Anonymous(t).Do("GET", "/api/v1/videos/"+uuid.NewString(), nil).Expect(http.StatusNotFound).Body
	for who, c := range map[string]*servertest.Client{"anonymous": s.Anonymous(t), "another user": s.NewUser(t, 2, -1)} {
		if body := c.Do("GET", "/api/v1/videos/"+up.Video.UUID, nil).Expect(http.StatusNotFound).Body; string(body) != string(missing) {
			t.Errorf("%s: the failed video answers %s, a missing one %s", who, body, missing)
		}
		page := string(c.Do("GET", "/w/"+up.Video.ShortUUID, nil).Body)
		if strings.Contains(page, "connection refused") || strings.Contains(page, "download original") || strings.Contains(page, "sig=") {
			t.Errorf("%s: the watch page shows the failure's detail", who)
		}
	}
	// The owner's watch page, in their browser session, keeps the detail.
	page := owner.Raw("GET", "/w/"+up.Video.ShortUUID, nil, http.Header{"Cookie": {"cuttle_session=" + owner.Token}}).Body
	if bundle.Built() && !strings.Contains(string(page), "connection refused") {
		t.Error("the owner's watch page does not say why the video failed")
	}
}

// Errors stored by an earlier release, which held whole presigned URLs,
// are removed when the server upgrades its database.
func TestUpgradeRemovesStoredURLs(t *testing.T) {
	s, owner, up, _ := unreachableUpload(t)
	servertest.WaitVideo[videoState](t, owner, up.Video.UUID, 2*time.Minute, 7)
	// What an earlier release stored, and its database without the
	// migration that cleans it.
	leaked := `download original: Get "http://127.0.0.1:19399/storage/originals/x/original.mp4?expires=1796377149&sig=e9710e53": dial tcp 127.0.0.1:19399: connect: connection refused`
	db, err := sql.Open(sqliteshim.ShimName, "file:"+filepath.Join(s.Config.DataDir, "cuttle.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for stmt, args := range map[string][]any{
		"UPDATE jobs SET error = ?":                      {leaked},
		"UPDATE videos SET state_reason = ?":             {leaked},
		"DELETE FROM bun_migrations WHERE name = '0009'": nil,
	} {
		if _, err := db.Exec(stmt, args...); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	var before videoState
	owner.Do("GET", "/api/v1/videos/"+up.Video.UUID, nil).Expect(http.StatusOK).JSON(&before)
	if !strings.Contains(before.StateReason, "sig=") {
		t.Fatalf("the earlier release's error is not in place: %q", before.StateReason)
	}
	s.Restart(t)
	var after videoState
	owner.Do("GET", "/api/v1/videos/"+up.Video.UUID, nil).Expect(http.StatusOK).JSON(&after)
	for _, reason := range []string{after.StateReason, after.Transcoding.Error} {
		if reason == "" || strings.Contains(reason, "sig=") || strings.Contains(reason, "://") {
			t.Errorf("after the upgrade the owner reads %q", reason)
		}
	}
}
