package federation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// Instance follows: the instance's actor follows another instance's
// (PeerTube's "peertube" Application), whose server then sends this one
// every video it publishes.

// hostRE is a host name or address with an optional port: what an admin
// types to follow an instance.
var hostRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$`)

// FollowInstance makes the instance follow the instance at host.
func (s *Service) FollowInstance(ctx context.Context, host string) (*database.Follow, error) {
	host = strings.ToLower(strings.TrimSpace(host))
	if !hostRE.MatchString(host) || strings.EqualFold(host, s.actors.Host()) {
		return nil, problem.Invalid(map[string]string{"hosts": fmt.Sprintf("%q is not another instance's host", host)})
	}
	target, err := s.Resolve(ctx, "peertube@"+host)
	if err != nil {
		return nil, problem.New(http.StatusBadRequest, "could not find the instance actor of %s: %s", host, err).WithErr(err)
	}
	if target.Type != "Application" {
		return nil, problem.New(http.StatusBadRequest, "%s has no instance actor to follow", host)
	}
	f, err := s.Follow(ctx, s.actors.Instance(), target)
	if err != nil {
		return nil, problem.Internal(err)
	}
	return f, nil
}

// UnfollowInstance stops following the instance at host.
func (s *Service) UnfollowInstance(ctx context.Context, host string) error {
	follows, _, err := s.InstanceFollows(ctx, true, 0, 1000)
	if err != nil {
		return err
	}
	for _, f := range follows {
		if f.Following != nil && strings.EqualFold(f.Following.Host, host) {
			if err := s.Unfollow(ctx, s.actors.Instance(), f.Following); err != nil {
				return problem.Internal(err)
			}
			return nil
		}
	}
	return problem.NotFound("follow of " + host)
}

// InstanceFollows lists a page of the instance's follows (following) or
// of the follows of it, with both actors.
func (s *Service) InstanceFollows(ctx context.Context, following bool, start, count int) ([]database.Follow, int, error) {
	row, err := s.localRow(ctx, s.actors.Instance())
	if err != nil {
		return nil, 0, problem.Internal(err)
	}
	f := database.FollowFilter{Start: start, Count: count}
	if following {
		f.FollowerID = row.ID
	} else {
		f.FollowingID = row.ID
	}
	fs, total, err := s.db.ListFollows(ctx, f)
	if err != nil && !errors.Is(err, database.ErrNotFound) {
		return nil, 0, problem.Internal(err)
	}
	return fs, total, nil
}
