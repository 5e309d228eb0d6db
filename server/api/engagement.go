package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/database"
	"cuttle.video/server/engagement"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
	"cuttle.video/server/videos"
)

// Views, ratings and comments:
//
//	POST /api/v1/videos/{id}/views
//	PUT /api/v1/videos/{id}/rate                      {"rating": "like"|"dislike"|"none"}
//	GET /api/v1/users/me/videos/{videoId}/rating
//	GET|POST /api/v1/videos/{id}/comment-threads
//	GET /api/v1/videos/{id}/comment-threads/{threadId}
//	POST|DELETE /api/v1/videos/{id}/comments/{commentId}
func (s *server) engagementRoutes(v1 *gin.RouterGroup) {
	v1.POST("/videos/:id/views", s.addView)
	v1.PUT("/videos/:id/rate", session.RequireUser, s.rateVideo)
	v1.GET("/users/me/videos/:id/rating", session.RequireUser, s.myRating)
	v1.GET("/videos/:id/comment-threads", s.listThreads)
	v1.POST("/videos/:id/comment-threads", session.RequireUser, s.createThread)
	v1.GET("/videos/:id/comment-threads/:threadId", s.getThread)
	v1.POST("/videos/:id/comments/:commentId", session.RequireUser, s.replyToComment)
	v1.DELETE("/videos/:id/comments/:commentId", session.RequireUser, s.deleteComment)
}

// pendingViews are the views counted but not written yet, which the
// video JSON adds so a viewer sees their view at once.
func (s *server) pendingViews(videoID int64) int64 {
	if s.Engagement == nil {
		return 0
	}
	return s.Engagement.Views.Pending(videoID)
}

