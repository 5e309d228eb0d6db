package videos

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
)

// File tokens open the files of one non-public video for a short while:
// PeerTube's videoFileToken, sent as a query parameter because players
// and <img> elements cannot send headers. A token is "{expiry}.{mac}";
// the MAC binds the video, its media generation and its password epoch,
// so a privacy change or a change of passwords invalidates every token
// issued before it, and the server keeps no state per token.

// The URLs of a non-public video's files carry tokens the service issues.
var _ media.FileTokens = (*Service)(nil)

// macSize keeps tokens short; 128 bits cannot be guessed.
const macSize = 16

// IssueFileToken returns a fresh token for the files of v. Callers check
// first that the viewer may see the video.
func (s *Service) IssueFileToken(v *database.Video) media.FileToken {
	deadline := s.p.now().Add(s.p.tokenTTL)
	exp := deadline.Unix()
	if deadline.Nanosecond() > 0 {
		exp++
	}
	tok := strconv.FormatInt(exp, 10) + "." + base64.RawURLEncoding.EncodeToString(s.fileMAC(v, exp))
	return media.FileToken{Token: tok, Expires: time.Unix(exp, 0).UTC()}
}

func (s *Service) fileMAC(v *database.Video, exp int64) []byte {
	m := hmac.New(sha256.New, s.p.tokenKey)
	fmt.Fprintf(m, "%s\n%d\n%d\n%d", v.UUID, v.MediaGeneration, v.PasswordEpoch, exp)
	return m.Sum(nil)[:macSize]
}

var errBadFileToken = errors.New("the video file token is missing, invalid or expired")

// verifyFileToken checks token against v and returns its expiry.
func (s *Service) verifyFileToken(v *database.Video, token string) (time.Time, error) {
	expText, macText, ok := strings.Cut(token, ".")
	exp, err := strconv.ParseInt(expText, 10, 64)
	if !ok || err != nil {
		return time.Time{}, errBadFileToken
	}
	mac, err := base64.RawURLEncoding.DecodeString(macText)
	if err != nil || !hmac.Equal(mac, s.fileMAC(v, exp)) {
		return time.Time{}, errBadFileToken
	}
	expires := time.Unix(exp, 0).UTC()
	if !s.p.now().Before(expires) {
		return time.Time{}, errBadFileToken
	}
	return expires, nil
}

// CheckFileToken tells whether token is a valid, unexpired file token of
// v and returns its expiry, or a 403 problem. The P2P tracker asks it
// before letting a peer into the swarm of a video whose files are not
// public, and ends the peer's socket at the expiry.
func (s *Service) CheckFileToken(_ context.Context, v *database.Video, token string) (time.Time, error) {
	expires, err := s.verifyFileToken(v, token)
	if err != nil {
		return time.Time{}, problem.Forbidden("%v", err)
	}
	return expires, nil
}

// FileAccess decides whether a request may read the files of the video
// ref names (its uuid, short uuid or numeric id), and returns the video.
// The files of public and unlisted videos are anyone's (the token is
// then empty). Others need a valid file token, or a user who may see the
// video (its owner, moderators, and any logged-in user for internal
// videos; passwords do not open files, tokens obtained with them do).
// The token returned is the one the links inside the files (playlists)
// must carry. A numeric id reaches, as in Get, only the videos the user
// could list, unless a valid file token shows the uuid was known.
func (s *Service) FileAccess(ctx context.Context, ref string, user *database.User, token string) (*database.Video, media.FileToken, error) {
	v, byID, err := s.lookup(ctx, ref)
	if err != nil {
		return nil, media.FileToken{}, err
	}
	if byID && !listable(user, v) {
		if _, err := s.verifyFileToken(v, token); err != nil {
			return nil, media.FileToken{}, problem.NotFound("video")
		}
	}
	if media.PublicFiles(v.Privacy) {
		return v, media.FileToken{}, nil
	}
	if token != "" {
		expires, err := s.verifyFileToken(v, token)
		if err == nil {
			return v, media.FileToken{Token: token, Expires: expires}, nil
		}
		if user == nil {
			return nil, media.FileToken{}, problem.Forbidden("%v", err)
		}
	}
	if user != nil && CanSee(user, v) {
		return v, s.IssueFileToken(v), nil
	}
	return nil, media.FileToken{}, problem.Forbidden("the files of this video need a videoFileToken (POST /api/v1/videos/{id}/token)")
}
