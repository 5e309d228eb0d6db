// Package local implements storage.Store on a directory of the local
// filesystem. All file access goes through an os.Root so that neither a key
// nor a symbolic link planted under the directory can reach outside it.
//
// A directory has no presigned URLs of its own, so the store signs URLs
// itself (HMAC-SHA256 over method, key and expiry) and serves them with
// Handler, which the server mounts at the path of Config.BaseURL.
package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"cuttle.video/storage"
)

// minSecretLen keeps presigned URLs from being forged by guessing the key.
const minSecretLen = 16

// Config configures a Store.
type Config struct {
	// Dir is the root directory of the objects; it is created when missing.
	Dir string
	// BaseURL is where the server serves Handler, absolute
	// ("https://media.example/storage") or a path ("/storage"). Presigned
	// URLs start with it.
	BaseURL string
	// Secret keys the signatures of presigned URLs; at least 16 bytes.
	Secret []byte
	// Logger receives handler failures whose details are kept from clients.
	// Nil means slog.Default().
	Logger *slog.Logger
	// GrantOpen tells whether writes through grants on prefix are still
	// welcome, so that a grant can be withdrawn before it expires (its
	// job ended). Nil: every unexpired grant is.
	GrantOpen func(ctx context.Context, prefix string) bool
}

// Store keeps objects as files under a directory.
type Store struct {
	dir       string
	root      *os.Root
	baseURL   string
	mountPath string
	secret    []byte
	log       *slog.Logger
	grantOpen func(ctx context.Context, prefix string) bool
}

var (
	_ storage.Store        = (*Store)(nil)
	_ storage.FileImporter = (*Store)(nil)
)

// Stored media includes private originals, so only the server's own user
// may read it, whatever the umask or the modes of the data directory.
const (
	fileMode = 0o600
	dirMode  = 0o700
)

// New opens (creating it if needed) the directory cfg.Dir as a Store.
func New(cfg Config) (*Store, error) {
	if cfg.Dir == "" {
		return nil, errors.New("local: config: Dir is required")
	}
	if len(cfg.Secret) < minSecretLen {
		return nil, fmt.Errorf("local: config: Secret must be at least %d bytes", minSecretLen)
	}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("local: config: BaseURL: %w", err)
	}
	// Absolute, so ImportFile still finds the directory if the process
	// changes its working directory later.
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("local: config: Dir: %w", err)
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return nil, fmt.Errorf("local: create directory: %w", err)
	}
	// Files stored before modes were tightened keep theirs; closing the
	// top directory to other users covers them without a walk of every
	// file.
	if err := os.Chmod(dir, dirMode); err != nil {
		return nil, fmt.Errorf("local: restrict directory: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("local: open directory: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Store{
		dir:       dir,
		root:      root,
		baseURL:   base,
		mountPath: strings.TrimSuffix(u.Path, "/"),
		secret:    append([]byte(nil), cfg.Secret...),
		log:       log,
		grantOpen: cfg.GrantOpen,
	}, nil
}

// Close releases the directory handle. The Store must not be used after.
func (s *Store) Close() error {
	if err := s.root.Close(); err != nil {
		return fmt.Errorf("local: close: %w", err)
	}
	return nil
}

// MountPath is the URL path of BaseURL ("" when BaseURL has none). The
// server mounts the handler there:
//
//	mux.Handle(st.MountPath()+"/", http.StripPrefix(st.MountPath(), st.Handler()))
func (s *Store) MountPath() string { return s.mountPath }

// PublicURL reports that local objects have no permanent public address:
// they are only reachable through signed URLs.
func (s *Store) PublicURL(string) (string, bool) { return "", false }

// checkKey applies storage.ValidateKey and also refuses names that the
// store reserves for its in-flight temporary files.
func checkKey(key string) error {
	if err := storage.ValidateKey(key); err != nil {
		return err
	}
	if isTempName(key[strings.LastIndex(key, "/")+1:]) {
		return fmt.Errorf("%w: %q uses a reserved name", storage.ErrInvalidKey, key)
	}
	return nil
}

// notFound reports whether err means the object is absent. ENOTDIR counts:
// asking for "a/b" when "a" is a file is asking for a missing object.
func notFound(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func objectInfo(key string, fi fs.FileInfo) storage.ObjectInfo {
	return storage.ObjectInfo{
		Key:          key,
		Size:         fi.Size(),
		ContentType:  storage.ContentTypeFor(key),
		LastModified: fi.ModTime().UTC(),
	}
}

// now is a variable so tests can move the clock for expiry checks.
var now = time.Now
