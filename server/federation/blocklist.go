package federation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// The instance's blocklist, PeerTube's server blocklist: a blocked
// server, or a blocked account of another server, is cut off both ways.
// What it delivers is refused once its signature names it; nothing is
// fetched from a blocked server nor delivered to either (what was
// queued for them is dropped); and what of
// theirs was stored here (their videos) is deleted when the block is
// made, so that no list shows it.

// ErrBlocked is a request to or from a server or account the instance
// blocks.
var ErrBlocked = errors.New("federation: blocked by this instance")

// BlockServer blocks the server at host and deletes its videos stored
// here.
func (s *Service) BlockServer(ctx context.Context, host string) error {
	host = strings.ToLower(strings.TrimSpace(host))
	if !hostRE.MatchString(host) {
		return problem.Invalid(map[string]string{"host": fmt.Sprintf("%q is not a host", host)})
	}
	if host == strings.ToLower(s.actors.Host()) {
		return problem.New(http.StatusConflict, "an instance cannot block itself")
	}
	return s.block(ctx, &database.Block{Host: host}, host)
}

// UnblockServer lifts the block of the server at host.
func (s *Service) UnblockServer(ctx context.Context, host string) error {
	return s.unblock(ctx, strings.ToLower(strings.TrimSpace(host)), 0, host)
}

// BlockAccount blocks the account of another server named name@host,
// found here or through its server's WebFinger, and deletes its videos
// stored here.
func (s *Service) BlockAccount(ctx context.Context, handle string) error {
	a, err := s.accountByHandle(ctx, handle, true)
	if err != nil {
		return err
	}
	return s.block(ctx, &database.Block{Host: a.Host, AccountID: a.ID}, a.Name+"@"+a.Host)
}

// UnblockAccount lifts the block of the account name@host.
func (s *Service) UnblockAccount(ctx context.Context, handle string) error {
	a, err := s.accountByHandle(ctx, handle, false)
	if err != nil {
		return err
	}
	return s.unblock(ctx, a.Host, a.ID, handle)
}

// Blocks lists a page of the blocked accounts, or of the blocked servers.
func (s *Service) Blocks(ctx context.Context, accounts bool, start, count int) ([]database.Block, int, error) {
	bs, total, err := s.db.ListBlocks(ctx, accounts, start, count)
	if err != nil {
		return nil, 0, problem.Internal(err)
	}
	return bs, total, nil
}

// Refuses says, as a 403 problem, that the instance takes nothing from
// the remote actor that signed a delivery: its server or its account
// (a channel's, for a channel) is blocked.
func (s *Service) Refuses(ctx context.Context, signer *database.Actor) error {
	accounts := []int64{signer.AccountID}
	if signer.ChannelID != 0 {
		ch, err := s.db.ChannelByID(ctx, signer.ChannelID)
		if err != nil {
			return problem.Internal(fmt.Errorf("federation: channel of %s: %w", signer.URL, err))
		}
		accounts = append(accounts, ch.AccountID)
	}
	blocked, err := s.db.Blocked(ctx, signer.Host, accounts...)
	if err != nil {
		return problem.Internal(err)
	}
	if blocked {
		return problem.New(http.StatusForbidden, "this instance blocks %s", signer.URL).WithErr(ErrBlocked)
	}
	return nil
}

func (s *Service) block(ctx context.Context, b *database.Block, name string) error {
	var removed int
	err := s.db.Tx(ctx, func(tx *database.DB) error {
		if err := tx.AddBlock(ctx, b); err != nil {
			return err
		}
		if err := tx.DropBlockedDeliveries(ctx); err != nil {
			return err
		}
		var err error
		removed, err = tx.DeleteRemoteVideos(ctx, b.Host, b.AccountID)
		return err
	})
	if errors.Is(err, database.ErrConflict) {
		return problem.New(http.StatusConflict, "%s is blocked already", name)
	}
	if err != nil {
		return problem.Internal(fmt.Errorf("federation: block %s: %w", name, err))
	}
	s.log.InfoContext(ctx, "federation: blocked", "what", name, "videos_deleted", removed)
	return nil
}

func (s *Service) unblock(ctx context.Context, host string, accountID int64, name string) error {
	err := s.db.DeleteBlock(ctx, host, accountID)
	if errors.Is(err, database.ErrNotFound) {
		return problem.NotFound("block of " + name)
	}
	if err != nil {
		return problem.Internal(fmt.Errorf("federation: unblock %s: %w", name, err))
	}
	return nil
}

// accountByHandle finds the account of another server named name@host:
// known here, or else (when resolve) through its server.
func (s *Service) accountByHandle(ctx context.Context, handle string, resolve bool) (*database.Account, error) {
	name, host, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(handle), "@"), "@")
	host = strings.ToLower(host)
	if !ok || name == "" || !hostRE.MatchString(host) {
		return nil, problem.Invalid(map[string]string{"accountName": fmt.Sprintf("%q is not name@host", handle)})
	}
	if host == strings.ToLower(s.actors.Host()) {
		return nil, problem.New(http.StatusConflict, "accounts of this instance are not blocked here; moderate their users instead")
	}
	a, err := s.db.RemoteAccount(ctx, host, name)
	switch {
	case err == nil:
		return a, nil
	case !errors.Is(err, database.ErrNotFound):
		return nil, problem.Internal(err)
	case !resolve:
		return nil, problem.NotFound("account " + handle)
	}
	row, err := s.Resolve(ctx, name+"@"+host)
	if err != nil {
		return nil, problem.New(http.StatusNotFound, "could not find the account %s: %s", handle, err).WithErr(err)
	}
	if row.AccountID == 0 {
		return nil, problem.New(http.StatusBadRequest, "%s is not an account", handle)
	}
	a, err = s.db.AccountByID(ctx, row.AccountID)
	if err != nil {
		return nil, problem.Internal(err)
	}
	return a, nil
}

// checkFetch refuses to fetch from a blocked server.
func (s *Service) checkFetch(ctx context.Context, target string) error {
	host := hostOf(target)
	blocked, err := s.db.Blocked(ctx, host)
	if err != nil {
		return fmt.Errorf("federation: fetch %s: %w", target, err)
	}
	if blocked {
		return fmt.Errorf("federation: fetch %s: %s: %w", target, host, ErrBlocked)
	}
	return nil
}

// deliverable drops from inboxes those of blocked servers and accounts.
func (s *Service) deliverable(ctx context.Context, inboxes []string) ([]string, error) {
	hosts, own, err := s.db.BlockedInboxes(ctx)
	if err != nil {
		return nil, fmt.Errorf("federation: blocklist: %w", err)
	}
	if len(hosts) == 0 && len(own) == 0 {
		return inboxes, nil
	}
	return slices.DeleteFunc(slices.Clone(inboxes), func(in string) bool {
		return slices.Contains(hosts, hostOf(in)) || slices.Contains(own, in)
	}), nil
}
