package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// readRSS is a process's resident set size in bytes, from
// /proc/PID/status (Linux only).
func readRSS(pid int) (int64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("read RSS of process %d: %w", pid, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			break
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			break
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("no VmRSS in the status of process %d", pid)
}

// rssSampler keeps the peak RSS of a process while it runs. A short
// allocation burst can fall between two samples; 50 ms is fine enough for
// buffers that live as long as a chunk does.
type rssSampler struct {
	pid  int
	stop chan struct{}
	done chan struct{}
	peak int64
	err  error
}

func sampleRSS(pid int, every time.Duration) *rssSampler {
	s := &rssSampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go s.loop(every)
	return s
}

func (s *rssSampler) loop(every time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		s.sample()
		if s.err != nil {
			return
		}
		select {
		case <-s.stop:
			// The last chunk's answer may have come after the last tick.
			s.sample()
			return
		case <-t.C:
		}
	}
}

func (s *rssSampler) sample() {
	n, err := readRSS(s.pid)
	if err != nil {
		s.err = err
		return
	}
	s.peak = max(s.peak, n)
}

// finish stops sampling and returns the peak.
func (s *rssSampler) finish() (int64, error) {
	close(s.stop)
	<-s.done
	return s.peak, s.err
}
