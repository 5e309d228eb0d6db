package redisqueue

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
)

// Take leases the oldest job abandoned by a dead worker, else the next
// new one, of the given types. It blocks for at most ClaimIdle/2 at a
// time, so abandoned jobs are found even when nothing new arrives. It
// keeps trying through Redis outages and losses of state, and returns
// only with a lease or when ctx ends or the queue closes.
func (q *Queue) Take(ctx context.Context, types ...job.Type) (queue.Lease, error) {
	if len(types) == 0 {
		return nil, errors.New("redisqueue: take: no job types")
	}
	if q.closed() {
		return nil, queue.ErrClosed
	}
	outer := ctx
	ctx, done := q.scope(ctx)
	defer done()
	streams := make([]string, len(types))
	for i, t := range types {
		streams[i] = q.jobsKey(t)
	}
	bl := newBlocker(q.client, q.log)
	defer bl.close()
	var retry backoff
	failing := false
	for ctx.Err() == nil {
		l, err := q.takeOnce(ctx, bl, streams)
		switch {
		case l != nil:
			if failing {
				q.log.Info("taking jobs again")
			}
			return l, nil
		case err == nil:
			if failing {
				q.log.Info("taking jobs again")
				failing = false
			}
			retry.reset()
		case ctx.Err() != nil:
		case groupLost(err):
			q.log.Warn("job streams lost, creating them again", "error", err)
			q.forgetGroups(streams...)
			failing = true
			_ = retry.wait(ctx)
		default:
			q.log.Warn("cannot take jobs, retrying", "error", err)
			failing = true
			_ = retry.wait(ctx)
		}
	}
	return nil, q.ended(outer, "take")
}

// takeOnce looks once for an abandoned job, then waits up to ClaimIdle/2
// for a new one; (nil, nil) when there was none.
func (q *Queue) takeOnce(ctx context.Context, bl *blocker, streams []string) (*lease, error) {
	for _, s := range streams {
		if err := q.ensureGroup(ctx, s, workersGroup); err != nil {
			return nil, err
		}
	}
	for _, s := range streams {
		if l, err := q.reclaim(ctx, s); l != nil || err != nil {
			return l, err
		}
	}
	return q.readNew(ctx, bl, streams)
}

// reclaim takes over the first entry of stream idle for longer than
// ClaimIdle. Entries past their last attempt go to the dead letters on
// the way.
func (q *Queue) reclaim(ctx context.Context, stream string) (*lease, error) {
	start := "0-0"
	for {
		// One at a time: every entry claimed counts as an attempt, so
		// none must be claimed that this worker will not work on.
		msgs, next, err := q.client.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream:   stream,
			Group:    workersGroup,
			Consumer: q.cfg.WorkerName,
			MinIdle:  q.cfg.ClaimIdle,
			Start:    start,
			Count:    1,
		}).Result()
		if err != nil {
			return nil, fmt.Errorf("redisqueue: reclaim from %s: %w", stream, err)
		}
		for _, m := range msgs {
			l, err := q.reclaimed(ctx, stream, m)
			if l != nil || err != nil {
				return l, err
			}
		}
		if next == "0-0" || next == "" {
			return nil, nil
		}
		start = next
	}
}

