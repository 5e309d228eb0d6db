package api

import (
	"context"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/media"
	"cuttle.video/server/session"
	"cuttle.video/server/videos"
)

// This file holds the JSON shapes of PeerTube's API, apart from the
// database models so either can change without the other.

type idLabel[T any] struct {
	ID    T      `json:"id"`
	Label string `json:"label"`
}

// optionalLabel renders an id that 0 means "not set" as PeerTube does:
// a null id labelled "Unknown".
func optionalLabel(id int, labels map[int]string) idLabel[*int] {
	if id == 0 {
		return idLabel[*int]{Label: "Unknown"}
	}
	return idLabel[*int]{ID: &id, Label: labels[id]}
}

type list[T any] struct {
	Total int `json:"total"`
	Data  []T `json:"data"`
}

// actorImageJSON is PeerTube's ActorImage: one size of an avatar or a
// banner.
type actorImageJSON struct {
	Path      string    `json:"path"`
	Width     int       `json:"width"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// actorSummaryJSON is PeerTube's AccountSummary and VideoChannelSummary,
// which have the same fields: how videos name their account and channel.
type actorSummaryJSON struct {
	ID          int64            `json:"id"`
	Name        string           `json:"name"`
	DisplayName string           `json:"displayName"`
	URL         string           `json:"url"`
	Host        string           `json:"host"`
	Avatars     []actorImageJSON `json:"avatars"`
}

// actorCountsJSON is what PeerTube's Actor adds to a summary. The counts
// are filled where an actor is shown on its own (see counted): lists of
// videos and users leave them at 0 rather than count for every row.
type actorCountsJSON struct {
	FollowersCount int       `json:"followersCount"`
	FollowingCount int       `json:"followingCount"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

// accountJSON is PeerTube's Account.
type accountJSON struct {
	actorSummaryJSON
	actorCountsJSON
	UserID      int64   `json:"userId"`
	Description *string `json:"description"`
}

// channelJSON is PeerTube's VideoChannel.
type channelJSON struct {
	actorSummaryJSON
	actorCountsJSON
	Description  *string          `json:"description"`
	Support      *string          `json:"support"`
	IsLocal      bool             `json:"isLocal"`
	Banners      []actorImageJSON `json:"banners"`
	OwnerAccount *accountJSON     `json:"ownerAccount,omitempty"`
}

// pictureSizes lists an avatar or banner in each of its sizes, as
// PeerTube's ActorImage; none when there is no picture.
func pictureSizes(p media.Picture, pic database.Picture) []actorImageJSON {
	out := []actorImageJSON{}
	if pic.Name == "" {
		return out
	}
	for _, sz := range p.Sizes {
		out = append(out, actorImageJSON{Path: p.Path(pic.Name, sz), Width: sz.Width, CreatedAt: pic.At, UpdatedAt: pic.At})
	}
	return out
}

// orNull is an optional text as PeerTube sends it: null when empty.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type userJSON struct {
	ID              int64         `json:"id"`
	Username        string        `json:"username"`
	Email           string        `json:"email"`
	EmailVerified   bool          `json:"emailVerified"`
	Role            idLabel[int]  `json:"role"`
	VideoQuota      int64         `json:"videoQuota"`
	VideoQuotaDaily int64         `json:"videoQuotaDaily"`
	Blocked         bool          `json:"blocked"`
	CreatedAt       time.Time     `json:"createdAt"`
	Account         accountJSON   `json:"account"`
	VideoChannels   []channelJSON `json:"videoChannels,omitempty"`
}

