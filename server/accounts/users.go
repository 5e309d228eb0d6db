package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"cuttle.video/server/auth"
	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

var usernameRE = regexp.MustCompile(`^[a-z0-9._]{1,50}$`)

// InstanceActorName names the instance itself to other servers (PeerTube's
// server actor, /accounts/peertube); accounts and channels share that
// name space, so neither may take it.
const InstanceActorName = "peertube"

// reservedName says name is kept for the instance.
func reservedName(name string) bool { return strings.EqualFold(name, InstanceActorName) }

// nameTaken tells whether an account or a channel has the name already:
// other servers address both as name@host, in one name space, so no
// account may share its name with another's channel, nor the reverse.
func (s *Service) nameTaken(ctx context.Context, name string) (bool, error) {
	if _, err := s.db.AccountByName(ctx, name); err == nil {
		return true, nil
	} else if !errors.Is(err, database.ErrNotFound) {
		return false, err
	}
	if _, err := s.db.ChannelByName(ctx, name); err == nil {
		return true, nil
	} else if !errors.Is(err, database.ErrNotFound) {
		return false, err
	}
	return false, nil
}

// NewUser is what an admin (or the CLI) gives to create a user.
type NewUser struct {
	Username string
	Email    string
	Password string
	// Role is a plain user's unless given (see database.Role).
	Role            database.Role
	VideoQuota      *int64
	VideoQuotaDaily *int64
	// ChannelName is the default channel's handle; username_channel when empty.
	ChannelName string
	// ChannelDisplayName names the default channel; "Main username
	// channel" when empty.
	ChannelDisplayName string
}

const badRole = "must be 0 (admin), 1 (moderator) or 2 (user)"

func validatePassword(p string) string {
	if len(p) < 6 || len(p) > 255 {
		return "must be between 6 and 255 characters"
	}
	return ""
}

func validateQuota(q *int64) string {
	if q != nil && *q < -1 {
		return "must be -1 (unlimited) or a number of bytes"
	}
	return ""
}

// CreateUser validates and stores a user with its account and channel.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*database.User, error) {
	bad := map[string]string{}
	if !usernameRE.MatchString(in.Username) {
		bad["username"] = "must be 1 to 50 lowercase letters, digits, dots or underscores"
	} else if reservedName(in.Username) {
		bad["username"] = "is reserved for the instance"
	}
	if _, err := mail.ParseAddress(in.Email); err != nil || len(in.Email) > 400 {
		bad["email"] = "must be a valid e-mail address"
	}
	if msg := validatePassword(in.Password); msg != "" {
		bad["password"] = msg
	}
	if !in.Role.Valid() {
		bad["role"] = badRole
	}
	if msg := validateQuota(in.VideoQuota); msg != "" {
		bad["videoQuota"] = msg
	}
	if msg := validateQuota(in.VideoQuotaDaily); msg != "" {
		bad["videoQuotaDaily"] = msg
	}
	if in.ChannelName == "" {
		in.ChannelName = in.Username + "_channel"
	}
	if !channelNameRE.MatchString(in.ChannelName) || in.ChannelName == in.Username {
		bad["channelName"] = "must be 1 to 50 letters, digits or -_.: and differ from the username"
	} else if reservedName(in.ChannelName) {
		bad["channelName"] = "is reserved for the instance"
	}
	if len(bad) > 0 {
		return nil, problem.Invalid(bad)
	}
	for _, name := range []string{in.Username, in.ChannelName} {
		if taken, err := s.nameTaken(ctx, name); err != nil {
			return nil, problem.Internal(err)
		} else if taken {
			return nil, problem.Conflict("an account or channel named %q already exists", name)
		}
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, problem.Internal(err)
	}
	u := &database.User{
		Username: in.Username, Email: in.Email, PasswordHash: hash, Role: in.Role,
		VideoQuota: s.cfg.DefaultQuota, VideoQuotaDaily: defaultDailyQuota,
	}
	if in.VideoQuota != nil {
		u.VideoQuota = *in.VideoQuota
	}
	if in.VideoQuotaDaily != nil {
		u.VideoQuotaDaily = *in.VideoQuotaDaily
	}
	if in.ChannelDisplayName == "" {
		in.ChannelDisplayName = "Main " + in.Username + " channel"
	}
	ch := &database.Channel{Name: in.ChannelName, DisplayName: in.ChannelDisplayName}
	if err := s.db.CreateUser(ctx, u, ch); err != nil {
		if errors.Is(err, database.ErrConflict) {
			return nil, problem.Conflict("a user, account or channel with this name or e-mail already exists")
		}
		return nil, problem.Internal(err)
	}
	return s.db.UserByID(ctx, u.ID)
}

