package videos

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// Password limits: PeerTube's lengths, and a bound on how many one video
// holds.
const (
	minPasswordLen = 2
	maxPasswordLen = 100
	maxPasswords   = 100
)

type passwordKey struct{}

type sentPassword struct{ password, client string }

// WithVideoPassword returns a context carrying the video password a
// viewer sent (PeerTube's x-peertube-video-password header) and the
// client address its wrong guesses count against. Get, which every
// handler uses to load a video for a viewer, checks it for
// password-protected videos, so handlers need not pass it along.
func WithVideoPassword(ctx context.Context, password, client string) context.Context {
	return context.WithValue(ctx, passwordKey{}, sentPassword{password: password, client: client})
}

// checkPassword lets through a viewer who sent one of the video's
// passwords. Wrong guesses are limited per video and client address, and
// per video (see auth.Guesses); while a limit holds for the client, its
// guesses are not checked at all.
func (s *Service) checkPassword(ctx context.Context, v *database.Video) error {
	sent, _ := ctx.Value(passwordKey{}).(sentPassword)
	if sent.password == "" {
		return problem.Forbidden("this video is protected by a password: send it in the x-peertube-video-password header").
			WithCode(problem.CodeVideoRequiresPassword)
	}
	videoKey := strconv.FormatInt(v.ID, 10)
	if blocked, wait := s.p.guesses.Blocked(videoKey, sent.client); blocked {
		return tooManyGuesses(wait)
	}
	ps, err := s.db.AllVideoPasswords(ctx, v.ID)
	if err != nil {
		return problem.Internal(err)
	}
	match := 0
	for _, p := range ps {
		match |= subtle.ConstantTimeCompare([]byte(p.Password), []byte(sent.password))
	}
	if match == 1 {
		return nil
	}
	s.p.guesses.Fail(videoKey, sent.client)
	return problem.Forbidden("the video password is incorrect").WithCode(problem.CodeIncorrectVideoPassword)
}

func tooManyGuesses(wait time.Duration) error {
	secs := int(wait.Seconds()) + 1
	return problem.New(http.StatusTooManyRequests, "too many wrong passwords for this video; retry in %d seconds", secs).
		WithHeader("Retry-After", strconv.Itoa(secs))
}

// checkPasswords validates a list of passwords; "" means it is fine.
func checkPasswords(ps []string) string {
	if len(ps) > maxPasswords {
		return fmt.Sprintf("at most %d passwords", maxPasswords)
	}
	seen := map[string]bool{}
	for _, p := range ps {
		if n := utf8.RuneCountInString(p); n < minPasswordLen || n > maxPasswordLen {
			return fmt.Sprintf("each password must be between %d and %d characters", minPasswordLen, maxPasswordLen)
		}
		if seen[p] {
			return "passwords must be unique"
		}
		seen[p] = true
	}
	return ""
}

// validatePasswords adds to bad what is wrong with the passwords and
// privacy of an upload (creating) or an update. Whether an update that
// leaves the privacy alone may carry passwords depends on the video, so
// update checks that.
func (m *Metadata) validatePasswords(creating bool, bad map[string]string) {
	if m.VideoPasswords != nil {
		if msg := checkPasswords(*m.VideoPasswords); msg != "" {
			bad["videoPasswords"] = msg
			return
		}
	}
	given := m.VideoPasswords != nil && len(*m.VideoPasswords) > 0
	switch {
	case m.Privacy != nil && *m.Privacy == database.PrivacyPassword:
		if creating && !given {
			bad["videoPasswords"] = "a password-protected video needs at least one password"
		}
	case given && (creating || m.Privacy != nil):
		bad["videoPasswords"] = "only password-protected videos (privacy 5) have passwords"
	}
}

// protected loads a password-protected video the user may manage.
func (s *Service) protected(ctx context.Context, u *database.User, ref string) (*database.Video, error) {
	v, err := s.manageable(ctx, u, ref)
	if err != nil {
		return nil, err
	}
	if v.Privacy != database.PrivacyPassword {
		return nil, problem.BadRequest("this video is not password-protected")
	}
	return v, nil
}

// Passwords lists a page of the passwords of a video the user manages.
func (s *Service) Passwords(ctx context.Context, u *database.User, ref string, start, count int, sortKey string) ([]database.VideoPassword, int, error) {
	sort, err := database.PasswordSort(sortKey)
	if err != nil {
		return nil, 0, problem.Invalid(map[string]string{"sort": err.Error()})
	}
	v, err := s.protected(ctx, u, ref)
	if err != nil {
		return nil, 0, err
	}
	ps, total, err := s.db.VideoPasswords(ctx, v.ID, start, count, sort)
	if err != nil {
		return nil, 0, problem.Internal(err)
	}
	return ps, total, nil
}

// ReplacePasswords makes passwords the only ones of the video.
func (s *Service) ReplacePasswords(ctx context.Context, u *database.User, ref string, passwords []string) error {
	v, err := s.protected(ctx, u, ref)
	if err != nil {
		return err
	}
	if msg := checkPasswords(passwords); msg != "" {
		return problem.Invalid(map[string]string{"passwords": msg})
	}
	if len(passwords) == 0 {
		return problem.Invalid(map[string]string{"passwords": "a password-protected video needs at least one password"})
	}
	if err := s.db.Tx(ctx, func(tx *database.DB) error { return tx.ReplaceVideoPasswords(ctx, v.ID, passwords) }); err != nil {
		return problem.Internal(err)
	}
	s.notifyAccessChanged(ctx, v.UUID)
	return nil
}

// AddPassword adds one password to the video.
func (s *Service) AddPassword(ctx context.Context, u *database.User, ref, password string) (*database.VideoPassword, error) {
	v, err := s.protected(ctx, u, ref)
	if err != nil {
		return nil, err
	}
	if msg := checkPasswords([]string{password}); msg != "" {
		return nil, problem.Invalid(map[string]string{"password": msg})
	}
	if n, err := s.db.CountVideoPasswords(ctx, v.ID); err != nil {
		return nil, problem.Internal(err)
	} else if n >= maxPasswords {
		return nil, problem.Invalid(map[string]string{"password": fmt.Sprintf("a video holds at most %d passwords", maxPasswords)})
	}
	p := &database.VideoPassword{VideoID: v.ID, Password: password}
	err = s.db.AddVideoPassword(ctx, p)
	if errors.Is(err, database.ErrConflict) {
		return nil, problem.Conflict("the video already has this password")
	}
	if err != nil {
		return nil, problem.Internal(err)
	}
	return p, nil
}

// DeletePassword removes one password; the last one of a
// password-protected video stays.
func (s *Service) DeletePassword(ctx context.Context, u *database.User, ref string, id int64) error {
	v, err := s.protected(ctx, u, ref)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(tx *database.DB) error {
		if err := tx.DeleteVideoPassword(ctx, v.ID, id); err != nil {
			return err
		}
		n, err := tx.CountVideoPasswords(ctx, v.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return problem.Forbidden("the last password of a password-protected video cannot be deleted: change its privacy, or add another password first")
		}
		return nil
	})
	if errors.Is(err, database.ErrNotFound) {
		return problem.NotFound("video password")
	}
	if p := (*problem.Problem)(nil); errors.As(err, &p) {
		return p
	}
	if err != nil {
		return problem.Internal(err)
	}
	s.notifyAccessChanged(ctx, v.UUID)
	return nil
}
