// Package config holds every setting of the server. Settings are layered:
// documented defaults, then a YAML file, then CUTTLE_* environment
// variables, then command-line flags; later layers win. Validate names the
// key that is wrong.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"cuttle.video/server/netlimit"
	"cuttle.video/transcoder/settings"
)

// Config is the whole server configuration.
type Config struct {
	// Listen is the TCP address the HTTP server binds.
	Listen string `yaml:"listen"`
	// DataDir holds the SQLite database, local media and partial uploads.
	DataDir string `yaml:"data_dir"`
	// PublicURL is the scheme://host[:port] under which clients reach the
	// server; every absolute URL the server emits starts with it.
	PublicURL string `yaml:"public_url"`
	// DatabaseURL selects PostgreSQL when it is a postgres:// URL; empty
	// means the embedded SQLite file in DataDir.
	DatabaseURL string `yaml:"database_url"`
	// RedisURL, when set, moves the job queue and tracker fan-out to Redis.
	RedisURL string `yaml:"redis_url"`
	S3       S3     `yaml:"s3"`
	// AdminPassword is used once, when the root account is first created.
	AdminPassword string `yaml:"admin_password"`
	// Secret signs local media URLs and video file tokens; generated into
	// DataDir when empty. Replicas behind one load balancer need the same.
	Secret string `yaml:"secret"`
	// FileTokenTTL is how long a video file token, and every link and
	// tracker socket opened with it, gives access to a non-public video.
	FileTokenTTL time.Duration `yaml:"file_token_ttl"`
	// TrendingDays is how many days of views, today's included, rank
	// videos in lists sorted by trending.
	TrendingDays int `yaml:"trending_days"`
	// LogLevel is one of debug, info, warn, error.
	LogLevel string `yaml:"log_level"`
	// LogFormat is text or json.
	LogFormat string `yaml:"log_format"`

	Uploads     Uploads     `yaml:"uploads"`
	Transcoding Transcoding `yaml:"transcoding"`
	Users       Users       `yaml:"users"`
	// P2P is peer-to-peer delivery between viewers.
	P2P P2P `yaml:"p2p"`
	// Federation is ActivityPub with other instances.
	Federation Federation `yaml:"federation"`
	Signup     Signup     `yaml:"signup"`
	// LoginRateLimit bounds token requests per client address.
	LoginRateLimit RateLimit `yaml:"login_rate_limit"`
	// LoginFailures bounds wrong passwords per account, from all
	// addresses together. Once reached, each address may get the
	// password wrong only once more in the window; a right password
	// from an address that has not failed is still accepted.
	LoginFailures RateLimit `yaml:"login_failures"`
	// TrustedProxies lists the proxies (addresses or CIDR networks)
	// whose ClientIPHeader names the client; requests from anywhere else
	// are keyed on the connection's address and the header is ignored.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// ClientIPHeader is the header trusted proxies put the client's
	// address in.
	ClientIPHeader string `yaml:"client_ip_header"`
	// MetricsListen, when set, is a host:port where /metrics is served
	// without authentication, for a scraper; keep it private. On the
	// main address /metrics is for admins only either way.
	MetricsListen string `yaml:"metrics_listen"`
	// Connections bounds what one client holds of the HTTP server.
	Connections Connections `yaml:"connections"`
	// ShutdownTimeout is how long in-flight requests may take on SIGTERM.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
}

// S3 selects S3-compatible media storage when Bucket is set.
type S3 struct {
	Endpoint      string `yaml:"endpoint"`
	Region        string `yaml:"region"`
	Bucket        string `yaml:"bucket"`
	AccessKey     string `yaml:"access_key"`
	SecretKey     string `yaml:"secret_key"`
	PathStyle     bool   `yaml:"path_style"`
	PublicBaseURL string `yaml:"public_base_url"`
}

// Enabled reports whether media goes to S3 rather than the data directory.
func (s S3) Enabled() bool { return s.Bucket != "" }

// Uploads bounds what creators may send.
type Uploads struct {
	// MaxFileSize is the largest original accepted, in bytes.
	MaxFileSize Size `yaml:"max_file_size"`
	// ResumableExpiry is how long an unfinished resumable upload is kept
	// after its last chunk.
	ResumableExpiry time.Duration `yaml:"resumable_expiry"`
	// MaxDimension is the largest width or height accepted.
	MaxDimension int `yaml:"max_dimension"`
	// MaxDuration is the longest original accepted; transcoding time and
	// the size of a job grow with it.
	MaxDuration time.Duration `yaml:"max_duration"`
}

