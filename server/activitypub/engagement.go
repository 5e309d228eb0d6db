package activitypub

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/actors"
	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
)

// comment answers at a comment's ActivityPub id with its Note, which
// PeerTube and Mastodon fetch to check a reply or to show a thread;
// browsers are sent to the video's page.
func (s *face) comment(c *gin.Context) {
	if !actors.AcceptsActivityPub(c.GetHeader("Accept")) {
		c.Redirect(http.StatusFound, "/videos/watch/"+c.Param("id"))
		return
	}
	id, err := httpserve.IDParam(c, "commentId")
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	note, err := s.Federation.LocalComment(c.Request.Context(), c.Param("id"), id)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	writeJSON(c, actors.ContentType+"; charset=utf-8", note)
}

// likes and dislikes answer with the totals of a local video's ratings,
// which other servers read its counts from.
func (s *face) likes(c *gin.Context)    { s.ratings(c, database.RatingLike) }
func (s *face) dislikes(c *gin.Context) { s.ratings(c, database.RatingDislike) }

func (s *face) ratings(c *gin.Context, rating string) {
	coll, err := s.Federation.LocalRatings(c.Request.Context(), c.Param("id"), rating)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	writeJSON(c, actors.ContentType+"; charset=utf-8", coll)
}
