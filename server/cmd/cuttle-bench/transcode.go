package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/pipeline"
	"cuttle.video/transcoder/probe"
)

// The aims of the transcoding benchmark: what pipeline.Run adds to the
// ffmpeg process it runs (reading back, hashing, probing, images), and
// what encoding the ladder in one process saves over one process per
// rendition.
const (
	aimOverhead = 1.10
	aimSpeedUp  = 1.4
)

type transcodeOpts struct {
	clip     string
	work     string
	runs     int
	threads  int
	preset   string
	parallel int
}

func transcodeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cuttle-bench transcode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o transcodeOpts
	fs.StringVar(&o.clip, "clip", "", "benchmark clip `file`, generated there when missing (required)")
	fs.StringVar(&o.work, "work", "", "`directory` for the encoded outputs (default: the system's temporary directory)")
	fs.IntVar(&o.runs, "runs", 2, "rounds of runs, each variant once per round; the best counts")
	fs.IntVar(&o.threads, "threads", 0, "ffmpeg -threads for every variant (0: ffmpeg's choice, as the server's default)")
	fs.StringVar(&o.preset, "preset", "", "x264 preset (default: the pipeline's, veryfast)")
	fs.IntVar(&o.parallel, "parallel", 2, "per-rendition processes run at once for the concurrent variant")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.clip == "" || o.runs < 1 || o.threads < 0 || o.parallel < 2 || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("-clip is required; -runs must be at least 1, -threads at least 0, -parallel at least 2")
	}
	res, err := benchTranscode(ctx, o, stdout)
	if err != nil {
		return err
	}
	res.print(stdout)
	return nil
}

// timing is one run: wall time, and the CPU time (user and system) of
// every process it ran, which shows how much work a variant does apart
// from how well it spreads it over the cores.
type timing struct {
	wall, cpu time.Duration
}

func (t timing) cores() float64 { return t.cpu.Seconds() / t.wall.Seconds() }

// variant keeps the best run of one way of producing the ladder: the
// shortest wall time and, apart from it, the least CPU time, since a
// neighbour on the machine can spoil either without the other.
type variant struct {
	label string
	best  timing
}

func (v *variant) add(t timing) {
	if v.best.wall == 0 || t.wall < v.best.wall {
		v.best.wall = t.wall
	}
	if v.best.cpu == 0 || t.cpu < v.best.cpu {
		v.best.cpu = t.cpu
	}
}

type transcodeResult struct {
	clip    string
	probe   *probe.Result
	ladder  []job.Rendition
	opt     pipeline.Options
	runs    int
	bare    variant
	pipe    variant
	perSeq  variant
	perPar  variant
	parN    int
	pipeEnd time.Duration // after ffmpeg exited, in the best pipeline run
}

