// Package job is the contract between the server and the workers that
// transcode: typed, versioned, JSON-encoded jobs, the events workers send
// back (progress, results, failures), and the result of each job type.
// Servers and runners of different releases talk through it, so fields are
// only ever added; a change that breaks old readers bumps Version.
package job

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Version is the contract version this code writes and understands.
// Version 2 replaced the per-file upload URLs of payloads with upload
// grants.
const Version = 2

// Type names a kind of job; each type has its own queue, so runners can
// choose what they take.
type Type string

// Job types. Live transcoding will join them.
const (
	// VODHLS turns an uploaded original into an HLS ladder.
	VODHLS Type = "vod-hls"
	// Storyboard makes the sprite sheet of a transcoded video.
	Storyboard Type = "storyboard"
)

// Job is one unit of work as a worker receives it.
type Job struct {
	Version   int       `json:"version"`
	ID        string    `json:"id"`
	Type      Type      `json:"type"`
	VideoUUID string    `json:"videoUuid"`
	CreatedAt time.Time `json:"createdAt"`
	// Payload is the type's parameters, e.g. a VODHLSPayload.
	Payload json.RawMessage `json:"payload"`
}

// ErrUnsupported is returned for jobs this code cannot read.
var ErrUnsupported = errors.New("job: unsupported job")

// Decode checks the version and type of a job and unmarshals its payload.
func (j Job) Decode(want Type, payload any) error {
	if j.Version != Version {
		return fmt.Errorf("%w: contract version %d, this worker reads only version %d: run workers of the server's release",
			ErrUnsupported, j.Version, Version)
	}
	if j.Type != want {
		return fmt.Errorf("%w: type %q, want %q", ErrUnsupported, j.Type, want)
	}
	if err := json.Unmarshal(j.Payload, payload); err != nil {
		return fmt.Errorf("job %s: decode payload: %w", j.ID, err)
	}
	return nil
}

// New builds a job of the current version with payload encoded.
func New(id string, t Type, videoUUID string, payload any) (Job, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return Job{}, fmt.Errorf("job: encode payload: %w", err)
	}
	return Job{Version: Version, ID: id, Type: t, VideoUUID: videoUUID, CreatedAt: time.Now().UTC(), Payload: raw}, nil
}

// EventType says what an Event reports.
type EventType string

// Event types.
const (
	// EventProgress reports a fraction done; it may be dropped or reordered.
	EventProgress EventType = "progress"
	// EventCompleted carries the result; it may arrive more than once.
	EventCompleted EventType = "completed"
	// EventFailed reports an attempt that failed. Final is set when no
	// attempt will follow (a permanent error or the retry limit).
	EventFailed EventType = "failed"
	// EventQueueReset says the queue lost its state (a Redis restart
	// without persistence): the server must re-queue what it thinks is
	// pending.
	EventQueueReset EventType = "queue-reset"
)

// Event is what workers (and queues) tell the server about a job.
type Event struct {
	Type    EventType `json:"type"`
	JobID   string    `json:"jobId"`
	JobType Type      `json:"jobType,omitempty"`
	// Attempt is 1 for the first delivery of the job.
	Attempt  int     `json:"attempt,omitempty"`
	Progress float64 `json:"progress,omitempty"`
	// Result is the type's result, e.g. a VODHLSResult.
	Result json.RawMessage `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
	Final  bool            `json:"final,omitempty"`
	// Worker names who sent it, for the admin jobs list.
	Worker string    `json:"worker,omitempty"`
	At     time.Time `json:"at"`
}

// NewEvent starts an event about an attempt at j, sent by worker.
func (j Job) NewEvent(t EventType, attempt int, worker string) Event {
	return Event{Type: t, JobID: j.ID, JobType: j.Type, Attempt: attempt, Worker: worker, At: time.Now().UTC()}
}
