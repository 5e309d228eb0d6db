package api

import (
	"context"
	"fmt"

	"cuttle.video/server/database"
	"cuttle.video/server/languages"
	"cuttle.video/server/web"
)

// watchExtras adds the chapters and captions of a playable video to its
// watch page. The video plays without them, so a failure to load them
// is logged and the page shown anyway.
func (s *server) watchExtras(ctx context.Context, v *database.Video, page *web.WatchPage) {
	cs, err := s.Chapters.Of(ctx, v)
	if err != nil {
		s.Log.WarnContext(ctx, "watch page: chapters", "video", v.UUID, "err", err)
	}
	if len(cs) > 0 {
		page.ChaptersTrack = "/api/v1/videos/" + v.UUID + "/chapters.vtt"
		for _, c := range cs {
			page.Chapters = append(page.Chapters, web.WatchChapter{Seconds: c.Timecode, Time: clock(c.Timecode), Title: c.Title})
		}
	}
	caps, err := s.Captions.Of(ctx, v)
	if err != nil {
		s.Log.WarnContext(ctx, "watch page: captions", "video", v.UUID, "err", err)
	}
	for _, c := range caps {
		page.Captions = append(page.Captions, web.WatchCaption{
			Language: c.Language, Label: languages.Label(c.Language),
			URL: captionPath + v.UUID + "-" + c.Language + ".vtt" + s.fileQuery(v),
		})
	}
}

// clock writes seconds as players do: 02:03, or 1:02:03 past an hour.
func clock(s int) string {
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}
