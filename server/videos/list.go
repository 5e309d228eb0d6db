package videos

import (
	"context"

	"cuttle.video/server/database"
	"cuttle.video/server/problem"
)

// IncludeNotPublished is PeerTube's `include` bit that lets moderators
// list videos that are not published yet.
const IncludeNotPublished = 1

// ListParams are the query parameters of a video list.
type ListParams struct {
	Start, Count int
	Sort         string
	Include      int
	AccountID    int64
	ChannelID    int64
	// Mine lists the viewer's own videos in every state and privacy.
	Mine bool
	// Search and TagsOneOf narrow the list as PeerTube's video search
	// does: every word of Search in the name or as a tag.
	Search    string
	TagsOneOf []string
}

// List returns the page of videos the viewer may see in a list: public
// ones, internal ones for logged-in users, never unlisted or private ones
// (except the viewer's own with Mine).
func (s *Service) List(ctx context.Context, viewer *database.User, p ListParams) ([]database.Video, int, error) {
	sort, err := database.VideoSort(p.Sort)
	if err != nil {
		return nil, 0, problem.Invalid(map[string]string{"sort": err.Error()})
	}
	f := database.VideoFilter{Start: p.Start, Count: p.Count, Sort: sort, AccountID: p.AccountID, ChannelID: p.ChannelID,
		Words: searchWords(p.Search), TagsOneOf: p.TagsOneOf}
	switch {
	case p.Mine:
		f.AccountID = viewer.Account.ID
	default:
		f.Privacies = []int{database.PrivacyPublic}
		if viewer != nil {
			f.Privacies = append(f.Privacies, database.PrivacyInternal)
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
