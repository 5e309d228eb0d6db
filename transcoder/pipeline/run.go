package pipeline

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"cuttle.video/transcoder/job"
)

const (
	// progressInterval spaces progress callbacks; ffmpeg reports twice a
	// second already, this only guards against bursts.
	progressInterval = 500 * time.Millisecond
	// stderrLines is how much of ffmpeg's complaints an error carries: a
	// damaged file can make it print thousands of lines, and the last few
	// say why it stopped.
	stderrLines = 8
	// waitDelay bounds how long Run waits for ffmpeg's pipes after it was
	// killed.
	waitDelay = 5 * time.Second
	// Output shorter than the original claims, by more than this share and
	// a second, means ffmpeg stopped early without failing, as it does on
	// a truncated file whose index is intact.
	truncatedShare = 0.1
)

// ErrDamaged is returned when ffmpeg read less of the original than it
// claims to hold, as happens with a truncated upload whose index is at the
// start: ffmpeg encodes what is there and succeeds. Encoding it again
// would give the same result.
var ErrDamaged = errors.New("pipeline: the original is truncated or damaged")

// ErrTooLarge is returned when the encoder wrote more than
// Options.MaxOutputBytes: the original is not what its probe said, and
// encoding it again would do the same.
var ErrTooLarge = errors.New("pipeline: the output grew past its bound")

// Run encodes input into the ladder's renditions in outDir and returns
// what it wrote, under the names package job gives: a fragmented MP4 and
// its byte-range playlist for each rendition, each with a fresh id, a
// segment hash map, thumbnail.jpg and preview.jpg. outDir is created if
// needed; files already in it are left alone and not listed.
//
// duration is the original's, as probed; it scales progress, which, when
// not nil, is called with a growing fraction up to 1. Cancelling ctx kills
// ffmpeg, and Run returns once it has exited.
func Run(ctx context.Context, input, outDir string, ladder []job.Rendition, duration float64, opt Options, progress func(float64)) (*job.VODHLSResult, error) {
	opt = opt.withDefaults()
	if err := check(input, outDir, ladder); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(outDir, 0o750); err != nil {
		return nil, fmt.Errorf("pipeline: output directory: %w", err)
	}
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	if opt.MaxOutputBytes > 0 {
		progress = boundOutput(outDir, opt.MaxOutputBytes, stop, progress)
	}
	ids := make([]string, len(ladder))
	for i := range ids {
		ids[i] = job.NewFileID()
	}
	stderr, err := runFFmpeg(ctx, opt.FFmpeg, Args(input, outDir, ladder, ids, opt), duration, progress)
	if err != nil {
		return nil, fmt.Errorf("pipeline: encode: %w", scrub(err, input, outDir))
	}

	res := &job.VODHLSResult{SegmentsSHA256: job.SegmentsName(job.NewFileID())}
	hashes := job.SegmentHashes{}
	for i, r := range ladder {
		m, err := measure(ctx, opt.FFprobe, outDir, r, ids[i], opt.SegmentSeconds, hashes)
		if err != nil {
			return nil, scrub(fmt.Errorf("pipeline: rendition %s: %w", r.Name, err), input, outDir)
		}
		res.Renditions = append(res.Renditions, m.RenditionResult)
		res.Files = append(res.Files, m.File, m.Playlist)
		res.Duration = max(res.Duration, m.duration)
	}
	if duration > 0 && res.Duration < duration*(1-truncatedShare)-1 {
		err := fmt.Errorf("%w: the output lasts %.1f s, the original claims %.1f s", ErrDamaged, res.Duration, duration)
		if stderr != "" {
			err = fmt.Errorf("%w; ffmpeg said: %s", err, stderr)
		}
		return nil, scrub(err, input, outDir)
	}
	if err := writeHashes(outDir, res.SegmentsSHA256, hashes); err != nil {
		return nil, err
	}
	res.Files = append(res.Files, res.SegmentsSHA256)
	if err := Images(ctx, opt.FFmpeg, input, outDir, !ladder[0].AudioOnly(), res.Duration); err != nil {
		return nil, scrub(err, input, outDir)
	}
	res.Thumbnail, res.Preview = job.ThumbnailFile, job.PreviewFile
	res.Files = append(res.Files, job.ThumbnailFile, job.PreviewFile)
	sort.Strings(res.Files)
	return res, nil
}

// check refuses ladders and paths ffmpeg would misread.
func check(input, outDir string, ladder []job.Rendition) error {
	if input == "" || outDir == "" {
		return errors.New("pipeline: needs an input and an output directory")
	}
	// ffmpeg expands % sequences in output names, so a directory holding
	// one would be written somewhere else.
	if strings.Contains(outDir, "%") {
		return fmt.Errorf("pipeline: output directory %q contains %%", outDir)
	}
	if len(ladder) == 0 {
		return errors.New("pipeline: empty ladder")
	}
	seen := map[string]bool{}
	video := !ladder[0].AudioOnly()
	for _, r := range ladder {
		switch {
		case !job.ValidRenditionName(r.Name):
			return fmt.Errorf("pipeline: rendition name %q: only letters, digits and _ are allowed", r.Name)
		case seen[r.Name]:
			return fmt.Errorf("pipeline: rendition %s appears twice", r.Name)
		case r.AudioOnly() == video:
			return errors.New("pipeline: a ladder is either all video or all audio")
		case r.AudioOnly() && !r.HasAudio:
			return fmt.Errorf("pipeline: rendition %s has neither video nor audio", r.Name)
		case !r.AudioOnly() && (r.Width <= 0 || r.Height <= 0 || r.Width%2 != 0 || r.Height%2 != 0):
			return fmt.Errorf("pipeline: rendition %s: %dx%d is not an even size", r.Name, r.Width, r.Height)
		case !r.AudioOnly() && (r.FPS <= 0 || r.FPS > maxFPS || r.VideoKbps <= 0):
			return fmt.Errorf("pipeline: rendition %s: needs a frame rate up to %d and a video bitrate", r.Name, maxFPS)
		case r.HasAudio && r.AudioKbps <= 0:
			return fmt.Errorf("pipeline: rendition %s: needs an audio bitrate", r.Name)
		}
		seen[r.Name] = true
	}
	return nil
}

