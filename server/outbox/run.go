package outbox

import (
	"context"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/deadline"
)

// held is a delivery this process leased: waiting in memory for a worker,
// or in flight.
type held struct {
	d        database.Delivery
	lease    time.Time // the lease's end, which identifies it in the row
	inFlight bool
	// again is the row claimed anew while in flight: its sender put it
	// back (a retry due at once) before Run heard the outcome.
	again *held
}

// outcome is what a sender reports back to Run.
type outcome struct {
	h *held
	// wakeAt, when not zero, is when the row (a retry) or its host (a
	// pause) comes due again.
	wakeAt time.Time
	// paused says the host was paused: its rows waiting in memory go
	// back to the database.
	paused bool
}

// dispatcher is Run's state, touched by Run's goroutine only.
type dispatcher struct {
	o        *Outbox
	timer    *deadline.Timer
	held     map[int64]*held
	waiting  map[string][]*held // per host, not yet started
	inFlight map[string]int     // per host
	running  int
	done     chan outcome
	errWait  time.Duration // the wait before a claim that failed is tried again
	// more says the last claim may have left due rows behind: it filled
	// the buffer, or a host's share.
	more bool
	// full are the hosts the last claim skipped, their share held.
	full map[string]bool
}

// Run sends due deliveries until ctx ends, then gives back the rows it
// leased and did not finish, and returns once its requests have. It wakes
// on Kick and when the next row comes due (one timer, no polling). Call
// it once per Outbox.
func (o *Outbox) Run(ctx context.Context) {
	r := &dispatcher{
		o:        o,
		held:     map[int64]*held{},
		waiting:  map[string][]*held{},
		inFlight: map[string]int{},
		done:     make(chan outcome, o.cfg.Workers),
		errWait:  time.Second,
	}
	r.timer = deadline.New(o.now, func(context.Context) { o.Kick() })
	defer r.timer.Close()

	bufCap := 4 * o.cfg.Workers
	want := true // a restart finds what the last run left
	for {
		r.dispatch(ctx)
		// Claims are batched: the buffer is refilled once half of it is
		// free, so a busy queue costs one claim per many deliveries; or
		// when a worker is idle, all the rows in memory waiting for their
		// host's bound (or paused with it).
		if room := bufCap - len(r.held); want && room > 0 && (room >= bufCap/2 || r.running < o.cfg.Workers) {
			r.claim(ctx, room)
			want = r.more
			r.dispatch(ctx)
		}
		select {
		case <-ctx.Done():
			r.stop()
			return
		case <-o.kick:
			want = true
		case out := <-r.done:
			// Rows the last claim left behind for the host are due.
			if r.finish(ctx, out) || r.more {
				want = true
			}
		}
	}
}

// claim leases up to room due rows, and sets the timer for the next
// when it leaves none due.
func (r *dispatcher) claim(ctx context.Context, room int) {
	o := r.o
	perHost := 2 * o.cfg.PerHost
	var full []string
	r.full = map[string]bool{}
	for host, q := range r.waiting {
		if len(q)+r.inFlight[host] >= perHost {
			full = append(full, host)
			r.full[host] = true
		}
	}
	now := o.now()
	lease := now.Add(o.cfg.Lease).Truncate(time.Microsecond)
	ds, err := o.db.ClaimDeliveries(ctx, now, lease, room, perHost, full)
	if err != nil {
		if ctx.Err() == nil {
			o.log.ErrorContext(ctx, "outbox: claim deliveries; will retry", "in", r.errWait, "err", err)
			r.timer.Within(r.errWait)
			r.errWait = min(2*r.errWait, time.Minute)
		}
		r.more = false
		return
	}
	r.errWait = time.Second
	perHostClaimed := map[string]int{}
	for _, d := range ds {
		perHostClaimed[d.Host]++
		if h, ok := r.held[d.ID]; ok {
			if h.inFlight {
				// Its sender gave it back, due, and has yet to report:
				// it is sent again once the report is in.
				h.again = &held{d: d, lease: lease}
			} else {
				// Our own lease ran out while the row waited.
				h.lease = lease
			}
			continue
		}
		h := &held{d: d, lease: lease}
		r.held[d.ID] = h
		r.waiting[d.Host] = append(r.waiting[d.Host], h)
	}
	r.more = len(ds) == room
	for _, n := range perHostClaimed {
		r.more = r.more || n == perHost
	}
	if r.more {
		return
	}
	// Nothing more is due but the skipped hosts' rows, claimed when those
	// hosts finish a request: sleep until the earliest other row (a retry,
	// a paused host, a lease that may run out) comes due.
	at, ok, err := o.db.NextDeliveryAt(ctx, full)
	switch {
	case err != nil && ctx.Err() == nil:
		o.log.ErrorContext(ctx, "outbox: next delivery time; will retry", "err", err)
		r.timer.Within(r.errWait)
	case ok:
		r.timer.By(at)
	}
}

// dispatch starts a sender for every waiting row that a worker and its
// host's bound allow.
func (r *dispatcher) dispatch(ctx context.Context) {
	o := r.o
	for host, q := range r.waiting {
		for len(q) > 0 && r.running < o.cfg.Workers && r.inFlight[host] < o.cfg.PerHost {
			h := q[0]
			q[0] = nil
			q = q[1:]
			h.inFlight = true
			r.inFlight[host]++
			r.running++
			go func() { r.done <- o.deliver(ctx, h) }()
		}
		if len(q) == 0 {
			delete(r.waiting, host)
		} else {
			r.waiting[host] = q
		}
		if r.running == o.cfg.Workers {
			return
		}
	}
}

// finish accounts for a sender that returned. It returns whether its
// host was skipped by the last claim, whose rows may now be claimed.
func (r *dispatcher) finish(ctx context.Context, out outcome) bool {
	host := out.h.d.Host
	delete(r.held, out.h.d.ID)
	r.running--
	if r.inFlight[host]--; r.inFlight[host] == 0 {
		delete(r.inFlight, host)
	}
	if !out.wakeAt.IsZero() {
		r.timer.By(out.wakeAt)
	}
	if again := out.h.again; again != nil {
		r.held[again.d.ID] = again
		r.waiting[host] = append(r.waiting[host], again)
	}
	if out.paused {
		// Its other rows would only fail too: they wait in the database
		// for the pause to end, untried.
		r.release(ctx, r.waiting[host])
		delete(r.waiting, host)
	}
	return r.full[host]
}

// stop waits for the senders, whose requests the end of Run's context
// cancelled, and gives back the rows no sender took.
func (r *dispatcher) stop() {
	var rest []*held
	for r.running > 0 {
		out := <-r.done
		r.running--
		delete(r.held, out.h.d.ID)
		if out.h.again != nil {
			rest = append(rest, out.h.again)
		}
	}
	for _, q := range r.waiting {
		rest = append(rest, q...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	r.release(ctx, rest)
}

// release gives rows back to the queue, due now, without counting an
// attempt.
func (r *dispatcher) release(ctx context.Context, hs []*held) {
	byLease := map[time.Time][]int64{}
	for _, h := range hs {
		byLease[h.lease] = append(byLease[h.lease], h.d.ID)
		delete(r.held, h.d.ID)
	}
	now := r.o.now()
	for lease, ids := range byLease {
		if err := r.o.db.ReleaseDeliveries(ctx, ids, lease, now); err != nil {
			// They come due again when their lease ends.
			r.o.log.WarnContext(ctx, "outbox: release deliveries", "count", len(ids), "err", err)
		}
	}
}
