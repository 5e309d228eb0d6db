package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/accounts"
	"cuttle.video/server/auth"
	"cuttle.video/server/database"
	"cuttle.video/server/instance"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/server/servertest"
)

// fakePictures names pictures in turn and remembers which it removed.
type fakePictures struct {
	made    int
	removed []string
}

func (f *fakePictures) MakePicture(_ context.Context, p media.Picture, _ io.Reader) (string, error) {
	f.made++
	return fmt.Sprintf("%s-%d", p.Kind, f.made), nil
}

func (f *fakePictures) RemovePicture(_ context.Context, _ media.Picture, name string) {
	f.removed = append(f.removed, name)
}

// TestPictureReplacedMeanwhile replaces an avatar from a stale view of
// the account, as the second of two requests at once does: it is
// refused, and only its own new files go.
func TestPictureReplacedMeanwhile(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		db := servertest.OpenDatabase(t, b)
		settings := instance.New(db, instance.Settings{Name: "Cuttle"}, nil)
		s := accounts.New(accounts.Config{DefaultQuota: defaultQuota}, db, noMedia{}, settings,
			auth.NewGuesses(wrongPerClient, 10, time.Hour, nil), nil, servertest.Quiet())
		pics := &fakePictures{}
		s.UsePictures(pics)
		u, ch := servertest.CreateUser(t, db, database.RoleUser, -1)

		a, err := s.SetAvatar(ctx, u, strings.NewReader("first"))
		if err != nil || a.Avatar.Name != "avatar-1" || a.Avatar.At.IsZero() {
			t.Fatalf("first avatar: %+v, %v", a, err)
		}
		_, err = s.SetAvatar(ctx, u, strings.NewReader("second"))
		var p *problem.Problem
		if !errors.As(err, &p) || p.Status != http.StatusConflict {
			t.Fatalf("avatar from a stale account: %v, want a conflict", err)
		}
		if !slices.Equal(pics.removed, []string{"avatar-2"}) {
			t.Fatalf("removed %v, want only the refused avatar-2", pics.removed)
		}
		stored, err := db.AccountByName(ctx, u.Username)
		if err != nil || stored.Avatar.Name != "avatar-1" {
			t.Fatalf("stored avatar: %+v, %v", stored, err)
		}

		// A channel's banner, replaced then removed, removes each old one.
		if _, err := s.SetChannelPicture(ctx, u, ch.Name, media.Banner, strings.NewReader("b")); err != nil {
			t.Fatal(err)
		}
		c, err := s.SetChannelPicture(ctx, u, ch.Name, media.Banner, strings.NewReader("c"))
		if err != nil || c.Banner.Name != "banner-4" || c.Avatar.Name != "" {
			t.Fatalf("replaced banner: %+v, %v", c, err)
		}
		if _, err := s.SetChannelPicture(ctx, u, ch.Name, media.Banner, nil); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(pics.removed, []string{"avatar-2", "banner-3", "banner-4"}) {
			t.Fatalf("removed %v", pics.removed)
		}
	})
}
