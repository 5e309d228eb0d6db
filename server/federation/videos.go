package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/google/uuid"

	"cuttle.video/server/actors"
	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/p2p"
	"cuttle.video/server/problem"
	"cuttle.video/server/torrent"
	"cuttle.video/server/videos"
	"cuttle.video/server/vocab"
	"cuttle.video/transcoder/pipeline"
)

// Videos go out to the followers of their account, their channel and
// the instance while they are published and public; a video that stops
// being so (made private, deleted) is deleted on the servers that had it.

// federates says other servers should have v.
func federates(v *database.Video) bool {
	return !v.Remote && v.State == database.StatePublished && v.Privacy == database.PrivacyPublic
}

// VideoChanged tells other servers what became of a local video: a
// Create (and the channel's Announce) when it becomes public, an Update
// while it stays so, a Delete when it stops being.
func (s *Service) VideoChanged(ctx context.Context, videoID int64) error {
	v, err := s.db.VideoByID(ctx, videoID)
	if errors.Is(err, database.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case v.Remote:
		return nil
	case federates(v):
		return s.sendVideo(ctx, v, !v.Federated)
	case v.Federated:
		return s.VideoDeleted(ctx, v)
	}
	return nil
}

// VideoDeleted tells the servers that had a local video that it is gone
// (deleted, or no longer public).
func (s *Service) VideoDeleted(ctx context.Context, v *database.Video) error {
	if !v.Federated || v.Channel == nil || v.Channel.Account == nil {
		return nil
	}
	account := s.actors.AccountActor(v.Channel.Account)
	inboxes, err := s.videoAudience(ctx, v)
	if err != nil {
		return err
	}
	to, cc := vocab.Audience(vocab.PrivacyPublic, account.Followers())
	if err := s.send(ctx, account, vocab.Delete(account.ID, s.videoURL(v), to, cc), inboxes); err != nil {
		return err
	}
	v.Federated = false
	if err := s.db.UpdateVideo(ctx, v, false, "federated"); err != nil && !errors.Is(err, database.ErrNotFound) {
		return err
	}
	return nil
}

// sendVideo sends a public video to its followers: created, with the
// channel's Announce, or updated.
func (s *Service) sendVideo(ctx context.Context, v *database.Video, create bool) error {
	obj, err := s.VideoObject(v)
	if err != nil {
		return err
	}
	account := s.actors.AccountActor(v.Channel.Account)
	inboxes, err := s.videoAudience(ctx, v)
	if err != nil {
		return err
	}
	if !create {
		return s.send(ctx, account, vocab.Update(account.ID, obj, v.UpdatedAt), inboxes)
	}
	if err := s.send(ctx, account, vocab.Create(account.ID, obj), inboxes); err != nil {
		return err
	}
	channel := s.actors.ChannelActor(v.Channel)
	chRow, err := s.localRow(ctx, channel)
	if err != nil {
		return err
	}
	to, cc := vocab.Audience(vocab.PrivacyPublic, channel.Followers())
	if err := s.send(ctx, channel, vocab.Announce(channel.ID, s.videoURL(v), strconv.FormatInt(chRow.ID, 10), to, cc), inboxes); err != nil {
		return err
	}
	v.Federated = true
	return s.db.UpdateVideo(ctx, v, false, "federated")
}

// videoAudience is where a local video's activities go: the servers of
// whoever follows its account, its channel or the instance.
func (s *Service) videoAudience(ctx context.Context, v *database.Video) ([]string, error) {
	var ids []int64
	for _, a := range []struct {
		kind               string
		account, channelID int64
	}{{"Person", v.Channel.AccountID, 0}, {"Group", 0, v.ChannelID}, {"Application", 0, 0}} {
		row, err := s.db.LocalActor(ctx, a.kind, a.account, a.channelID)
		if err != nil {
			return nil, err
		}
		ids = append(ids, row.ID)
	}
	return s.db.FollowerInboxes(ctx, ids...)
}

// ReconcileVideos tells other servers of the changes a stop left untold:
// videos made public, or no longer public, since they were last told.
func (s *Service) ReconcileVideos(ctx context.Context) error {
	ids, err := s.db.VideosToFederate(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.VideoChanged(ctx, id); err != nil {
			return fmt.Errorf("federation: video %d: %w", id, err)
		}
	}
	return nil
}

func (s *Service) videoURL(v *database.Video) string {
	return s.actors.PublicURL() + "/videos/watch/" + v.UUID
}