type videoJSON struct {
	ID                    int64            `json:"id"`
	UUID                  string           `json:"uuid"`
	ShortUUID             string           `json:"shortUUID"`
	URL                   string           `json:"url"`
	Name                  string           `json:"name"`
	Category              idLabel[*int]    `json:"category"`
	Licence               idLabel[*int]    `json:"licence"`
	Language              idLabel[*string] `json:"language"`
	Privacy               idLabel[int]     `json:"privacy"`
	NSFW                  bool             `json:"nsfw"`
	Description           string           `json:"description"`
	IsLocal               bool             `json:"isLocal"`
	IsLive                bool             `json:"isLive"`
	Duration              int              `json:"duration"`
	Views                 int64            `json:"views"`
	Viewers               int              `json:"viewers"`
	Likes                 int64            `json:"likes"`
	Dislikes              int64            `json:"dislikes"`
	ThumbnailPath         *string          `json:"thumbnailPath"`
	PreviewPath           *string          `json:"previewPath"`
	EmbedPath             string           `json:"embedPath"`
	CreatedAt             time.Time        `json:"createdAt"`
	UpdatedAt             time.Time        `json:"updatedAt"`
	PublishedAt           time.Time        `json:"publishedAt"`
	OriginallyPublishedAt *time.Time       `json:"originallyPublishedAt"`
	State                 idLabel[int]     `json:"state"`
	WaitTranscoding       bool             `json:"waitTranscoding"`
	Account               actorSummaryJSON `json:"account"`
	Channel               actorSummaryJSON `json:"channel"`
}

type videoDetailsJSON struct {
	videoJSON
	Support            string                  `json:"support"`
	DescriptionPath    string                  `json:"descriptionPath"`
	Tags               []string                `json:"tags"`
	CommentsEnabled    bool                    `json:"commentsEnabled"`
	CommentsPolicy     idLabel[int]            `json:"commentsPolicy"`
	DownloadEnabled    bool                    `json:"downloadEnabled"`
	StateReason        string                  `json:"stateReason,omitempty"`
	Files              []videoFileJSON         `json:"files"`
	StreamingPlaylists []streamingPlaylistJSON `json:"streamingPlaylists"`
	Transcoding        *transcodingJSON        `json:"transcoding,omitempty"`
	TrackerURLs        []string                `json:"trackerUrls"`
	Account            accountJSON             `json:"account"`
	Channel            channelJSON             `json:"channel"`
}

func (s *server) accountSummary(a *database.Account) actorSummaryJSON {
	out := actorSummaryJSON{
		ID: a.ID, Name: a.Name, DisplayName: a.DisplayName, URL: s.PublicURL + "/accounts/" + a.Name,
		Host: s.hostname, Avatars: pictureSizes(media.Avatar, a.Avatar),
	}
	if a.Host != "" {
		out.URL, out.Host = a.URL, a.Host
	}
	return out
}

func (s *server) account(a *database.Account) accountJSON {
	return accountJSON{
		actorSummaryJSON: s.accountSummary(a),
		actorCountsJSON:  actorCountsJSON{CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt},
		UserID:           a.UserID, Description: orNull(a.Description),
	}
}

func (s *server) channelSummary(ch *database.Channel) actorSummaryJSON {
	out := actorSummaryJSON{
		ID: ch.ID, Name: ch.Name, DisplayName: ch.DisplayName, URL: s.PublicURL + "/video-channels/" + ch.Name,
		Host: s.hostname, Avatars: pictureSizes(media.Avatar, ch.Avatar),
	}
	if ch.Host != "" {
		out.URL, out.Host = ch.URL, ch.Host
	}
	return out
}

func (s *server) channel(ch *database.Channel) channelJSON {
	out := channelJSON{
		actorSummaryJSON: s.channelSummary(ch),
		actorCountsJSON:  actorCountsJSON{CreatedAt: ch.CreatedAt, UpdatedAt: ch.UpdatedAt},
		Description:      orNull(ch.Description), Support: orNull(ch.Support), IsLocal: ch.Host == "", Banners: pictureSizes(media.Banner, ch.Banner),
	}
	if ch.Account != nil {
		owner := s.account(ch.Account)
		out.OwnerAccount = &owner
	}
	return out
}

// countedChannel and countedAccount are channel and account with their
// follower and following counts.
func (s *server) countedChannel(ctx context.Context, ch *database.Channel) (channelJSON, error) {
	out := s.channel(ch)
	var err error
	out.FollowersCount, out.FollowingCount, err = s.Federation.FollowCounts(ctx, 0, ch.ID)
	return out, err
}

func (s *server) countedAccount(ctx context.Context, a *database.Account) (accountJSON, error) {
	out := s.account(a)
	var err error
	out.FollowersCount, out.FollowingCount, err = s.Federation.FollowCounts(ctx, a.ID, 0)
	return out, err
}

