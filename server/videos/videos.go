// Package videos holds the rules for videos: who may see, list, change
// and delete them, and how an uploaded original becomes a video.
package videos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"cuttle.video/server/accounts"
	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/server/torrent"
	"cuttle.video/storage"
	"cuttle.video/transcoder/probe"
	"github.com/google/uuid"
)

// Service is the videos processor.
type Service struct {
	db           *database.DB
	media        storage.Store
	log          *slog.Logger
	p            *protection
	trendingDays int
	// torrents says to make the torrent of each original.
	torrents      bool
	accessChanged func(ctx context.Context, videoUUID string)
	// changed and deleted are told of updates and deletions, once
	// committed.
	changed func(ctx context.Context, videoID int64)
	deleted func(ctx context.Context, v *database.Video)
	// overview is the groups drawn for the overview's pages.
	overview overviewDraw
}

// New returns a Service.
func New(db *database.DB, media storage.Store, log *slog.Logger, opts ...Option) *Service {
	s := &Service{db: db, media: media, log: log, p: &protection{tokenTTL: FileTokenTTL, now: time.Now},
		trendingDays: DefaultTrendingDays}
	for _, o := range opts {
		o(s)
	}
	s.p.init()
	return s
}

// OnAccessChange sets fn to be told, once committed, of every change
// that withdraws access to a video: its privacy, its passwords, its
// deletion. Whatever was granted on the old terms (tracker sockets) must
// be asked for again. Set it before the server serves.
func (s *Service) OnAccessChange(fn func(ctx context.Context, videoUUID string)) {
	s.accessChanged = fn
}

// OnChange sets changed to be told of every video whose metadata or
// privacy an update changed, and deleted of every video deleted (as it
// was), once committed. Set them before the server serves.
func (s *Service) OnChange(changed func(ctx context.Context, videoID int64), deleted func(ctx context.Context, v *database.Video)) {
	s.changed, s.deleted = changed, deleted
}

func (s *Service) notifyAccessChanged(ctx context.Context, videoUUID string) {
	if s.accessChanged != nil {
		s.accessChanged(context.WithoutCancel(ctx), videoUUID)
	}
}

// Original is what is known of an uploaded file once it was probed.
type Original struct {
	Size  int64
	Probe *probe.Result
}

// CheckChannel makes sure the user may upload into the channel.
func (s *Service) CheckChannel(ctx context.Context, u *database.User, channelID int64) (*database.Channel, error) {
	ch, err := s.db.ChannelByID(ctx, channelID)
	if errors.Is(err, database.ErrNotFound) {
		return nil, problem.Invalid(map[string]string{"channelId": "no such channel"})
	}
	if err != nil {
		return nil, problem.Internal(err)
	}
	if ch.AccountID != u.Account.ID {
		return nil, problem.Forbidden("you cannot upload to this channel")
	}
	return ch, nil
}

// ValidateNew checks upload metadata before any byte is stored.
func (s *Service) ValidateNew(ctx context.Context, u *database.User, m *Metadata) error {
	if bad := m.validate(true); len(bad) > 0 {
		return problem.Invalid(bad)
	}
	_, err := s.CheckChannel(ctx, u, *m.ChannelID)
	return err
}

// Create records a video waiting for transcoding, with what the probe of
// its original found; the caller validated m (ValidateNew). The row is
// written first (with inTx, when given, in the same transaction) and the
// file moved into media storage after (StoreOriginal), so a crash in
// between leaves a row whose original can still be moved by a retry
// rather than an object nobody knows about.
func (s *Service) Create(ctx context.Context, m *Metadata, o Original, inTx func(tx *database.DB, v *database.Video) error) (*database.Video, error) {
	id := uuid.New()
	v := &database.Video{
		UUID: id.String(), ShortUUID: ShortUUID(id), ChannelID: *m.ChannelID,
		Privacy: database.PrivacyPublic, State: database.StateToTranscode,
		CommentsEnabled: true, DownloadEnabled: true,
		OriginalKey: media.OriginalKey(id.String(), m.Filename), OriginalFilename: m.Filename,
		OriginalSize: o.Size, Duration: int(o.Probe.Duration + 0.5),
	}
	probed, err := json.Marshal(o.Probe)
	if err != nil {
		return nil, problem.Internal(err)
	}
	v.OriginalProbe = string(probed)
	if o.Probe.Video != nil {
		v.Width, v.Height = o.Probe.Video.Width, o.Probe.Video.Height
	}
	m.apply(v)
	err = s.db.Tx(ctx, func(tx *database.DB) error {
		if err := tx.CreateVideo(ctx, v); err != nil {
			return err
		}
		if v.Privacy == database.PrivacyPassword && m.VideoPasswords != nil {
			if err := tx.ReplaceVideoPasswords(ctx, v.ID, *m.VideoPasswords); err != nil {
				return err
			}
		}
		if inTx != nil {
			return inTx(tx, v)
		}
		return nil
	})
	if err != nil {
		return nil, problem.Internal(err)
	}
	return v, nil
}

