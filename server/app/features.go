package app

import (
	"cuttle.video/server/captions"
	"cuttle.video/server/chapters"
	"cuttle.video/server/engagement"
)

// openFeatures builds the processors of chapters, captions, views,
// ratings and comments. Views are remembered in Redis when there is one,
// so that server replicas count a viewer once between them; the views
// still waiting to be written are written on Close.
func (a *App) openFeatures(opts Options) {
	a.Chapters = chapters.New(a.db, a.Videos)
	a.Captions = captions.New(a.db, a.media, a.Videos)
	cfg := engagement.Config{Now: opts.Now}
	if a.redis != nil {
		cfg.Seen = engagement.NewRedisSeen(a.redis, "cuttle:")
	}
	a.Engagement = engagement.New(a.db, a.Videos, cfg, a.log)
	a.closers = append(a.closers, func() error { a.Engagement.Close(); return nil })
}