// User loads one user.
func (s *Service) User(ctx context.Context, id int64) (*database.User, error) {
	u, err := s.db.UserByID(ctx, id)
	if err != nil {
		return nil, notFound(err, "user")
	}
	return u, nil
}

// UserByName loads one user by username or e-mail.
func (s *Service) UserByName(ctx context.Context, name string) (*database.User, error) {
	u, err := s.db.UserByLogin(ctx, name)
	if err != nil {
		return nil, notFound(err, "user")
	}
	return u, nil
}

// ListUsers returns a page of users.
func (s *Service) ListUsers(ctx context.Context, start, count int, sortKey string) ([]database.User, int, error) {
	sort, err := database.UserSort(sortKey)
	if err != nil {
		return nil, 0, problem.Invalid(map[string]string{"sort": err.Error()})
	}
	users, total, err := s.db.ListUsers(ctx, start, count, sort)
	if err != nil {
		return nil, 0, problem.Internal(err)
	}
	return users, total, nil
}

// UserUpdate holds the fields an admin may change; nil means unchanged.
type UserUpdate struct {
	Email    *string `json:"email"`
	Password *string `json:"password"`
	// Role is PeerTube's role id (see database.RoleByID).
	Role            *int   `json:"role"`
	VideoQuota      *int64 `json:"videoQuota"`
	VideoQuotaDaily *int64 `json:"videoQuotaDaily"`
	Blocked         *bool  `json:"blocked"`
}

// UpdateUser applies an admin's change. Changing the password or blocking
// ends the user's sessions.
func (s *Service) UpdateUser(ctx context.Context, id int64, up UserUpdate) error {
	u, err := s.User(ctx, id)
	if err != nil {
		return err
	}
	bad := map[string]string{}
	var cols []string
	if up.Email != nil {
		if _, err := mail.ParseAddress(*up.Email); err != nil {
			bad["email"] = "must be a valid e-mail address"
		}
		u.Email, cols = *up.Email, append(cols, "email")
	}
	if up.Role != nil {
		if u.Role = database.RoleByID(*up.Role); !u.Role.Valid() {
			bad["role"] = badRole
		}
		cols = append(cols, "role")
	}
	if up.VideoQuota != nil {
		if msg := validateQuota(up.VideoQuota); msg != "" {
			bad["videoQuota"] = msg
		}
		u.VideoQuota, cols = *up.VideoQuota, append(cols, "video_quota")
	}
	if up.VideoQuotaDaily != nil {
		if msg := validateQuota(up.VideoQuotaDaily); msg != "" {
			bad["videoQuotaDaily"] = msg
		}
		u.VideoQuotaDaily, cols = *up.VideoQuotaDaily, append(cols, "video_quota_daily")
	}
	if up.Blocked != nil {
		u.Blocked, cols = *up.Blocked, append(cols, "blocked")
	}
	if up.Password != nil {
		if msg := validatePassword(*up.Password); msg != "" {
			bad["password"] = msg
		} else if u.PasswordHash, err = s.hasher.Hash(ctx, *up.Password); err != nil {
			return problem.Internal(err)
		}
		cols = append(cols, "password_hash")
	}
	if len(bad) > 0 {
		return problem.Invalid(bad)
	}
	if len(cols) == 0 {
		return nil
	}
	if err := s.db.UpdateUser(ctx, u, cols...); err != nil {
		if errors.Is(err, database.ErrConflict) {
			return problem.Conflict("this e-mail is already used")
		}
		return notFound(err, "user")
	}
	if up.Password != nil || (up.Blocked != nil && *up.Blocked) {
		if err := s.db.DeleteUserTokens(ctx, u.ID); err != nil {
			return problem.Internal(err)
		}
	}
	return nil
}

