package app

import (
	"net/http"

	"cuttle.video/server/activitypub"
	"cuttle.video/server/api"
	"cuttle.video/server/auth"
	"cuttle.video/server/delivery"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/instance"
	"cuttle.video/server/metrics"
	"cuttle.video/server/p2p"
	"cuttle.video/server/session"
	"cuttle.video/server/stats"
	"cuttle.video/server/tracker"
	"cuttle.video/server/web"
)

// routes mounts the server's four faces on one router: the PeerTube
// API, the pages, media delivery and ActivityPub. They share the plumbing of
// httpserve, the viewer of session and the addresses of media, and never
// import each other.
func (a *App) routes(settings *instance.Service, p2pService *p2p.Service, tr *tracker.Tracker, playback *metrics.Playback, opts Options) http.Handler {
	cfg := a.cfg
	clients := httpserve.Clients{
		TrustedProxies: cfg.TrustedProxies, IPHeader: cfg.ClientIPHeader, BodyMinRate: int64(cfg.Connections.BodyMinRate),
		BodyGrace: cfg.Connections.BodyGrace, UploadBodyGrace: cfg.Connections.UploadBodyGrace,
	}
	r := httpserve.NewEngine(a.log, clients)
	sessions := session.New(a.Accounts, cfg.PublicURL, auth.NewLimiter(cfg.LoginRateLimit.Burst, cfg.LoginRateLimit.Window, opts.Now))
	urls := a.urls
	counts := stats.New(a.db, opts.Now)
	api.Mount(r, api.Deps{
		PublicURL: cfg.PublicURL, Accounts: a.Accounts, Sessions: sessions, Videos: a.Videos, Uploads: a.Uploads, Images: a.Images,
		Clients: clients, Ready: a.ready, URLs: urls, Jobs: a.Jobs, Tracker: tr, Playback: playback,
		Instance: settings, Chapters: a.Chapters, Captions: a.Captions, Engagement: a.Engagement,
		Stats: counts, Federation: a.Federation,
	})
	inboxLimit := cfg.Federation.InboxRateLimit
	apDeps := activitypub.Deps{
		Actors: a.Actors, Instance: settings, Stats: counts, Federation: a.Federation,
		InboxLimit: auth.NewLimiter(inboxLimit.Burst, inboxLimit.Window, opts.Now),
	}
	web.Mount(r, web.Deps{
		PublicURL: cfg.PublicURL, Accounts: a.Accounts, Sessions: sessions, Videos: a.Videos, Uploads: a.Uploads,
		Jobs: a.Jobs, Instance: settings, Chapters: a.Chapters, Captions: a.Captions, Federation: a.Federation, URLs: urls,
		P2P: tr != nil, Log: a.log, UnknownAPI: api.UnknownRoute, VideoDocument: activitypub.VideoDocument(apDeps),
	})
	d := delivery.Deps{
		Sessions: sessions, Videos: a.Videos, Store: a.media, Redirect: cfg.S3.Enabled(), URLs: urls,
		P2P: p2pService, Tracker: tr,
	}
	if a.localMedia != nil {
		d.Storage, d.StoragePath = a.localMedia.Handler(), a.localMedia.MountPath()
	}
	delivery.Mount(r, d)
	activitypub.Mount(r, apDeps)
	return r
}
