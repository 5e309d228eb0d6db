package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// aimServe is the share of nginx's segment throughput the server should
// reach: both send the same bytes from the page cache, so what is left
// is the cost of the server's routing, checks and headers per request.
const aimServe = 0.8

// hlsPath is where the server and, in this benchmark, nginx and the
// bare file server answer a video's HLS files.
const hlsPath = "/static/streaming-playlists/hls/"

type hlsServeOpts struct {
	clip        string
	server      string
	user        string
	password    string
	data        string
	work        string
	pid         int
	connections int
	threads     int
	duration    time.Duration
	runs        int
	publish     time.Duration
	wrk         string
	nginx       string
}

func hlsServeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cuttle-bench hls-serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o hlsServeOpts
	fs.StringVar(&o.clip, "clip", "", "video `file` to upload, generated there when missing (required)")
	fs.StringVar(&o.server, "server", "", "Cuttle server base `URL`; its media storage must be local (required)")
	fs.StringVar(&o.user, "user", "root", "user to upload as")
	fs.StringVar(&o.password, "password", "", "the user's password (required)")
	fs.StringVar(&o.data, "data", "", "the server's data `directory`, where nginx finds the HLS files (required)")
	fs.StringVar(&o.work, "work", "", "`directory` for nginx's files and wrk's script (default: the system's temporary directory)")
	fs.IntVar(&o.pid, "pid", 0, "process id of the Cuttle server, to measure its CPU time (0: not measured)")
	fs.IntVar(&o.connections, "connections", 64, "wrk connections")
	fs.IntVar(&o.threads, "threads", 2, "wrk threads")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each wrk run")
	fs.IntVar(&o.runs, "runs", 2, "rounds of runs, each target once per round; the best counts")
	fs.DurationVar(&o.publish, "publish-timeout", 10*time.Minute, "how long to wait for the upload to be transcoded")
	fs.StringVar(&o.wrk, "wrk", "wrk", "wrk `binary`")
	fs.StringVar(&o.nginx, "nginx", "nginx", "nginx `binary`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.clip == "" || o.server == "" || o.password == "" || o.data == "" || o.runs < 1 ||
		o.connections < 1 || o.threads < 1 || o.duration < time.Second || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("-clip, -server, -password and -data are required; -runs, -connections and -threads must be at least 1, -duration at least 1s")
	}
	res, err := benchHLSServe(ctx, o, stdout)
	if err != nil {
		return err
	}
	res.print(stdout)
	return nil
}

// target is one server of the same files, and its best run.
type target struct {
	label string
	url   string
	// pids whose CPU time counts as the target's; nginx's workers are
	// found at each run.
	pid      int
	children bool
	best     wrkResult
	cpu      time.Duration // during the best run
}

type hlsServeResult struct {
	o        hlsServeOpts
	requests []request
	bytes    int64 // in all requests' answers
	targets  []*target
}

