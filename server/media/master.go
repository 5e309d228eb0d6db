package media

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"cuttle.video/server/database"
	"cuttle.video/server/languages"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/pipeline"
)

// WriteMaster writes the master playlist of res in v's media directory,
// with the video's captions as subtitle renditions, and the subtitle
// playlist of each. It is the one writer of master playlists: a finished
// transcoding and a change of captions both call it, holding the video's
// files lock, so they cannot overwrite each other's work.
func WriteMaster(ctx context.Context, db *database.DB, st storage.Store, v *database.Video, res *job.VODHLSResult) error {
	prefix := MediaPrefix(v)
	captions, err := db.Captions(ctx, v.ID)
	if err != nil {
		return err
	}
	var subtitles []pipeline.Subtitle
	for _, c := range captions {
		pl, err := pipeline.SubtitlePlaylist(CaptionFile(c.Language), res.Duration)
		if err != nil {
			return err
		}
		if err := st.Put(ctx, prefix+CaptionPlaylist(c.Language), strings.NewReader(string(pl)), int64(len(pl)), ""); err != nil {
			return fmt.Errorf("media: write subtitle playlist: %w", err)
		}
		subtitles = append(subtitles, pipeline.Subtitle{
			Language: c.Language, Name: languages.Label(c.Language), Playlist: CaptionPlaylist(c.Language),
		})
	}
	master, err := pipeline.MasterPlaylist(res.Renditions, subtitles...)
	if err != nil {
		return err
	}
	if err := st.Put(ctx, prefix+job.MasterPlaylist, strings.NewReader(string(master)), int64(len(master)), ""); err != nil {
		return fmt.Errorf("media: write master playlist: %w", err)
	}
	return nil
}

// RewriteMasterPlaylist writes again the master playlist of a video
// whose captions changed. The caller holds the video's files lock
// (WithFiles) and passes the video it got from it. Before the first
// transcoding finishes there is nothing to write: the finishing
// transcoding lists the captions then.
func RewriteMasterPlaylist(ctx context.Context, db *database.DB, st storage.Store, v *database.Video) error {
	if v.HLS == "" {
		return nil
	}
	var res job.VODHLSResult
	if err := json.Unmarshal([]byte(v.HLS), &res); err != nil {
		return fmt.Errorf("media: result of video %s: %w", v.UUID, err)
	}
	return WriteMaster(ctx, db, st, v, &res)
}
