// Package p2p holds the rules of peer-to-peer delivery: which swarms of
// the tracker a viewer may join, and what the player is told about P2P.
//
// A viewer's player joins one swarm per rendition of the video it plays,
// named after the video's UUID and the rendition's attributes in the
// master playlist (see cuttle.video/player/swarm). The tracker socket is
// opened for one video; the swarms it may use are that video's, and only
// when the viewer may watch it: anyone for public and unlisted videos, a
// holder of a valid video file token otherwise, until the token expires.
// A change of the video's privacy or passwords, or its deletion, closes
// its sockets, and viewers must connect again under the new rules.
package p2p

import (
	"context"
	"encoding/hex"
	"errors"
	"hash/fnv"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"cuttle.video/player/swarm"
	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/server/torrent"
	"cuttle.video/server/tracker"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
)

// TrackerPath is where the server answers tracker sockets.
const TrackerPath = "/tracker/socket"

// Query parameters of the tracker socket URL.
const (
	VideoParam = "video"
	// TokenParam is the video file token, under the name it has on
	// media URLs.
	TokenParam = media.TokenParam
)

// FileTokens checks video file tokens of non-public videos and tells
// when they expire.
type FileTokens interface {
	CheckFileToken(ctx context.Context, v *database.Video, token string) (time.Time, error)
}

// Config is what the admin decides.
type Config struct {
	// Enabled turns peer-to-peer delivery on for every video.
	Enabled bool
}

// Service answers the tracker's and the player's questions.
type Service struct {
	cfg    Config
	db     *database.DB
	media  storage.Store
	tokens FileTokens
	log    *slog.Logger

	mu    sync.Mutex
	cache map[string]swarms
}

// swarms are a video's info hashes for one transcoding result.
type swarms struct {
	version uint64
	hashes  []string
}

// maxCached bounds the cache; it is cleared when full, which costs one
// playlist read per video watched afterwards.
const maxCached = 4096

// New returns a Service; tokens may be nil, and then only public and
// unlisted videos have swarms.
func New(cfg Config, db *database.DB, media storage.Store, tokens FileTokens, log *slog.Logger) *Service {
	return &Service{cfg: cfg, db: db, media: media, tokens: tokens, log: log, cache: map[string]swarms{}}
}

// Enabled tells whether the admin allows P2P.
func (s *Service) Enabled() bool { return s.cfg.Enabled }

// SwarmID is the swarm id the player configures for a video.
func SwarmID(videoUUID string) string { return videoUUID }

