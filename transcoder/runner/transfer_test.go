package runner

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A network failure is reported without the presigned URL, its
// signature or the address, and without the scratch directory.
func TestFailureReportHidesURLAndScratch(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens there any more
	scratch := t.TempDir()
	r := New(nil, Config{ScratchDir: scratch})
	signed := "http://" + addr + "/storage/originals/v/original.mp4?expires=1796377149&sig=e9710e53"
	err = r.download(context.Background(), signed, filepath.Join(scratch, "job-123", "original"))
	if err == nil {
		t.Fatal("download from a closed port succeeded")
	}
	got := r.reportable(err).Error()
	for _, bad := range []string{"sig=", "e9710e53", "expires", addr, "http", "/storage", scratch} {
		if strings.Contains(got, bad) {
			t.Errorf("report %q holds %q", got, bad)
		}
	}
	if !strings.Contains(got, "download original") || !strings.Contains(got, "connection refused") {
		t.Errorf("report %q does not say what failed", got)
	}
	_, err = os.Open(filepath.Join(scratch, "job-123", "original"))
	if got := r.reportable(err).Error(); got != "open original: no such file or directory" {
		t.Errorf("report of a scratch file error = %q", got)
	}
}