// VideoObject describes a local public video as PeerTube does.
func (s *Service) VideoObject(v *database.Video) (vocab.Object, error) {
	account := s.actors.AccountActor(v.Channel.Account)
	channel := s.actors.ChannelActor(v.Channel)
	id := s.videoURL(v)
	in := vocab.VideoInput{
		ID: id, UUID: v.UUID, ShortUUID: v.ShortUUID, Name: v.Name, Description: v.Description,
		Duration: v.Duration, Published: v.PublishedAt, Updated: v.UpdatedAt, Privacy: vocab.PrivacyPublic,
		Views: int(v.Views), Sensitive: v.NSFW, CommentsPolicy: vocab.CommentsDisabled,
		DownloadEnabled: v.DownloadEnabled, WaitTranscoding: v.WaitTranscoding, State: v.State,
		Support: v.Support, Account: account.ID, Channel: channel.ID, Followers: account.Followers(),
		Likes: id + "/likes", Dislikes: id + "/dislikes", Shares: id + "/announces", Comments: id + "/comments",
	}
	if v.OriginallyPublishedAt != nil {
		in.OriginallyPublished = *v.OriginallyPublishedAt
	}
	if v.CommentsEnabled {
		in.CommentsPolicy = vocab.CommentsEnabled
	}
	if v.Category != 0 {
		in.Category = vocab.Identified{Identifier: strconv.Itoa(v.Category), Name: videos.Categories[v.Category]}
	}
	if v.Licence != 0 {
		in.Licence = vocab.Identified{Identifier: strconv.Itoa(v.Licence), Name: videos.Licences[v.Licence]}
	}
	if v.Language != "" {
		in.Language = vocab.Identified{Identifier: v.Language, Name: v.Language}
	}
	for _, t := range v.Tags {
		in.Tags = append(in.Tags, t.Name)
	}
	if v.ThumbnailSource != "" {
		in.Icons = append(in.Icons, vocab.Image{URL: s.urls.Absolute(media.ThumbnailPath(v.UUID)), MediaType: "image/jpeg",
			Width: pipeline.Thumbnail.Width, Height: pipeline.Thumbnail.Height})
	}
	if v.PreviewSource != "" {
		in.Icons = append(in.Icons, vocab.Image{URL: s.urls.Absolute(media.PreviewPath(v.UUID)), MediaType: "image/jpeg",
			Width: pipeline.Preview.Width, Height: pipeline.Preview.Height})
	}
	if res := media.Result(v); res != nil {
		pl := &vocab.Playlist{MasterURL: s.urls.HLS(v, res.MasterPlaylist()), SegmentsSHA256URL: s.urls.HLS(v, res.SegmentsSHA256)}
		for _, r := range res.Renditions {
			if r.File == "" {
				continue
			}
			f := vocab.File{URL: s.urls.HLS(v, r.File), MediaType: "video/mp4", Height: r.Resolution(), Width: r.Width,
				Size: r.Size, FPS: int(math.Round(r.FPS)), CodecType: "video"}
			if r.AudioOnly() {
				f.MediaType, f.CodecType = "audio/mp4", "audio"
			}
			if r.InfoHash != "" {
				f.TorrentURL = s.urls.RenditionTorrent(v, r.Resolution())
				if m, err := torrent.Magnet(r.InfoHash, media.RenditionDownloadName(v, r.Resolution()), f.TorrentURL,
					p2p.RenditionTorrent(s.urls, v, r, "", s.cfg.P2P)); err == nil {
					f.MagnetURI = m
				}
			}
			pl.Files = append(pl.Files, f)
		}
		in.HLS = pl
	}
	if s.cfg.P2P {
		in.Trackers = append(in.Trackers, p2p.TrackerURL(s.actors.PublicURL(), v.UUID, ""))
	}
	return vocab.BuildVideo(in)
}

// receiveVideo stores a remote video a Create or Update carries, when
// someone here follows it; its actor must be on the video's server.
func (s *Service) receiveVideo(ctx context.Context, a vocab.Activity) error {
	vid, err := vocab.ParseVideo(a.Object)
	if err != nil {
		return refusal{err}
	}
	if !vocab.SameOrigin(vid.ID, a.Actor) {
		return refuse("%s sent video %s of another server", a.Actor, vid.ID)
	}
	return s.storeVideo(ctx, vid, false)
}

