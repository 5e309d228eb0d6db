package federation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"cuttle.video/server/actors"
	"cuttle.video/server/database"
	"cuttle.video/server/problem"
	"cuttle.video/server/vocab"
)

// Subscriptions: a user's account follows channels, of this instance or
// another, and sees their videos, as PeerTube's "My subscriptions". A
// remote channel's server then sends this one the channel's videos; a
// local channel needs nothing sent, its follow is accepted at once.

// maxRefLength bounds what a user may type to name a channel or video.
const maxRefLength = 500

// MaxSubscriptionChecks bounds the channels one existence check asks of.
const MaxSubscriptionChecks = 100

// IsHandle says a search names one actor by its handle (name@host)
// rather than words to look for.
func IsHandle(q string) bool {
	q = strings.TrimSpace(q)
	name, host, ok := strings.Cut(strings.TrimPrefix(q, "@"), "@")
	return ok && name != "" && host != "" && !strings.ContainsAny(q, " \t\r\n")
}

// IsURL says a search names one object by its http(s) URL.
func IsURL(q string) bool {
	q = strings.TrimSpace(q)
	return strings.HasPrefix(q, "https://") || strings.HasPrefix(q, "http://")
}

// splitHandle reads name or name@host (with or without a leading @ or
// acct:); host is "" for a channel of this instance.
func (s *Service) splitHandle(handle string) (name, host string, err error) {
	h := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(handle), "acct:"), "@")
	name, host, _ = strings.Cut(h, "@")
	host = strings.ToLower(host)
	if name == "" || len(name) > 100 || strings.ContainsAny(name, "@/?#% \t\r\n") {
		return "", "", fmt.Errorf("%q is not a channel's name@host", handle)
	}
	if strings.Contains(h, "@") && !hostRE.MatchString(host) {
		return "", "", fmt.Errorf("%q is not a channel's name@host", handle)
	}
	if host == strings.ToLower(s.actors.Host()) {
		host = ""
	}
	return name, host, nil
}

// FindChannel returns the channel ref names: a local one by its name,
// handle or URL; a remote one through its server (WebFinger for a
// handle, the actor's document for a URL), fetched and stored. Only
// channels qualify: PeerTube's subscriptions and channel searches are
// of channels, never of accounts.
func (s *Service) FindChannel(ctx context.Context, ref string) (*database.Channel, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > maxRefLength {
		return nil, problem.Invalid(map[string]string{"uri": "a channel's name@host or URL"})
	}
	var target *database.Actor
	var err error
	if IsURL(ref) {
		if s.isLocal(ref) {
			a, err := s.actors.ByURL(ctx, ref)
			if err != nil {
				return nil, err
			}
			if a.Kind != actors.Group {
				return nil, notChannel(ref)
			}
			return a.Channel, nil
		}
		target, err = s.RemoteActor(ctx, ref, false)
	} else {
		name, host, herr := s.splitHandle(ref)
		if herr != nil {
			return nil, problem.Invalid(map[string]string{"uri": herr.Error()})
		}
		if host == "" {
			return s.localChannel(ctx, ref, name)
		}
		target, err = s.Resolve(ctx, name+"@"+host)
	}
	if err != nil {
		return nil, remoteProblem(ref, err)
	}
	if target.ChannelID == 0 {
		return nil, notChannel(ref)
	}
	ch, err := s.db.ChannelByID(ctx, target.ChannelID)
	if err != nil {
		return nil, problem.Internal(fmt.Errorf("federation: channel of %s: %w", target.URL, err))
	}
	return ch, nil
}

// localChannel is the local channel called name; an account of that
// name is told apart from a channel that does not exist.
func (s *Service) localChannel(ctx context.Context, ref, name string) (*database.Channel, error) {
	ch, err := s.db.ChannelByName(ctx, name)
	if err == nil {
		return ch, nil
	}
	if !errors.Is(err, database.ErrNotFound) {
		return nil, problem.Internal(err)
	}
	if _, err := s.actors.Account(ctx, name); err == nil {
		return nil, notChannel(ref)
	}
	return nil, problem.NotFound("video channel")
}

func notChannel(ref string) error {
	return problem.BadRequest("%s is not a video channel: only channels can be subscribed to", ref)
}

// remoteProblem says what went wrong finding ref on its server: gone, or
// not found for another reason (no answer, not ActivityPub, refused).
func remoteProblem(ref string, err error) error {
	if errors.Is(err, ErrGone) {
		return problem.New(http.StatusNotFound, "%s not found on its server", ref).WithErr(err)
	}
	return problem.New(http.StatusBadRequest, "could not find %s: %s", ref, err).WithErr(err)
}

// Subscribe makes a local account follow the channel ref names: through
// a Follow to a remote channel's server (pending until it accepts), or
// directly for a local channel.
func (s *Service) Subscribe(ctx context.Context, account *database.Account, ref string) error {
	ch, err := s.FindChannel(ctx, ref)
	if err != nil {
		return err
	}
	follower := s.actors.AccountActor(account)
	if ch.Host == "" {
		return s.subscribeLocal(ctx, follower, ch)
	}
	target, err := s.db.ActorOfChannel(ctx, ch.ID)
	if err != nil {
		return problem.Internal(fmt.Errorf("federation: actor of channel %d: %w", ch.ID, err))
	}
	if _, err := s.Follow(ctx, follower, target); err != nil {
		return problem.Internal(err)
	}
	return nil
}

