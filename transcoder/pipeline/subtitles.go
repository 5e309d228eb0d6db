package pipeline

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/grafov/m3u8"
)

// SubtitleGroup is the GROUP-ID of the subtitle renditions in master
// playlists.
const SubtitleGroup = "subs"

// Subtitle is a WebVTT subtitle rendition of a video.
type Subtitle struct {
	// Language is its BCP 47 tag, e.g. "en" or "pt-BR".
	Language string
	// Name is what players show in their subtitle menu.
	Name string
	// Playlist is its media playlist's URI, relative to the master.
	Playlist string
}

var languageRE = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

// subtitleAlternatives turns subtitles into EXT-X-MEDIA entries. Names
// and URIs are quoted strings in a playlist, where nothing can escape a
// double quote, so those are refused.
func subtitleAlternatives(subtitles []Subtitle) ([]*m3u8.Alternative, error) {
	var out []*m3u8.Alternative
	seen := map[string]bool{}
	for _, s := range subtitles {
		switch {
		case !languageRE.MatchString(s.Language):
			return nil, fmt.Errorf("pipeline: subtitle language %q is not a language tag", s.Language)
		case s.Name == "" || s.Playlist == "" || strings.ContainsAny(s.Name+s.Playlist, "\"\r\n"):
			return nil, fmt.Errorf("pipeline: subtitle %s: name %q or playlist %q cannot be written", s.Language, s.Name, s.Playlist)
		case seen[s.Name]:
			// Names must be unique within a group.
			return nil, fmt.Errorf("pipeline: two subtitles are named %q", s.Name)
		}
		seen[s.Name] = true
		out = append(out, &m3u8.Alternative{
			Type: "SUBTITLES", GroupId: SubtitleGroup, Name: s.Name, Language: s.Language,
			Autoselect: "YES", URI: s.Playlist,
		})
	}
	return out, nil
}

// SubtitlePlaylist renders the media playlist of a WebVTT file that
// covers the whole video: one segment of the video's duration.
func SubtitlePlaylist(vttURI string, duration float64) ([]byte, error) {
	if vttURI == "" || strings.ContainsAny(vttURI, "\r\n") {
		return nil, fmt.Errorf("pipeline: subtitle playlist: bad URI %q", vttURI)
	}
	if duration <= 0 || math.IsNaN(duration) || math.IsInf(duration, 0) {
		return nil, errors.New("pipeline: subtitle playlist: the video has no duration")
	}
	p, err := m3u8.NewMediaPlaylist(1, 1)
	if err != nil {
		return nil, fmt.Errorf("pipeline: subtitle playlist: %w", err)
	}
	p.SetVersion(hlsVersion)
	p.MediaType = m3u8.VOD
	p.TargetDuration = math.Ceil(duration)
	if err := p.Append(vttURI, duration, ""); err != nil {
		return nil, fmt.Errorf("pipeline: subtitle playlist: %w", err)
	}
	p.Close()
	return p.Encode().Bytes(), nil
}
