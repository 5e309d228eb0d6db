package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"cuttle.video/player/peer"
	"cuttle.video/server/p2p"
)

type offloadOpts struct {
	server   string
	user     string
	password string
	clip     string
	peers    int
	spacing  time.Duration
	height   int
}

// offloadCmd publishes a clip, then lets N Go peers join its swarm a few
// seconds apart and play it through in real time, and reports the share
// of segment bytes that came from peers against the best possible,
// (N-1)/N: every segment must come over HTTP once.
func offloadCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o offloadOpts
	fs := flag.NewFlagSet("p2p-offload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.server, "server", "", "the Cuttle server's URL (required)")
	fs.StringVar(&o.user, "user", "root", "user to upload as")
	fs.StringVar(&o.password, "password", "", "the user's password (required)")
	fs.StringVar(&o.clip, "clip", "", "video to publish and share (required)")
	fs.IntVar(&o.peers, "peers", 20, "peers joining the swarm")
	fs.DurationVar(&o.spacing, "spacing", 3*time.Second, "time between two peers joining")
	fs.IntVar(&o.height, "height", 0, "rendition to play (0: the highest)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.server == "" || o.password == "" || o.clip == "" || o.peers < 2 {
		return errors.New("-server, -password and -clip are required, and -peers >= 2")
	}
	client := &http.Client{Timeout: time.Minute}
	c, err := login(ctx, client, o.server, o.user, o.password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "p2p-offload: publishing %s\n", o.clip)
	v, err := publish(ctx, c, o.clip, 10*time.Minute)
	if err != nil {
		return err
	}
	var got struct {
		UUID      string `json:"uuid"`
		Playlists []struct {
			URL    string `json:"playlistUrl"`
			Hashes string `json:"segmentsSha256Url"`
		} `json:"streamingPlaylists"`
	}
	if err := c.call(ctx, http.MethodGet, "/api/v1/videos/"+url.PathEscape(v.UUID), nil, nil, http.StatusOK, &got); err != nil {
		return err
	}
	if len(got.Playlists) == 0 {
		return errors.New("the published video has no playlist")
	}
	cfg := peer.Config{
		Tracker: p2p.TrackerURL(o.server, got.UUID, ""), Master: got.Playlists[0].URL,
		Hashes: got.Playlists[0].Hashes, SwarmID: got.UUID,
		Height: o.height, HTTP: &http.Client{Timeout: time.Minute},
	}

	var mu sync.Mutex
	var total peer.Stats
	var errs []error
	var wg sync.WaitGroup
	var first *peer.Client
	var clients []*peer.Client
	defer func() {
		for _, pc := range clients {
			pc.Close()
		}
	}()
	started := time.Now()
	for i := range o.peers {
		if i > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(o.spacing):
			}
		}
		pc, err := peer.Open(ctx, cfg)
		if err != nil {
			return fmt.Errorf("peer %d: %w", i, err)
		}
		clients = append(clients, pc)
		if first == nil {
			first = pc
			fmt.Fprintf(stderr, "p2p-offload: %dp rendition, %d segments; %d peers joining %v apart\n",
				pc.Stream().Height, pc.Segments(), o.peers, o.spacing)
		}
		wg.Go(func() {
			err := pc.Play(ctx, peer.PlayOptions{Speed: 1})
			st := pc.Stats()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("peer %d: %w", i, err))
			}
			total.DownloadedP2P += st.DownloadedP2P
			total.DownloadedHTTP += st.DownloadedHTTP
			total.SegmentsP2P += st.SegmentsP2P
			total.SegmentsHTTP += st.SegmentsHTTP
			total.Stalls += st.Stalls
			total.Rejected += st.Rejected
		})
	}
	wg.Wait()
	elapsed := time.Since(started)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	share := float64(total.DownloadedP2P) / float64(total.DownloadedP2P+total.DownloadedHTTP)
	limit := float64(o.peers-1) / float64(o.peers)
	fmt.Fprintf(stdout, "p2p-offload: %d peers, %.0f s: %.1f MiB from peers, %.1f MiB over HTTP (%d and %d segments), %d stalls, %d rejected\n",
		o.peers, elapsed.Seconds(), float64(total.DownloadedP2P)/(1<<20), float64(total.DownloadedHTTP)/(1<<20),
		total.SegmentsP2P, total.SegmentsHTTP, total.Stalls, total.Rejected)
	verdict := "met"
	if share/limit < 0.9 {
		verdict = "MISSED"
	}
	fmt.Fprintf(stdout, "p2p-offload: share from peers %.3f, limit (N-1)/N = %.3f, ratio %.3f (aim >= 0.9: %s)\n",
		share, limit, share/limit, verdict)
	return nil
}
