package netlimit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// ErrTooSlow is what reading a body returns once its client sends below
// the minimum rate.
var ErrTooSlow = errors.New("the request body arrived too slowly")

// Body makes a request body keep up with a minimum rate: after a grace
// period, the bytes read so far must cover the time spent at rate bytes a
// second. It moves the connection's read deadline ahead as bytes arrive,
// so a client that trickles is cut without a timer of its own.
type Body struct {
	io.ReadCloser
	setDeadline func(time.Time) error
	rate        int64

	mu    sync.Mutex
	start time.Time
	grace time.Duration
	read  int64
	done  bool
}

// NewBody wraps body and sets the first deadline at once, which also
// bounds a handler that never reads the body, and the server's reading
// of what is left of it after the answer. setDeadline sets the
// connection's read deadline (http.ResponseController.SetReadDeadline);
// its error, such as http.ErrNotSupported, is returned.
func NewBody(body io.ReadCloser, setDeadline func(time.Time) error, rate int64, grace time.Duration) (*Body, error) {
	b := &Body{ReadCloser: body, setDeadline: setDeadline, rate: rate, grace: grace, start: time.Now()}
	if err := setDeadline(b.start.Add(grace)); err != nil {
		return nil, fmt.Errorf("netlimit: set read deadline: %w", err)
	}
	return b, nil
}

// SetGrace changes the grace period, for routes whose clients may need
// longer to get going, such as uploads.
func (b *Body) SetGrace(grace time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.grace = grace
	if b.done {
		return nil
	}
	return b.setDeadline(b.deadline())
}

// deadline is when the bytes read so far run out of time. The caller
// holds mu.
func (b *Body) deadline() time.Time {
	return b.start.Add(b.grace + time.Duration(float64(b.read)/float64(b.rate)*float64(time.Second)))
}

// Read reads under the deadline that the bytes so far have earned.
func (b *Body) Read(p []byte) (int, error) {
	b.mu.Lock()
	done, deadline := b.done, b.deadline()
	b.mu.Unlock()
	if !done {
		if err := b.setDeadline(deadline); err != nil {
			return 0, fmt.Errorf("netlimit: set read deadline: %w", err)
		}
	}
	n, err := b.ReadCloser.Read(p)
	b.mu.Lock()
	b.read += int64(n)
	b.mu.Unlock()
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return n, fmt.Errorf("%w: below %d bytes a second", ErrTooSlow, b.rate)
	case err == io.EOF:
		// Once the body is in, the connection waits for nothing more from
		// this request; the server sets its own deadlines for the next,
		// and a deadline left behind would end the request's context.
		b.release()
	}
	return n, err
}

func (b *Body) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.done {
		b.done = true
		_ = b.setDeadline(time.Time{})
	}
}
