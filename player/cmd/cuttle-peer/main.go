// Command cuttle-peer joins the peer-to-peer swarm of a video on a Cuttle
// instance, as a browser viewer does, and either plays it through or seeds
// it: it fetches every segment, then keeps serving other viewers until it
// is stopped.
//
//	cuttle-peer -server https://videos.example.org -video UUID [-height 720] [-mode seed|play]
//
// The tracker and the playlists are the instance's own; segments from
// other peers are checked against the video's segment hash map.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"cuttle.video/player/peer"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "cuttle-peer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cuttle-peer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "", "the instance's public URL (required)")
	video := fs.String("video", "", "the video's UUID (required)")
	token := fs.String("token", "", "a video file token, for a video that is not public")
	height := fs.Int("height", 0, "the rendition to share, by height (0: the highest)")
	mode := fs.String("mode", "seed", "seed: fetch everything, then serve until stopped; play: play through once and exit")
	speed := fs.Float64("speed", 1, "playback speed in play mode")
	verbose := fs.Bool("v", false, "log connections and refusals")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *server == "" || *video == "" || (*mode != "seed" && *mode != "play") {
		fs.Usage()
		return errors.New("-server and -video are required; -mode is seed or play")
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := configFor(ctx, strings.TrimSuffix(*server, "/"), *video, *token)
	if err != nil {
		return err
	}
	cfg.Height, cfg.Log = *height, log
	c, err := peer.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(stdout, "joined swarm %q (%dp, %d segments)\n", c.InfoHash(), c.Stream().Height, c.Segments())
	report := func() {
		s := c.Stats()
		fmt.Fprintf(stdout, "peers %d  from peers %d B  over HTTP %d B  uploaded %d B  rejected %d\n",
			s.Peers, s.DownloadedP2P, s.DownloadedHTTP, s.UploadedP2P, s.Rejected)
	}
	if *mode == "play" {
		err := c.Play(ctx, peer.PlayOptions{Speed: *speed})
		report()
		return err
	}
	if err := c.Seed(ctx); err != nil {
		return err
	}
	report()
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			report()
			return nil
		case <-tick.C:
			report()
		}
	}
}

// configFor asks the instance for the video's playlist and segment hash
// map, the way a client of its API does.
func configFor(ctx context.Context, server, video, token string) (peer.Config, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, server+"/api/v1/videos/"+url.PathEscape(video), nil)
	if err != nil {
		return peer.Config{}, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return peer.Config{}, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return peer.Config{}, fmt.Errorf("video %s: %s", video, res.Status)
	}
	var v struct {
		UUID               string `json:"uuid"`
		StreamingPlaylists []struct {
			PlaylistURL       string `json:"playlistUrl"`
			SegmentsSha256URL string `json:"segmentsSha256Url"`
		} `json:"streamingPlaylists"`
	}
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		return peer.Config{}, err
	}
	if len(v.StreamingPlaylists) == 0 {
		return peer.Config{}, fmt.Errorf("video %s has no HLS playlist yet", video)
	}
	sp := v.StreamingPlaylists[0]
	master, hashes := sp.PlaylistURL, sp.SegmentsSha256URL
	if token != "" {
		q := "?videoFileToken=" + url.QueryEscape(token)
		master, hashes = master+q, hashes+q
	}
	return peer.Config{Tracker: TrackerURL(server, v.UUID, token), Master: master, Hashes: hashes, SwarmID: v.UUID}, nil
}

// TrackerURL mirrors the URL the watch page gives browsers.
func TrackerURL(server, videoUUID, token string) string {
	u, err := url.Parse(server)
	if err != nil {
		return ""
	}
	u.Scheme = map[string]string{"https": "wss"}[u.Scheme]
	if u.Scheme == "" {
		u.Scheme = "ws"
	}
	u.Path = "/tracker/socket"
	q := url.Values{"video": {videoUUID}}
	if token != "" {
		q.Set("videoFileToken", token)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