func benchHLSServe(ctx context.Context, o hlsServeOpts, log io.Writer) (*hlsServeResult, error) {
	if err := ensureClip(ctx, o.clip, log); err != nil {
		return nil, err
	}
	c, err := login(ctx, newClient(), o.server, o.user, o.password)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "uploading %s and waiting until it is published\n", o.clip)
	v, err := publish(ctx, c, o.clip, o.publish)
	if v.ID != 0 {
		// The video exists only for the benchmark.
		defer func() {
			if err := c.deleteVideo(context.WithoutCancel(ctx), v.ID); err != nil {
				fmt.Fprintf(log, "delete the benchmark video: %v\n", err)
			}
		}()
	}
	if err != nil {
		return nil, err
	}
	// Where local media storage keeps a public video's HLS files; nginx
	// reads them there, so both serve the very same files.
	dir := filepath.Join(o.data, "media", "videos", v.UUID, "hls")
	pls, err := readMediaPlaylists(dir)
	if err != nil {
		return nil, err
	}
	reqs, err := segmentRequests(pls)
	if err != nil {
		return nil, err
	}
	r := &hlsServeResult{o: o, requests: reqs}
	for _, q := range reqs {
		if q.ranged {
			r.bytes += q.end - q.start + 1
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, q.file))
		if err != nil {
			return nil, err
		}
		r.bytes += fi.Size()
	}
	prefix := hlsPath + v.UUID + "/"

	tmp, err := os.MkdirTemp(o.work, "cuttle-bench-hls-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	script := filepath.Join(tmp, "segments.lua")
	if err := os.WriteFile(script, wrkScript(prefix, reqs), 0o644); err != nil {
		return nil, err
	}

	ngx, err := startNginx(ctx, o.nginx, filepath.Join(tmp, "nginx"), prefix, dir)
	if err != nil {
		return nil, err
	}
	defer ngx.stop()
	bare, err := startFileServer(prefix, dir)
	if err != nil {
		return nil, err
	}
	defer bare.Close()

	r.targets = []*target{
		{label: "cuttle serve", url: c.base.String(), pid: o.pid},
		{label: "nginx", url: ngx.url, pid: ngx.cmd.Process.Pid, children: true},
		// Go's own file server shows what net/http does with the same
		// files, which tells the server's costs from the language's.
		{label: "bare net/http file server", url: bare.url, pid: os.Getpid()},
	}
	for _, t := range r.targets {
		if err := checkTarget(ctx, t.url, prefix, dir, reqs); err != nil {
			return nil, fmt.Errorf("%s: %w", t.label, err)
		}
	}

	fmt.Fprintf(log, "%s (%.1f MiB, %.0f KiB each on average); wrk -t%d -c%d -d%s, %d rounds\n",
		r.describe(), float64(r.bytes)/mib, float64(r.bytes)/float64(len(reqs))/1024,
		o.threads, o.connections, o.duration, o.runs)
	for i := 1; i <= o.runs; i++ {
		for _, t := range r.targets {
			before, cpuErr := targetCPU(t)
			res, err := runWrk(ctx, o, script, t.url)
			if err != nil {
				return nil, fmt.Errorf("%s, run %d: %w", t.label, i, err)
			}
			after, err := targetCPU(t)
			cpu := after - before
			if err = errors.Join(cpuErr, err); err != nil {
				fmt.Fprintf(log, "  CPU time of %s: %v\n", t.label, err)
				cpu = 0
			}
			fmt.Fprintf(log, "  run %d  %-26s %9.0f req/s  %10s/s  latency %8s", i, t.label, res.rps, res.transfer, res.latency)
			if cpu > 0 {
				fmt.Fprintf(log, "  server CPU %5.1f µs/req", perRequest(cpu, res))
			}
			if res.socketErrors != "" {
				fmt.Fprintf(log, "  socket errors: %s", res.socketErrors)
			}
			fmt.Fprintln(log)
			if res.rps > t.best.rps {
				t.best, t.cpu = res, cpu
			}
		}
	}
	return r, nil
}

