// Package media says where a video's files live in media storage and how
// they are addressed: the storage layout (originals, staging, public and
// private media directories, the generations of private ones), the names
// of the files the server itself writes, the lock that keeps a video's
// files in one place while they are written or moved, the master playlist
// writer, and the URLs clients fetch the files by.
package media

import (
	"path"
	"regexp"
	"strconv"
	"strings"

	"cuttle.video/server/database"
)

// Where a video's files live in media storage.
//
// Every file of a video's media directory (HLS playlists and segments,
// the segment hash map, thumbnail, preview, captions, storyboards) is
// stored under MediaPrefix(v). Nothing else may build that prefix: it
// depends on the video's privacy, and files written anywhere else are
// either public when they must not be, or lost when the privacy changes.
//
// Public and unlisted videos keep their files under
// "videos/{uuid}/hls/", served without checks and cacheable by a CDN.
// Every other privacy keeps them under
// "private/videos/{uuid}/{generation}/hls/", which only the server's
// private routes read, for holders of a file token. The generation grows
// with each privacy change, so a change moves the files and every link
// handed out before it (file tokens, presigned URLs) stops working.
//
// The uploaded original is kept apart, under "originals/{uuid}/", and
// jobs write their outputs under "staging/{uuid}/{job}/" until they are
// published.

const (
	publicRoot   = "videos/"
	privateRoot  = "private/videos/"
	originalRoot = "originals/"
	stagingRoot  = "staging/"
)

// MediaPrefix is where the video's media files are stored: the one
// function that says so. Code that stores, reads or lists a video's media
// files calls it; never spell the prefix out. Writers of a video's files (transcoding jobs,
// captions, storyboards) take the prefix from here when they write, and
// hold the video's files lock (WithFilesLocked) if the video may change
// privacy meanwhile.
func MediaPrefix(v *database.Video) string {
	if PublicFiles(v.Privacy) {
		return PublicMediaPrefix(v.UUID)
	}
	return privateRoot + v.UUID + "/" + strconv.Itoa(v.MediaGeneration) + "/hls/"
}

// PublicFiles tells whether a privacy level serves its files to anyone
// who knows their URLs: public and unlisted.
func PublicFiles(privacy int) bool {
	return privacy == database.PrivacyPublic || privacy == database.PrivacyUnlisted
}

// PublicMediaPrefix is MediaPrefix of a public or unlisted video. Only
// the public file route, which serves files without loading their video,
// calls it directly.
func PublicMediaPrefix(videoUUID string) string { return publicRoot + videoUUID + "/hls/" }

// NewGeneration prepares v, the stored video cur with a new privacy, to
// be saved under the video's files lock: its media generation grows, so
// that every link handed out before stops working, and it records where
// its files move from, should they have to. It returns the columns to
// save along with the privacy; once they are saved, FinishMove moves the
// files.
func NewGeneration(cur, v *database.Video) []string {
	from := MediaPrefix(cur)
	v.MediaGeneration = cur.MediaGeneration + 1
	v.MediaMovingFrom = ""
	if to := MediaPrefix(v); from != to {
		v.MediaMovingFrom = from
	}
	return []string{"media_generation", "media_moving_from"}
}

// FilePrefixes lists every prefix that may hold a file of a video, for
// deleting them all: its original, its media directory whatever its
// privacy was, and its jobs' outputs.
func FilePrefixes(videoUUID string) []string {
	return []string{OriginalPrefix(videoUUID), publicRoot + videoUUID + "/", privateRoot + videoUUID + "/",
		stagingRoot + videoUUID + "/"}
}

// OriginalPrefix holds a video's uploaded original.
func OriginalPrefix(videoUUID string) string { return originalRoot + videoUUID + "/" }

var extRE = regexp.MustCompile(`^\.[a-zA-Z0-9]{1,5}$`)

// OriginalKey names the stored original of an upload named filename; the
// extension is cosmetic, the file's type was decided by probing it.
func OriginalKey(videoUUID, filename string) string {
	ext := strings.ToLower(path.Ext(filename))
	if !extRE.MatchString(ext) {
		ext = ".bin"
	}
	return OriginalPrefix(videoUUID) + "original" + ext
}

// StagingPrefix is where job jobID of the video writes its outputs. No
// route serves it: publishing moves what a job wrote there under the
// video's media prefix of that moment.
func StagingPrefix(videoUUID, jobID string) string {
	return stagingRoot + videoUUID + "/" + jobID + "/"
}

// StagingJob returns the job whose staging prefix prefix is, if it is
// one. Jobs queued by earlier releases wrote straight under the media
// prefix.
func StagingJob(prefix string) (jobID string, ok bool) {
	parts := strings.Split(prefix, "/")
	if len(parts) != 4 || parts[0]+"/" != stagingRoot || parts[1] == "" || parts[2] == "" || parts[3] != "" {
		return "", false
	}
	return parts[2], true
}