// ResetPassword sets a user's password by name, for the admin CLI.
func (s *Service) ResetPassword(ctx context.Context, username, password string) error {
	u, err := s.UserByName(ctx, username)
	if err != nil {
		return err
	}
	return s.UpdateUser(ctx, u.ID, UserUpdate{Password: &password})
}

// DeleteUser removes a user with everything they own, files included.
// The root admin cannot be removed, so an instance always has an admin.
func (s *Service) DeleteUser(ctx context.Context, id int64) error {
	u, err := s.User(ctx, id)
	if err != nil {
		return err
	}
	if u.Username == RootUsername {
		return problem.BadRequest("the root user cannot be deleted")
	}
	uuids, err := s.db.VideoUUIDs(ctx, u.Account.ID, 0)
	if err != nil {
		return problem.Internal(err)
	}
	chs, err := s.db.AccountChannels(ctx, u.Account.ID)
	if err != nil {
		return problem.Internal(err)
	}
	s.tellLeaving(ctx, u.Account.ID, 0)
	if err := s.db.DeleteUser(ctx, id); err != nil {
		return notFound(err, "user")
	}
	s.media.RemoveVideoFiles(ctx, uuids)
	s.removePictures(ctx, u.Account, chs)
	return nil
}

// QuotaUsed returns the bytes a user stores in total and in the last day.
func (s *Service) QuotaUsed(ctx context.Context, userID int64) (total, daily int64, err error) {
	total, daily, err = s.db.VideoQuotaUsed(ctx, userID)
	if err != nil {
		return 0, 0, problem.Internal(fmt.Errorf("quota of user %d: %w", userID, err))
	}
	return total, daily, nil
}

// ProfileUpdate is what users change about themselves; nil means unchanged.
type ProfileUpdate struct {
	DisplayName     *string `json:"displayName"`
	Description     *string `json:"description"`
	Password        *string `json:"password"`
	CurrentPassword string  `json:"currentPassword"`
}

// UpdateProfile changes the user's own account; a new password needs the
// current one, so a stolen session cannot lock the owner out. Wrong
// current passwords count against the account and client like wrong
// logins.
func (s *Service) UpdateProfile(ctx context.Context, u *database.User, up ProfileUpdate, client string) error {
	bad := map[string]string{}
	var cols []string
	acc := *u.Account
	if up.DisplayName != nil {
		if n := utf8.RuneCountInString(*up.DisplayName); n < 1 || n > 120 {
			bad["displayName"] = "must be between 1 and 120 characters"
		}
		acc.DisplayName, cols = *up.DisplayName, append(cols, "display_name")
	}
	if up.Description != nil {
		if utf8.RuneCountInString(*up.Description) > 1000 {
			bad["description"] = "must be at most 1000 characters"
		}
		acc.Description, cols = *up.Description, append(cols, "description")
	}
	if len(bad) > 0 {
		return problem.Invalid(bad)
	}
	if up.Password != nil {
		// Checked last, so that only a request that would otherwise
		// succeed spends a hash or counts as a guess.
		err := s.checkPassword(ctx, accountKey(u), client, u.PasswordHash, up.CurrentPassword)
		if errors.Is(err, auth.ErrMismatch) {
			return problem.Invalid(map[string]string{"currentPassword": "is wrong"})
		}
		if err != nil {
			return err
		}
	}
	if len(cols) > 0 {
		if err := s.db.UpdateAccount(ctx, &acc, cols...); err != nil {
			return problem.Internal(err)
		}
	}
	if up.Password != nil {
		return s.UpdateUser(ctx, u.ID, UserUpdate{Password: up.Password})
	}
	return nil
}