// Transcoding tunes the job queue and the embedded workers.
type Transcoding struct {
	// SegmentSeconds is the HLS segment duration.
	SegmentSeconds int `yaml:"segment_seconds"`
	// Workers is how many jobs the server itself runs at once. -1 means
	// the default: 1 in the embedded setup, 0 with Redis (remote runners
	// do the work).
	Workers int `yaml:"workers"`
	// Threads is ffmpeg's -threads for embedded workers; 0 lets ffmpeg
	// choose.
	Threads int `yaml:"threads"`
	// Preset is the x264 preset.
	Preset string `yaml:"preset"`
	// MaxAttempts is how often a job is tried before it fails for good.
	MaxAttempts int `yaml:"max_attempts"`
	// ClaimIdle is how long a job may go without a heartbeat from its
	// runner before another runner takes it over (Redis only).
	ClaimIdle time.Duration `yaml:"claim_idle"`
	// TimeLimitFactor is the wall time a transcode may take per second of
	// media, beyond 15 minutes for transfers; a slower attempt fails.
	TimeLimitFactor float64 `yaml:"time_limit_factor"`
}

// Users holds defaults for new accounts.
type Users struct {
	// DefaultVideoQuota is in bytes; -1 means unlimited.
	DefaultVideoQuota Size `yaml:"default_video_quota"`
}

// Signup governs self-registration.
type Signup struct {
	// Enabled lets visitors create their own account; an admin can
	// change it at run time in the instance settings.
	Enabled bool `yaml:"enabled"`
}

// P2P tunes peer-to-peer delivery: the tracker and the player's P2P.
type P2P struct {
	// Enabled lets viewers share segments over WebRTC; when false the
	// tracker refuses every socket and players fetch over HTTP only.
	Enabled bool `yaml:"enabled"`
	// MaxConnsPerAddr bounds tracker sockets per client address.
	MaxConnsPerAddr int `yaml:"max_conns_per_addr"`
	// AnnounceInterval is how often peers announce again.
	AnnounceInterval time.Duration `yaml:"announce_interval"`
}

// Federation governs what the instance exchanges with other servers.
type Federation struct {
	// AllowHTTP lets the instance fetch from and deliver to servers
	// over plain http://; off, only https:// is used. For test setups
	// and private networks.
	AllowHTTP bool `yaml:"allow_http"`
	// AllowNetworks lists the networks (CIDR, or "loopback" or
	// "private") other servers may be reached on besides public
	// addresses. Loopback, private and link-local addresses are refused
	// otherwise, so that a remote server cannot make this one fetch from
	// its own network.
	AllowNetworks []string `yaml:"allow_networks"`
	// InstanceFollowersApproval makes follows of the instance wait for
	// an admin's approval; off, they are accepted at once.
	InstanceFollowersApproval bool `yaml:"instance_followers_approval"`
	// AutoFollowBack makes the instance follow back every instance
	// whose follow it accepts.
	AutoFollowBack bool `yaml:"auto_follow_back"`
	// InboxRateLimit bounds the deliveries one remote server makes to
	// the inboxes: counted by the signer's host once the signature is
	// checked, and by client address before, so that requests which
	// never verify are bounded too (each may cost a fetch of a key).
	InboxRateLimit RateLimit `yaml:"inbox_rate_limit"`
}

// Connections bounds what one client (an address, or an IPv6 /64) may
// hold of the HTTP server.
type Connections struct {
	// MaxPerAddr caps the connections a client has open at once.
	// Trusted proxies are not capped.
	MaxPerAddr int `yaml:"max_per_addr"`
	// BodyMinRate is the slowest a request body may arrive, in bytes a
	// second, once BodyGrace has passed; slower bodies are cut.
	BodyMinRate Size `yaml:"body_min_rate"`
	// BodyGrace is how long a body may take before BodyMinRate applies.
	BodyGrace time.Duration `yaml:"body_grace"`
	// UploadBodyGrace replaces BodyGrace for video uploads.
	UploadBodyGrace time.Duration `yaml:"upload_body_grace"`
}

