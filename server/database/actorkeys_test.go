package database

import (
	"context"
	"sync"
	"testing"
)

// Replicas making an actor's first key at the same time all end with
// the one stored first.
func TestAddActorKeyKeepsTheFirst(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ActorKey(ctx, "Person", 7); !isNotFound(err) {
		t.Fatalf("key of an actor without one: %v, want ErrNotFound", err)
	}
	const racers = 8
	got := make([]string, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := db.AddActorKey(ctx, &ActorKey{ActorKind: "Person", ActorID: 7, PrivatePEM: "private", PublicPEM: string(rune('a' + i))})
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = k.PublicPEM
		}()
	}
	wg.Wait()
	for i := range got {
		if got[i] != got[0] {
			t.Fatalf("racers saw different keys: %q", got)
		}
	}
	other, err := db.AddActorKey(ctx, &ActorKey{ActorKind: "Group", ActorID: 7, PrivatePEM: "private", PublicPEM: "group"})
	if err != nil || other.PublicPEM != "group" {
		t.Fatalf("a channel with the id of an account: %+v, %v; want its own key", other, err)
	}
}
