// Package redisqueue is the queue for workers on other machines, on Redis
// Streams (Redis 7 or later).
//
// Keys, under a prefix (default "cuttle"):
//
//	<prefix>:jobs:<type>  one stream per job type, consumer group "workers";
//	                      entries hold "job" (the job's JSON) and, once it
//	                      was retried, "attempt" (attempts already made)
//	<prefix>:events       events for the server, consumer group "servers";
//	                      entries hold "event" (the event's JSON)
//	<prefix>:dead         dead letters: "job", "error", "attempt", "worker", "at"
//	<prefix>:cancel:<video uuid>  set, and published on, when the video is
//	                      deleted: its runners stop its jobs
//
// A leased job stays pending in its group until the worker settles it;
// the worker's heartbeats keep its idle time low, and an entry idle for
// longer than ClaimIdle is taken over by the next worker that looks.
package redisqueue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/queue"
	"cuttle.video/transcoder/settings"
)

// Consumer groups.
const (
	workersGroup = "workers"
	serversGroup = "servers"
)

// ErrLeaseLost is returned by a lease whose job another worker has taken
// over (its heartbeats stopped reaching Redis for longer than ClaimIdle)
// or that Redis forgot: the worker should stop working on it.
var ErrLeaseLost = errors.New("redisqueue: lease lost")

// Config tunes a Queue. The zero value is usable.
type Config struct {
	// Prefix starts every key; default "cuttle".
	Prefix string
	// WorkerName names this process in the consumer groups and in the
	// events it sends; default hostname-pid. Two live processes must not
	// share a name.
	WorkerName string
	// ClaimIdle is how long a leased job may go without a heartbeat before
	// another worker may take it over; default settings.ClaimIdle.
	ClaimIdle time.Duration
	// Heartbeat is how often a lease resets its idle time; default
	// ClaimIdle/3. It must be shorter than ClaimIdle.
	Heartbeat time.Duration
	// MaxAttempts is how many attempts a job gets, lost workers included;
	// default settings.MaxAttempts.
	MaxAttempts int
	// MaxLen caps the events and dead-letter streams, approximately;
	// default 10000. Events the server has not read yet can be trimmed
	// away after a long outage of the server: reconciliation through
	// Waiting recovers from that.
	MaxLen int64
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if c.Prefix == "" {
		c.Prefix = "cuttle"
	}
	if c.WorkerName == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "worker"
		}
		c.WorkerName = host + "-" + strconv.Itoa(os.Getpid())
	}
	if c.ClaimIdle == 0 {
		c.ClaimIdle = settings.ClaimIdle
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = c.ClaimIdle / 3
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = settings.MaxAttempts
	}
	if c.MaxLen == 0 {
		c.MaxLen = 10000
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	switch {
	case c.ClaimIdle < 10*time.Millisecond:
		return c, fmt.Errorf("redisqueue: ClaimIdle %v is too short", c.ClaimIdle)
	case c.Heartbeat <= 0 || c.Heartbeat >= c.ClaimIdle:
		return c, fmt.Errorf("redisqueue: Heartbeat %v must be positive and shorter than ClaimIdle %v", c.Heartbeat, c.ClaimIdle)
	case c.MaxAttempts < 1:
		return c, fmt.Errorf("redisqueue: MaxAttempts %d must be at least 1", c.MaxAttempts)
	case c.MaxLen < 1:
		return c, fmt.Errorf("redisqueue: MaxLen %d must be at least 1", c.MaxLen)
	}
	return c, nil
}

// Queue is a queue.Queue on Redis Streams.
type Queue struct {
	client *redis.Client
	cfg    Config
	log    *slog.Logger

	// ctx ends on Close; heartbeats and blocked calls stop with it.
	ctx    context.Context
	cancel context.CancelFunc
	beats  sync.WaitGroup

	mu sync.Mutex
	// groups holds the streams whose consumer group is known to exist,
	// to skip XGROUP CREATE on every call; a NOGROUP error clears it.
	groups map[string]bool
	// active holds the entries this process holds leases on, so that a
	// late heartbeat does not make Take hand the same job out twice.
	active map[string]bool

	// noHeartbeat makes leases skip heartbeats, so tests can play a
	// worker that died.
	noHeartbeat bool
}

