package redisqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
)

// Enqueue adds j at the end of its type's stream. It does not look for
// the same ID already there: the server only enqueues again what Waiting
// does not list.
func (q *Queue) Enqueue(ctx context.Context, j job.Job) error {
	if q.closed() {
		return queue.ErrClosed
	}
	if j.ID == "" || j.Type == "" {
		return errors.New("redisqueue: enqueue: job without ID or type")
	}
	raw, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("redisqueue: encode job %s: %w", j.ID, err)
	}
	err = q.client.XAdd(ctx, &redis.XAddArgs{
		Stream: q.jobsKey(j.Type),
		Values: []any{"job", string(raw)},
	}).Err()
	if err != nil {
		return fmt.Errorf("redisqueue: enqueue job %s: %w", j.ID, err)
	}
	return nil
}

// Waiting lists the IDs of the jobs in every job stream, waiting or
// leased: settled jobs are deleted from their stream.
func (q *Queue) Waiting(ctx context.Context) (map[string]bool, error) {
	if q.closed() {
		return nil, queue.ErrClosed
	}
	streams, err := q.jobStreams(ctx)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, s := range streams {
		if err := q.collectIDs(ctx, s, ids); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// jobStreams finds the job streams by name, so that types this server
// does not know about (enqueued by a newer release) are listed too.
func (q *Queue) jobStreams(ctx context.Context) ([]string, error) {
	var streams []string
	match := globEscape(q.cfg.Prefix+":jobs:") + "*"
	var cursor uint64
	for {
		keys, next, err := q.client.ScanType(ctx, cursor, match, 1000, "stream").Result()
		if err != nil {
			return nil, fmt.Errorf("redisqueue: list job streams: %w", err)
		}
		streams = append(streams, keys...)
		if next == 0 {
			return streams, nil
		}
		cursor = next
	}
}

func (q *Queue) collectIDs(ctx context.Context, stream string, ids map[string]bool) error {
	const page = 1000
	start := "-"
	for {
		msgs, err := q.client.XRangeN(ctx, stream, start, "+", page).Result()
		if err != nil {
			return fmt.Errorf("redisqueue: read %s: %w", stream, err)
		}
		for _, m := range msgs {
			if j, err := decodeJob(m); err == nil {
				ids[j.ID] = true
			} else {
				q.log.Warn("undecodable job entry", "stream", stream, "entry", m.ID, "error", err)
			}
		}
		if len(msgs) < page {
			return nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}

// globEscape quotes the characters SCAN MATCH gives a meaning to.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// decodeJob reads the job of a stream entry.
func decodeJob(m redis.XMessage) (job.Job, error) {
	var j job.Job
	raw, ok := m.Values["job"].(string)
	if !ok {
		return j, fmt.Errorf("entry %s has no job", m.ID)
	}
	if err := json.Unmarshal([]byte(raw), &j); err != nil {
		return j, fmt.Errorf("entry %s: decode job: %w", m.ID, err)
	}
	return j, nil
}
