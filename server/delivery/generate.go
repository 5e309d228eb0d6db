package delivery

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
)

// PeerTube clients download a video as one MP4 made of at most one video
// stream and one audio stream of its files, which PeerTube keeps apart
// when it stores the sound of its HLS renditions alone. Cuttle's
// renditions carry both, so one file is usually asked for. ffmpeg copies
// the streams as they are sent: its inputs are presigned URLs of the
// store (on S3 the bucket serves them, locally the signed storage route),
// its output a fragmented MP4, which is written front to back, so nothing
// the size of the video is ever written to disk.

// muxURLTTL bounds how long ffmpeg may read its inputs: the slowest
// download of a long video ends well within it.
const muxURLTTL = 12 * time.Hour

// muxSource is a file asked for: where it is stored, its resolution and
// which streams it holds.
type muxSource struct {
	key          string
	resolution   int
	video, audio bool
}

// generateDownload serves /download/videos/generate/{videoId}.
func (s *server) generateDownload(c *gin.Context) {
	v, _, ok := s.fileAccess(c, c.Param("videoId"))
	if !ok {
		return
	}
	if !downloadsOpen(c, v) {
		return
	}
	video, audio, err := muxSources(v, c.QueryArray("videoFileIds"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	// One input per file, read once even when it gives both streams.
	var files []*muxSource
	input := func(src *muxSource) string {
		i := slices.Index(files, src)
		if i < 0 {
			i, files = len(files), append(files, src)
		}
		return strconv.Itoa(i)
	}
	var maps []string
	if video != nil {
		maps = append(maps, input(video)+":v:0")
	}
	if audio != nil {
		maps = append(maps, input(audio)+":a:0")
	}
	inputs := make([]string, len(files))
	for i, f := range files {
		if inputs[i], err = s.Store.PresignGet(c.Request.Context(), f.key, muxURLTTL); err != nil {
			httpserve.Fail(c, problem.Internal(err))
			return
		}
	}
	res := audio.resolution
	if video != nil {
		res = video.resolution
	}
	s.mux(c, v, inputs, maps, media.RenditionDownloadName(v, res))
}

// muxSources finds the files the ids name (repeats count once) and picks
// the video of the first that has video and the audio of the first that
// has audio. Asking for two files with video, or two with only audio,
// asks for more streams than one MP4 download holds.
func muxSources(v *database.Video, ids []string) (video, audio *muxSource, err error) {
	if len(ids) == 0 {
		return nil, nil, problem.BadRequest("videoFileIds names no file to download")
	}
	seen := map[int64]bool{}
	var videos, audioOnly int
	for _, text := range ids {
		id, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, nil, problem.BadRequest("videoFileIds: %q is not a file id", text)
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		src, ok := fileSource(v, id)
		if !ok {
			return nil, nil, problem.NotFound("video file " + text + " of this video")
		}
		if src.video {
			videos++
		} else {
			audioOnly++
		}
		if src.video && video == nil {
			video = src
		}
		if src.audio && audio == nil {
			audio = src
		}
	}
	switch {
	case videos > 1:
		return nil, nil, problem.BadRequest("videoFileIds: a download holds one video stream, %d files with video were given", videos)
	case audioOnly > 1:
		return nil, nil, problem.BadRequest("videoFileIds: a download holds one audio stream, %d audio files were given", audioOnly)
	case video == nil && audio == nil:
		return nil, nil, problem.BadRequest("videoFileIds: the files have neither video nor audio")
	}
	return video, audio, nil
}

// fileSource finds the file of v with an id, as the API lists them: the
// original until the video is published, its renditions after.
func fileSource(v *database.Video, id int64) (*muxSource, bool) {
	if r, ok := media.RenditionOfFile(v, id); ok {
		return &muxSource{key: media.MediaPrefix(v) + r.File, resolution: r.Resolution(), video: !r.AudioOnly(), audio: r.HasAudio}, true
	}
	p := media.OriginalProbe(v)
	if id != media.OriginalFileID(v.ID) || !media.ListsOriginal(v) || p == nil {
		return nil, false
	}
	return &muxSource{key: v.OriginalKey, resolution: v.Height, video: p.Video != nil, audio: p.Audio != nil}, true
}

// mux streams what ffmpeg makes of inputs, the streams maps selects, as
// an attachment named name. ffmpeg lives as long as the request: a
// client that goes away stops it.
func (s *server) mux(c *gin.Context, v *database.Video, inputs, maps []string, name string) {
	ctx, cancel := context.WithCancel(c.Request.Context())
	defer cancel()
	args := []string{"-hide_banner", "-nostdin", "-v", "error"}
	for _, in := range inputs {
		args = append(args, "-i", in)
	}
	for _, m := range maps {
		args = append(args, "-map", m)
	}
	args = append(args, "-c", "copy", "-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", "pipe:1")
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	stderr := &tail{max: 4 << 10}
	cmd.Stderr = stderr
	// A killed ffmpeg's pipes close at once; should anything hold them,
	// Wait still returns.
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		httpserve.Fail(c, problem.Internal(fmt.Errorf("delivery: start ffmpeg for a download of video %s: %w", v.UUID, err)))
		return
	}
	body := bufio.NewReaderSize(out, 64<<10)
	// Until ffmpeg writes, its failure (an input it cannot read) can
	// still be answered as one.
	if _, err := body.Peek(1); err != nil {
		werr := cmd.Wait()
		if ctx.Err() != nil {
			// The client went away first; no one reads an answer.
			c.Abort()
			return
		}
		httpserve.Fail(c, problem.Internal(fmt.Errorf("delivery: mux a download of video %s: %v: %s", v.UUID, werr, stderr)))
		return
	}
	c.Header("Content-Type", "video/mp4")
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Header("Cache-Control", "private, no-store")
	mediaHeaders(c)
	c.Status(http.StatusOK)
	_, copyErr := io.Copy(c.Writer, body)
	// A client that goes away cancels ctx, which kills ffmpeg while it
	// waits on its inputs, or fails a write, which must kill it too.
	gone := copyErr != nil || ctx.Err() != nil
	if gone {
		cancel()
	}
	werr := cmd.Wait()
	switch {
	case gone:
		httpserve.Logger(c).DebugContext(ctx, "download ended by the client", "video", v.UUID, "err", copyErr)
	case werr != nil:
		httpserve.Logger(c).WarnContext(ctx, "download muxing failed", "video", v.UUID, "err", werr, "ffmpeg", stderr.String())
		// The answer is cut short rather than ended: the client must not
		// take a truncated file for the whole.
		panic(http.ErrAbortHandler)
	}
}

// tail keeps the last max bytes written to it: what ffmpeg said last
// tells why it failed.
type tail struct {
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = t.b[over:]
	}
	return len(p), nil
}

func (t *tail) String() string { return strings.TrimSpace(string(t.b)) }
