package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/httpsig"
	"cuttle.video/server/safehttp"
)

// PeerTube's content type for deliveries, and the Accept it sends.
const (
	contentType = "application/activity+json"
	accept      = "application/activity+json, application/ld+json"
)

// recordTimeout bounds the database writes that record an outcome.
const recordTimeout = 10 * time.Second

// failure is a delivery that did not go through.
type failure struct {
	err       error
	permanent bool          // retrying cannot help: the row is dropped
	hostDown  bool          // the host did not answer, or answered it is unwell
	after     time.Duration // the host's Retry-After, when given
}

// deliver sends one leased row and records the outcome.
func (o *Outbox) deliver(ctx context.Context, h *held) outcome {
	d := &h.d
	status, f := o.send(ctx, d)
	stopping := ctx.Err() != nil
	// The outcome is recorded even when Run is stopping: a request that
	// went through and is not recorded would be sent again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if stopping && f != nil {
		// Shutdown, not the remote server: the row goes back untried.
		if err := o.db.ReleaseDeliveries(ctx, []int64{d.ID}, h.lease, o.now()); err != nil {
			o.log.WarnContext(ctx, "outbox: release delivery", "inbox", d.Inbox, "err", err)
		}
		return outcome{h: h}
	}
	if f == nil {
		o.delete(ctx, d)
		o.hostAnswered(ctx, d.Host)
		return outcome{h: h}
	}
	if f.permanent {
		o.log.WarnContext(ctx, "outbox: delivery refused, dropped",
			"activity", d.ActivityID, "inbox", d.Inbox, "status", status, "err", f.err)
		o.delete(ctx, d)
		if status != 0 {
			o.hostAnswered(ctx, d.Host)
		}
		return outcome{h: h}
	}
	return o.retry(ctx, h, f)
}

// send makes the request: nil on a 2xx answer.
func (o *Outbox) send(ctx context.Context, d *database.Delivery) (int, *failure) {
	key, err := o.keys.PrivateKey(ctx, d.KeyID)
	if err != nil {
		return 0, &failure{err: fmt.Errorf("key %s: %w", d.KeyID, err)}
	}
	rctx, cancel := context.WithTimeout(ctx, o.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, d.Inbox, strings.NewReader(d.Body))
	if err != nil {
		return 0, &failure{err: err, permanent: true}
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", accept)
	if err := httpsig.Sign(req, key, d.KeyID, httpsig.SignOptions{}); err != nil {
		return 0, &failure{err: err, permanent: true}
	}
	resp, err := o.client.Do(req)
	if err != nil {
		// A refusal of the policy is ours to keep: the address stays
		// forbidden, and says nothing of the host's health.
		forbidden := errors.Is(err, safehttp.ErrForbidden)
		return 0, &failure{err: err, permanent: forbidden, hostDown: !forbidden}
	}
	// Read a little of the body so the connection can be reused; inboxes
	// answer with nothing or a few words.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return s, nil
	case s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500:
		return s, &failure{err: errors.New(resp.Status), hostDown: true,
			after: retryAfter(resp.Header.Get("Retry-After"), o.now())}
	default:
		return s, &failure{err: errors.New(resp.Status), permanent: true}
	}
}

// retry records a failed attempt: the row waits its backoff (or is
// dropped after the last attempt) and the host may be paused.
func (o *Outbox) retry(ctx context.Context, h *held, f *failure) outcome {
	d := &h.d
	now := o.now()
	out := outcome{h: h}
	msg := errorText(f.err)
	if attempts := d.Attempts + 1; attempts >= o.cfg.MaxAttempts {
		o.log.WarnContext(ctx, "outbox: delivery failed too many times, dropped",
			"activity", d.ActivityID, "inbox", d.Inbox, "attempts", attempts, "err", msg)
		o.delete(ctx, d)
	} else {
		wait := max(o.backoff(attempts), min(f.after, o.cfg.BackoffMax))
		next := now.Add(wait)
		err := o.db.RetryDelivery(ctx, d.ID, h.lease, next, attempts, msg)
		switch {
		case errors.Is(err, database.ErrNotFound):
			// The lease ran out and another sender holds the row.
		case err != nil:
			o.log.ErrorContext(ctx, "outbox: record failed delivery", "inbox", d.Inbox, "err", err)
		default:
			out.wakeAt = next
		}
		o.log.InfoContext(ctx, "outbox: delivery failed, will retry",
			"activity", d.ActivityID, "inbox", d.Inbox, "attempts", attempts, "in", wait, "err", msg)
	}
	if !f.hostDown {
		return out
	}
	o.forgetAnswered(d.Host)
	failures, err := o.db.DeliveryHostFailed(ctx, d.Host, msg)
	if err != nil {
		o.log.ErrorContext(ctx, "outbox: record host failure", "host", d.Host, "err", err)
		return out
	}
	if failures < o.cfg.HostPauseAfter {
		return out
	}
	until := now.Add(o.backoff(failures - o.cfg.HostPauseAfter + 1))
	if err := o.db.PauseDeliveryHost(ctx, d.Host, until); err != nil {
		o.log.ErrorContext(ctx, "outbox: pause host", "host", d.Host, "err", err)
		return out
	}
	o.log.WarnContext(ctx, "outbox: host paused", "host", d.Host, "failures", failures, "until", until, "err", msg)
	out.paused = true
	if out.wakeAt.IsZero() || until.Before(out.wakeAt) {
		out.wakeAt = until
	}
	return out
}

func (o *Outbox) delete(ctx context.Context, d *database.Delivery) {
	if err := o.db.DeleteDelivery(ctx, d.ID); err != nil {
		// The row comes due again once its lease ends, and is sent twice.
		o.log.ErrorContext(ctx, "outbox: delete delivery", "inbox", d.Inbox, "err", err)
	}
}

// backoff is the wait after the nth failure: doubling from BackoffBase up
// to BackoffMax, between half and all of it so that rows that failed
// together do not come back together.
func (o *Outbox) backoff(n int) time.Duration {
	d := o.cfg.BackoffBase
	for i := 1; i < n && d < o.cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, o.cfg.BackoffMax)
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); 0 when
// absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, 365*24*3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// errorText bounds an error stored in a row.
func errorText(err error) string {
	s := err.Error()
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

// answeredFresh is how long a host's recorded success stands in for the
// next ones: a busy healthy host costs one write a minute, not one per
// delivery.
const answeredFresh = time.Minute

// hostAnswered records that host is up, unless this process did so
// lately and saw no failure since.
func (o *Outbox) hostAnswered(ctx context.Context, host string) {
	now := o.now()
	o.mu.Lock()
	last, ok := o.answered[host]
	if ok && now.Sub(last) < answeredFresh {
		o.mu.Unlock()
		return
	}
	o.answered[host] = now
	o.mu.Unlock()
	if err := o.db.DeliveryHostOK(ctx, host, now); err != nil {
		o.forgetAnswered(host)
		o.log.ErrorContext(ctx, "outbox: record host success", "host", host, "err", err)
	}
}

func (o *Outbox) forgetAnswered(host string) {
	o.mu.Lock()
	delete(o.answered, host)
	o.mu.Unlock()
}
