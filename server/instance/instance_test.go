package instance

import (
	"context"
	"testing"
	"time"

	"cuttle.video/server/database"
)

func TestSettings(t *testing.T) {
	ctx := context.Background()
	db, err := database.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	clock := func() time.Time { return now }
	s := New(db, Settings{Name: "Cuttle", SignupEnabled: true}, clock)
	other := New(db, Settings{Name: "Cuttle", SignupEnabled: true}, clock)

	st, err := s.Get(ctx)
	if err != nil || st.Name != "Cuttle" || !st.SignupEnabled {
		t.Fatalf("defaults = %+v, %v", st, err)
	}
	if _, err := other.Get(ctx); err != nil {
		t.Fatal(err)
	}
	name, off := "  Sea videos ", false
	if err := s.Set(ctx, Update{Name: &name, SignupEnabled: &off}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Get(ctx); st.Name != "Sea videos" || st.SignupEnabled {
		t.Fatalf("after the change = %+v", st)
	}
	// Another replica sees the change once its cache is stale.
	if st, _ := other.Get(ctx); st.Name != "Cuttle" {
		t.Fatalf("the other replica's cache = %+v", st)
	}
	now = now.Add(cacheTTL)
	if st, _ := other.Get(ctx); st.Name != "Sea videos" || st.SignupEnabled {
		t.Fatalf("the other replica after the cache = %+v", st)
	}
	// A second change replaces the stored values.
	on := true
	if err := s.Set(ctx, Update{SignupEnabled: &on}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Get(ctx); st.Name != "Sea videos" || !st.SignupEnabled {
		t.Fatalf("after the second change = %+v", st)
	}
	empty := ""
	if err := s.Set(ctx, Update{Name: &empty}); err == nil {
		t.Fatal("an empty name was accepted")
	}
}
