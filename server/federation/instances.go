package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
	"cuttle.video/server/vocab"
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

// instanceFollower finds the follow of the instance by the actor a
// handle names (name@host, PeerTube's nameWithHost).
func (s *Service) instanceFollower(ctx context.Context, handle string) (*database.Follow, error) {
	name, host, ok := strings.Cut(handle, "@")
	if !ok || name == "" || host == "" {
		return nil, problem.Invalid(map[string]string{"nameWithHost": "must be name@host"})
	}
	follows, _, err := s.InstanceFollows(ctx, false, 0, 1000)
	if err != nil {
		return nil, err
	}
	for i := range follows {
		f := &follows[i]
		if f.Follower != nil && strings.EqualFold(f.Follower.Host, host) && strings.EqualFold(f.Follower.Username, name) {
			return f, nil
		}
	}
	return nil, problem.NotFound("follower " + handle)
}

// AcceptFollower accepts a pending follow of the instance, when admins
// approve them, and tells the follower.
func (s *Service) AcceptFollower(ctx context.Context, handle string) error {
	f, err := s.instanceFollower(ctx, handle)
	if err != nil {
		return err
	}
	if f.State == database.FollowAccepted {
		return problem.New(http.StatusConflict, "%s already follows the instance", handle)
	}
	if err := s.db.SetFollowState(ctx, f.ID, database.FollowAccepted); err != nil {
		return problem.Internal(err)
	}
	if err := s.accepted(ctx, s.actors.Instance(), f.Follower, followOf(f, s.actors.Instance().ID), f); err != nil {
		return problem.Internal(err)
	}
	return nil
}

// RejectFollower refuses a follow of the instance, pending or accepted:
// the follower is told, and receives nothing more.
func (s *Service) RejectFollower(ctx context.Context, handle string) error {
	f, err := s.instanceFollower(ctx, handle)
	if err != nil {
		return err
	}
	if err := s.db.DeleteFollow(ctx, f.ID); err != nil {
		return problem.Internal(err)
	}
	inst := s.actors.Instance()
	if err := s.send(ctx, inst, vocab.Reject(inst.ID, followOf(f, inst.ID), now()), []string{f.Follower.Inbox}); err != nil {
		return problem.Internal(err)
	}
	return nil
}

// followOf is the Follow activity a stored follow of target was made
// by, as Accept and Reject embed it.
func followOf(f *database.Follow, target string) vocab.Activity {
	object, _ := json.Marshal(target)
	return vocab.Activity{ID: f.URL, Type: vocab.TypeFollow, Actor: f.Follower.URL, Object: object}
}