// RateLimit allows Burst requests per Window.
type RateLimit struct {
	Burst  int           `yaml:"burst"`
	Window time.Duration `yaml:"window"`
}

// Default returns the documented defaults: the embedded setup on loopback.
func Default() Config {
	return Config{
		Listen:    "127.0.0.1:9000",
		DataDir:   "./data",
		LogLevel:  "info",
		LogFormat: "text",
		S3:        S3{Region: "us-east-1", PathStyle: true},
		Uploads: Uploads{
			MaxFileSize:     8 << 30,
			ResumableExpiry: 24 * time.Hour,
			MaxDimension:    8192,
			MaxDuration:     12 * time.Hour,
		},
		Transcoding: Transcoding{
			SegmentSeconds: 4, Workers: -1, Preset: settings.Preset, MaxAttempts: settings.MaxAttempts,
			ClaimIdle:       settings.ClaimIdle,
			TimeLimitFactor: 5,
		},
		Users:           Users{DefaultVideoQuota: -1},
		LoginRateLimit:  RateLimit{Burst: 15, Window: 5 * time.Minute},
		ShutdownTimeout: 30 * time.Second,
		FileTokenTTL:    2 * time.Hour,
		TrendingDays:    7,
		P2P:             P2P{Enabled: true, MaxConnsPerAddr: 100, AnnounceInterval: 2 * time.Minute},

		LoginFailures:  RateLimit{Burst: 10, Window: 15 * time.Minute},
		Federation:     Federation{InboxRateLimit: RateLimit{Burst: 300, Window: time.Minute}},
		ClientIPHeader: "X-Forwarded-For",
		Connections: Connections{
			MaxPerAddr: 256, BodyMinRate: 1 << 10, BodyGrace: 30 * time.Second, UploadBodyGrace: 2 * time.Minute,
		},
	}
}

// LoadFile overlays the YAML file at path; unknown keys are errors so a
// typo does not silently fall back to a default.
func (c *Config) LoadFile(path string) error { return settings.LoadFile(path, c) }

