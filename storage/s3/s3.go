// Package s3 implements storage.Store on Amazon S3 or any S3-compatible
// object store (MinIO, Garage, versitygw, Ceph RGW, R2, ...).
package s3

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"cuttle.video/storage"
)

const (
	// DefaultPartSize is the multipart part size when Config.PartSize is 0.
	DefaultPartSize = 16 << 20
	// MinPartSize is the smallest part S3 accepts (except for the last).
	MinPartSize = manager.MinUploadPartSize
)

// defaultRegion is what most self-hosted stores answer to.
const defaultRegion = "us-east-1"

// Config configures a Store.
type Config struct {
	// Endpoint is the service's base URL, e.g. "http://127.0.0.1:9000".
	// Empty means AWS itself, resolved from Region.
	Endpoint string
	// Region defaults to us-east-1.
	Region string
	// Bucket holds every object of the store.
	Bucket string
	// AccessKey and SecretKey give static credentials. When both are empty
	// the default AWS chain is used (environment, shared files, roles).
	AccessKey string
	SecretKey string
	// PathStyle addresses buckets as endpoint/bucket/key rather than
	// bucket.endpoint/key; most self-hosted stores need it.
	PathStyle bool
	// PublicBaseURL, when set, is where objects are publicly readable (a
	// CDN or a public bucket); PublicURL returns PublicBaseURL + "/" + key.
	PublicBaseURL string
	// PartSize is the multipart upload part size, and objects of known size
	// up to it are sent in one PutObject. 0 means DefaultPartSize; the
	// minimum is MinPartSize. Each running upload buffers a few parts.
	PartSize int64
	// AllowedOrigins are the origins (scheme://host[:port]) of the pages
	// that play media from the store, or "*" for pages of any site;
	// EnsureBucket lets them read objects through the bucket's CORS
	// rules.
	AllowedOrigins []string
	// Logger receives what EnsureBucket could not set up on the bucket and
	// an admin has to; nil means slog.Default().
	Logger *slog.Logger
}

// Store keeps objects in one bucket.
type Store struct {
	client     *awss3.Client
	presigner  *awss3.PresignClient
	uploader   *manager.Uploader
	bucket     string
	region     string
	publicBase string
	partSize   int64
	origins    []string
	log        *slog.Logger
}

var _ storage.Store = (*Store)(nil)

// New builds a Store. It does not contact the service; EnsureBucket does.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3: config: Bucket is required")
	}
	if (cfg.AccessKey == "") != (cfg.SecretKey == "") {
		return nil, errors.New("s3: config: AccessKey and SecretKey must be given together")
	}
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("s3: config: Endpoint %q is not an http(s) URL", cfg.Endpoint)
		}
	}
	partSize := cfg.PartSize
	if partSize == 0 {
		partSize = DefaultPartSize
	}
	if partSize < MinPartSize {
		return nil, fmt.Errorf("s3: config: PartSize %d is below the minimum %d", partSize, MinPartSize)
	}
	origins := make([]string, 0, len(cfg.AllowedOrigins))
	for _, o := range cfg.AllowedOrigins {
		if o == "*" {
			origins = append(origins, o)
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" {
			return nil, fmt.Errorf("s3: config: allowed origin %q is not scheme://host[:port]", o)
		}
		origins = append(origins, browserOrigin(u))
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	region := cfg.Region
	if region == "" {
		region = defaultRegion
	}

	opts := []func(*config.LoadOptions) error{config.WithRegion(region)}
	if cfg.AccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, "")))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3: load AWS configuration: %w", err)
	}
	client := awss3.NewFromConfig(awsCfg, func(o *awss3.Options) {
		o.UsePathStyle = cfg.PathStyle
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
			// The SDK's default of adding CRC checksums to every upload
			// (and aws-chunked bodies with them) is refused by several
			// S3-compatible stores; checksums stay where S3 requires them.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	})
	return &Store{
		client:    client,
		presigner: awss3.NewPresignClient(client),
		uploader: manager.NewUploader(client, func(u *manager.Uploader) {
			u.PartSize = partSize
			// Put aborts failed uploads itself, with a context that
			// outlives the caller's cancellation (see abortUpload).
			u.LeavePartsOnError = true
		}),
		bucket:     cfg.Bucket,
		region:     region,
		publicBase: strings.TrimSuffix(cfg.PublicBaseURL, "/"),
		partSize:   partSize,
		origins:    origins,
		log:        log,
	}, nil
}

// Client is the underlying SDK client, for bucket administration that the
// storage interface does not cover (lifecycle rules, tests).
func (s *Store) Client() *awss3.Client { return s.client }

// Bucket is the name of the store's bucket.
func (s *Store) Bucket() string { return s.bucket }

// EnsureBucket creates the bucket when it does not exist yet, and lets
// the allowed origins read its objects (see ensureCORS). It is idempotent,
// including against another process creating the bucket concurrently.
// The CORS rules are not needed by the server and runners, only by
// browsers, so when the service refuses them EnsureBucket logs what an
// admin has to set instead of failing.
func (s *Store) EnsureBucket(ctx context.Context) error {
	if err := s.ensureExists(ctx); err != nil {
		return err
	}
	if len(s.origins) == 0 {
		return nil
	}
	if err := s.ensureCORS(ctx); err != nil {
		s.log.WarnContext(ctx, "could not let browsers read media from the S3 bucket, so the watch page cannot play "+
			"from it: set its CORS rules by hand", "bucket", s.bucket, "cors", corsNeeds(s.origins), "err", err)
	}
	if s.publicBase != "" {
		// Nothing can be read through it before the first video, and a
		// CDN may answer without forwarding the bucket's CORS headers.
		s.log.WarnContext(ctx, "media is read from the S3 public URL, whose CORS headers cannot be checked at start: "+
			"make sure it sends them, or the watch page cannot play", "public_url", s.publicBase, "cors", corsNeeds(s.origins))
	}
	return nil
}

func (s *Store) ensureExists(ctx context.Context) error {
	_, err := s.client.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: &s.bucket})
	if err == nil {
		return nil
	}
	if !errors.Is(classify(err), storage.ErrNotFound) {
		return fmt.Errorf("s3: check bucket %q: %w", s.bucket, err)
	}
	in := &awss3.CreateBucketInput{Bucket: &s.bucket}
	// us-east-1 is the one region that must not be named as a location.
	if s.region != defaultRegion {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(s.region),
		}
	}
	if _, err := s.client.CreateBucket(ctx, in); err != nil && !ownedByUs(err) {
		return fmt.Errorf("s3: create bucket %q: %w", s.bucket, err)
	}
	return nil
}

// browserOrigin writes an origin as browsers send it in Origin: the
// scheme's default port is left out, so "https://x:443" is
// "https://x", and the host is lower case.
func browserOrigin(u *url.URL) string {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host
}