func benchTranscode(ctx context.Context, o transcodeOpts, log io.Writer) (*transcodeResult, error) {
	if err := ensureClip(ctx, o.clip, log); err != nil {
		return nil, err
	}
	p, err := probe.File(ctx, o.clip)
	if err != nil {
		return nil, err
	}
	ladder := pipeline.Ladder(p)
	if len(ladder) < 2 {
		return nil, fmt.Errorf("%s gets a ladder of %d renditions; the comparison needs several", o.clip, len(ladder))
	}
	r := &transcodeResult{
		clip: filepath.Base(o.clip), probe: p, ladder: ladder, runs: o.runs, parN: o.parallel,
		opt:    pipeline.Options{Threads: o.threads, Preset: o.preset},
		bare:   variant{label: "single pass, bare ffmpeg"},
		pipe:   variant{label: "single pass, pipeline.Run"},
		perSeq: variant{label: "per rendition, one after another"},
		perPar: variant{label: fmt.Sprintf("per rendition, %d at a time", o.parallel)},
	}
	if err := warm(o.clip); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(o.work, "cuttle-bench-transcode-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	fmt.Fprintf(log, "ladder %s of %s, %d rounds, each variant once per round\n", ladderNames(ladder), r.clip, o.runs)
	for i := 1; i <= o.runs; i++ {
		if err := r.round(ctx, o.clip, filepath.Join(work, fmt.Sprintf("run%d", i)), i, log); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// round runs every variant once. Each writes into a fresh directory,
// whose files are checked against the bare single pass's and then
// deleted, so the disk holds one ladder at a time.
func (r *transcodeResult) round(ctx context.Context, clip, dir string, i int, log io.Writer) error {
	out := dir + "-bare"
	var want []string
	t, err := timed(out, func() error {
		if err := ffmpeg(ctx, pipeline.Args(clip, out, r.ladder, newIDs(len(r.ladder)), r.opt)); err != nil {
			return err
		}
		var err error
		want, err = listDir(out)
		return err
	})
	if err := r.bare.record(log, i, t, err, out, ""); err != nil {
		return err
	}

	out = dir + "-pipeline"
	var end time.Duration
	t, err = timed(out, func() error {
		var ffmpegDone time.Time
		res, err := pipeline.Run(ctx, clip, out, r.ladder, r.probe.Duration, r.opt, func(f float64) {
			// Run reports 1 right after ffmpeg has exited.
			if f >= 1 {
				ffmpegDone = time.Now()
			}
		})
		if err != nil {
			return err
		}
		if !ffmpegDone.IsZero() {
			end = time.Since(ffmpegDone)
		}
		return sameFiles(want, res.Files, true)
	})
	if err == nil && (r.pipe.best.wall == 0 || t.wall < r.pipe.best.wall) {
		r.pipeEnd = end
	}
	if err := r.pipe.record(log, i, t, err, out, fmt.Sprintf("  (%.2f s after ffmpeg)", end.Seconds())); err != nil {
		return err
	}

	for _, v := range []struct {
		v        *variant
		parallel int
	}{{&r.perSeq, 1}, {&r.perPar, r.parN}} {
		out = dir + "-per-rendition"
		t, err = timed(out, func() error {
			if err := perRendition(ctx, clip, out, r.ladder, r.opt, v.parallel); err != nil {
				return err
			}
			got, err := listDir(out)
			if err != nil {
				return err
			}
			return sameFiles(want, got, false)
		})
		if err := v.v.record(log, i, t, err, out, ""); err != nil {
			return err
		}
	}
	return nil
}

// record keeps a run that went well, logs it and deletes its output.
func (v *variant) record(log io.Writer, i int, t timing, runErr error, out, note string) error {
	if runErr != nil {
		return fmt.Errorf("%s, run %d: %w", v.label, i, runErr)
	}
	n, err := finish(out)
	if err != nil {
		return err
	}
	v.add(t)
	fmt.Fprintf(log, "  run %d  %-34s %6.2f s  CPU %6.2f s (%.2f cores)  %5.1f MiB%s\n",
		i, v.label, t.wall.Seconds(), t.cpu.Seconds(), t.cores(), float64(n)/mib, note)
	return nil
}

// timed runs fn once dir has been emptied, and measures it.
func timed(dir string, fn func() error) (timing, error) {
	if err := freshDir(dir); err != nil {
		return timing{}, err
	}
	before, err := childrenCPU()
	if err != nil {
		return timing{}, err
	}
	start := time.Now()
	err = fn()
	wall := time.Since(start)
	after, cpuErr := childrenCPU()
	if err = errors.Join(err, cpuErr); err != nil {
		return timing{}, err
	}
	return timing{wall: wall, cpu: after - before}, nil
}

// childrenCPU is the user and system time of every child process this
// one has waited for, their own children included.
func childrenCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// ffmpeg runs ffmpeg with args as they are, the way pipeline.Run does
// but with nothing around it. Args asks for -progress on stdout, which
// goes to /dev/null here: ffmpeg writes it either way.
func ffmpeg(ctx context.Context, args []string) error {
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	var stderr errOutput
	cmd.Stderr = &stderr
	return stderr.wrap(cmd.Run())
}

// perRendition encodes the ladder the way PeerTube does, one ffmpeg
// process per rendition, each decoding the original again. The argv of
// each is pipeline.Args for a ladder of that one rendition, so filters,
// encoder settings and HLS options are those of the single pass. Up to
// parallel processes run at once, started largest first as a queue of
// one job per rendition would.
func perRendition(ctx context.Context, input, outDir string, ladder []job.Rendition, opt pipeline.Options, parallel int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, r := range ladder {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := ffmpeg(ctx, pipeline.Args(input, outDir, []job.Rendition{r}, newIDs(1), opt)); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("rendition %s: %w", r.Name, err))
				mu.Unlock()
				cancel()
			}
		})
	}
	wg.Wait()
	if len(errs) == 0 && ctx.Err() != nil {
		return ctx.Err()
	}
	return errors.Join(errs...)
}

func listDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, nil
}

// newIDs gives n renditions the fresh file ids pipeline.Run would.
func newIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = job.NewFileID()
	}
	return ids
}

