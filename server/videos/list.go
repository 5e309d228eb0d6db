package videos

import (
	"context"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// IncludeNotPublished is PeerTube's `include` bit that lets moderators
// list videos that are not published yet.
const IncludeNotPublished = 1

// DefaultTrendingDays is how many days of views the trending sort
// counts unless configured otherwise, as on PeerTube.
const DefaultTrendingDays = 7

// WithTrendingDays sets how many days of views, today's included, the
// trending sort counts (DefaultTrendingDays when days is not positive).
func WithTrendingDays(days int) Option {
	return func(s *Service) {
		if days > 0 {
			s.trendingDays = days
		}
	}
}

// TrendingDays is how many days of views the trending sort counts.
func (s *Service) TrendingDays() int { return s.trendingDays }

// ListParams are PeerTube's parameters of a video list. Every list
// takes them all; the zero value lists every video the viewer may see
// in a list, newest published first.
type ListParams struct {
	Start, Count int
	// Sort is a key of database.VideoSort. trending ranks by the views
	// of the last TrendingDays; hot and best by PeerTube's score of
	// likes, dislikes, views, comments and publication time.
	Sort      string
	Include   int
	AccountID int64
	ChannelID int64
	// Mine lists the viewer's own videos in every state and privacy.
	Mine bool
	// Subscriptions keeps the videos of the channels the viewer
	// subscribed to.
	Subscriptions bool
	// Search keeps videos with every word of it in the name or as a tag.
	Search string
	// TagsOneOf keeps videos with one of these tags, TagsAllOf those
	// with all of them.
	TagsOneOf, TagsAllOf []string
	// CategoryOneOf and LicenceOneOf keep videos with one of these ids.
	CategoryOneOf, LicenceOneOf []int
	// LanguageOneOf keeps videos in one of these languages or with a
	// caption in one; "_unknown" keeps videos without a language.
	LanguageOneOf []string
	// PrivacyOneOf lists these privacies in place of those lists show;
	// only moderators may ask for it, and anyone in their own list.
	PrivacyOneOf []int
	// NSFW keeps only sensitive videos (true) or only the others
	// (false); nil lists both.
	NSFW *bool
	// IsLive keeps only live videos (true) or only the others (false).
	IsLive *bool
	// IsLocal keeps only this instance's videos (true) or only other
	// instances' (false).
	IsLocal *bool
	// DurationMin and DurationMax bound the duration in seconds; 0 is
	// no bound.
	DurationMin, DurationMax int
	// SkipCount leaves the total out: it is 0, and the list is cheaper.
	SkipCount bool
}

// unknownLanguage is PeerTube's languageOneOf value for videos without
// a language.
const unknownLanguage = "_unknown"

// List returns the page of videos the viewer may see in a list: public
// ones, internal ones for logged-in users, never unlisted or private ones
// (except the viewer's own with Mine, and what moderators ask for with
// PrivacyOneOf).
func (s *Service) List(ctx context.Context, viewer *database.User, p ListParams) ([]database.Video, int, error) {
	sort, err := database.VideoSort(p.Sort)
	if err != nil {
		return nil, 0, problem.Invalid(map[string]string{"sort": err.Error()})
	}
	if err := validateList(p); err != nil {
		return nil, 0, err
	}
	if len(p.PrivacyOneOf) > 0 && !p.Mine && !isModerator(viewer) {
		if viewer == nil {
			return nil, 0, problem.Unauthorized("privacyOneOf: you are not allowed to see all videos")
		}
		return nil, 0, problem.Forbidden("privacyOneOf: you are not allowed to see all videos")
	}
	if p.Subscriptions && viewer == nil {
		return nil, 0, problem.Unauthorized("subscriptions are a signed-in user's")
	}
	// No video is live: live streaming does not exist yet.
	if p.IsLive != nil && *p.IsLive {
		return nil, 0, nil
	}
	f := database.VideoFilter{Start: p.Start, Count: p.Count, Sort: sort, AccountID: p.AccountID, ChannelID: p.ChannelID,
		Words: searchWords(p.Search), TagsOneOf: p.TagsOneOf, TagsAllOf: p.TagsAllOf,
		CategoryOneOf: p.CategoryOneOf, LicenceOneOf: p.LicenceOneOf, Privacies: p.PrivacyOneOf, NSFW: p.NSFW,
		DurationMin: p.DurationMin, DurationMax: p.DurationMax, SkipCount: p.SkipCount,
		TrendingSince: s.p.now().AddDate(0, 0, 1-s.trendingDays)}
	for _, l := range p.LanguageOneOf {
		if l == unknownLanguage {
			l = ""
		}
		f.LanguageOneOf = append(f.LanguageOneOf, l)
	}
	if p.Subscriptions {
		f.SubscriberID = viewer.Account.ID
	}
	if p.IsLocal != nil {
		remote := !*p.IsLocal
		f.Remote = &remote
	}
	switch {
	case p.Mine:
		f.AccountID = viewer.Account.ID
	default:
		if len(f.Privacies) == 0 {
			f.Privacies = []int{database.PrivacyPublic}
			if viewer != nil {
				f.Privacies = append(f.Privacies, database.PrivacyInternal)
			}
		}
		if p.Include&IncludeNotPublished == 0 || !isModerator(viewer) {
			f.States = []int{database.StatePublished}
		}
	}
	vs, total, err := s.db.ListVideos(ctx, f)
	if err != nil {
		return nil, 0, problem.Internal(err)
	}
	return vs, total, nil
}

// validateList checks the values of a list's filters before it runs.
func validateList(p ListParams) error {
	bad := map[string]string{}
	validateSearch(p.Search, p.TagsOneOf, p.TagsAllOf, bad)
	for _, id := range p.PrivacyOneOf {
		if _, ok := Privacies[id]; !ok {
			bad["privacyOneOf"] = "each " + privacyChoices
		}
	}
	if p.DurationMax > 0 && p.DurationMin > p.DurationMax {
		bad["durationMax"] = "must not be below durationMin"
	}
	if len(bad) > 0 {
		return problem.Invalid(bad)
	}
	return nil
}
