package federation

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"cuttle.video/server/actors"
	"cuttle.video/server/database"
	"cuttle.video/server/vocab"
)

// receiveFollow records a remote actor's follow of a local one, and
// answers it: accepted at once, unless the instance is followed and an
// admin approves its followers.
func (s *Service) receiveFollow(ctx context.Context, a vocab.Activity) error {
	target, err := s.actors.ByURL(ctx, a.ObjectID())
	if err != nil {
		return refuse("follow of %s: no such local actor", a.ObjectID())
	}
	follower, err := s.RemoteActor(ctx, a.Actor, false)
	if err != nil {
		return err
	}
	targetRow, err := s.localRow(ctx, target)
	if err != nil {
		return err
	}
	state := database.FollowAccepted
	if target.Kind == actors.Application && s.cfg.InstanceFollowersApproval {
		state = database.FollowPending
	}
	if old, err := s.db.FollowBetween(ctx, follower.ID, targetRow.ID); err == nil && old.State == database.FollowAccepted {
		// A repeated follow (the follower lost our Accept) stays accepted.
		state = database.FollowAccepted
	}
	f := &database.Follow{FollowerID: follower.ID, FollowingID: targetRow.ID, State: state, URL: a.ID}
	if err := s.db.SaveFollow(ctx, f); err != nil {
		return err
	}
	if state != database.FollowAccepted {
		return nil
	}
	return s.accepted(ctx, target, follower, a, f)
}

// accepted tells a follower its follow is accepted, and follows back an
// instance that follows this one when the admin wants that.
func (s *Service) accepted(ctx context.Context, target actors.Actor, follower *database.Actor, follow vocab.Activity, f *database.Follow) error {
	if err := s.send(ctx, target, vocab.Accept(target.ID, follow, strconv.FormatInt(f.ID, 10)), []string{follower.Inbox}); err != nil {
		return err
	}
	if target.Kind == actors.Application && follower.Type == "Application" && s.cfg.AutoFollowBack {
		if _, err := s.Follow(ctx, target, follower); err != nil {
			return fmt.Errorf("follow back %s: %w", follower.URL, err)
		}
	}
	return nil
}

// receiveFollowAnswer applies the Accept or Reject of a follow this
// instance asked for; only the followed actor may answer it.
func (s *Service) receiveFollowAnswer(ctx context.Context, a vocab.Activity) error {
	f, err := s.db.FollowByURL(ctx, a.ObjectID())
	if errors.Is(err, database.ErrNotFound) {
		return refuse("%s of unknown follow %s", a.Type, a.ObjectID())
	}
	if err != nil {
		return err
	}
	if f.Following == nil || f.Following.URL != a.Actor {
		return refuse("%s of follow %s by %s, who is not followed by it", a.Type, a.ObjectID(), a.Actor)
	}
	if a.Type == vocab.TypeReject {
		return s.db.SetFollowState(ctx, f.ID, database.FollowRejected)
	}
	wasAccepted := f.State == database.FollowAccepted
	if err := s.db.SetFollowState(ctx, f.ID, database.FollowAccepted); err != nil {
		return err
	}
	if wasAccepted {
		return nil
	}
	// What the actor published before the follow is wanted too; failing
	// to fetch it takes nothing from the follow.
	if err := s.backfill(ctx, f.Following); err != nil {
		s.log.WarnContext(ctx, "federation: fetch the videos published before a follow", "actor", f.Following.URL, "err", err)
	}
	return nil
}

// receiveUndo takes back what a remote actor did: for now, its follows.
func (s *Service) receiveUndo(ctx context.Context, a vocab.Activity) error {
	if a.ObjectType() != vocab.TypeFollow {
		return nil
	}
	f, err := s.db.FollowByURL(ctx, a.ObjectID())
	if errors.Is(err, database.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if f.Follower == nil || f.Follower.URL != a.Actor {
		return refuse("undo of follow %s by %s, who did not follow", a.ObjectID(), a.Actor)
	}
	if err := s.db.DeleteFollow(ctx, f.ID); err != nil && !errors.Is(err, database.ErrNotFound) {
		return err
	}
	return nil
}

// Follow makes a local actor follow a remote one: pending until the
// remote server accepts.
func (s *Service) Follow(ctx context.Context, follower actors.Actor, target *database.Actor) (*database.Follow, error) {
	row, err := s.localRow(ctx, follower)
	if err != nil {
		return nil, err
	}
	act := vocab.Follow(follower.ID, target.URL, strconv.FormatInt(target.ID, 10))
	f := &database.Follow{FollowerID: row.ID, FollowingID: target.ID, State: database.FollowPending, URL: act.ID()}
	if old, err := s.db.FollowBetween(ctx, row.ID, target.ID); err == nil && old.State == database.FollowAccepted {
		f.State = database.FollowAccepted
	}
	if err := s.db.SaveFollow(ctx, f); err != nil {
		return nil, err
	}
	if err := s.send(ctx, follower, act, []string{target.Inbox}); err != nil {
		return nil, err
	}
	return f, nil
}

// Unfollow takes a local actor's follow back; ErrNotFound when it did
// not follow target.
func (s *Service) Unfollow(ctx context.Context, follower actors.Actor, target *database.Actor) error {
	row, err := s.localRow(ctx, follower)
	if err != nil {
		return err
	}
	f, err := s.db.FollowBetween(ctx, row.ID, target.ID)
	if err != nil {
		return err
	}
	if err := s.db.DeleteFollow(ctx, f.ID); err != nil {
		return err
	}
	return s.send(ctx, follower, vocab.Undo(vocab.Follow(follower.ID, target.URL, strconv.FormatInt(target.ID, 10))), []string{target.Inbox})
}