// TrackerURL is the tracker socket URL for a video on a server whose
// public URL is publicURL; token is added when not empty.
func TrackerURL(publicURL, videoUUID, token string) string {
	u, err := url.Parse(publicURL)
	if err != nil {
		return ""
	}
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	u.Path = TrackerPath
	q := url.Values{VideoParam: {videoUUID}}
	if token != "" {
		q.Set(TokenParam, token)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// VideoKey is the video a tracker socket URL names, in the form the
// tracker files its sockets under: the one RevokeVideo is given.
func VideoKey(videoParam string) (string, error) {
	id, err := uuid.Parse(videoParam)
	if err != nil {
		return "", problem.NotFound("video")
	}
	return id.String(), nil
}

// Grant decides what a tracker socket opened by a viewer holding token
// (maybe empty) may do for the video videoUUID (see VideoKey): announce
// in the video's swarms, until the token expires. Whatever changes who
// may watch the video later revokes the socket (see tracker.RevokeVideo).
func (s *Service) Grant(ctx context.Context, videoUUID, token string) (tracker.Grant, error) {
	if !s.cfg.Enabled {
		return tracker.Grant{}, problem.NotFound("tracker")
	}
	v, err := s.db.VideoByUUID(ctx, videoUUID)
	if errors.Is(err, database.ErrNotFound) {
		return tracker.Grant{}, problem.NotFound("video")
	}
	if err != nil {
		return tracker.Grant{}, problem.Internal(err)
	}
	expires, err := s.checkAccess(ctx, v, token)
	if err != nil {
		return tracker.Grant{}, err
	}
	if v.State != database.StatePublished || v.HLS == "" {
		return tracker.Grant{}, problem.NotFound("video")
	}
	hashes, err := s.hashes(ctx, v)
	if err != nil {
		return tracker.Grant{}, err
	}
	return tracker.Grant{Allowed: allow(hashes), Expires: expires}, nil
}

// PublicRecheck is how long a socket of a public or unlisted video goes
// before the tracker checks again that the video still is: revocations
// reach every socket at once, and this bounds the life of one that missed
// its revocation (a replica cut off from Redis at that moment).
const PublicRecheck = 10 * time.Minute

// checkAccess returns when the viewer's access must be checked again:
// after PublicRecheck for public and unlisted videos, at the token's
// expiry for the others.
func (s *Service) checkAccess(ctx context.Context, v *database.Video, token string) (time.Time, error) {
	if v.Privacy == database.PrivacyPublic || v.Privacy == database.PrivacyUnlisted {
		return time.Now().Add(PublicRecheck), nil
	}
	if token == "" || s.tokens == nil {
		return time.Time{}, problem.Forbidden("this video's swarm needs a valid video file token")
	}
	expires, err := s.tokens.CheckFileToken(ctx, v, token)
	if err != nil {
		return time.Time{}, problem.Forbidden("this video's swarm needs a valid video file token")
	}
	return expires, nil
}

// hashes reads the master playlist once per transcoding result, for the
// info hashes of the renditions' swarms, and adds their torrents'.
func (s *Service) hashes(ctx context.Context, v *database.Video) ([]string, error) {
	h := fnv.New64a()
	_, _ = io.WriteString(h, v.HLS)
	version := h.Sum64()
	s.mu.Lock()
	c, ok := s.cache[v.UUID]
	s.mu.Unlock()
	if ok && c.version == version {
		return c.hashes, nil
	}
	res := media.Result(v)
	if res == nil {
		return nil, problem.NotFound("video")
	}
	rc, _, err := s.media.Get(ctx, media.MediaPrefix(v)+res.MasterPlaylist(), nil)
	if err != nil {
		return nil, problem.Internal(err)
	}
	defer rc.Close()
	master, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return nil, problem.Internal(err)
	}
	streams, err := swarm.Streams(master, SwarmID(v.UUID))
	if err != nil {
		return nil, problem.Internal(err)
	}
	c = swarms{version: version}
	for _, st := range streams {
		c.hashes = append(c.hashes, st.InfoHash)
	}
	// Each rendition's torrent is a swarm of the video too, which
	// BitTorrent clients on the web join through the same socket.
	for _, r := range res.Renditions {
		if raw, err := hex.DecodeString(r.InfoHash); err == nil && len(raw) == 20 {
			c.hashes = append(c.hashes, string(raw))
		}
	}
	s.mu.Lock()
	if len(s.cache) >= maxCached {
		clear(s.cache)
	}
	s.cache[v.UUID] = c
	s.mu.Unlock()
	return c.hashes, nil
}

// allow returns a membership test over hashes.
func allow(hashes []string) tracker.Allowed {
	return func(ih string) bool { return slices.Contains(hashes, ih) }
}

// RenditionTorrent describes the torrent of v's rendition r as clients
// get it: the rendition's file as web seed, with token (the viewer's
// file token, empty for public files), and, when the instance runs its
// tracker, the video's tracker socket, whose swarms include the
// torrent's (see hashes).
func RenditionTorrent(u *media.URLs, v *database.Video, r job.RenditionResult, token string, tracker bool) torrent.File {
	f := torrent.File{Name: media.RenditionDownloadName(v, r.Resolution()), Size: r.Size,
		WebSeed: u.HLS(v, r.File) + media.TokenQuery(token)}
	if tracker {
		f.Announce = TrackerURL(u.Absolute(""), v.UUID, token)
	}
	return f
}