// publish uploads the clip and waits until the server has transcoded it.
func publish(ctx context.Context, c *cuttle, clip string, timeout time.Duration) (uploaded, error) {
	var v uploaded
	fi, err := os.Stat(clip)
	if err != nil {
		return v, err
	}
	loc, err := c.initUpload(ctx, fi.Size())
	if err != nil {
		return v, err
	}
	ch := &chunker{client: c.client, path: clip, size: fi.Size(), chunk: 8 * mib, header: c.auth()}
	if _, err := ch.run(ctx, loc, checkChunk(&v)); err != nil {
		return v, fmt.Errorf("upload: %w", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		var got struct {
			State struct {
				ID    int    `json:"id"`
				Label string `json:"label"`
			} `json:"state"`
			Reason string `json:"stateReason"`
		}
		if err := c.call(ctx, http.MethodGet, "/api/v1/videos/"+v.UUID, nil, nil, http.StatusOK, &got); err != nil {
			return v, err
		}
		switch got.State.ID {
		case 1: // published
			return v, nil
		case 7: // transcoding failed
			return v, fmt.Errorf("transcoding failed: %s", got.Reason)
		}
		if time.Now().After(deadline) {
			return v, fmt.Errorf("still %q after %s", got.State.Label, timeout)
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

type wrkResult struct {
	rps      float64
	requests int64
	transfer string
	latency  string
	output   string
	// socketErrors is wrk's count by kind, empty when there were none.
	socketErrors string
}

var (
	wrkRPS      = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)`)
	wrkTransfer = regexp.MustCompile(`(?m)^Transfer/sec:\s+(\S+)`)
	wrkTotal    = regexp.MustCompile(`(?m)^\s+(\d+) requests in `)
	wrkLatency  = regexp.MustCompile(`(?m)^\s+Latency\s+(\S+)`)
	wrkNon2xx   = regexp.MustCompile(`(?m)^\s+Non-2xx or 3xx responses:\s+(\d+)`)
	wrkSocket   = regexp.MustCompile(`(?m)^\s+Socket errors:\s+(.*)$`)
)

func runWrk(ctx context.Context, o hlsServeOpts, script, url string) (wrkResult, error) {
	cmd := exec.CommandContext(ctx, o.wrk,
		"-t", strconv.Itoa(o.threads), "-c", strconv.Itoa(o.connections),
		"-d", strconv.Itoa(int(o.duration.Seconds()))+"s", "-s", script, url+"/")
	var stderr errOutput
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w", stderr.wrap(err))
	}
	text := string(out)
	res := wrkResult{output: text}
	m := wrkRPS.FindStringSubmatch(text)
	t := wrkTotal.FindStringSubmatch(text)
	if m == nil || t == nil {
		return res, fmt.Errorf("wrk printed no rate:\n%s", text)
	}
	res.rps, _ = strconv.ParseFloat(m[1], 64)
	res.requests, _ = strconv.ParseInt(t[1], 10, 64)
	if m := wrkTransfer.FindStringSubmatch(text); m != nil {
		res.transfer = m[1]
	}
	if m := wrkLatency.FindStringSubmatch(text); m != nil {
		res.latency = m[1]
	}
	// Answers that are not the segment would make the rate meaningless.
	if m := wrkNon2xx.FindStringSubmatch(text); m != nil && m[1] != "0" {
		return res, fmt.Errorf("%s answers were errors:\n%s", m[1], text)
	}
	// A timeout or a reset now and then does not spoil a run of many
	// thousands of requests, but it is shown.
	if m := wrkSocket.FindStringSubmatch(text); m != nil {
		res.socketErrors = m[1]
	}
	return res, nil
}

func perRequest(cpu time.Duration, r wrkResult) float64 {
	if r.requests == 0 {
		return 0
	}
	return float64(cpu.Microseconds()) / float64(r.requests)
}

// targetCPU is the CPU time a target has used so far: its process's, and
// for nginx its workers' too. Zero when the target has no pid.
func targetCPU(t *target) (time.Duration, error) {
	if t.pid == 0 {
		return 0, nil
	}
	total, err := procCPU(t.pid)
	if err != nil || !t.children {
		return total, err
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", t.pid, t.pid))
	if err != nil {
		return 0, err
	}
	for _, f := range strings.Fields(string(data)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return 0, err
		}
		cpu, err := procCPU(pid)
		if err != nil {
			return 0, err
		}
		total += cpu
	}
	return total, nil
}

// clockTick is Linux's USER_HZ, the unit of /proc's CPU times; it has
// been 100 on every architecture for decades.
const clockTick = 10 * time.Millisecond

// procCPU reads a process's user and system time from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces; the fields after
	// it start with the state, field 3, so utime (14) and stime (15) are
	// the 12th and 13th.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return time.Duration(utime+stime) * clockTick, nil
}

type nginx struct {
	cmd    *exec.Cmd
	url    string
	prefix string
	exited chan struct{}
}

// startNginx serves dir at urlPath with Debian's nginx in the foreground,
// as a child that the benchmark stops. The configuration is nginx's
// defaults plus what a static file server is deployed with (sendfile, no
// access log), written into prefix with every path nginx writes to.
func startNginx(ctx context.Context, bin, prefix, urlPath, dir string) (*nginx, error) {
	if err := os.MkdirAll(prefix, 0o755); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	// As root, nginx would run its workers as nobody, who may not enter
	// the server's data directory; they run as whoever runs this.
	var userLine string
	if os.Geteuid() == 0 {
		u, err := user.Current()
		if err != nil {
			return nil, err
		}
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			return nil, err
		}
		userLine = fmt.Sprintf("user %s %s;\n", u.Username, g.Name)
	}
	conf := fmt.Sprintf(`daemon off;
worker_processes 2;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
%[2]sevents {}
http {
    access_log off;
    sendfile on;
    # Go's server keeps a connection for any number of requests; without
    # this nginx would close each after 1000 and wrk would reconnect.
    keepalive_requests 1000000;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    server {
        listen 127.0.0.1:%[3]d;
        location %[4]s {
            alias %[5]s/;
        }
    }
}
`, prefix, userLine, port, urlPath, dir)
	confPath := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	n := &nginx{url: fmt.Sprintf("http://127.0.0.1:%d", port), prefix: prefix, exited: make(chan struct{})}
	// -e: the error log nginx opens before it has read the configuration
	// is elsewhere by default, and not writable by everyone.
	n.cmd = exec.Command(bin, "-c", confPath, "-p", prefix+"/", "-e", filepath.Join(prefix, "error.log"))
	var out errOutput
	n.cmd.Stdout, n.cmd.Stderr = &out, &out
	// Should the benchmark die without stopping it, nginx goes too.
	n.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := n.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start nginx: %w", err)
	}
	var waitErr error
	go func() {
		waitErr = n.cmd.Wait()
		close(n.exited)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", strings.TrimPrefix(n.url, "http://"), time.Second)
		if err == nil {
			conn.Close()
			return n, nil
		}
		select {
		case <-n.exited:
			log, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
			return nil, fmt.Errorf("nginx exited: %w: %s %s", out.wrap(waitErr), bytes.TrimSpace(out.buf.Bytes()), bytes.TrimSpace(log))
		case <-ctx.Done():
			n.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			n.stop()
			return nil, errors.New("nginx did not start listening within 10 s")
		}
	}
}

// stop asks nginx for a fast shutdown, which takes its workers down too.
func (n *nginx) stop() {
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(5 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
}

type fileServer struct {
	*http.Server
	url string
}

func startFileServer(urlPath, dir string) (*fileServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &fileServer{
		Server: &http.Server{
			Handler:           http.StripPrefix(urlPath, http.FileServer(http.Dir(dir))),
			ReadHeaderTimeout: 10 * time.Second,
		},
		url: "http://" + ln.Addr().String(),
	}
	go func() { _ = s.Serve(ln) }()
	return s, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// describe says what each request asks for.
func (r *hlsServeResult) describe() string {
	files := map[string]bool{}
	for _, q := range r.requests {
		files[q.file] = true
	}
	if r.requests[0].ranged {
		return fmt.Sprintf("%d byte-range GETs of segments in %d fragmented MP4 files", len(r.requests), len(files))
	}
	return fmt.Sprintf("%d whole-file GETs of segment files", len(r.requests))
}

func (r *hlsServeResult) print(w io.Writer) {
	fmt.Fprintf(w, "\n%s, best of %d runs of wrk -t%d -c%d -d%s\n",
		r.describe(), r.o.runs, r.o.threads, r.o.connections, r.o.duration)
	fmt.Fprintf(w, "server CPU: user+system time during the run / requests wrk completed (nginx: master and workers)\n")
	ngx := r.targets[1]
	ngxCPU := perRequest(ngx.cpu, ngx.best)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "target\treq/s\tx nginx\ttransfer\tlatency\tCPU µs/req\tx nginx\n")
	for _, t := range r.targets {
		cpu, cpuRatio := "-", "-"
		if t.cpu > 0 {
			c := perRequest(t.cpu, t.best)
			cpu = fmt.Sprintf("%.1f", c)
			if ngxCPU > 0 {
				cpuRatio = fmt.Sprintf("%.2f", c/ngxCPU)
			}
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%s/s\t%s\t%s\t%s\n",
			t.label, t.best.rps, t.best.rps/ngx.best.rps, t.best.transfer, t.best.latency, cpu, cpuRatio)
	}
	tw.Flush()
	cuttle, bare := r.targets[0].best.rps, r.targets[2].best.rps
	fmt.Fprintf(w, "aim: cuttle >= %.2f x nginx's req/s: %.2f, %s; cuttle/net/http file server: %.2f\n",
		aimServe, cuttle/ngx.best.rps, verdict(cuttle/ngx.best.rps >= aimServe), cuttle/bare)
}
