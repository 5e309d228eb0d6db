package accounts

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

var channelNameRE = regexp.MustCompile(`^[a-zA-Z0-9\-_.:]{1,50}$`)

// ChannelFields are the editable fields of a channel; nil means unchanged.
type ChannelFields struct {
	DisplayName *string `json:"displayName"`
	Description *string `json:"description"`
	Support     *string `json:"support"`
}

func (f ChannelFields) validate(bad map[string]string) {
	if f.DisplayName != nil && (utf8.RuneCountInString(*f.DisplayName) < 1 || utf8.RuneCountInString(*f.DisplayName) > 50) {
		bad["displayName"] = "must be between 1 and 50 characters"
	}
	if f.Description != nil && utf8.RuneCountInString(*f.Description) > 1000 {
		bad["description"] = "must be at most 1000 characters"
	}
	if f.Support != nil && utf8.RuneCountInString(*f.Support) > 1000 {
		bad["support"] = "must be at most 1000 characters"
	}
}

func (f ChannelFields) apply(c *database.Channel) []string {
	var cols []string
	if f.DisplayName != nil {
		c.DisplayName, cols = *f.DisplayName, append(cols, "display_name")
	}
	if f.Description != nil {
		c.Description, cols = *f.Description, append(cols, "description")
	}
	if f.Support != nil {
		c.Support, cols = *f.Support, append(cols, "support")
	}
	return cols
}

// CreateChannel adds a channel to the user's account.
func (s *Service) CreateChannel(ctx context.Context, u *database.User, name string, f ChannelFields) (*database.Channel, error) {
	bad := map[string]string{}
	if !channelNameRE.MatchString(name) || name == u.Username {
		bad["name"] = "must be 1 to 50 letters, digits or -_.: and differ from the username"
	} else if reservedName(name) {
		bad["name"] = "is reserved for the instance"
	}
	if f.DisplayName == nil {
		bad["displayName"] = "is required"
	}
	f.validate(bad)
	if len(bad) > 0 {
		return nil, problem.Invalid(bad)
	}
	if taken, err := s.nameTaken(ctx, name); err != nil {
		return nil, problem.Internal(err)
	} else if taken {
		return nil, problem.Conflict("an account or channel named %q already exists", name)
	}
	c := &database.Channel{Name: name, AccountID: u.Account.ID}
	f.apply(c)
	if err := s.db.CreateChannel(ctx, c); err != nil {
		if errors.Is(err, database.ErrConflict) {
			return nil, problem.Conflict("a channel named %q already exists", name)
		}
		return nil, problem.Internal(err)
	}
	return s.Channel(ctx, name)
}

// Channel loads a channel by handle: its name, or name@host.
func (s *Service) Channel(ctx context.Context, handle string) (*database.Channel, error) {
	name, ok := s.localName(handle)
	if !ok {
		return nil, problem.NotFound("video channel")
	}
	c, err := s.db.ChannelByName(ctx, name)
	if err != nil {
		return nil, notFound(err, "video channel")
	}
	return c, nil
}

// ChannelByID loads a channel by id.
func (s *Service) ChannelByID(ctx context.Context, id int64) (*database.Channel, error) {
	c, err := s.db.ChannelByID(ctx, id)
	if err != nil {
		return nil, notFound(err, "video channel")
	}
	return c, nil
}

// ListChannels returns a page of channels, of one account when accountID
// is not 0.
func (s *Service) ListChannels(ctx context.Context, accountID int64, start, count int, sortKey string) ([]database.Channel, int, error) {
	return s.listChannels(ctx, database.ChannelFilter{AccountID: accountID, Start: start, Count: count}, sortKey)
}

// ChannelSearch is PeerTube's search of channels: by words, by handles,
// or both.
type ChannelSearch struct {
	// Search keeps channels with every word of it in the name or the
	// display name.
	Search string
	// Handles keeps channels with one of these handles (name or
	// name@host).
	Handles []string
	// Host keeps the channels of that instance; this one's are all
	// there are until it federates.
	Host         string
	Start, Count int
	Sort         string
}

// SearchChannels returns a page of the channels q finds. Every channel
// is public, as in their list.
func (s *Service) SearchChannels(ctx context.Context, q ChannelSearch) ([]database.Channel, int, error) {
	bad := map[string]string{}
	if strings.TrimSpace(q.Search) == "" && len(q.Handles) == 0 {
		bad["search"] = "is required"
	}
	if utf8.RuneCountInString(q.Search) > 200 {
		bad["search"] = "must be at most 200 characters"
	}
	if len(q.Handles) > 100 {
		bad["handles"] = "at most 100 handles"
	}
	if len(bad) > 0 {
		return nil, 0, problem.Invalid(bad)
	}
	f := database.ChannelFilter{Words: strings.Fields(q.Search), Start: q.Start, Count: q.Count}
	for _, h := range q.Handles {
		if name, ok := s.localName(h); ok {
			f.Names = append(f.Names, name)
		}
	}
	// Handles and hosts that name only other instances find nothing
	// here.
	if len(q.Handles) > 0 && len(f.Names) == 0 || q.Host != "" && !strings.EqualFold(q.Host, s.cfg.Host) {
		return nil, 0, nil
	}
	// PeerTube sorts searches by relevance ("-match") by default;
	// without a relevance score, the list's default order stands in.
	sortKey := q.Sort
	if strings.TrimPrefix(sortKey, "-") == "match" {
		sortKey = ""
	}
	return s.listChannels(ctx, f, sortKey)
}

