// Package mediatest gives tests of code that handles a video's files a
// video to handle: a published video in a fresh SQLite database, with
// local media storage.
package mediatest

import (
	"context"
	"testing"

	"cuttle.video/server/database"
	"cuttle.video/storage"
	"cuttle.video/storage/local"
)

// Video is a published video of the given privacy, its database and its
// media storage, all removed when the test ends.
func Video(t testing.TB, privacy int) (*database.DB, storage.Store, *database.Video) {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := local.New(local.Config{Dir: t.TempDir(), BaseURL: "/storage", Secret: []byte("0123456789abcdef0123")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ch := &database.Channel{Name: "media_channel", DisplayName: "Media"}
	if err := db.CreateUser(ctx, &database.User{Username: "media", Email: "media@example.com", Role: database.RoleUser}, ch); err != nil {
		t.Fatal(err)
	}
	v := &database.Video{UUID: "0d8f5c1e-8d55-4f9e-9d6b-0f8b6a1f2c3d", ShortUUID: "short", ChannelID: ch.ID, Name: "Media",
		Privacy: privacy, State: database.StatePublished}
	if err := db.CreateVideo(ctx, v); err != nil {
		t.Fatal(err)
	}
	return db, st, v
}
