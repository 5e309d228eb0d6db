package database_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
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

func TestClaimDeliveries(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		db := servertest.OpenDatabase(t, b)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		var ds []database.Delivery
		for _, host := range []string{"a.example", "b.example", "c.example"} {
			for _, path := range []string{"/1", "/2", "/3"} {
				ds = append(ds, database.Delivery{ActivityID: "x", Inbox: "https://" + host + path, Host: host,
					KeyID: "k", Body: "{}", NextAt: now, CreatedAt: now})
			}
		}
		ds = append(ds, ds[0]) // queued twice: kept once
		if err := db.AddDeliveries(ctx, ds); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DeliveryHostFailed(ctx, "c.example", "down"); err != nil {
			t.Fatal(err)
		}
		if err := db.PauseDeliveryHost(ctx, "c.example", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// Two per host, b skipped, c paused: a's first two.
		lease1 := now.Add(time.Minute)
		got, err := db.ClaimDeliveries(ctx, now, lease1, 10, 2, []string{"b.example"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Host != "a.example" || got[1].Host != "a.example" {
			t.Fatalf("first claim = %+v, want two rows of a.example", got)
		}
		// A second claimer gets none of the leased rows.
		lease2 := now.Add(2 * time.Minute)
		got2, err := db.ClaimDeliveries(ctx, now, lease2, 10, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got2) != 4 {
			t.Fatalf("second claim = %d rows, want a's last and b's three", len(got2))
		}
		for _, d := range got2 {
			if d.Host == "c.example" || d.ID == got[0].ID || d.ID == got[1].ID {
				t.Errorf("second claim took %s (id %d)", d.Inbox, d.ID)
			}
		}
		// Only the lease's holder records a retry.
		if err := db.RetryDelivery(ctx, got[0].ID, lease2, now, 1, "e"); !errors.Is(err, database.ErrNotFound) {
			t.Errorf("retry with another lease = %v, want ErrNotFound", err)
		}
		if err := db.RetryDelivery(ctx, got[0].ID, lease1, now, 1, "e"); err != nil {
			t.Errorf("retry with the lease = %v", err)
		}
		s, err := db.DeliveryStats(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if want := (database.DeliveryStats{Queued: 9, Due: 1, PausedHosts: 1}); s != want {
			t.Errorf("stats = %+v, want %+v", s, want)
		}
	})
}

// An inbox gets its deliveries in the order they were queued: a later
// one waits while an earlier one is queued, leased or waiting to be
// tried again, so a Delete queued after a Create is never applied first.
func TestClaimDeliveriesInOrder(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		db := servertest.OpenDatabase(t, b)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		inbox := "https://one.example/inbox"
		var ds []database.Delivery
		for _, body := range []string{"create", "delete", "create"} {
			ds = append(ds, database.Delivery{ActivityID: body, Inbox: inbox, Host: "one.example", KeyID: "k",
				Body: body, BodySHA256: body + "-" + strconv.Itoa(len(ds)), NextAt: now, CreatedAt: now})
		}
		if err := db.AddDeliveries(ctx, ds); err != nil {
			t.Fatal(err)
		}
		var sent []string
		for i := range 3 {
			lease := now.Add(time.Duration(i+1) * time.Minute)
			got, err := db.ClaimDeliveries(ctx, now, lease, 10, 10, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("claim %d = %d rows, want only the oldest", i, len(got))
			}
			// Failing once changes nothing to the order: the row stays
			// first until it is sent.
			if err := db.RetryDelivery(ctx, got[0].ID, lease, now, 1, "e"); err != nil {
				t.Fatal(err)
			}
			again, err := db.ClaimDeliveries(ctx, now, lease.Add(time.Second), 10, 10, nil)
			if err != nil || len(again) != 1 || again[0].ID != got[0].ID {
				t.Fatalf("claim after a failure = %+v, %v; want row %d again", again, err, got[0].ID)
			}
			sent = append(sent, again[0].Body)
			if err := db.DeleteDelivery(ctx, again[0].ID); err != nil {
				t.Fatal(err)
			}
		}
		if strings.Join(sent, ",") != "create,delete,create" {
			t.Fatalf("sent in the order %v", sent)
		}
	})
}