// fileIDRE finds the random id each run puts in its file names.
var fileIDRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// sameFiles checks that a variant wrote the files the bare single pass
// did, their random ids aside, which is how the comparison knows both
// produced the same ladder. pipeline.Run also writes the segment hashes
// and images (more true).
func sameFiles(want, got []string, more bool) error {
	has := map[string]bool{}
	for _, g := range got {
		has[fileIDRE.ReplaceAllString(g, "{id}")] = true
	}
	var missing []string
	for _, w := range want {
		w = fileIDRE.ReplaceAllString(w, "{id}")
		if !has[w] {
			missing = append(missing, w)
		}
		delete(has, w)
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s, which the single pass wrote", strings.Join(missing, ", "))
	}
	if !more && len(has) > 0 {
		extra := make([]string, 0, len(has))
		for name := range has {
			extra = append(extra, name)
		}
		slices.Sort(extra)
		return fmt.Errorf("wrote %s, which the single pass did not", strings.Join(extra, ", "))
	}
	return nil
}

// finish deletes a run's output and returns its size.
func finish(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	return n, errors.Join(err, os.RemoveAll(dir))
}

func ladderNames(ladder []job.Rendition) string {
	names := make([]string, len(ladder))
	for i, r := range ladder {
		names[i] = r.Name
	}
	return strings.Join(names, " ")
}

func (r *transcodeResult) print(w io.Writer) {
	threads := "ffmpeg's choice"
	if r.opt.Threads > 0 {
		threads = fmt.Sprint(r.opt.Threads)
	}
	preset := r.opt.Preset
	if preset == "" {
		preset = "veryfast (default)"
	}
	fmt.Fprintf(w, "\n%s: %dx%d %.3g fps, %.1f s; ladder %s; preset %s; threads %s\n",
		r.clip, r.probe.Video.Width, r.probe.Video.Height, r.probe.Video.FPS, r.probe.Duration,
		ladderNames(r.ladder), preset, threads)
	fmt.Fprintf(w, "best of %d runs: shortest wall time; least CPU time (user+system of all the run's processes)\n", r.runs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "measure\tvalue\tCPU\taim\tresult\n")
	for _, v := range []variant{r.bare, r.pipe} {
		fmt.Fprintf(tw, "%s\t%.2f s\t%.2f s\t\t\n", v.label, v.best.wall.Seconds(), v.best.cpu.Seconds())
	}
	fmt.Fprintf(tw, "  of which after ffmpeg exited\t%.2f s\t\t\t\n", r.pipeEnd.Seconds())
	overhead := r.pipe.best.wall.Seconds() / r.bare.best.wall.Seconds()
	fmt.Fprintf(tw, "overhead pipeline/bare\t%.3f\t\t<= %.2f\t%s\n", overhead, aimOverhead, verdict(overhead <= aimOverhead))
	// Run's ffmpeg has the very argv of the bare one, so what Run adds is
	// what it does once ffmpeg has exited; this ratio is free of the
	// noise that other work on the machine puts on the encode times.
	own := 1 + r.pipeEnd.Seconds()/r.bare.best.wall.Seconds()
	fmt.Fprintf(tw, "  (bare + after ffmpeg)/bare\t%.3f\t\t<= %.2f\t%s\n", own, aimOverhead, verdict(own <= aimOverhead))
	fmt.Fprintf(tw, "  same in CPU time, pipeline/bare\t%.3f\t\t\t\n", r.pipe.best.cpu.Seconds()/r.bare.best.cpu.Seconds())
	for _, v := range []variant{r.perSeq, r.perPar} {
		fmt.Fprintf(tw, "%s\t%.2f s\t%.2f s\t\t\n", v.label, v.best.wall.Seconds(), v.best.cpu.Seconds())
	}
	seq := r.perSeq.best.wall.Seconds() / r.bare.best.wall.Seconds()
	par := r.perPar.best.wall.Seconds() / r.bare.best.wall.Seconds()
	fmt.Fprintf(tw, "speed-up single pass vs one after another\t%.2fx\t\t>= %.1fx\t%s\n", seq, aimSpeedUp, verdict(seq >= aimSpeedUp))
	// PeerTube runs one job per resolution; with 2 cores an operator
	// could run two at once, which this line gives the single pass as a
	// fairer opponent. The aim is the sequential one's.
	fmt.Fprintf(tw, "speed-up single pass vs %d at a time\t%.2fx\t\t(>= %.1fx)\t%s\n", r.parN, par, aimSpeedUp, verdict(par >= aimSpeedUp))
	cpu := r.perSeq.best.cpu.Seconds() / r.bare.best.cpu.Seconds()
	fmt.Fprintf(tw, "CPU per rendition/single pass\t%.2fx\t\t\t\n", cpu)
	tw.Flush()
}
