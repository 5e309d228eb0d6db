package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
)

// followActorJSON is the Actor of PeerTube's ActorFollow.
type followActorJSON struct {
	ID                    int64            `json:"id"`
	URL                   string           `json:"url"`
	Name                  string           `json:"name"`
	Host                  string           `json:"host"`
	HostRedundancyAllowed bool             `json:"hostRedundancyAllowed"`
	FollowersCount        int              `json:"followersCount"`
	FollowingCount        int              `json:"followingCount"`
	Avatars               []actorImageJSON `json:"avatars"`
	CreatedAt             time.Time        `json:"createdAt"`
	UpdatedAt             time.Time        `json:"updatedAt"`
}

// followJSON is PeerTube's ActorFollow.
type followJSON struct {
	ID        int64           `json:"id"`
	Follower  followActorJSON `json:"follower"`
	Following followActorJSON `json:"following"`
	Score     int             `json:"score"`
	State     string          `json:"state"`
	CreatedAt time.Time       `json:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt"`
}

// followActor renders one side of a follow; a local actor's row has no
// URL, and is the instance's here.
func (s *server) followActor(a *database.Actor) followActorJSON {
	out := followActorJSON{Avatars: []actorImageJSON{}}
	if a == nil {
		return out
	}
	out.ID, out.URL, out.Name, out.Host, out.CreatedAt, out.UpdatedAt = a.ID, a.URL, a.Username, a.Host, a.CreatedAt, a.CreatedAt
	if a.URL == "" {
		out.URL, out.Name, out.Host = s.PublicURL+"/accounts/peertube", "peertube", s.hostname
	}
	return out
}

func (s *server) follows(c *gin.Context, following bool) {
	p, err := httpserve.PageParams(c)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	fs, total, err := s.Federation.InstanceFollows(c.Request.Context(), following, p.Start, p.Count)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	out := list[followJSON]{Total: total, Data: make([]followJSON, 0, len(fs))}
	for _, f := range fs {
		out.Data = append(out.Data, followJSON{ID: f.ID, Follower: s.followActor(f.Follower), Following: s.followActor(f.Following),
			Score: 1000, State: f.State, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt})
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) listFollowing(c *gin.Context) { s.follows(c, true) }
func (s *server) listFollowers(c *gin.Context) { s.follows(c, false) }

// followInstances follows the instances PeerTube's admin client names:
// {"hosts": ["video.example", ...]}.
func (s *server) followInstances(c *gin.Context) {
	var body struct {
		Hosts   []string `json:"hosts"`
		Handles []string `json:"handles"`
	}
	if err := httpserve.DecodeJSON(c, &body); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if len(body.Hosts) == 0 || len(body.Hosts) > 100 {
		httpserve.Fail(c, problem.Invalid(map[string]string{"hosts": "between 1 and 100 hosts"}))
		return
	}
	for _, h := range body.Hosts {
		if _, err := s.Federation.FollowInstance(c.Request.Context(), h); err != nil {
			httpserve.Fail(c, err)
			return
		}
	}
	c.Status(http.StatusNoContent)
}

func (s *server) unfollowInstance(c *gin.Context) {
	if err := s.Federation.UnfollowInstance(c.Request.Context(), c.Param("host")); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) acceptFollower(c *gin.Context) {
	s.answerFollower(c, s.Federation.AcceptFollower)
}

func (s *server) rejectFollower(c *gin.Context) {
	s.answerFollower(c, s.Federation.RejectFollower)
}

func (s *server) answerFollower(c *gin.Context, answer func(ctx context.Context, handle string) error) {
	if err := answer(c.Request.Context(), c.Param("handle")); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
