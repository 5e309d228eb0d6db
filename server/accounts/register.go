package accounts

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// ErrSignupClosed is wrapped by Register's refusal while the instance
// does not let visitors register (see instance.Settings).
var ErrSignupClosed = errors.New("accounts: sign-up is closed")

// Registration is what a visitor gives to create their own account, in
// PeerTube's terms.
type Registration struct {
	Username, Email, Password string
	// DisplayName names the account; the username when empty.
	DisplayName string
	// ChannelName and ChannelDisplayName describe the first channel;
	// username_channel and "Main username channel" when empty.
	ChannelName, ChannelDisplayName string
}

// Register creates a user with the default role and quota, when the
// instance lets visitors register.
func (s *Service) Register(ctx context.Context, r Registration) (*database.User, error) {
	st, err := s.settings.Get(ctx)
	if err != nil {
		return nil, err
	}
	if !st.SignupEnabled {
		return nil, problem.Forbidden("registration is not enabled on this instance").WithErr(ErrSignupClosed)
	}
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
		Username: r.Username, Email: r.Email, Password: r.Password,
		ChannelName: r.ChannelName, ChannelDisplayName: r.ChannelDisplayName,
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
	return u, nil
}
