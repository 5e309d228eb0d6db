package pipeline

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestReadProgress(t *testing.T) {
	var got []float64
	rep := &reporter{fn: func(f float64) { got = append(got, f) }}
	blocks := []string{"N/A", "2500000", "2400000", "5000000", "12000000"}
	var in strings.Builder
	for _, us := range blocks {
		fmt.Fprintf(&in, "frame=1\nout_time_us=%s\nout_time=00:00:01\nprogress=continue\n", us)
	}
	readProgress(strings.NewReader(in.String()), 10, rep)
	rep.report(1)
	// N/A is skipped, going back is ignored, and 1 is only for the end.
	if want := []float64{0.25, 0.5, 0.99, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("progress %v, want %v", got, want)
	}
}

func TestReadProgressThrottles(t *testing.T) {
	var got []float64
	rep := &reporter{fn: func(f float64) { got = append(got, f) }, every: progressInterval}
	readProgress(strings.NewReader("out_time_us=1000000\nprogress=continue\nout_time_us=2000000\nprogress=continue\n"), 10, rep)
	rep.report(1)
	if want := []float64{0.1, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("progress %v, want %v", got, want)
	}
}

func TestTailWriter(t *testing.T) {
	var w tailWriter
	for i := range 20 {
		// Written in pieces, as a pipe delivers it.
		line := fmt.Sprintf("[h264 @ 0x55d8f26bfcc0] error %d\n", i)
		_, _ = w.Write([]byte(line[:7]))
		_, _ = w.Write([]byte(line[7:]))
	}
	_, _ = w.Write([]byte("last words"))
	want := "[h264] error 13; [h264] error 14; [h264] error 15; [h264] error 16; [h264] error 17; [h264] error 18; [h264] error 19; last words"
	if got := w.String(); got != want {
		t.Errorf("tail = %q\nwant   %q", got, want)
	}
	_, _ = w.Write([]byte(strings.Repeat("x", 10000)))
	if got := w.String(); len(got) > 8*4200 {
		t.Errorf("tail grew to %d bytes", len(got))
	}
}
