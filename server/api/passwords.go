package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
)

// Privacy: video passwords, file tokens, and the private media routes.
//
//	GET|PUT|POST /api/v1/videos/{id}/passwords, DELETE .../passwords/{passwordId}
//	POST /api/v1/videos/{id}/token
//
// The private files those tokens open are served by delivery.
func (s *server) passwordRoutes(v1 *gin.RouterGroup) {
	v1.GET("/videos/:id/passwords", session.RequireUser, s.listVideoPasswords)
	v1.PUT("/videos/:id/passwords", session.RequireUser, s.replaceVideoPasswords)
	v1.POST("/videos/:id/passwords", session.RequireUser, s.addVideoPassword)
	v1.DELETE("/videos/:id/passwords/:passwordId", session.RequireUser, s.deleteVideoPassword)
	v1.POST("/videos/:id/token", s.videoFileToken)
}

// videoPasswordJSON follows PeerTube's VideoPassword.
type videoPasswordJSON struct {
	ID        int64     `json:"id"`
	Password  string    `json:"password"`
	VideoID   int64     `json:"videoId"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func videoPasswordOut(p *database.VideoPassword) videoPasswordJSON {
	return videoPasswordJSON{ID: p.ID, Password: p.Password, VideoID: p.VideoID, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func (s *server) listVideoPasswords(c *gin.Context) {
	p, err := httpserve.PageParams(c)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	ps, total, err := s.Videos.Passwords(c.Request.Context(), session.Viewer(c), c.Param("id"), p.Start, p.Count, p.Sort)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	out := list[videoPasswordJSON]{Total: total, Data: make([]videoPasswordJSON, 0, len(ps))}
	for i := range ps {
		out.Data = append(out.Data, videoPasswordOut(&ps[i]))
	}
	c.JSON(http.StatusOK, out)
}

// replaceVideoPasswords is PeerTube's PUT: {"passwords": [...]} replaces
// them all.
func (s *server) replaceVideoPasswords(c *gin.Context) {
	var body struct {
		Passwords *[]string `json:"passwords"`
	}
	if err := httpserve.DecodeJSON(c, &body); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if body.Passwords == nil {
		httpserve.Fail(c, problem.Invalid(map[string]string{"passwords": "is required"}))
		return
	}
	if err := s.Videos.ReplacePasswords(c.Request.Context(), session.Viewer(c), c.Param("id"), *body.Passwords); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// addVideoPassword adds one: {"password": "..."}.
func (s *server) addVideoPassword(c *gin.Context) {
	var body struct {
		Password string `json:"password"`
	}
	if err := httpserve.DecodeJSON(c, &body); err != nil {
		httpserve.Fail(c, err)
		return
	}
	p, err := s.Videos.AddPassword(c.Request.Context(), session.Viewer(c), c.Param("id"), body.Password)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, videoPasswordOut(p))
}

func (s *server) deleteVideoPassword(c *gin.Context) {
	id, err := httpserve.IDParam(c, "passwordId")
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	if err := s.Videos.DeletePassword(c.Request.Context(), session.Viewer(c), c.Param("id"), id); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// videoFileToken is PeerTube's POST /api/v1/videos/{id}/token: a short
// token that opens the video's files, for whoever may see the video
// (with its password, for password-protected ones).
func (s *server) videoFileToken(c *gin.Context) {
	v, err := s.Videos.Get(c.Request.Context(), session.Viewer(c), c.Param("id"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	t := s.Videos.IssueFileToken(v)
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"files": gin.H{"token": t.Token, "expires": t.Expires}})
}
