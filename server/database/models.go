package database

import (
	"time"

	"github.com/uptrace/bun"
)

// User is a local login.
type User struct {
	bun.BaseModel   `bun:"table:users,alias:u"`
	ID              int64     `bun:"id,pk,autoincrement"`
	Username        string    `bun:"username,notnull"`
	Email           string    `bun:"email,notnull"`
	PasswordHash    string    `bun:"password_hash,notnull"`
	Role            Role      `bun:"role,notnull"`
	VideoQuota      int64     `bun:"video_quota,notnull"`
	VideoQuotaDaily int64     `bun:"video_quota_daily,notnull"`
	Blocked         bool      `bun:"blocked,notnull"`
	CreatedAt       time.Time `bun:"created_at,notnull"`
	Account         *Account  `bun:"rel:has-one,join:id=user_id"`
}

// Account is the public identity of a user, or an account of another
// instance (Host set, no user).
type Account struct {
	ID     int64 `bun:"id,pk,autoincrement"`
	UserID int64 `bun:"user_id,nullzero"`
	// Host is where a remote account lives; empty for a local one.
	Host string `bun:"host,notnull"`
	// URL is a remote account's ActivityPub id; empty for a local one.
	URL         string    `bun:"url,notnull"`
	Name        string    `bun:"name,notnull"`
	DisplayName string    `bun:"display_name,notnull"`
	Description string    `bun:"description,notnull"`
	CreatedAt   time.Time `bun:"created_at,notnull"`
	UpdatedAt   time.Time `bun:"updated_at,notnull"`
	Avatar      Picture   `bun:"embed:avatar_"`
}

// Picture is an actor's avatar or banner: the name of its files, one per
// size, and when it was sent. Name is empty when there is none.
type Picture struct {
	Name string    `bun:"name,notnull"`
	At   time.Time `bun:"at,nullzero"`
}

// Channel is where videos are published; each account has at least one.
type Channel struct {
	bun.BaseModel `bun:"table:video_channels,alias:ch"`
	ID            int64 `bun:"id,pk,autoincrement"`
	AccountID     int64 `bun:"account_id,notnull"`
	// Host and URL are a remote channel's, as an account's.
	Host        string    `bun:"host,notnull"`
	URL         string    `bun:"url,notnull"`
	Name        string    `bun:"name,notnull"`
	DisplayName string    `bun:"display_name,notnull"`
	Description string    `bun:"description,notnull"`
	Support     string    `bun:"support,notnull"`
	CreatedAt   time.Time `bun:"created_at,notnull"`
	UpdatedAt   time.Time `bun:"updated_at,notnull"`
	Avatar      Picture   `bun:"embed:avatar_"`
	Banner      Picture   `bun:"embed:banner_"`
	Account     *Account  `bun:"rel:belongs-to,join:account_id=id"`
}

// OAuthClient is the client id/secret pair PeerTube clients fetch first.
type OAuthClient struct {
	bun.BaseModel `bun:"table:oauth_clients"`
	ID            int64  `bun:"id,pk,autoincrement"`
	ClientID      string `bun:"client_id,notnull"`
	ClientSecret  string `bun:"client_secret,notnull"`
}

// Token is an OAuth token pair; only hashes of the secrets are stored.
type Token struct {
	bun.BaseModel    `bun:"table:oauth_tokens"`
	ID               int64     `bun:"id,pk,autoincrement"`
	UserID           int64     `bun:"user_id,notnull"`
	AccessHash       string    `bun:"access_hash,notnull"`
	RefreshHash      string    `bun:"refresh_hash,notnull"`
	AccessExpiresAt  time.Time `bun:"access_expires_at,notnull"`
	RefreshExpiresAt time.Time `bun:"refresh_expires_at,notnull"`
	CreatedAt        time.Time `bun:"created_at,notnull"`
	User             *User     `bun:"rel:belongs-to,join:user_id=id"`
}

// Video states, with PeerTube's ids.
const (
	StatePublished         = 1
	StateToTranscode       = 2
	StateTranscodingFailed = 7
)

// Video privacies, with PeerTube's ids.
const (
	PrivacyPublic   = 1
	PrivacyUnlisted = 2
	PrivacyPrivate  = 3
	PrivacyInternal = 4
	PrivacyPassword = 5
)

// Where a video's thumbnail or preview comes from. Only a placeholder
// gives way to the images a transcoding takes: PeerTube keeps the images
// a video got at upload, and never overwrites the ones its owner chose.
const (
	// ImagePlaceholder is a plain picture, for a sound or an original
	// whose frame could not be taken in time.
	ImagePlaceholder = "placeholder"
	// ImageOriginal is taken from the original: a frame, or a waveform.
	ImageOriginal = "original"
	// ImageCustom was sent by whoever manages the video.
	ImageCustom = "custom"
)