var _ queue.Queue = (*Queue)(nil)

// New returns a queue on client. Close does not close the client.
func New(client *redis.Client, cfg Config) (*Queue, error) {
	if client == nil {
		return nil, errors.New("redisqueue: nil client")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Queue{
		client: client,
		cfg:    cfg,
		log:    cfg.Logger.With("queue", "redis", "worker", cfg.WorkerName),
		ctx:    ctx,
		cancel: cancel,
		groups: map[string]bool{},
		active: map[string]bool{},
	}, nil
}

// Close stops the heartbeats of leases still held and ends blocked Take
// and Consume calls. The leases' jobs go to other workers after ClaimIdle.
func (q *Queue) Close() error {
	q.cancel()
	q.beats.Wait()
	return nil
}

func (q *Queue) jobsKey(t job.Type) string { return q.cfg.Prefix + ":jobs:" + string(t) }
func (q *Queue) eventsKey() string         { return q.cfg.Prefix + ":events" }

// cancelKey names both the key and the pub/sub channel that carry the
// cancellation of a deleted video's jobs to the runners that hold them.
func (q *Queue) cancelKey(videoUUID string) string { return q.cfg.Prefix + ":cancel:" + videoUUID }

// cancelTTL keeps a cancellation for runners that missed its message; a
// lease checks at every heartbeat, well within it.
const cancelTTL = time.Hour

// CancelVideo tells the runners holding the video's jobs to stop them.
// Waiting jobs stay; a runner that takes one finds the original gone.
func (q *Queue) CancelVideo(ctx context.Context, videoUUID string) error {
	if err := q.client.Set(ctx, q.cancelKey(videoUUID), "1", cancelTTL).Err(); err != nil {
		return fmt.Errorf("redisqueue: cancel jobs of video %s: %w", videoUUID, err)
	}
	if err := q.client.Publish(ctx, q.cancelKey(videoUUID), "1").Err(); err != nil {
		return fmt.Errorf("redisqueue: cancel jobs of video %s: %w", videoUUID, err)
	}
	return nil
}
func (q *Queue) deadKey() string { return q.cfg.Prefix + ":dead" }

// scope derives a context that also ends on Close.
func (q *Queue) scope(ctx context.Context) (context.Context, context.CancelFunc) {
	inner, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(q.ctx, cancel)
	return inner, func() {
		stop()
		cancel()
	}
}

// ended explains why a call on a scope of outer stopped.
func (q *Queue) ended(outer context.Context, op string) error {
	if err := outer.Err(); err != nil {
		return fmt.Errorf("redisqueue: %s: %w", op, err)
	}
	return queue.ErrClosed
}

func (q *Queue) closed() bool { return q.ctx.Err() != nil }

// ensureGroup creates the consumer group of stream unless it is known to
// exist. A group created here reads the stream from its start: entries
// added before it (jobs enqueued before any worker ran, events sent after
// Redis lost the group) are not skipped.
func (q *Queue) ensureGroup(ctx context.Context, stream, group string) error {
	q.mu.Lock()
	known := q.groups[stream]
	q.mu.Unlock()
	if known {
		return nil
	}
	err := q.client.XGroupCreateMkStream(ctx, stream, group, "0").Err()
	if err != nil && !redis.HasErrorPrefix(err, "BUSYGROUP") {
		return fmt.Errorf("redisqueue: create group %s of %s: %w", group, stream, err)
	}
	q.mu.Lock()
	q.groups[stream] = true
	q.mu.Unlock()
	return nil
}

// forgetGroups marks the groups of streams as unknown after Redis said
// they are gone.
func (q *Queue) forgetGroups(streams ...string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, s := range streams {
		delete(q.groups, s)
	}
}

func (q *Queue) setActive(stream, id string, on bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if on {
		q.active[stream+" "+id] = true
	} else {
		delete(q.active, stream+" "+id)
	}
}

func (q *Queue) isActive(stream, id string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.active[stream+" "+id]
}
