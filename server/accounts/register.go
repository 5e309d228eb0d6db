package accounts

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// Registration is what a visitor gives to create their own account, in
// PeerTube's terms. Whether visitors may register at all is the
// caller's decision (an instance setting).
type Registration struct {
	Username, Email, Password string
	// DisplayName names the account; the username when empty.
	DisplayName string
	// ChannelName and ChannelDisplayName describe the first channel;
	// username_channel and "Main username channel" when empty.
	ChannelName, ChannelDisplayName string
}

// Register creates a user with the default role and quota.
func (s *Service) Register(ctx context.Context, r Registration) (*database.User, error) {
	bad := map[string]string{}
	r.DisplayName = strings.TrimSpace(r.DisplayName)
	if n := utf8.RuneCountInString(r.DisplayName); n > 120 {
		bad["displayName"] = "must be between 1 and 120 characters"
	}
	r.ChannelDisplayName = strings.TrimSpace(r.ChannelDisplayName)
	if n := utf8.RuneCountInString(r.ChannelDisplayName); n > 50 {
		bad["channel.displayName"] = "must be between 1 and 50 characters"
	}
	if len(bad) > 0 {
		return nil, problem.Invalid(bad)
	}
	u, err := s.CreateUser(ctx, NewUser{
		Username: r.Username, Email: r.Email, Password: r.Password, Role: database.RoleUser,
		ChannelName: r.ChannelName,
	})
	if err != nil {
		return nil, err
	}
	if r.DisplayName != "" {
		acc := *u.Account
		acc.DisplayName = r.DisplayName
		if err := s.db.UpdateAccount(ctx, &acc, "display_name"); err != nil {
			return nil, problem.Internal(err)
		}
		u.Account = &acc
	}
	if r.ChannelDisplayName != "" {
		chs, _, err := s.db.ListChannels(ctx, u.Account.ID, 0, 1, "ch.created_at ASC")
		if err == nil && len(chs) == 0 {
			err = errors.New("the new account has no channel")
		}
		if err != nil {
			return nil, problem.Internal(err)
		}
		chs[0].DisplayName = r.ChannelDisplayName
		if err := s.db.UpdateChannel(ctx, &chs[0], "display_name"); err != nil {
			return nil, problem.Internal(err)
		}
	}
	return u, nil
}