// addView is PeerTube's view notification. Players send it every few
// seconds with the playback position; the view counts once per viewer
// and hour, whatever the body says, so the body is only checked.
func (s *server) addView(c *gin.Context) {
	var body struct {
		CurrentTime *float64 `json:"currentTime"`
		ViewEvent   string   `json:"viewEvent"`
		SessionID   string   `json:"sessionId"`
	}
	if c.Request.ContentLength != 0 {
		if err := httpserve.DecodeJSON(c, &body); err != nil {
			httpserve.Fail(c, err)
			return
		}
	}
	if body.CurrentTime != nil && *body.CurrentTime < 0 {
		httpserve.Fail(c, problem.Invalid(map[string]string{"currentTime": "must be a number of seconds, at least 0"}))
		return
	}
	w := engagement.Viewer{User: session.Viewer(c), Address: httpserve.ClientKey(c), UserAgent: c.GetHeader("User-Agent")}
	if err := s.Engagement.View(c.Request.Context(), w, c.Param("id")); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) rateVideo(c *gin.Context) {
	var body struct {
		Rating string `json:"rating"`
	}
	if err := httpserve.DecodeJSON(c, &body); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if err := s.Engagement.Rate(c.Request.Context(), session.Viewer(c), c.Param("id"), body.Rating); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) myRating(c *gin.Context) {
	v, rating, err := s.Engagement.RatingOf(c.Request.Context(), session.Viewer(c), c.Param("id"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": v.ID, "rating": rating})
}

// commentJSON follows PeerTube's VideoComment.
type commentJSON struct {
	ID                          int64        `json:"id"`
	URL                         string       `json:"url"`
	Text                        string       `json:"text"`
	ThreadID                    int64        `json:"threadId"`
	InReplyToCommentID          *int64       `json:"inReplyToCommentId"`
	VideoID                     int64        `json:"videoId"`
	CreatedAt                   time.Time    `json:"createdAt"`
	UpdatedAt                   time.Time    `json:"updatedAt"`
	DeletedAt                   *time.Time   `json:"deletedAt"`
	IsDeleted                   bool         `json:"isDeleted"`
	HeldForReview               bool         `json:"heldForReview"`
	TotalRepliesFromVideoAuthor int          `json:"totalRepliesFromVideoAuthor"`
	TotalReplies                int          `json:"totalReplies"`
	Account                     *accountJSON `json:"account"`
}

func (s *server) comment(v *database.Video, c *database.Comment) commentJSON {
	out := commentJSON{
		ID: c.ID, URL: s.PublicURL + "/videos/watch/" + v.UUID + "/comments/" + strconv.FormatInt(c.ID, 10),
		Text: c.Text, ThreadID: c.Root(), InReplyToCommentID: c.InReplyToID, VideoID: v.ID,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, DeletedAt: c.DeletedAt, IsDeleted: c.DeletedAt != nil,
		TotalRepliesFromVideoAuthor: c.TotalRepliesFromVideoAuthor, TotalReplies: c.TotalReplies,
	}
	if c.URL != "" {
		// Made on another server, where it lives.
		out.URL = c.URL
	}
	if c.Account != nil && c.DeletedAt == nil {
		a := s.account(c.Account)
		out.Account = &a
	}
	return out
}

// commentsPolicy is the video's policy as PeerTube's VideoDetails shows it.
func commentsPolicy(v *database.Video) idLabel[int] {
	id := videos.CommentsPolicy(v)
	return idLabel[int]{ID: id, Label: videos.CommentsPolicies[id]}
}

func (s *server) listThreads(c *gin.Context) {
	p, err := httpserve.PageParams(c)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	v, page, err := s.Engagement.Threads(c.Request.Context(), session.Viewer(c), c.Param("id"), p.Start, p.Count, p.Sort)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	out := struct {
		list[commentJSON]
		TotalNotDeletedComments int `json:"totalNotDeletedComments"`
	}{list[commentJSON]{Total: page.Total, Data: make([]commentJSON, 0, len(page.Threads))}, page.NotDeleted}
	for i := range page.Threads {
		out.Data = append(out.Data, s.comment(v, &page.Threads[i]))
	}
	c.JSON(http.StatusOK, out)
}

// threadJSON follows PeerTube's VideoCommentThreadTree.
type threadJSON struct {
	Comment  commentJSON  `json:"comment"`
	Children []threadJSON `json:"children"`
}

func (s *server) getThread(c *gin.Context) {
	threadID, err := httpserve.IDParam(c, "threadId")
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	v, cs, err := s.Engagement.Thread(c.Request.Context(), session.Viewer(c), c.Param("id"), threadID)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	// Replies come oldest first, so each one's parent is already placed.
	children := map[int64][]int64{}
	byID := map[int64]*database.Comment{}
	for i := range cs {
		byID[cs[i].ID] = &cs[i]
		if p := cs[i].InReplyToID; p != nil && i > 0 {
			children[*p] = append(children[*p], cs[i].ID)
		}
	}
	var tree func(id int64) threadJSON
	tree = func(id int64) threadJSON {
		t := threadJSON{Comment: s.comment(v, byID[id]), Children: []threadJSON{}}
		for _, child := range children[id] {
			t.Children = append(t.Children, tree(child))
		}
		return t
	}
	c.JSON(http.StatusOK, tree(cs[0].ID))
}

type commentBody struct {
	Text string `json:"text"`
}

func (s *server) createThread(c *gin.Context) { s.postComment(c, 0) }

func (s *server) replyToComment(c *gin.Context) {
	id, err := httpserve.IDParam(c, "commentId")
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.postComment(c, id)
}

func (s *server) postComment(c *gin.Context, replyTo int64) {
	var body commentBody
	if err := httpserve.DecodeJSON(c, &body); err != nil {
		httpserve.Fail(c, err)
		return
	}
	v, cm, err := s.Engagement.Comment(c.Request.Context(), session.Viewer(c), c.Param("id"), replyTo, body.Text)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"comment": s.comment(v, cm)})
}

func (s *server) deleteComment(c *gin.Context) {
	id, err := httpserve.IDParam(c, "commentId")
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	if err := s.Engagement.DeleteComment(c.Request.Context(), session.Viewer(c), c.Param("id"), id); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
