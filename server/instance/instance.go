// Package instance holds the settings an admin changes at run time: the
// instance's name and descriptions, and whether visitors may sign up.
// Stored values override the configured defaults.
package instance

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// Settings are the instance's run-time settings.
type Settings struct {
	Name             string
	ShortDescription string
	Description      string
	SignupEnabled    bool
}

// Update holds the settings to change; nil means unchanged.
type Update struct {
	Name             *string
	ShortDescription *string
	Description      *string
	SignupEnabled    *bool
}

// Keys of the stored settings.
const (
	keyName             = "instance.name"
	keyShortDescription = "instance.short_description"
	keyDescription      = "instance.description"
	keySignupEnabled    = "signup.enabled"
)

// cacheTTL bounds how long a replica serves settings another replica
// has changed; every page reads them, so they are not read per request.
const cacheTTL = 15 * time.Second

// Service reads and changes the settings.
type Service struct {
	db       *database.DB
	defaults Settings
	now      func() time.Time

	mu      sync.Mutex
	cached  Settings
	readAt  time.Time
	present bool
	// gen counts changes, so a read that raced with a change does not
	// cache what it read.
	gen uint64
}

// New returns a Service whose unset values fall back to defaults; now may
// be nil for the wall clock.
func New(db *database.DB, defaults Settings, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, defaults: defaults, now: now}
}

// Get returns the current settings.
func (s *Service) Get(ctx context.Context) (Settings, error) {
	s.mu.Lock()
	if s.present && s.now().Sub(s.readAt) < cacheTTL {
		defer s.mu.Unlock()
		return s.cached, nil
	}
	gen := s.gen
	s.mu.Unlock()
	stored, err := s.db.Settings(ctx)
	if err != nil {
		return s.defaults, problem.Internal(err)
	}
	out := s.defaults
	if v, ok := stored[keyName]; ok {
		out.Name = v
	}
	if v, ok := stored[keyShortDescription]; ok {
		out.ShortDescription = v
	}
	if v, ok := stored[keyDescription]; ok {
		out.Description = v
	}
	if v, ok := stored[keySignupEnabled]; ok {
		out.SignupEnabled, _ = strconv.ParseBool(v)
	}
	s.mu.Lock()
	if s.gen == gen {
		s.cached, s.readAt, s.present = out, s.now(), true
	}
	s.mu.Unlock()
	return out, nil
}

// Set validates and stores an admin's change.
func (s *Service) Set(ctx context.Context, up Update) error {
	bad := map[string]string{}
	values := map[string]string{}
	if up.Name != nil {
		name := strings.TrimSpace(*up.Name)
		if n := utf8.RuneCountInString(name); n < 1 || n > 50 {
			bad["instance.name"] = "must be between 1 and 50 characters"
		}
		values[keyName] = name
	}
	if up.ShortDescription != nil {
		if utf8.RuneCountInString(*up.ShortDescription) > 250 {
			bad["instance.shortDescription"] = "must be at most 250 characters"
		}
		values[keyShortDescription] = strings.TrimSpace(*up.ShortDescription)
	}
	if up.Description != nil {
		if utf8.RuneCountInString(*up.Description) > 10000 {
			bad["instance.description"] = "must be at most 10000 characters"
		}
		values[keyDescription] = strings.TrimSpace(*up.Description)
	}
	if up.SignupEnabled != nil {
		values[keySignupEnabled] = strconv.FormatBool(*up.SignupEnabled)
	}
	if len(bad) > 0 {
		return problem.Invalid(bad)
	}
	if len(values) == 0 {
		return nil
	}
	if err := s.db.PutSettings(ctx, values); err != nil {
		return problem.Internal(err)
	}
	s.mu.Lock()
	s.present = false
	s.gen++
	s.mu.Unlock()
	return nil
}
