package videos_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
	"cuttle.video/server/servertest"
	"cuttle.video/server/videos"
	"cuttle.video/storage"
)

// files is a transcoded video's media directory, as a player fetches it.
var files = map[string]string{"master.m3u8": "#EXTM3U\n", "0.m3u8": "#EXTM3U\n#EXTINF:4,\n0-0.ts\n", "0-0.ts": "segment bytes"}

// read returns what st holds under prefix, by file name.
func read(t *testing.T, st storage.Store, prefix string) map[string]string {
	t.Helper()
	ctx := context.Background()
	objs, err := st.List(ctx, prefix)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range objs {
		r, _, err := st.Get(ctx, o.Key, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		got[o.Key[strings.LastIndex(o.Key, "/")+1:]] = string(b)
	}
	return got
}

func same(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A video made private leaves the public prefix, which is served to
// anyone who knows the URL, for a private one, and comes back when made
// public again; its files stay whole, and its owner still sees it.
func TestPrivacyChangeMovesFiles(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		db := servertest.OpenDatabase(t, b)
		st := servertest.LocalMedia(t)
		vs := videos.New(db, st, servertest.Quiet(), videos.WithFileSecret([]byte("file-secret-for-tests")))
		owner, ch := servertest.CreateUser(t, db, database.RoleUser, -1)
		id := uuid.New()
		v := &database.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: ch.ID, Name: "Moving",
			Privacy: database.PrivacyPublic, State: database.StatePublished}
		if err := db.CreateVideo(ctx, v); err != nil {
			t.Fatal(err)
		}
		public, private := "videos/"+v.UUID+"/", "private/videos/"+v.UUID+"/"
		for name, body := range files {
			if err := st.Put(ctx, public+"hls/"+name, bytes.NewReader([]byte(body)), int64(len(body)), ""); err != nil {
				t.Fatal(err)
			}
		}

		setPrivacy := func(p int) {
			t.Helper()
			if _, err := vs.Update(ctx, owner, v.UUID, &videos.Metadata{Privacy: &p}); err != nil {
				t.Fatalf("privacy %d: %v", p, err)
			}
		}
		setPrivacy(database.PrivacyPrivate)
		if left := read(t, st, public); len(left) > 0 {
			t.Fatalf("a private video's files are still public: %v", left)
		}
		if got := read(t, st, private); !same(got, files) {
			t.Fatalf("files under %s: %v, want %v", private, got, files)
		}
		var p *problem.Problem
		if _, err := vs.Get(ctx, nil, v.UUID); !errors.As(err, &p) || p.Status != http.StatusNotFound {
			t.Fatalf("an anonymous viewer of a private video: %v, want 404", err)
		}
		if _, err := vs.Get(ctx, owner, v.UUID); err != nil {
			t.Fatalf("the owner of a private video: %v", err)
		}

		setPrivacy(database.PrivacyPublic)
		if left := read(t, st, private); len(left) > 0 {
			t.Fatalf("a public video's files are still private: %v", left)
		}
		if got := read(t, st, public); !same(got, files) {
			t.Fatalf("files under %s: %v, want %v", public, got, files)
		}
		if _, err := vs.Get(ctx, nil, v.UUID); err != nil {
			t.Fatalf("an anonymous viewer of a public video: %v", err)
		}
	})
}
