package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"cuttle.video/server/database"
	"cuttle.video/server/languages"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/pipeline"
)

// Files of a video's captions, beside its HLS renditions in its media
// directory. Rendition names hold no "-", so no rendition's files can
// take these names.

// CaptionFile is the WebVTT file of a caption language.
func CaptionFile(language string) string { return "caption-" + language + ".vtt" }

// CaptionPlaylist is the subtitle media playlist that wraps CaptionFile.
func CaptionPlaylist(language string) string { return "caption-" + language + ".m3u8" }

// StoryboardFile is the video's sprite sheet.
const StoryboardFile = "storyboard.jpg"

// notFromTranscoding tells the files of a video's media directory that a
// transcoding did not write, which a new transcoding must leave alone.
func notFromTranscoding(name string) bool {
	return strings.HasPrefix(name, "caption-") || name == StoryboardFile
}

// writeMaster writes the master playlist of res under prefix, with the
// video's captions as subtitle renditions, and the subtitle playlist of
// each. It is the one writer of master playlists: a finished transcoding
// and a change of captions both call it, holding the video's files lock,
// so they cannot overwrite each other's work.
func (s *Service) writeMaster(ctx context.Context, v *database.Video, res *job.VODHLSResult, prefix string) error {
	captions, err := s.db.Captions(ctx, v.ID)
	if err != nil {
		return err
	}
	var subtitles []pipeline.Subtitle
	for _, c := range captions {
		pl, err := pipeline.SubtitlePlaylist(CaptionFile(c.Language), res.Duration)
		if err != nil {
			return err
		}
		if err := s.media.Put(ctx, prefix+CaptionPlaylist(c.Language), strings.NewReader(string(pl)), int64(len(pl)), ""); err != nil {
			return fmt.Errorf("jobs: write subtitle playlist: %w", err)
		}
		subtitles = append(subtitles, pipeline.Subtitle{
			Language: c.Language, Name: languages.Label(c.Language), Playlist: CaptionPlaylist(c.Language),
		})
	}
	master, err := pipeline.MasterPlaylist(res.Renditions, subtitles...)
	if err != nil {
		return err
	}
	if err := s.media.Put(ctx, prefix+job.MasterPlaylist, strings.NewReader(string(master)), int64(len(master)), ""); err != nil {
		return fmt.Errorf("jobs: write master playlist: %w", err)
	}
	return nil
}

// RewriteMasterPlaylist writes again the master playlist of a video
// whose captions changed. The caller holds the video's files lock
// (WithFilesLocked) and passes the video it got from it. Before the
// first transcoding finishes there is nothing to write: the finishing
// transcoding lists the captions then.
func (s *Service) RewriteMasterPlaylist(ctx context.Context, v *database.Video) error {
	if v.HLS == "" {
		return nil
	}
	var res job.VODHLSResult
	if err := json.Unmarshal([]byte(v.HLS), &res); err != nil {
		return fmt.Errorf("jobs: result of video %s: %w", v.UUID, err)
	}
	return s.writeMaster(ctx, v, &res, MediaPrefix(v))
}
