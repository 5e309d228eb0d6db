package videos

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"cuttle.video/server/database"
)

// Metadata is what a creator sends with an upload or an update, in
// PeerTube's field names. Nil means "not given".
type Metadata struct {
	Name                  *string    `json:"name"`
	ChannelID             *int64     `json:"channelId"`
	Privacy               *int       `json:"privacy"`
	Description           *string    `json:"description"`
	Support               *string    `json:"support"`
	Tags                  *[]string  `json:"tags"`
	Category              *int       `json:"category"`
	Licence               *int       `json:"licence"`
	Language              *string    `json:"language"`
	NSFW                  *bool      `json:"nsfw"`
	CommentsEnabled       *bool      `json:"commentsEnabled"`
	CommentsPolicy        *int       `json:"commentsPolicy"` // PeerTube's newer CommentsEnabled; wins over it
	DownloadEnabled       *bool      `json:"downloadEnabled"`
	WaitTranscoding       *bool      `json:"waitTranscoding"`
	OriginallyPublishedAt *time.Time `json:"originallyPublishedAt"`
	// VideoPasswords are the passwords of a password-protected video.
	VideoPasswords *[]string `json:"videoPasswords"`
	// Filename is the original file's name, sent with resumable uploads.
	Filename string `json:"filename,omitempty"`
}

// privacyChoices tells a client which privacy ids there are.
const privacyChoices = "must be 1 (public), 2 (unlisted), 3 (private), 4 (internal) or 5 (password-protected)"

// Privacies are PeerTube's privacy labels by id.
var Privacies = map[int]string{
	database.PrivacyPublic:   "Public",
	database.PrivacyUnlisted: "Unlisted",
	database.PrivacyPrivate:  "Private",
	database.PrivacyInternal: "Internal",
	database.PrivacyPassword: "Password protected",
}

// States are PeerTube's state labels by id.
var States = map[int]string{
	database.StatePublished:         "Published",
	database.StateToTranscode:       "To transcode",
	database.StateTranscodingFailed: "Transcoding failed",
}

// Categories are PeerTube's category labels by id; ids run from 1 with
// no gap, as validate's message says.
var Categories = map[int]string{
	1: "Music", 2: "Films", 3: "Vehicles", 4: "Art", 5: "Sports", 6: "Travels", 7: "Gaming",
	8: "People", 9: "Comedy", 10: "Entertainment", 11: "News & Politics", 12: "How To",
	13: "Education", 14: "Activism", 15: "Science & Technology", 16: "Animals", 17: "Kids", 18: "Food",
}

// Licences are PeerTube's licence labels by id; ids run from 1 with no
// gap, as validate's message says.
var Licences = map[int]string{
	1: "Attribution", 2: "Attribution - Share Alike", 3: "Attribution - No Derivatives",
	4: "Attribution - Non Commercial", 5: "Attribution - Non Commercial - Share Alike",
	6: "Attribution - Non Commercial - No Derivatives", 7: "Public Domain Dedication",
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// validate checks every given field against PeerTube's limits; creating
// additionally requires a name and a channel.
func (m *Metadata) validate(creating bool) map[string]string {
	bad := map[string]string{}
	if m.Name == nil {
		if creating {
			bad["name"] = "is required"
		}
	} else if *m.Name = strings.TrimSpace(*m.Name); runes(*m.Name) < 3 || runes(*m.Name) > 120 {
		bad["name"] = "must be between 3 and 120 characters"
	}
	if creating && m.ChannelID == nil {
		bad["channelId"] = "is required"
	}
	if m.Privacy != nil {
		if _, ok := Privacies[*m.Privacy]; !ok {
			bad["privacy"] = privacyChoices
		}
	}
	m.validatePasswords(creating, bad)
	if p := m.CommentsPolicy; p != nil && *p != CommentsPolicyEnabled && *p != CommentsPolicyDisabled {
		bad["commentsPolicy"] = "must be 1 (enabled) or 2 (disabled); comments that require approval are not supported"
	}
	if m.Description != nil && runes(*m.Description) > 10000 {
		bad["description"] = "must be at most 10000 characters"
	}
	if m.Support != nil && runes(*m.Support) > 1000 {
		bad["support"] = "must be at most 1000 characters"
	}
	if m.Tags != nil {
		tags := *m.Tags
		if len(tags) > 5 {
			bad["tags"] = "at most 5 tags"
		}
		for i, t := range tags {
			tags[i] = strings.TrimSpace(t)
			if runes(tags[i]) < 2 || runes(tags[i]) > 30 {
				bad["tags"] = "each tag must be between 2 and 30 characters"
			}
		}
	}
	if m.Category != nil {
		if _, ok := Categories[*m.Category]; !ok {
			bad["category"] = fmt.Sprintf("must be a category id between 1 and %d", len(Categories))
		}
	}
	if m.Licence != nil {
		if _, ok := Licences[*m.Licence]; !ok {
			bad["licence"] = fmt.Sprintf("must be a licence id between 1 and %d", len(Licences))
		}
	}
	if m.Language != nil && runes(*m.Language) > 10 {
		bad["language"] = "must be a language code"
	}
	if runes(m.Filename) > 255 {
		bad["filename"] = "must be at most 255 characters"
	}
	return bad
}

// apply copies the given fields into v and lists the columns changed.
func (m *Metadata) apply(v *database.Video) (cols []string, tagsChanged bool) {
	set := func(col string) { cols = append(cols, col) }
	if m.Name != nil {
		v.Name = *m.Name
		set("name")
	}
	if m.Privacy != nil {
		v.Privacy = *m.Privacy
		set("privacy")
	}
	if m.Description != nil {
		v.Description = *m.Description
		set("description")
	}
	if m.Support != nil {
		v.Support = *m.Support
		set("support")
	}
	if m.Category != nil {
		v.Category = *m.Category
		set("category")
	}
	if m.Licence != nil {
		v.Licence = *m.Licence
		set("licence")
	}
	if m.Language != nil {
		v.Language = *m.Language
		set("language")
	}
	if m.NSFW != nil {
		v.NSFW = *m.NSFW
		set("nsfw")
	}
	if m.CommentsPolicy != nil {
		enabled := *m.CommentsPolicy == CommentsPolicyEnabled
		m.CommentsEnabled = &enabled
	}
	if m.CommentsEnabled != nil {
		v.CommentsEnabled = *m.CommentsEnabled
		set("comments_enabled")
	}
	if m.DownloadEnabled != nil {
		v.DownloadEnabled = *m.DownloadEnabled
		set("download_enabled")
	}
	if m.WaitTranscoding != nil {
		v.WaitTranscoding = *m.WaitTranscoding
		set("wait_transcoding")
	}
	if m.OriginallyPublishedAt != nil {
		t := m.OriginallyPublishedAt.UTC()
		v.OriginallyPublishedAt = &t
		set("originally_published_at")
	}
	if m.Tags != nil {
		v.Tags = v.Tags[:0]
		for _, t := range *m.Tags {
			v.Tags = append(v.Tags, database.Tag{Name: t})
		}
		tagsChanged = true
	}
	return cols, tagsChanged
}