// envVars maps every CUTTLE_* variable to the field it sets. The ones a
// remote runner reads too have the same names there.
func (c *Config) envVars() settings.Env {
	str, boolVar, intVar, durationVar := settings.String, settings.Bool, settings.Int, settings.Duration
	return settings.Env{
		"CUTTLE_LISTEN":                                 str(&c.Listen),
		"CUTTLE_DATA_DIR":                               str(&c.DataDir),
		"CUTTLE_PUBLIC_URL":                             str(&c.PublicURL),
		"CUTTLE_DATABASE_URL":                           str(&c.DatabaseURL),
		"CUTTLE_REDIS_URL":                              str(&c.RedisURL),
		"CUTTLE_ADMIN_PASSWORD":                         str(&c.AdminPassword),
		"CUTTLE_SECRET":                                 str(&c.Secret),
		"CUTTLE_LOG_LEVEL":                              str(&c.LogLevel),
		"CUTTLE_LOG_FORMAT":                             str(&c.LogFormat),
		"CUTTLE_S3_ENDPOINT":                            str(&c.S3.Endpoint),
		"CUTTLE_S3_REGION":                              str(&c.S3.Region),
		"CUTTLE_S3_BUCKET":                              str(&c.S3.Bucket),
		"CUTTLE_S3_ACCESS_KEY":                          str(&c.S3.AccessKey),
		"CUTTLE_S3_SECRET_KEY":                          str(&c.S3.SecretKey),
		"CUTTLE_S3_PUBLIC_URL":                          str(&c.S3.PublicBaseURL),
		"CUTTLE_S3_PATH_STYLE":                          boolVar(&c.S3.PathStyle),
		"CUTTLE_MAX_FILE_SIZE":                          c.Uploads.MaxFileSize.Set,
		"CUTTLE_VIDEO_QUOTA":                            c.Users.DefaultVideoQuota.Set,
		"CUTTLE_UPLOAD_EXPIRY":                          durationVar(&c.Uploads.ResumableExpiry),
		"CUTTLE_MAX_DURATION":                           durationVar(&c.Uploads.MaxDuration),
		"CUTTLE_SHUTDOWN_TIMEOUT":                       durationVar(&c.ShutdownTimeout),
		"CUTTLE_TRANSCODING_WORKERS":                    intVar(&c.Transcoding.Workers),
		"CUTTLE_FFMPEG_THREADS":                         intVar(&c.Transcoding.Threads),
		"CUTTLE_X264_PRESET":                            str(&c.Transcoding.Preset),
		"CUTTLE_MAX_ATTEMPTS":                           intVar(&c.Transcoding.MaxAttempts),
		"CUTTLE_CLAIM_IDLE":                             durationVar(&c.Transcoding.ClaimIdle),
		"CUTTLE_SEGMENT_SECONDS":                        intVar(&c.Transcoding.SegmentSeconds),
		"CUTTLE_TIME_LIMIT_FACTOR":                      settings.Float(&c.Transcoding.TimeLimitFactor),
		"CUTTLE_P2P_ENABLED":                            boolVar(&c.P2P.Enabled),
		"CUTTLE_P2P_MAX_CONNS_PER_ADDR":                 intVar(&c.P2P.MaxConnsPerAddr),
		"CUTTLE_P2P_ANNOUNCE_INTERVAL":                  durationVar(&c.P2P.AnnounceInterval),
		"CUTTLE_SIGNUP_ENABLED":                         boolVar(&c.Signup.Enabled),
		"CUTTLE_FILE_TOKEN_TTL":                         durationVar(&c.FileTokenTTL),
		"CUTTLE_TRENDING_DAYS":                          intVar(&c.TrendingDays),
		"CUTTLE_TRUSTED_PROXIES":                        settings.List(&c.TrustedProxies),
		"CUTTLE_CLIENT_IP_HEADER":                       str(&c.ClientIPHeader),
		"CUTTLE_METRICS_LISTEN":                         str(&c.MetricsListen),
		"CUTTLE_MAX_CONNS_PER_ADDR":                     intVar(&c.Connections.MaxPerAddr),
		"CUTTLE_BODY_MIN_RATE":                          c.Connections.BodyMinRate.Set,
		"CUTTLE_BODY_GRACE":                             durationVar(&c.Connections.BodyGrace),
		"CUTTLE_UPLOAD_BODY_GRACE":                      durationVar(&c.Connections.UploadBodyGrace),
		"CUTTLE_FEDERATION_ALLOW_HTTP":                  boolVar(&c.Federation.AllowHTTP),
		"CUTTLE_FEDERATION_ALLOW_NETWORKS":              settings.List(&c.Federation.AllowNetworks),
		"CUTTLE_FEDERATION_INSTANCE_FOLLOWERS_APPROVAL": boolVar(&c.Federation.InstanceFollowersApproval),
		"CUTTLE_FEDERATION_AUTO_FOLLOW_BACK":            boolVar(&c.Federation.AutoFollowBack),
		"CUTTLE_FEDERATION_INBOX_RATE_LIMIT_BURST":      intVar(&c.Federation.InboxRateLimit.Burst),
		"CUTTLE_FEDERATION_INBOX_RATE_LIMIT_WINDOW":     durationVar(&c.Federation.InboxRateLimit.Window),
	}
}

// LoadEnv overlays CUTTLE_* variables from lookup (os.LookupEnv in
// production, a map in tests).
func (c *Config) LoadEnv(lookup func(string) (string, bool)) error {
	return c.envVars().Load(lookup)
}

var headerNameRE = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

