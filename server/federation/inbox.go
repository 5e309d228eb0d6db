package federation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cuttle.video/server/database"
	"cuttle.video/server/vocab"
)

// Processing of what arrives. An activity is stored before its sender
// gets an answer, then applied here in order of arrival; one that fails
// for a reason that may pass (a remote server or the database briefly
// gone) is tried again later, one that is wrong is dropped.

const (
	inboxBatch       = 50
	inboxLease       = 5 * time.Minute
	inboxMaxAttempts = 8
	inboxRetryBase   = 30 * time.Second
)

// refusal is an activity that will never apply: retrying it is useless.
type refusal struct{ error }

func refuse(format string, args ...any) error { return refusal{fmt.Errorf(format, args...)} }

// Receive keeps an activity a remote actor sent, signed by the actor
// whose id is signer, until it is processed.
func (s *Service) Receive(ctx context.Context, signer string, body []byte) error {
	if err := s.db.AddInboxItem(ctx, &database.InboxItem{Signer: signer, Body: string(body)}); err != nil {
		return fmt.Errorf("federation: keep activity from %s: %w", signer, err)
	}
	s.inbox.By(time.Now())
	return nil
}

func (s *Service) drain(ctx context.Context) {
	for ctx.Err() == nil {
		now := time.Now().UTC()
		items, err := s.db.ClaimInboxItems(ctx, now, now.Add(inboxLease), inboxBatch)
		if err != nil {
			s.log.ErrorContext(ctx, "federation: claim received activities", "err", err)
			s.inbox.Within(inboxRetryBase)
			return
		}
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			s.processItem(ctx, it)
		}
	}
	if next, err := s.db.NextInboxItemAt(ctx); err == nil && !next.IsZero() {
		s.inbox.By(next)
	}
}

func (s *Service) processItem(ctx context.Context, it database.InboxItem) {
	err := s.process(ctx, it.Signer, []byte(it.Body))
	var r refusal
	switch {
	case err == nil:
	case errors.As(err, &r) || it.Attempts+1 >= inboxMaxAttempts:
		s.log.WarnContext(ctx, "federation: activity dropped", "signer", it.Signer, "attempts", it.Attempts+1, "err", err)
	default:
		next := time.Now().UTC().Add(inboxRetryBase << it.Attempts)
		if err := s.db.RetryInboxItem(ctx, it.ID, next, err.Error()); err != nil {
			s.log.ErrorContext(ctx, "federation: put activity back", "err", err)
		}
		return
	}
	if err := s.db.DeleteInboxItem(ctx, it.ID); err != nil {
		s.log.ErrorContext(ctx, "federation: forget processed activity", "err", err)
	}
}

// process applies every activity of a body, as one activity or a
// collection of them. Each must be its signer's own: forwarded
// activities are not taken on another's word.
func (s *Service) process(ctx context.Context, signer string, body []byte) error {
	acts, err := vocab.ParseInbox(body)
	if err != nil && len(acts) == 0 {
		return refusal{err}
	}
	if err != nil {
		// A collection with some bad items: the others still apply.
		s.log.InfoContext(ctx, "federation: activities left out of a collection", "signer", signer, "err", err)
	}
	for _, a := range acts {
		if a.Actor != signer {
			s.log.WarnContext(ctx, "federation: activity not signed by its actor", "id", a.ID, "actor", a.Actor, "signer", signer)
			continue
		}
		err := s.apply(ctx, a)
		var r refusal
		if errors.As(err, &r) || errors.Is(err, ErrBlocked) {
			s.log.InfoContext(ctx, "federation: activity refused", "id", a.ID, "type", a.Type, "err", err)
			continue
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", a.Type, a.ID, err)
		}
	}
	return nil
}

// apply dispatches one activity by type; types nobody here handles are
// accepted and ignored, as the protocol wants.
func (s *Service) apply(ctx context.Context, a vocab.Activity) error {
	switch a.Type {
	case vocab.TypeFollow:
		return s.receiveFollow(ctx, a)
	case vocab.TypeAccept, vocab.TypeReject:
		return s.receiveFollowAnswer(ctx, a)
	case vocab.TypeUndo:
		if t := a.ObjectType(); t == vocab.TypeLike || t == vocab.TypeDislike {
			return s.receiveUndoRate(ctx, a)
		}
		return s.receiveUndo(ctx, a)
	case vocab.TypeLike, vocab.TypeDislike:
		return s.receiveRate(ctx, a)
	case vocab.TypeCreate, vocab.TypeUpdate:
		switch a.ObjectType() {
		case vocab.TypeVideo:
			return s.receiveVideo(ctx, a)
		case vocab.TypeNote:
			return s.receiveNote(ctx, a)
		case "Person", "Group", "Application", "Service", "Organization":
			_, err := s.RemoteActor(ctx, a.Actor, true)
			return err
		}
	case vocab.TypeAnnounce:
		return s.receiveAnnounce(ctx, a)
	case vocab.TypeView:
		return s.receiveView(ctx, a)
	case vocab.TypeDelete:
		return s.receiveDelete(ctx, a)
	}
	return nil
}
