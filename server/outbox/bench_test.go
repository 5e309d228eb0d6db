package outbox_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/outbox"
	"cuttle.video/server/servertest"
)

// BenchmarkFanout sends one Create to 1,000 inboxes on 100 hosts, every
// request signed, with the default Config on the embedded (SQLite)
// database, and reports deliveries per second. The receivers only read
// and count: what is measured is the sending side.
func BenchmarkFanout(b *testing.B) {
	const hosts, perHost = 100, 10
	db, err := database.Open(context.Background(), "", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })

	// The receivers signal when the last request of an iteration is in.
	var got, target atomic.Int64
	arrived := make(chan struct{}, 1)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
		if got.Add(1) == target.Load() {
			arrived <- struct{}{}
		}
	})
	var inboxes []string
	for range hosts {
		srv := httptest.NewServer(handler)
		b.Cleanup(srv.Close)
		for i := range perHost {
			inboxes = append(inboxes, srv.URL+"/accounts/u"+strconv.Itoa(i)+"/inbox")
		}
	}
	o := outbox.New(outbox.Config{}, db, testClient(b, true), keys{}, servertest.Quiet())
	start(b, o)
	body := []byte(`{"type":"Create","object":{"type":"Video","content":"` + strings.Repeat("x", 3000) + `"}}`)
	testKey() // made before the clock starts

	b.ResetTimer()
	began := time.Now()
	for i := 0; i < b.N; i++ {
		target.Add(int64(len(inboxes)))
		a := outbox.Activity{ID: "https://video.example/a/bench/" + strconv.Itoa(i), KeyID: keyID, Body: body}
		if err := o.Enqueue(context.Background(), db, a, inboxes); err != nil {
			b.Fatal(err)
		}
		o.Kick()
		<-arrived
	}
	elapsed := time.Since(began)
	b.StopTimer()
	b.ReportMetric(float64(b.N*len(inboxes))/elapsed.Seconds(), "deliveries/s")
}
