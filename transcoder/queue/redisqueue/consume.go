package redisqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
)

// Consume reads the events stream in the "servers" group and hands each
// event to h, acknowledging it once h succeeds. An event h fails on stays
// pending and is handed again after a backoff, while newer events go on.
// Events left pending by an earlier run under the same WorkerName come
// first. Reads block without a timeout: Consume wakes only for events,
// for retries, and when ctx ends.
//
// When Redis has lost the stream or its group, Consume creates them
// again and hands h a job.EventQueueReset. Through Redis outages it
// keeps retrying; it returns only when ctx ends or the queue closes.
func (q *Queue) Consume(ctx context.Context, h queue.Handler) error {
	if h == nil {
		return errors.New("redisqueue: consume: nil handler")
	}
	if q.closed() {
		return queue.ErrClosed
	}
	outer := ctx
	ctx, done := q.scope(ctx)
	defer done()
	c := &consumer{q: q, h: h, bl: newBlocker(q.client, q.log), stream: q.eventsKey(), pending: true}
	defer c.bl.close()
	c.run(ctx)
	return q.ended(outer, "consume")
}

// consumer is the state of one Consume call.
type consumer struct {
	q      *Queue
	h      queue.Handler
	bl     *blocker
	stream string

	// pending: own pending entries are to be handed to h again.
	pending bool
	// reset: a queue reset is still to be handed to h.
	reset bool
	// retryAt is when to hand failed events again, retry the delay.
	retryAt time.Time
	retry   backoff
}

func (c *consumer) run(ctx context.Context) {
	var outage backoff
	failing := false
	for ctx.Err() == nil {
		err := c.step(ctx)
		switch {
		case err == nil:
			if failing {
				c.q.log.Info("reading events again")
				failing = false
			}
			outage.reset()
		case ctx.Err() != nil:
		case groupLost(err):
			c.q.log.Warn("events stream lost: Redis lost its state; asking for jobs to be queued again", "error", err)
			c.q.forgetGroups(c.stream)
			c.reset = true
			c.retryAt = time.Time{}
			// Only a short wait, but no busy loop should Redis keep
			// answering so.
			failing = true
			_ = outage.wait(ctx)
		default:
			c.q.log.Warn("cannot read events, retrying", "error", err)
			failing = true
			_ = outage.wait(ctx)
		}
	}
}

// step retries what is due, then waits for new events and handles them.
func (c *consumer) step(ctx context.Context) error {
	if err := c.q.ensureGroup(ctx, c.stream, serversGroup); err != nil {
		return err
	}
	if (c.reset || c.pending) && !time.Now().Before(c.retryAt) {
		ok, err := c.retryDue(ctx)
		if err != nil {
			return err
		}
		if ok {
			c.retry.reset()
		} else {
			c.retryAt = time.Now().Add(c.retry.delay())
		}
	}
	block := time.Duration(0) // no timeout: nothing to do until an event comes
	if c.reset || c.pending {
		block = max(time.Until(c.retryAt), time.Millisecond)
	}
	var res []redis.XStream
	err := c.bl.run(ctx, func(conn *redis.Conn) error {
		var err error
		res, err = conn.XReadGroup(ctx, &redis.XReadGroupArgs{
			Group:    serversGroup,
			Consumer: c.q.cfg.WorkerName,
			Streams:  []string{c.stream, ">"},
			Count:    100,
			Block:    block,
		}).Result()
		return err
	})
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("redisqueue: read events: %w", err)
	}
	for _, s := range res {
		for _, m := range s.Messages {
			if !c.handle(ctx, m) && !c.pending {
				c.pending = true
				c.retryAt = time.Now().Add(c.retry.delay())
			}
		}
	}
	return nil
}

// retryDue hands h the reset and the own pending entries again; false
// when h failed on one of them.
func (c *consumer) retryDue(ctx context.Context) (bool, error) {
	if c.reset {
		if err := c.h(ctx, job.Event{Type: job.EventQueueReset, At: time.Now().UTC()}); err != nil {
			c.q.log.Warn("event handler failed, will retry", "event", job.EventQueueReset, "error", err)
			return false, nil
		}
		c.reset = false
	}
	if !c.pending {
		return true, nil
	}
	ok := true
	after := "0"
	for {
		// Reading from an ID, not ">", lists this consumer's pending
		// entries and does not block.
		res, err := c.q.client.XReadGroup(ctx, &redis.XReadGroupArgs{
			Group:    serversGroup,
			Consumer: c.q.cfg.WorkerName,
			Streams:  []string{c.stream, after},
			Count:    100,
			Block:    -1,
		}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return false, fmt.Errorf("redisqueue: read pending events: %w", err)
		}
		n := 0
		for _, s := range res {
			for _, m := range s.Messages {
				n++
				after = m.ID
				if !c.handle(ctx, m) {
					ok = false
				}
			}
		}
		if n == 0 {
			break
		}
	}
	c.pending = !ok
	return ok, nil
}

// handle hands one entry to h and acknowledges it; false when it stays
// pending.
func (c *consumer) handle(ctx context.Context, m redis.XMessage) bool {
	var e job.Event
	raw, ok := m.Values["event"].(string)
	switch {
	case len(m.Values) == 0:
		// Trimmed away while pending: nothing left to hand.
	case !ok:
		c.q.log.Error("event entry without event dropped", "entry", m.ID)
	default:
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			c.q.log.Error("undecodable event dropped", "entry", m.ID, "error", err)
			break
		}
		if err := c.h(ctx, e); err != nil {
			c.q.log.Warn("event handler failed, will retry", "event", e.Type, "job", e.JobID, "error", err)
			return false
		}
	}
	// Handled is handled: acknowledge even when ctx has just ended, so a
	// stopping server does not get the event again at its next start.
	ackCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := c.q.client.XAck(ackCtx, c.stream, serversGroup, m.ID).Err(); err != nil {
		c.q.log.Warn("cannot acknowledge event", "entry", m.ID, "error", err)
		return false
	}
	return true
}
