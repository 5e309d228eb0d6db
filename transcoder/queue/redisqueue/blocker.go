package redisqueue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// blocker runs blocking reads on a connection of its own so that they end
// with their context. go-redis applies deadlines to the socket but does
// not abandon a read when a context is cancelled, so a blocked XREADGROUP
// would outlive its caller (with BLOCK 0, forever); cancellation sends
// CLIENT UNBLOCK for the connection from the client's pool instead. The
// Redis user needs the CLIENT ID and CLIENT UNBLOCK commands.
type blocker struct {
	client *redis.Client
	log    *slog.Logger
	conn   *redis.Conn
	id     int64
}

func newBlocker(client *redis.Client, log *slog.Logger) *blocker {
	return &blocker{client: client, log: log}
}

// run calls fn with the connection. When ctx ends while fn blocks, the
// blocked command returns as if it had timed out (redis.Nil).
func (b *blocker) run(ctx context.Context, fn func(*redis.Conn) error) error {
	if b.conn == nil {
		conn := b.client.Conn()
		id, err := conn.ClientID(ctx).Result()
		if err != nil {
			_ = conn.Close()
			return fmt.Errorf("redisqueue: client id: %w", err)
		}
		b.conn, b.id = conn, id
	}
	finished := make(chan struct{})
	unblocked := make(chan struct{})
	id := b.id
	stop := context.AfterFunc(ctx, func() {
		defer close(unblocked)
		b.unblock(id, finished)
	})
	err := fn(b.conn)
	close(finished)
	if !stop() {
		// Cancellation came: wait for the unblocking to give up, so
		// that it cannot hit a later command on this connection.
		<-unblocked
	}
	var rerr redis.Error
	if err != nil && !errors.As(err, &rerr) {
		// Not an answer from Redis: the connection is broken, and go-redis
		// does not replace the one a Conn holds.
		b.close()
	}
	return err
}

// unblock repeats CLIENT UNBLOCK until it reaches the connection blocked
// or the command returns by itself: cancellation can come just before
// the command reaches Redis.
func (b *blocker) unblock(id int64, finished <-chan struct{}) {
	delay := 5 * time.Millisecond
	warned := false
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		n, err := b.client.ClientUnblock(ctx, id).Result()
		cancel()
		if err == nil && n == 1 {
			return
		}
		if err != nil && !warned {
			b.log.Warn("cannot interrupt a blocked read", "error", err)
			warned = true
		}
		t := time.NewTimer(delay)
		select {
		case <-finished:
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(2*delay, time.Second)
	}
}

func (b *blocker) close() {
	if b.conn != nil {
		_ = b.conn.Close()
		b.conn = nil
	}
}
