package database_test

import (
	"context"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/servertest"
)

func TestNextDeliveryAt(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		db := servertest.OpenDatabase(t, b)
		ctx := context.Background()
		if _, ok, err := db.NextDeliveryAt(ctx, nil); err != nil || ok {
			t.Fatalf("empty queue: ok %v, err %v", ok, err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		err := db.AddDeliveries(ctx, []database.Delivery{
			{ActivityID: "a", Inbox: "https://one.example/inbox", Host: "one.example", KeyID: "k", Body: "{}", NextAt: now.Add(time.Hour), CreatedAt: now},
			{ActivityID: "a", Inbox: "https://two.example/inbox", Host: "two.example", KeyID: "k", Body: "{}", NextAt: now.Add(time.Minute), CreatedAt: now},
		})
		if err != nil {
			t.Fatal(err)
		}
		check := func(want time.Time) {
			t.Helper()
			at, ok, err := db.NextDeliveryAt(ctx, nil)
			if err != nil || !ok || !at.Equal(want) {
				t.Fatalf("NextDeliveryAt = %v, %v, %v; want %v", at, ok, err, want)
			}
		}
		check(now.Add(time.Minute))
		// A paused host's rows wait for the pause.
		if _, err := db.DeliveryHostFailed(ctx, "two.example", "down"); err != nil {
			t.Fatal(err)
		}
		if err := db.PauseDeliveryHost(ctx, "two.example", now.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		check(now.Add(2 * time.Minute))
		if err := db.PauseDeliveryHost(ctx, "two.example", now.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		check(now.Add(time.Hour))
		if err := db.DeliveryHostOK(ctx, "two.example", now); err != nil {
			t.Fatal(err)
		}
		check(now.Add(time.Minute))
	})
}
