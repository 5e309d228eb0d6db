package media

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/media/mediatest"
	"cuttle.video/server/problem"
)

// A request waits for another holder of the files lock that lets go
// soon, instead of answering 409 at once.
func TestWithFilesWaits(t *testing.T) {
	ctx := context.Background()
	db, st, v := mediatest.Video(t, database.PrivacyPublic)
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- WithFilesLocked(ctx, db, st, v.ID, func(*database.Video) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	time.AfterFunc(200*time.Millisecond, func() { close(release) })
	ran := false
	if err := WithFiles(ctx, db, st, v.ID, func(*database.Video) error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("WithFiles = %v, ran %v; want it to wait for the lock", err, ran)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Past its patience a request answers 409 with Retry-After.
func TestWithFilesBusy(t *testing.T) {
	ctx := context.Background()
	db, st, v := mediatest.Video(t, database.PrivacyPublic)
	err := WithFilesLocked(ctx, db, st, v.ID, func(*database.Video) error {
		return withFiles(ctx, db, st, v.ID, 100*time.Millisecond, func(*database.Video) error {
			t.Error("fn ran while another holder had the lock")
			return nil
		})
	})
	var p *problem.Problem
	if !errors.As(err, &p) || p.Status != http.StatusConflict || p.Header.Get("Retry-After") != "5" {
		t.Fatalf("busy files: %v, want a 409 with Retry-After: 5", err)
	}
}

// What fn returns becomes the request's answer.
func TestWithFilesAnswers(t *testing.T) {
	ctx := context.Background()
	db, st, v := mediatest.Video(t, database.PrivacyPublic)
	for _, c := range []struct {
		name   string
		err    error
		status int
	}{
		{"a problem as is", problem.NotFound("caption"), http.StatusNotFound},
		{"a vanished video", database.ErrNotFound, http.StatusNotFound},
		{"anything else", errors.New("disk on fire"), http.StatusInternalServerError},
	} {
		err := WithFiles(ctx, db, st, v.ID, func(*database.Video) error { return c.err })
		var p *problem.Problem
		if !errors.As(err, &p) || p.Status != c.status {
			t.Errorf("%s: %v, want status %d", c.name, err, c.status)
		}
	}
	if err := WithFiles(ctx, db, st, v.ID, func(*database.Video) error { return nil }); err != nil {
		t.Errorf("success: %v", err)
	}
}