// StoreOriginal moves the original from path into media storage, under
// the key chosen when the row was created, with its torrent. The torrent
// goes first: a finish interrupted after the original was stored is
// resumed from there (OriginalStored), and must find it made.
func (s *Service) StoreOriginal(ctx context.Context, v *database.Video, path string) error {
	t, err := s.originalTorrent(v, path)
	if err != nil {
		return problem.Internal(err)
	}
	if t != nil {
		if err := s.storeOriginalTorrent(ctx, v, t); err != nil {
			return problem.Internal(err)
		}
	}
	if err := storage.PutFile(ctx, s.media, v.OriginalKey, path, ""); err != nil {
		return problem.Internal(err)
	}
	return nil
}

// OriginalStored tells whether a video's original already reached media
// storage, for resuming an interrupted finalisation.
func (s *Service) OriginalStored(ctx context.Context, key string) (bool, error) {
	if key == "" {
		return false, nil
	}
	_, err := s.media.Stat(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// lookup finds a video by numeric id, uuid or short uuid; byID tells
// whether ref was the numeric id.
func (s *Service) lookup(ctx context.Context, ref string) (v *database.Video, byID bool, err error) {
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		byID = true
		v, err = s.db.VideoByID(ctx, id)
	} else if parsed, perr := uuid.Parse(ref); perr == nil {
		v, err = s.db.VideoByUUID(ctx, parsed.String())
	} else if looksLikeShortUUID(ref) {
		v, err = s.db.VideoByUUID(ctx, ref)
	} else {
		return nil, false, problem.NotFound("video")
	}
	if errors.Is(err, database.ErrNotFound) {
		return nil, false, problem.NotFound("video")
	}
	if err != nil {
		return nil, false, problem.Internal(err)
	}
	return v, byID, nil
}

// IsOwner tells whether u owns the video.
func IsOwner(u *database.User, v *database.Video) bool {
	return u != nil && v.Channel != nil && v.Channel.AccountID == u.Account.ID
}

func isModerator(u *database.User) bool { return u != nil && u.Role >= database.RoleModerator }

// CanManage tells whether u may change the video, and read what only
// those who may change it see, such as why its transcoding failed: its
// owner, moderators and admins.
func CanManage(u *database.User, v *database.Video) bool { return IsOwner(u, v) || isModerator(u) }

// CanSee applies the privacy rules to one viewer (nil when anonymous).
// Only those who may manage a video see it before it is published, as on
// PeerTube: its state and transcoding errors are its owner's business.
func CanSee(viewer *database.User, v *database.Video) bool {
	if CanManage(viewer, v) {
		return true
	}
	if v.State != database.StatePublished {
		return false
	}
	switch v.Privacy {
	case database.PrivacyPublic, database.PrivacyUnlisted:
		return true
	case database.PrivacyInternal:
		return viewer != nil
	}
	return false
}

// listable tells whether the viewer could find the video in a list.
// Numeric ids are sequential, so they reach only such videos: anything
// else by id would let anyone walk the ids to find unlisted videos, or
// learn which ids hide a private one. The others need their uuid.
func listable(viewer *database.User, v *database.Video) bool {
	if CanManage(viewer, v) {
		return true
	}
	return v.State == database.StatePublished &&
		(v.Privacy == database.PrivacyPublic || v.Privacy == database.PrivacyInternal && viewer != nil)
}

// reachable tells whether the viewer may see the video through a
// reference of this kind.
func reachable(viewer *database.User, v *database.Video, byID bool) bool {
	return CanSee(viewer, v) && (!byID || listable(viewer, v))
}

// Get loads a video the viewer may see. A video the viewer may not see
// by that reference answers exactly as a missing one, so that answers
// reveal nothing about what exists. The exception is a published
// password-protected video asked for by uuid, which PeerTube clients
// unlock: viewers who are not its owner or a moderator need one of its
// passwords in ctx (WithVideoPassword); without one the answer is 403
// with PeerTube's code video_requires_password, with a wrong one
// incorrect_video_password, and 429 once they guessed too often.
func (s *Service) Get(ctx context.Context, viewer *database.User, ref string) (*database.Video, error) {
	v, byID, err := s.lookup(ctx, ref)
	if err != nil {
		return nil, err
	}
	if reachable(viewer, v, byID) {
		return v, nil
	}
	if !byID && v.Privacy == database.PrivacyPassword && v.State == database.StatePublished {
		if err := s.checkPassword(ctx, v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, problem.NotFound("video")
}

// manageable loads a video the user may change or delete.
func (s *Service) manageable(ctx context.Context, u *database.User, ref string) (*database.Video, error) {
	v, byID, err := s.lookup(ctx, ref)
	if err != nil {
		return nil, err
	}
	if CanManage(u, v) {
		return v, nil
	}
	if !reachable(u, v, byID) {
		return nil, problem.NotFound("video")
	}
	return nil, problem.Forbidden("you cannot manage this video")
}

// Update changes a video's metadata.
func (s *Service) Update(ctx context.Context, u *database.User, ref string, m *Metadata) (*database.Video, error) {
	v, err := s.manageable(ctx, u, ref)
	if err != nil {
		return nil, err
	}
	if bad := m.validate(false); len(bad) > 0 {
		return nil, problem.Invalid(bad)
	}
	if m.ChannelID != nil && *m.ChannelID != v.ChannelID {
		ch, err := s.db.ChannelByID(ctx, *m.ChannelID)
		if err != nil || !accounts.CanManageChannel(u, ch) || ch.AccountID != v.Channel.AccountID {
			return nil, problem.Invalid(map[string]string{"channelId": "must be another channel of the video's account"})
		}
		v.ChannelID = ch.ID
	}
	oldPrivacy := v.Privacy
	cols, tags := m.apply(v)
	if m.ChannelID != nil {
		cols = append(cols, "channel_id")
	}
	if err := s.save(ctx, v, oldPrivacy, m, cols, tags); err != nil {
		return nil, err
	}
	if s.changed != nil {
		s.changed(context.WithoutCancel(ctx), v.ID)
	}
	v, _, err = s.lookup(ctx, strconv.FormatInt(v.ID, 10))
	return v, err
}

// Delete removes a video and its files.
func (s *Service) Delete(ctx context.Context, u *database.User, ref string) error {
	v, err := s.manageable(ctx, u, ref)
	if err != nil {
		return err
	}
	if err := s.db.DeleteVideo(ctx, v.ID); err != nil {
		return problem.Internal(err)
	}
	if s.deleted != nil {
		s.deleted(context.WithoutCancel(ctx), v)
	}
	s.RemoveVideoFiles(ctx, []string{v.UUID})
	return nil
}

// RemoveVideoFiles stops the jobs and deletes the stored files of videos
// whose rows are gone, and withdraws what was granted on them (see
// OnAccessChange). A failure leaves a job that fails on its missing
// original, or orphan objects, never a video without files, so it is
// logged rather than returned.
func (s *Service) RemoveVideoFiles(ctx context.Context, uuids []string) {
	for _, id := range uuids {
		s.notifyAccessChanged(ctx, id)
		if s.p.jobs != nil {
			if err := s.p.jobs.CancelVideo(ctx, id); err != nil {
				s.log.ErrorContext(ctx, "cancel jobs of deleted video", "video", id, "err", err)
			}
		}
		for _, prefix := range media.FilePrefixes(id) {
			if err := s.media.DeletePrefix(ctx, prefix); err != nil {
				s.log.ErrorContext(ctx, "remove video files", "video", id, "prefix", prefix, "err", err)
			}
		}
	}
}

// WithTorrents makes a torrent of each original as it is stored. It is
// stored without web seed, which the server sets when it sends the
// torrent (the file's URL follows the video's privacy), and announces to
// no tracker: the instance's admits the swarms of published videos only,
// and an original is listed only until its video is published.
func WithTorrents() Option {
	return func(s *Service) { s.torrents = true }
}

// originalTorrent makes the torrent of v's original from its local copy
// at path; nil when torrents are off. Hashing every piece reads the
// whole file, which is why it is done once, while the file is still
// local, rather than when the torrent is asked for.
func (s *Service) originalTorrent(v *database.Video, path string) (*torrent.Torrent, error) {
	if !s.torrents {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("videos: torrent of %s: %w", v.UUID, err)
	}
	defer f.Close()
	t, err := torrent.Make(f, torrent.File{Name: media.TorrentName(v), Size: v.OriginalSize})
	if err != nil {
		return nil, fmt.Errorf("videos: torrent of %s: %w", v.UUID, err)
	}
	return &t, nil
}

// storeOriginalTorrent stores the torrent beside the original and
// records its info hash.
func (s *Service) storeOriginalTorrent(ctx context.Context, v *database.Video, t *torrent.Torrent) error {
	key := media.OriginalTorrentKey(v.UUID)
	if err := s.media.Put(ctx, key, bytes.NewReader(t.Metainfo), int64(len(t.Metainfo)), ""); err != nil {
		return fmt.Errorf("videos: store %s: %w", key, err)
	}
	v.OriginalInfoHash = t.InfoHash
	return s.db.UpdateVideo(ctx, v, false, "original_info_hash")
}
