package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// With metrics_listen, a scraper reads /metrics there without logging
// in; on the public address it stays for admins.
func TestMetricsListen(t *testing.T) {
	metrics := freeAddr(t)
	p := startWith(t, []string{"--data", t.TempDir(), "--listen", freeAddr(t)}, []string{"CUTTLE_METRICS_LISTEN=" + metrics})
	res, err := http.Get("http://" + metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "cuttle_playback_reports_total") {
		t.Fatalf("metrics address: %d\n%s", res.StatusCode, body)
	}
	res, err = http.Get(p.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("public address answered /metrics with %d, want 401", res.StatusCode)
	}
}