func (s *server) user(u *database.User, channels []database.Channel) userJSON {
	out := userJSON{
		ID: u.ID, Username: u.Username, Email: u.Email, EmailVerified: true,
		Role:       idLabel[int]{ID: u.Role.ID(), Label: session.RoleLabels[u.Role]},
		VideoQuota: u.VideoQuota, VideoQuotaDaily: u.VideoQuotaDaily, Blocked: u.Blocked, CreatedAt: u.CreatedAt,
	}
	if u.Account != nil {
		out.Account = s.account(u.Account)
	}
	for i := range channels {
		out.VideoChannels = append(out.VideoChannels, s.channel(&channels[i]))
	}
	return out
}

func (s *server) video(v *database.Video) videoJSON {
	lang := idLabel[*string]{Label: "Unknown"}
	if v.Language != "" {
		lang = idLabel[*string]{ID: &v.Language, Label: v.Language}
	}
	out := videoJSON{
		ID: v.ID, UUID: v.UUID, ShortUUID: v.ShortUUID, URL: s.PublicURL + "/videos/watch/" + v.UUID,
		Name: v.Name, Category: optionalLabel(v.Category, videos.Categories), Licence: optionalLabel(v.Licence, videos.Licences),
		Language: lang, Privacy: idLabel[int]{ID: v.Privacy, Label: videos.Privacies[v.Privacy]},
		NSFW: v.NSFW, Description: v.Description, IsLocal: !v.Remote, Duration: v.Duration,
		Views: v.Views + s.pendingViews(v.ID), Likes: v.Likes, Dislikes: v.Dislikes, EmbedPath: "/videos/embed/" + v.UUID,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, PublishedAt: v.PublishedAt,
		OriginallyPublishedAt: v.OriginallyPublishedAt,
		State:                 idLabel[int]{ID: v.State, Label: videos.States[v.State]},
		WaitTranscoding:       v.WaitTranscoding,
	}
	if v.Channel != nil {
		out.Channel = s.channelSummary(v.Channel)
		if v.Channel.Account != nil {
			out.Account = s.accountSummary(v.Channel.Account)
		}
	}
	// Only viewers who may see the video get here: the images of
	// private ones carry a file token for them.
	if v.ThumbnailSource != "" {
		p := media.ThumbnailPath(v.UUID) + s.URLs.Query(v)
		out.ThumbnailPath = &p
	}
	if v.PreviewSource != "" {
		p := media.PreviewPath(v.UUID) + s.URLs.Query(v)
		out.PreviewPath = &p
	}
	if rm := media.Remote(v); rm != nil {
		// A remote video's pictures stay on its origin.
		out.URL = v.URL
		if rm.Thumbnail != "" {
			out.ThumbnailPath = &rm.Thumbnail
		}
		if rm.Preview != "" {
			out.PreviewPath = &rm.Preview
		}
	}
	return out
}

// videoDetails is the full video; why its transcoding failed is told
// only to those who manage it (manager), since the failure describes the
// upload and the platform's internals rather than the video.
func (s *server) videoDetails(v *database.Video, j *database.Job, manager bool) videoDetailsJSON {
	out := videoDetailsJSON{
		videoJSON: s.video(v), Support: v.Support, DescriptionPath: "/api/v1/videos/" + v.UUID + "/description",
		Tags: []string{}, CommentsEnabled: v.CommentsEnabled, CommentsPolicy: commentsPolicy(v), DownloadEnabled: v.DownloadEnabled,
		Files: s.files(v), StreamingPlaylists: s.streamingPlaylists(v, media.Result(v)),
		TrackerURLs: []string{}, Transcoding: transcoding(j, manager),
	}
	if manager {
		out.StateReason = v.StateReason
	}
	for _, t := range v.Tags {
		out.Tags = append(out.Tags, t.Name)
	}
	if v.Channel != nil {
		out.Channel = s.channel(v.Channel)
		if v.Channel.Account != nil {
			out.Account = s.account(v.Channel.Account)
		}
	}
	return out
}

func (s *server) videoList(vs []database.Video, total int) list[videoJSON] {
	out := list[videoJSON]{Total: total, Data: make([]videoJSON, 0, len(vs))}
	for i := range vs {
		out.Data = append(out.Data, s.video(&vs[i]))
	}
	return out
}