func (s *Service) listChannels(ctx context.Context, f database.ChannelFilter, sortKey string) ([]database.Channel, int, error) {
	sort, err := database.ChannelSort(sortKey)
	if err != nil {
		return nil, 0, problem.Invalid(map[string]string{"sort": err.Error()})
	}
	f.Sort = sort
	chs, total, err := s.db.ListChannels(ctx, f)
	if err != nil {
		return nil, 0, problem.Internal(err)
	}
	return chs, total, nil
}

// CanManageChannel tells whether u owns the channel or moderates.
func CanManageChannel(u *database.User, c *database.Channel) bool {
	return u.Role >= database.RoleModerator || c.AccountID == u.Account.ID
}

// UpdateChannel changes a channel the user may manage.
func (s *Service) UpdateChannel(ctx context.Context, u *database.User, handle string, f ChannelFields) error {
	c, err := s.Channel(ctx, handle)
	if err != nil {
		return err
	}
	if !CanManageChannel(u, c) {
		return problem.Forbidden("you cannot manage this channel")
	}
	bad := map[string]string{}
	f.validate(bad)
	if len(bad) > 0 {
		return problem.Invalid(bad)
	}
	if cols := f.apply(c); len(cols) > 0 {
		if err := s.db.UpdateChannel(ctx, c, cols...); err != nil {
			return notFound(err, "video channel")
		}
	}
	return nil
}

// DeleteChannel removes a channel with its videos. An account keeps at
// least one channel, as uploads need one.
func (s *Service) DeleteChannel(ctx context.Context, u *database.User, handle string) error {
	c, err := s.Channel(ctx, handle)
	if err != nil {
		return err
	}
	if !CanManageChannel(u, c) {
		return problem.Forbidden("you cannot manage this channel")
	}
	n, err := s.db.CountAccountChannels(ctx, c.AccountID)
	if err != nil {
		return problem.Internal(err)
	}
	if n <= 1 {
		return problem.Conflict("cannot remove the last channel of this account")
	}
	uuids, err := s.db.VideoUUIDs(ctx, 0, c.ID)
	if err != nil {
		return problem.Internal(err)
	}
	s.tellLeaving(ctx, 0, c.ID)
	if err := s.db.DeleteChannel(ctx, c.ID); err != nil {
		return notFound(err, "video channel")
	}
	s.media.RemoveVideoFiles(ctx, uuids)
	s.removePictures(ctx, nil, []database.Channel{*c})
	return nil
}

// Account loads an account by handle.
func (s *Service) Account(ctx context.Context, handle string) (*database.Account, error) {
	name, ok := s.localName(handle)
	if !ok {
		return nil, problem.NotFound("account")
	}
	a, err := s.db.AccountByName(ctx, name)
	if err != nil {
		return nil, notFound(err, "account")
	}
	return a, nil
}

// KnownChannel is the channel a handle names for readers: a local one,
// or, as name@host, one of another instance known here.
func (s *Service) KnownChannel(ctx context.Context, handle string) (*database.Channel, error) {
	name, host, ok := s.remoteName(handle)
	if !ok {
		return s.Channel(ctx, handle)
	}
	c, err := s.db.RemoteChannelByName(ctx, name, host)
	if err != nil {
		return nil, notFound(err, "video channel")
	}
	return c, nil
}

// KnownAccount is KnownChannel for accounts.
func (s *Service) KnownAccount(ctx context.Context, handle string) (*database.Account, error) {
	name, host, ok := s.remoteName(handle)
	if !ok {
		return s.Account(ctx, handle)
	}
	a, err := s.db.RemoteAccountByName(ctx, name, host)
	if err != nil {
		return nil, notFound(err, "account")
	}
	return a, nil
}

// remoteName reads name@host where host is another instance's.
func (s *Service) remoteName(handle string) (name, host string, ok bool) {
	name, host, found := strings.Cut(handle, "@")
	if !found || name == "" || host == "" || strings.EqualFold(host, s.cfg.Host) {
		return "", "", false
	}
	return name, strings.ToLower(host), true
}

// localName reads a handle as PeerTube clients send it: a bare name, or
// name@host, which names a local actor only with this instance's host.
// Until the instance federates, other hosts name nobody it knows.
func (s *Service) localName(handle string) (string, bool) {
	name, host, remote := strings.Cut(handle, "@")
	if !remote {
		return handle, true
	}
	return name, strings.EqualFold(host, s.cfg.Host)
}