// subscribeLocal records a follow of a local channel, accepted: this
// instance answers for both sides, so nothing is sent.
func (s *Service) subscribeLocal(ctx context.Context, follower actors.Actor, ch *database.Channel) error {
	from, err := s.localRow(ctx, follower)
	if err != nil {
		return problem.Internal(err)
	}
	to, err := s.localRow(ctx, s.actors.ChannelActor(ch))
	if err != nil {
		return problem.Internal(err)
	}
	if err := s.db.SaveFollow(ctx, &database.Follow{FollowerID: from.ID, FollowingID: to.ID, State: database.FollowAccepted}); err != nil {
		return problem.Internal(err)
	}
	return nil
}

// subscription is a local account's follow of the channel handle names.
func (s *Service) subscription(ctx context.Context, account *database.Account, handle string) (*database.Follow, error) {
	name, host, err := s.splitHandle(handle)
	if err != nil {
		return nil, problem.Invalid(map[string]string{"subscriptionHandle": err.Error()})
	}
	f, err := s.db.SubscriptionTo(ctx, account.ID, name, host)
	if errors.Is(err, database.ErrNotFound) {
		return nil, problem.NotFound("subscription")
	}
	if err != nil {
		return nil, problem.Internal(err)
	}
	return f, nil
}

// Subscription is the channel of a local account's subscription.
func (s *Service) Subscription(ctx context.Context, account *database.Account, handle string) (*database.Channel, error) {
	f, err := s.subscription(ctx, account, handle)
	if err != nil {
		return nil, err
	}
	ch, err := s.db.ChannelByID(ctx, f.Following.ChannelID)
	if err != nil {
		return nil, problem.Internal(err)
	}
	return ch, nil
}

// Unsubscribe takes a local account's subscription back, telling a
// remote channel's server with an Undo.
func (s *Service) Unsubscribe(ctx context.Context, account *database.Account, handle string) error {
	f, err := s.subscription(ctx, account, handle)
	if err != nil {
		return err
	}
	if f.Following.URL == "" {
		err = s.db.DeleteFollow(ctx, f.ID)
	} else {
		err = s.Unfollow(ctx, s.actors.AccountActor(account), f.Following)
	}
	if err != nil && !errors.Is(err, database.ErrNotFound) {
		return problem.Internal(err)
	}
	return nil
}

// ListSubscriptions returns a page of the channels a local account
// subscribed to, the newest subscription first.
func (s *Service) ListSubscriptions(ctx context.Context, account *database.Account, start, count int) ([]database.Channel, int, error) {
	chs, total, err := s.db.Subscriptions(ctx, database.SubscriptionFilter{AccountID: account.ID, Start: start, Count: count})
	if err != nil {
		return nil, 0, problem.Internal(err)
	}
	return chs, total, nil
}

// SubscriptionExists says, for each handle, whether a local account
// subscribed to that channel; a handle that names no channel is false.
func (s *Service) SubscriptionExists(ctx context.Context, account *database.Account, handles []string) (map[string]bool, error) {
	if len(handles) > MaxSubscriptionChecks {
		return nil, problem.Invalid(map[string]string{"uris": fmt.Sprintf("at most %d", MaxSubscriptionChecks)})
	}
	out := make(map[string]bool, len(handles))
	for _, h := range handles {
		if _, done := out[h]; done {
			continue
		}
		name, host, err := s.splitHandle(h)
		if err != nil {
			out[h] = false
			continue
		}
		_, err = s.db.SubscriptionTo(ctx, account.ID, name, host)
		if err != nil && !errors.Is(err, database.ErrNotFound) {
			return nil, problem.Internal(err)
		}
		out[h] = err == nil
	}
	return out, nil
}

// ResolveVideo returns the video of another server at target, which a
// signed-in user searched for: known, or fetched from its server and
// stored even though nobody here follows its channel, as PeerTube lets
// a user bring in any public video by its URL.
func (s *Service) ResolveVideo(ctx context.Context, target string) (*database.Video, error) {
	target = strings.TrimSpace(target)
	if !IsURL(target) || len(target) > maxRefLength || s.isLocal(target) {
		return nil, problem.NotFound("remote video")
	}
	if v, err := s.db.VideoByURL(ctx, target); err == nil {
		return v, nil
	} else if !errors.Is(err, database.ErrNotFound) {
		return nil, problem.Internal(err)
	}
	body, err := s.fetch(ctx, target)
	if err != nil {
		return nil, remoteProblem(target, err)
	}
	vid, err := vocab.ParseVideo(body)
	if err != nil {
		return nil, problem.BadRequest("%s is not a video: %s", target, err).WithErr(err)
	}
	// A server answers for its own videos only; a watch URL may be
	// another form of the id (a short uuid), on the same server.
	if !vocab.SameOrigin(vid.ID, target) {
		return nil, problem.BadRequest("%s answered with video %s of another server", target, vid.ID)
	}
	if err := s.storeVideo(ctx, vid, true); err != nil {
		var r refusal
		if errors.As(err, &r) {
			return nil, problem.BadRequest("video %s: %s", target, err).WithErr(err)
		}
		return nil, problem.Internal(err)
	}
	v, err := s.db.VideoByURL(ctx, vid.ID)
	if errors.Is(err, database.ErrNotFound) {
		// Not public: nothing was stored.
		return nil, problem.NotFound("remote video")
	}
	if err != nil {
		return nil, problem.Internal(err)
	}
	return v, nil
}