// receiveAnnounce fetches a video a followed actor shares from its own
// server, which alone vouches for it.
func (s *Service) receiveAnnounce(ctx context.Context, a vocab.Activity) error {
	id := a.ObjectID()
	if id == "" || s.isLocal(id) {
		return nil
	}
	if _, err := s.db.VideoByURL(ctx, id); err == nil {
		return nil
	} else if !errors.Is(err, database.ErrNotFound) {
		return err
	}
	body, err := s.fetch(ctx, id)
	if errors.Is(err, ErrGone) {
		return refusal{err}
	}
	if err != nil {
		return err
	}
	vid, err := vocab.ParseVideo(body)
	if err != nil {
		return refusal{err}
	}
	if vid.ID != id {
		return refuse("%s answered with video %s", id, vid.ID)
	}
	return s.storeVideo(ctx, vid, false)
}

// storeVideo creates or updates the row of a remote video. Only public
// and unlisted videos are kept; a video that became anything else is
// removed. A new video is kept only when someone here follows its
// channel, account or server, unless asked is set: a local user asked
// for it by its URL (deliveries never set it).
func (s *Service) storeVideo(ctx context.Context, vid vocab.Video, asked bool) error {
	old, err := s.db.VideoByURL(ctx, vid.ID)
	if err != nil && !errors.Is(err, database.ErrNotFound) {
		return err
	}
	known := err == nil
	if vid.Privacy != vocab.PrivacyPublic && vid.Privacy != vocab.PrivacyUnlisted {
		if known {
			return s.db.DeleteVideo(ctx, old.ID)
		}
		return nil
	}
	if !vocab.SameOrigin(vid.Channel, vid.ID) || !vocab.SameOrigin(vid.Account, vid.ID) {
		return refuse("video %s is attributed to actors of another server", vid.ID)
	}
	channel, err := s.RemoteActor(ctx, vid.Channel, false)
	if err != nil {
		return err
	}
	if channel.ChannelID == 0 {
		return refuse("video %s: %s is not a channel", vid.ID, vid.Channel)
	}
	if err := s.Refuses(ctx, channel); err != nil {
		return fmt.Errorf("video %s: %w", vid.ID, err)
	}
	owner, err := s.channelOwner(ctx, channel)
	if err != nil {
		return err
	}
	followed, err := s.db.FollowedHere(ctx, channel.Host, channel.ID, owner)
	if err != nil {
		return err
	}
	if !followed && !known && !asked {
		return refuse("video %s: nobody here follows %s", vid.ID, vid.Channel)
	}
	v := &database.Video{}
	if known {
		v = old
	} else {
		id, err := uuid.Parse(vid.UUID)
		if err != nil {
			return refusal{err}
		}
		v.UUID, v.ShortUUID = vid.UUID, videos.ShortUUID(id)
	}
	v.ChannelID, v.Name, v.Description, v.Support = channel.ChannelID, vid.Name, vid.Description, vid.Support
	if vid.DescriptionType == "text/html" {
		v.Description = vocab.PlainText(vid.Description)
	}
	v.Privacy = database.PrivacyPublic
	if vid.Privacy == vocab.PrivacyUnlisted {
		v.Privacy = database.PrivacyUnlisted
	}
	v.State, v.Remote, v.URL = database.StatePublished, true, vid.ID
	v.Category, _ = strconv.Atoi(vid.Category.Identifier)
	v.Licence, _ = strconv.Atoi(vid.Licence.Identifier)
	v.Language = vid.Language.Identifier
	v.NSFW, v.CommentsEnabled, v.DownloadEnabled = vid.Sensitive, vid.CommentsPolicy == vocab.CommentsEnabled, vid.DownloadEnabled
	v.Duration, v.Views = vid.Duration, int64(vid.Views)
	v.PublishedAt = vid.Published
	if !vid.OriginallyPublished.IsZero() {
		op := vid.OriginallyPublished
		v.OriginallyPublishedAt = &op
	}
	v.Tags = v.Tags[:0]
	for _, t := range vid.Tags {
		v.Tags = append(v.Tags, database.Tag{Name: t})
	}
	rm := media.RemoteMedia{WatchURL: vid.WatchURL, Trackers: vid.Trackers, Preview: vid.Icon.URL, Thumbnail: vid.Icon.URL}
	if vid.HLS != nil {
		rm.Master, rm.SegmentsSHA256 = vid.HLS.MasterURL, vid.HLS.SegmentsSHA256URL
		for _, f := range vid.HLS.Files {
			rm.Renditions = append(rm.Renditions, media.RemoteFile{URL: f.URL, Height: f.Height, Width: f.Width, Size: f.Size,
				FPS: f.FPS, TorrentURL: f.TorrentURL, MagnetURI: f.MagnetURI})
		}
	}
	raw, err := json.Marshal(rm)
	if err != nil {
		return err
	}
	v.RemoteMedia = string(raw)
	s.refreshRatings(ctx, vid, v)
	if known {
		return s.db.UpdateVideo(ctx, v, true, "channel_id", "name", "description", "support", "privacy", "category", "licence",
			"language", "nsfw", "comments_enabled", "download_enabled", "duration", "views", "likes", "dislikes", "published_at",
			"originally_published_at", "remote_media")
	}
	err = s.db.CreateVideo(ctx, v)
	if errors.Is(err, database.ErrConflict) {
		return refuse("video %s: its uuid %s is taken", vid.ID, vid.UUID)
	}
	return err
}