// Validate checks every field and fills PublicURL from Listen when empty.
func (c *Config) Validate() error {
	host, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return fmt.Errorf("config: listen: %q is not host:port", c.Listen)
	}
	if c.PublicURL == "" {
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.PublicURL = "http://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return fmt.Errorf("config: public_url: %q must be http(s)://host[:port] without a path", c.PublicURL)
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	if c.DataDir == "" {
		return errors.New("config: data_dir: must not be empty")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return fmt.Errorf("config: database_url: only postgres:// URLs are supported (empty means SQLite)")
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		return fmt.Errorf("config: redis_url: must be a redis:// or rediss:// URL")
	}
	if c.S3.Enabled() && c.S3.Region == "" {
		return errors.New("config: s3.region: required when s3.bucket is set")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: log_level: %q is not one of debug, info, warn, error", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("config: log_format: %q is not text or json", c.LogFormat)
	}
	if c.Uploads.MaxFileSize <= 0 {
		return errors.New("config: uploads.max_file_size: must be positive")
	}
	if c.Uploads.ResumableExpiry < time.Minute {
		return errors.New("config: uploads.resumable_expiry: must be at least 1m")
	}
	if c.Uploads.MaxDimension < 16 {
		return errors.New("config: uploads.max_dimension: must be at least 16")
	}
	if c.Uploads.MaxDuration < time.Second {
		return errors.New("config: uploads.max_duration: must be at least 1s")
	}
	if c.Users.DefaultVideoQuota < -1 {
		return errors.New("config: users.default_video_quota: must be -1 (unlimited) or a size")
	}
	if c.LoginRateLimit.Burst < 1 || c.LoginRateLimit.Window <= 0 {
		return errors.New("config: login_rate_limit: burst must be >= 1 and window > 0")
	}
	if c.LoginFailures.Burst < 1 || c.LoginFailures.Window <= 0 {
		return errors.New("config: login_failures: burst must be >= 1 and window > 0")
	}
	if r := c.Federation.InboxRateLimit; r.Burst < 1 || r.Window <= 0 {
		return errors.New("config: federation.inbox_rate_limit: burst must be >= 1 and window > 0")
	}
	if _, err := netlimit.ParsePrefixes(c.TrustedProxies); err != nil {
		return fmt.Errorf("config: trusted_proxies: %w", err)
	}
	if _, _, err := net.SplitHostPort(c.MetricsListen); c.MetricsListen != "" && err != nil {
		return fmt.Errorf("config: metrics_listen: %q is not host:port", c.MetricsListen)
	}
	if !headerNameRE.MatchString(c.ClientIPHeader) {
		return fmt.Errorf("config: client_ip_header: %q is not a header name", c.ClientIPHeader)
	}
	if k := c.Connections; k.MaxPerAddr < 1 || k.BodyMinRate < 1 || k.BodyGrace < time.Second || k.UploadBodyGrace < k.BodyGrace {
		return errors.New("config: connections: max_per_addr and body_min_rate must be >= 1, body_grace >= 1s, upload_body_grace >= body_grace")
	}
	t := &c.Transcoding
	if t.SegmentSeconds < 1 || t.SegmentSeconds > 30 {
		return errors.New("config: transcoding.segment_seconds: must be between 1 and 30")
	}
	if t.Workers < -1 || t.Threads < 0 || t.MaxAttempts < 1 || t.ClaimIdle < time.Second {
		return errors.New("config: transcoding: workers >= -1, threads >= 0, max_attempts >= 1, claim_idle >= 1s")
	}
	if !(t.TimeLimitFactor > 0) {
		return errors.New("config: transcoding.time_limit_factor: must be positive")
	}
	if t.Workers == -1 {
		t.Workers = 1
		if c.RedisURL != "" {
			t.Workers = 0
		}
	}
	if t.Workers == 0 && c.RedisURL == "" {
		return errors.New("config: transcoding.workers: 0 needs redis_url, or nothing would ever transcode")
	}
	if c.P2P.MaxConnsPerAddr < 1 || c.P2P.AnnounceInterval < 10*time.Second {
		return errors.New("config: p2p: max_conns_per_addr must be >= 1 and announce_interval >= 10s")
	}
	if c.FileTokenTTL < time.Second || c.FileTokenTTL > 24*time.Hour {
		return errors.New("config: file_token_ttl: must be between 1s and 24h")
	}
	if c.TrendingDays < 1 || c.TrendingDays > 365 {
		return errors.New("config: trending_days: must be between 1 and 365")
	}
	if c.ShutdownTimeout <= 0 {
		return errors.New("config: shutdown_timeout: must be positive")
	}
	if _, err := c.Federation.Networks(); err != nil {
		return fmt.Errorf("config: federation.allow_networks: %w", err)
	}
	return nil
}

// Networks reads AllowNetworks: whether loopback and private addresses
// are allowed as a whole, and the other networks allowed.
func (f Federation) Networks() (n FederationNetworks, err error) {
	var cidrs []string
	for _, s := range f.AllowNetworks {
		switch s {
		case "loopback":
			n.Loopback = true
		case "private":
			n.Private = true
		default:
			cidrs = append(cidrs, s)
		}
	}
	n.Prefixes, err = netlimit.ParsePrefixes(cidrs)
	return n, err
}

// FederationNetworks is Federation.AllowNetworks read.
type FederationNetworks struct {
	Loopback, Private bool
	Prefixes          []netip.Prefix
}