// runFFmpeg runs ffmpeg, turning its -progress output into progress
// calls. It returns the tail of ffmpeg's stderr, which holds the errors it
// recovered from when it succeeds.
func runFFmpeg(ctx context.Context, bin string, args []string, duration float64, progress func(float64)) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.WaitDelay = waitDelay
	tail := &tailWriter{}
	cmd.Stderr = tail
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", fmt.Errorf("ffmpeg stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start ffmpeg: %w", err)
	}
	rep := &reporter{fn: progress, every: progressInterval}
	readProgress(stdout, duration, rep)
	err = cmd.Wait()
	if ctx.Err() != nil {
		return "", context.Cause(ctx)
	}
	if err != nil {
		if msg := tail.String(); msg != "" {
			return "", fmt.Errorf("ffmpeg: %w: %s", err, msg)
		}
		return "", fmt.Errorf("ffmpeg: %w", err)
	}
	// Only now: ffmpeg also says "end" when it gives up.
	rep.report(1)
	return tail.String(), nil
}

// boundOutput wraps progress so that each report also measures outDir and
// stops the encoder once it holds more than limit bytes. ffmpeg's own
// reports pace the measuring; nothing runs while it is silent.
func boundOutput(outDir string, limit int64, stop context.CancelCauseFunc, progress func(float64)) func(float64) {
	return func(f float64) {
		if n := dirSize(outDir); n > limit {
			stop(fmt.Errorf("%w: %d bytes written, at most %d allowed", ErrTooLarge, n, limit))
			return
		}
		if progress != nil {
			progress(f)
		}
	}
}

// dirSize sums the sizes of the files directly in dir; files that vanish
// meanwhile count as empty.
func dirSize(dir string) int64 {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var n int64
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	return n
}

// reporter passes progress on, rounded to 1%, only growing and at most
// every progressInterval: the server shows it and need not hear of every
// step.
type reporter struct {
	fn    func(float64)
	every time.Duration
	sent  float64
	last  time.Time
}

func (r *reporter) report(f float64) {
	f = float64(int(min(max(f, 0), 1)*100)) / 100
	if r.fn == nil || f <= r.sent || (f < 1 && time.Since(r.last) < r.every) {
		return
	}
	r.sent, r.last = f, time.Now()
	r.fn(f)
}

// readProgress reads ffmpeg's -progress blocks until stdout closes.
func readProgress(r io.Reader, duration float64, rep *reporter) {
	sc := bufio.NewScanner(r)
	var current float64
	for sc.Scan() {
		key, value, _ := strings.Cut(sc.Text(), "=")
		switch key {
		case "out_time_us":
			// "N/A" until the first frame is out.
			if us, err := strconv.ParseInt(value, 10, 64); err == nil && duration > 0 {
				current = float64(us) / 1e6 / duration
			}
		case "progress":
			// The last block comes before ffmpeg has finished writing.
			rep.report(min(current, 0.99))
		}
	}
	// Drained so ffmpeg never blocks writing to a pipe no one reads.
	_, _ = io.Copy(io.Discard, r)
}

// tailWriter keeps the last lines written to it.
type tailWriter struct {
	lines   []string
	partial []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.partial = append(t.partial, p...)
	for {
		i := indexNewline(t.partial)
		if i < 0 {
			break
		}
		t.add(string(t.partial[:i]))
		t.partial = t.partial[i+1:]
	}
	// A line without an end is cut, so one huge line cannot fill memory.
	if len(t.partial) > 4096 {
		t.add(string(t.partial[:4096]))
		t.partial = t.partial[:0]
	}
	return len(p), nil
}

func indexNewline(b []byte) int {
	for i, c := range b {
		if c == '\n' || c == '\r' {
			return i
		}
	}
	return -1
}

// logContext matches the "[h264 @ 0x55d8f26bfcc0]" ffmpeg puts before a
// component's messages; the address means nothing outside the process.
var logContext = regexp.MustCompile(`\[([^\]@]+?) @ 0x[0-9a-f]+\]`)

func (t *tailWriter) add(line string) {
	line = logContext.ReplaceAllString(strings.TrimSpace(line), "[$1]")
	if line == "" {
		return
	}
	if len(t.lines) == stderrLines {
		copy(t.lines, t.lines[1:])
		t.lines = t.lines[:stderrLines-1]
	}
	t.lines = append(t.lines, line)
}

// String joins the kept lines, with any unfinished one.
func (t *tailWriter) String() string {
	lines := t.lines
	if s := strings.TrimSpace(string(t.partial)); s != "" {
		if len(lines) == stderrLines {
			lines = lines[1:]
		}
		lines = append(lines[:len(lines):len(lines)], logContext.ReplaceAllString(s, "[$1]"))
	}
	return strings.Join(lines, "; ")
}

// scrubbedError hides the worker's own paths, which mean nothing to whoever
// reads the error, while keeping the error chain.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

func scrub(err error, input, outDir string) error {
	msg := strings.ReplaceAll(err.Error(), input, "input")
	msg = strings.ReplaceAll(msg, outDir+string(os.PathSeparator), "")
	msg = strings.ReplaceAll(msg, outDir, "output")
	return &scrubbedError{msg: msg, err: err}
}
