package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
)

// Avatars of accounts and channels, banners of channels: sent as
// PeerTube's clients send them, one file in a multipart form, and
// answered with the picture in each of its sizes.
func (s *server) pictureRoutes(v1 *gin.RouterGroup) {
	v1.POST("/users/me/avatar/pick", session.RequireUser, s.pickMyAvatar)
	v1.DELETE("/users/me/avatar", session.RequireUser, s.deleteMyAvatar)
	for _, p := range media.Pictures {
		v1.POST("/video-channels/:handle/"+p.Kind+"/pick", session.RequireUser, s.pickChannelPicture(p))
		v1.DELETE("/video-channels/:handle/"+p.Kind, session.RequireUser, s.deleteChannelPicture(p))
	}
}

// pictureFile is the file of a multipart form's field "{kind}file", read
// as it arrives rather than spooled.
func pictureFile(c *gin.Context, p media.Picture) (io.Reader, error) {
	field := p.Kind + "file"
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, problem.BadRequest("send the %s as the file %q of a multipart/form-data body", p.Kind, field)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, problem.Invalid(map[string]string{field: "is required"})
		}
		if err != nil {
			return nil, problem.BadRequest("the form was cut before file %q", field).WithErr(err)
		}
		if part.FormName() == field {
			return part, nil
		}
	}
}

func (s *server) pickMyAvatar(c *gin.Context) {
	f, err := pictureFile(c, media.Avatar)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	a, err := s.Accounts.SetAvatar(c.Request.Context(), session.Viewer(c), f)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"avatars": pictureSizes(media.Avatar, a.Avatar)})
}

func (s *server) deleteMyAvatar(c *gin.Context) {
	if _, err := s.Accounts.SetAvatar(c.Request.Context(), session.Viewer(c), nil); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) pickChannelPicture(p media.Picture) gin.HandlerFunc {
	return func(c *gin.Context) {
		f, err := pictureFile(c, p)
		if err != nil {
			httpserve.Fail(c, err)
			return
		}
		ch, err := s.Accounts.SetChannelPicture(c.Request.Context(), session.Viewer(c), c.Param("handle"), p, f)
		if err != nil {
			httpserve.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{p.Kind + "s": pictureSizes(p, *accounts.ChannelPicture(ch, p))})
	}
}

func (s *server) deleteChannelPicture(p media.Picture) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, err := s.Accounts.SetChannelPicture(c.Request.Context(), session.Viewer(c), c.Param("handle"), p, nil); err != nil {
			httpserve.Fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}
