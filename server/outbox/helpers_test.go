package outbox_test

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/httpsig"
	"cuttle.video/server/outbox"
	"cuttle.video/server/safehttp"
	"cuttle.video/server/servertest"
)

const keyID = "https://video.example/accounts/alice#main-key"

// testKey is generated once: RSA-2048 keys take a while to make.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := httpsig.GenerateKey()
	if err != nil {
		panic(err)
	}
	return k
})

// keys is the Keys of the tests: one actor, alice.
type keys struct{}

func (keys) PrivateKey(_ context.Context, id string) (*rsa.PrivateKey, error) {
	if id != keyID {
		return nil, fmt.Errorf("no key %q", id)
	}
	return testKey(), nil
}

// receiver is a remote server's inboxes: it checks every request as a
// strict receiver does (signature, Digest, Content-Type) and counts the
// activities it accepted, per path.
type receiver struct {
	t   testing.TB
	srv *httptest.Server
	// answer, when set, chooses the status for the nth request (from 1)
	// to a path; 202 otherwise.
	answer func(path string, n int, w http.ResponseWriter) int

	mu       sync.Mutex
	requests map[string]int      // every request, per path
	accepted map[string][]string // bodies answered with 2xx, per path
	bad      []string            // what failed the checks
}

func newReceiver(t testing.TB, answer func(path string, n int, w http.ResponseWriter) int) *receiver {
	r := &receiver{t: t, answer: answer, requests: map[string]int{}, accepted: map[string][]string{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	if err := r.check(req); err != nil {
		r.mu.Lock()
		r.bad = append(r.bad, req.URL.Path+": "+err.Error())
		r.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return
	}
	r.mu.Lock()
	r.requests[req.URL.Path]++
	n := r.requests[req.URL.Path]
	r.mu.Unlock()
	status := http.StatusAccepted
	if r.answer != nil {
		status = r.answer(req.URL.Path, n, w)
	}
	if status/100 == 2 && req.Context().Err() == nil {
		r.mu.Lock()
		r.accepted[req.URL.Path] = append(r.accepted[req.URL.Path], string(body))
		r.mu.Unlock()
	}
	w.WriteHeader(status)
}

func (r *receiver) check(req *http.Request) error {
	if req.Method != http.MethodPost {
		return fmt.Errorf("method %s", req.Method)
	}
	if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt != "application/activity+json" {
		return fmt.Errorf("content type %q", req.Header.Get("Content-Type"))
	}
	if req.Header.Get("Digest") == "" {
		return errors.New("no Digest")
	}
	id, err := httpsig.Verifier{}.Verify(req, func(_ context.Context, id string) (*rsa.PublicKey, error) {
		if id != keyID {
			return nil, fmt.Errorf("unknown key %q", id)
		}
		return &testKey().PublicKey, nil
	})
	if err != nil {
		return err
	}
	if id != keyID {
		return fmt.Errorf("signed by %q", id)
	}
	return nil
}

func (r *receiver) url(path string) string { return r.srv.URL + path }

// counts returns the requests and the accepted activities to path.
func (r *receiver) counts(path string) (requests int, accepted []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests[path], append([]string(nil), r.accepted[path]...)
}

func (r *receiver) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.requests {
		n += c
	}
	return n
}

func (r *receiver) checkNoBad(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.bad {
		t.Errorf("receiver refused a request: %s", b)
	}
}

// testConfig retries at once, so that tests wait for outcomes only.
func testConfig() outbox.Config {
	return outbox.Config{
		Workers: 8, PerHost: 2, MaxAttempts: 5,
		BackoffBase: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond,
		HostPauseAfter: 100, RequestTimeout: 10 * time.Second,
	}
}

func testClient(t testing.TB, allowLoopback bool) *safehttp.Client {
	c, err := safehttp.New(safehttp.Config{
		UserAgent: "Cuttle-test", Timeout: 30 * time.Second, MaxBodyBytes: 1 << 20,
		AllowHTTP: true, AllowLoopback: allowLoopback,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// start runs o until the test ends, or until the returned stop is called,
// which waits for Run to return.
func start(t testing.TB, o *outbox.Outbox) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		o.Run(ctx)
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// eventually waits for cond, checked every few milliseconds, failing the
// test after a bound generous enough for a loaded machine.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func stats(t testing.TB, o *outbox.Outbox) outbox.Stats {
	t.Helper()
	s, err := o.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func enqueue(t testing.TB, o *outbox.Outbox, db *database.DB, a outbox.Activity, inboxes ...string) {
	t.Helper()
	if err := o.Enqueue(context.Background(), db, a, inboxes); err != nil {
		t.Fatal(err)
	}
	o.Kick()
}

func activity(id string) outbox.Activity {
	return outbox.Activity{
		ID:    id,
		KeyID: keyID,
		Body:  []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"` + id + `","type":"Create","summary":"é ✓"}`),
	}
}

func openDB(t *testing.T, b servertest.Backend) *database.DB {
	return servertest.OpenDatabase(t, b)
}
