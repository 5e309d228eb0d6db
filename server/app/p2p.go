package app

import (
	"cuttle.video/server/metrics"
	"cuttle.video/server/p2p"
	"cuttle.video/server/tracker"
	"cuttle.video/server/videos"
)

var _ p2p.FileTokens = (*videos.Service)(nil)

// openP2P builds peer-to-peer delivery: the swarm rules, the tracker
// (spanning replicas through Redis when Redis is configured) and the
// playback metrics. With P2P off there is no tracker.
func (a *App) openP2P() (*p2p.Service, *tracker.Tracker, *metrics.Playback) {
	// File tokens of non-public videos are checked by the videos service.
	svc := p2p.New(p2p.Config{Enabled: a.cfg.P2P.Enabled}, a.db, a.media, a.Videos, a.log)
	// The service says whether P2P is on; the tracker exists only then.
	if !svc.Enabled() {
		return svc, nil, metrics.NewPlayback()
	}
	var cluster tracker.Cluster
	if a.redis != nil {
		// A peer that stops announcing (its replica died) is forgotten
		// after two intervals.
		cluster = tracker.NewRedisCluster(a.redis, 2*a.cfg.P2P.AnnounceInterval)
	}
	cfg := tracker.DefaultConfig()
	cfg.Interval = a.cfg.P2P.AnnounceInterval
	cfg.MaxConnsPerAddr = a.cfg.P2P.MaxConnsPerAddr
	tr := tracker.New(cfg, cluster, a.log.With("component", "tracker"))
	a.Videos.OnAccessChange(tr.RevokeVideo)
	a.closers = append(a.closers, func() error { tr.Close(); return nil })
	return svc, tr, metrics.NewPlayback()
}