// Video is an uploaded video and its metadata.
type Video struct {
	ID              int64  `bun:"id,pk,autoincrement"`
	UUID            string `bun:"uuid,notnull"`
	ShortUUID       string `bun:"short_uuid,notnull"`
	ChannelID       int64  `bun:"channel_id,notnull"`
	Name            string `bun:"name,notnull"`
	Description     string `bun:"description,notnull"`
	Support         string `bun:"support,notnull"`
	Privacy         int    `bun:"privacy,notnull"`
	State           int    `bun:"state,notnull"`
	Category        int    `bun:"category,notnull"`
	Licence         int    `bun:"licence,notnull"`
	Language        string `bun:"language,notnull"`
	NSFW            bool   `bun:"nsfw,notnull"`
	CommentsEnabled bool   `bun:"comments_enabled,notnull"`
	DownloadEnabled bool   `bun:"download_enabled,notnull"`
	WaitTranscoding bool   `bun:"wait_transcoding,notnull"`
	Remote          bool   `bun:"remote,notnull"`
	// URL is a remote video's ActivityPub id; empty for a local one.
	URL string `bun:"url,notnull"`
	// RemoteMedia says where a remote video's files are on its origin,
	// as JSON; empty for a local one.
	RemoteMedia string `bun:"remote_media,notnull"`
	// Federated says other servers were told of this local video and
	// not yet told it is gone.
	Federated        bool   `bun:"federated,notnull"`
	Duration         int    `bun:"duration,notnull"`
	Views            int64  `bun:"views,notnull"`
	Likes            int64  `bun:"likes,notnull"`
	Dislikes         int64  `bun:"dislikes,notnull"`
	OriginalKey      string `bun:"original_key,notnull"`
	OriginalFilename string `bun:"original_filename,notnull"`
	OriginalSize     int64  `bun:"original_size,notnull"`
	Width            int    `bun:"width,notnull"`
	Height           int    `bun:"height,notnull"`
	StateReason      string `bun:"state_reason,notnull"`
	// OriginalProbe is what ffprobe found in the original, as JSON.
	OriginalProbe string `bun:"original_probe,notnull"`
	// OriginalInfoHash is the v1 info hash of the original's torrent,
	// in hexadecimal; empty while it has none.
	OriginalInfoHash string `bun:"original_info_hash,notnull"`
	// HLS is the result of the last transcoding, as JSON; empty before.
	HLS string `bun:"hls,notnull"`
	// MediaGeneration counts the privacy changes of the video. It names
	// the private directory of its files and is bound into file tokens,
	// so a change invalidates every link handed out before it.
	MediaGeneration int `bun:"media_generation,notnull"`
	// PasswordEpoch counts the replacements and deletions of the video's
	// passwords. It is bound into file tokens too, so a password change
	// revokes the tokens obtained before it; the files stay where they are.
	PasswordEpoch int `bun:"password_epoch,notnull"`
	// MediaMovingFrom is the prefix the video's files are being moved
	// from after a privacy change; empty when they are where they belong.
	MediaMovingFrom string `bun:"media_moving_from,notnull"`
	// ThumbnailSource and PreviewSource say where the video's images come
	// from, one of the Image* constants; empty while it has none.
	ThumbnailSource string `bun:"thumbnail_source,notnull"`
	PreviewSource   string `bun:"preview_source,notnull"`
	// MediaLockedUntil is the lease of whoever moves or writes the
	// video's files (a privacy change, a finishing job).
	MediaLockedUntil      *time.Time `bun:"media_locked_until"`
	CreatedAt             time.Time  `bun:"created_at,notnull"`
	UpdatedAt             time.Time  `bun:"updated_at,notnull"`
	PublishedAt           time.Time  `bun:"published_at,notnull"`
	OriginallyPublishedAt *time.Time `bun:"originally_published_at"`
	Channel               *Channel   `bun:"rel:belongs-to,join:channel_id=id"`
	Tags                  []Tag      `bun:"rel:has-many,join:id=video_id"`
}

// Tag is one tag of a video.
type Tag struct {
	bun.BaseModel `bun:"table:video_tags"`
	ID            int64  `bun:"id,pk,autoincrement"`
	VideoID       int64  `bun:"video_id,notnull"`
	Name          string `bun:"name,notnull"`
}

// Upload is an unfinished resumable upload. The bytes received so far live
// in a file named after ID; the file's length is the truth about progress,
// so nothing here needs updating per chunk.
type Upload struct {
	ID          string `bun:"id,pk"`
	UserID      int64  `bun:"user_id,notnull"`
	Filename    string `bun:"filename,notnull"`
	ContentType string `bun:"content_type,notnull"`
	Size        int64  `bun:"size,notnull"`
	Metadata    string `bun:"metadata,notnull"`
	// VideoID is set once the upload is complete and its video row exists,
	// while the file is being moved into media storage.
	VideoID   int64     `bun:"video_id,nullzero"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
}

// Job states. The database is the source of truth about jobs; queues only
// deliver them.
const (
	JobQueued     = "queued"
	JobProcessing = "processing"
	JobCompleted  = "completed"
	JobFailed     = "failed"
)

// Job is a unit of background work on a video, such as its transcoding.
type Job struct {
	bun.BaseModel `bun:"table:jobs,alias:job"`
	ID            string     `bun:"id,pk"`
	Type          string     `bun:"type,notnull"`
	VideoID       int64      `bun:"video_id,notnull"`
	State         string     `bun:"state,notnull"`
	Attempts      int        `bun:"attempts,notnull"`
	Progress      float64    `bun:"progress,notnull"`
	Error         string     `bun:"error,notnull"`
	Worker        string     `bun:"worker,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	UpdatedAt     time.Time  `bun:"updated_at,notnull"`
	StartedAt     *time.Time `bun:"started_at"`
	FinishedAt    *time.Time `bun:"finished_at"`
	// OutputPrefix is where the job was told to write its files: its
	// staging prefix for transcoding, the video's media prefix when it
	// was queued for other jobs.
	OutputPrefix string `bun:"output_prefix,notnull"`
	Video        *Video `bun:"rel:belongs-to,join:video_id=id"`
}