// reclaimed leases an entry XAUTOCLAIM handed over, unless its attempts
// are used up.
func (q *Queue) reclaimed(ctx context.Context, stream string, m redis.XMessage) (*lease, error) {
	if q.isActive(stream, m.ID) {
		// Held by a lease of this process whose heartbeats are late.
		return nil, nil
	}
	if len(m.Values) == 0 {
		// Deleted while pending (older Redis hands those out empty).
		if err := q.client.XAck(ctx, stream, workersGroup, m.ID).Err(); err != nil {
			return nil, fmt.Errorf("redisqueue: acknowledge deleted entry %s: %w", m.ID, err)
		}
		return nil, nil
	}
	pending, err := q.client.XPendingExt(ctx, &redis.XPendingExtArgs{
		Stream: stream, Group: workersGroup, Start: m.ID, End: m.ID, Count: 1,
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("redisqueue: delivery count of %s: %w", m.ID, err)
	}
	if len(pending) == 0 {
		return nil, nil
	}
	deliveries := int(pending[0].RetryCount)
	j, raw, base, err := q.entryJob(ctx, stream, m)
	if err != nil || raw == "" {
		return nil, err
	}
	attempt := base + deliveries
	if attempt <= q.cfg.MaxAttempts {
		q.log.Info("took over a job from a lost worker", "job", j.ID, "attempt", attempt)
		return q.newLease(stream, m.ID, raw, j, attempt), nil
	}
	made := attempt - 1
	reason := fmt.Sprintf("gave up after %d attempts: worker lost %d times", made, deliveries-1)
	e := j.NewEvent(job.EventFailed, made, q.cfg.WorkerName)
	e.Error, e.Final = reason, true
	if _, err := q.settle(ctx, stream, m.ID, true, e, q.deadKey(), q.deadFields(raw, reason, made)...); err != nil {
		return nil, fmt.Errorf("redisqueue: dead-letter job %s: %w", j.ID, err)
	}
	q.log.Warn("job moved to the dead letters", "job", j.ID, "error", reason)
	return nil, nil
}

// readNew waits up to ClaimIdle/2 for a new entry in one of streams.
func (q *Queue) readNew(ctx context.Context, bl *blocker, streams []string) (*lease, error) {
	args := &redis.XReadGroupArgs{
		Group:    workersGroup,
		Consumer: q.cfg.WorkerName,
		Streams:  make([]string, 0, 2*len(streams)),
		Count:    1,
		Block:    q.cfg.ClaimIdle / 2,
	}
	args.Streams = append(args.Streams, streams...)
	for range streams {
		args.Streams = append(args.Streams, ">")
	}
	var res []redis.XStream
	err := bl.run(ctx, func(c *redis.Conn) error {
		var err error
		res, err = c.XReadGroup(ctx, args).Result()
		return err
	})
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("redisqueue: read jobs: %w", err)
	}
	var l *lease
	var firstErr error
	for _, s := range res {
		for _, m := range s.Messages {
			if l != nil {
				// COUNT applies per stream: jobs beyond the first go back.
				if err := q.giveBack(ctx, s.Stream, m); err != nil && firstErr == nil {
					firstErr = err
				}
				continue
			}
			j, raw, base, err := q.entryJob(ctx, s.Stream, m)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if raw != "" {
				l = q.newLease(s.Stream, m.ID, raw, j, base+1)
			}
		}
	}
	if l != nil {
		if firstErr != nil {
			q.log.Warn("could not hand back a job read with another", "error", firstErr)
		}
		return l, nil
	}
	return nil, firstErr
}

// giveBack adds an entry delivered to this worker again as a new one,
// not counting the delivery, for another Take.
func (q *Queue) giveBack(ctx context.Context, stream string, m redis.XMessage) error {
	_, raw, base, err := q.entryJob(ctx, stream, m)
	if err != nil || raw == "" {
		return err
	}
	fields := []any{"job", raw, "attempt", strconv.Itoa(base)}
	if _, err := q.settle(ctx, stream, m.ID, true, job.Event{}, stream, fields...); err != nil {
		return fmt.Errorf("redisqueue: hand back entry %s: %w", m.ID, err)
	}
	return nil
}

// entryJob decodes the job of an entry delivered to this worker and the
// attempts made before the entry was added. An entry that cannot be
// decoded goes to the dead letters: no worker could run it, and no event
// can name its job. raw is empty then.
func (q *Queue) entryJob(ctx context.Context, stream string, m redis.XMessage) (j job.Job, raw string, base int, err error) {
	j, decErr := decodeJob(m)
	if decErr == nil {
		base, decErr = attemptsMade(m)
	}
	if decErr == nil {
		raw, _ = m.Values["job"].(string)
		return j, raw, base, nil
	}
	q.log.Error("undecodable job entry moved to the dead letters", "stream", stream, "entry", m.ID, "error", decErr)
	orig, _ := m.Values["job"].(string)
	if _, err := q.settle(ctx, stream, m.ID, true, job.Event{}, q.deadKey(), q.deadFields(orig, decErr.Error(), 0)...); err != nil {
		return j, "", 0, fmt.Errorf("redisqueue: dead-letter entry %s: %w", m.ID, err)
	}
	return j, "", 0, nil
}

// attemptsMade reads the attempts made before the entry was added: a
// retried or released job is added again as a new entry.
func attemptsMade(m redis.XMessage) (int, error) {
	v, ok := m.Values["attempt"]
	if !ok {
		return 0, nil
	}
	s, _ := v.(string)
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("entry %s: bad attempt %q", m.ID, s)
	}
	return n, nil
}