// channelOwner is the actor row of a remote channel's account.
func (s *Service) channelOwner(ctx context.Context, channel *database.Actor) (int64, error) {
	ch, err := s.db.ChannelByID(ctx, channel.ChannelID)
	if err != nil {
		return 0, err
	}
	owner, err := s.db.ActorOfAccount(ctx, ch.AccountID)
	if err != nil {
		return 0, err
	}
	return owner.ID, nil
}

// receiveDelete removes a remote video or comment, or an actor deleting
// itself, when the one deleting is on the object's server.
func (s *Service) receiveDelete(ctx context.Context, a vocab.Activity) error {
	id := a.ObjectID()
	if !vocab.SameOrigin(id, a.Actor) {
		return refuse("%s deletes %s of another server", a.Actor, id)
	}
	if id == a.Actor {
		row, err := s.db.ActorByURL(ctx, id)
		if errors.Is(err, database.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.db.DeleteActor(ctx, row)
	}
	v, err := s.db.VideoByURL(ctx, id)
	if errors.Is(err, database.ErrNotFound) {
		return s.deleteRemoteComment(ctx, id)
	}
	if err != nil {
		return err
	}
	return s.db.DeleteVideo(ctx, v.ID)
}

// LocalVideoObject is the Video object of the local video ref (uuid or
// short uuid) for servers that ask: public and published ones only.
func (s *Service) LocalVideoObject(ctx context.Context, ref string) (vocab.Object, error) {
	v, err := s.db.VideoByUUID(ctx, ref)
	if err != nil || !federates(v) {
		if err == nil || errors.Is(err, database.ErrNotFound) {
			return vocab.Object{}, problem.NotFound("video")
		}
		return vocab.Object{}, problem.Internal(err)
	}
	obj, err := s.VideoObject(v)
	if err != nil {
		return vocab.Object{}, problem.Internal(err)
	}
	return obj, nil
}

// Leaving tells other servers that a local account (with its channels)
// or a channel is about to be deleted: each of its videos they have is
// deleted, then the actors themselves, whose deletion takes whatever
// else of them those servers keep. The actors' keys are read now and
// kept, for the deliveries are signed after their rows are gone.
func (s *Service) Leaving(ctx context.Context, accountID, channelID int64) error {
	var gone []actors.Actor
	if accountID != 0 {
		a, err := s.db.AccountByID(ctx, accountID)
		if err != nil {
			return err
		}
		chs, err := s.db.AccountChannels(ctx, accountID)
		if err != nil {
			return err
		}
		for i := range chs {
			gone = append(gone, s.actors.ChannelActor(&chs[i]))
		}
		gone = append(gone, s.actors.AccountActor(a))
	} else {
		ch, err := s.db.ChannelByID(ctx, channelID)
		if err != nil {
			return err
		}
		gone = append(gone, s.actors.ChannelActor(ch))
		if ch.Account != nil {
			// The account signs the Deletes of the channel's videos.
			if _, err := s.PrivateKey(ctx, s.actors.AccountActor(ch.Account).KeyID()); err != nil {
				return err
			}
		}
	}
	for _, a := range gone {
		if _, err := s.PrivateKey(ctx, a.KeyID()); err != nil {
			return err
		}
	}
	ids, err := s.db.FederatedVideos(ctx, accountID, channelID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		v, err := s.db.VideoByID(ctx, id)
		if err != nil {
			return err
		}
		if err := s.VideoDeleted(ctx, v); err != nil {
			return err
		}
	}
	inst, err := s.localRow(ctx, s.actors.Instance())
	if err != nil {
		return err
	}
	for _, a := range gone {
		row, err := s.localRow(ctx, a)
		if err != nil {
			return err
		}
		inboxes, err := s.db.FollowerInboxes(ctx, row.ID, inst.ID)
		if err != nil {
			return err
		}
		to, cc := vocab.Audience(vocab.PrivacyPublic, a.Followers())
		if err := s.send(ctx, a, vocab.Delete(a.ID, a.ID, to, cc), inboxes); err != nil {
			return err
		}
	}
	return nil
}
