package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/session"
	"cuttle.video/server/videos"
)

func (s *server) me(c *gin.Context) {
	u := session.Viewer(c)
	ctx := c.Request.Context()
	chs, _, err := s.Accounts.ListChannels(ctx, u.Account.ID, 0, httpserve.MaxCount, "createdAt")
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	used, daily, err := s.Accounts.QuotaUsed(ctx, u.ID)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, struct {
		userJSON
		VideoQuotaUsed      int64 `json:"videoQuotaUsed"`
		VideoQuotaUsedDaily int64 `json:"videoQuotaUsedDaily"`
	}{s.user(u, chs), used, daily})
}

func (s *server) updateMe(c *gin.Context) {
	var up accounts.ProfileUpdate
	if err := httpserve.DecodeJSON(c, &up); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if up.Password != nil {
		if err := s.Sessions.AllowAttempt(c); err != nil {
			httpserve.Fail(c, err)
			return
		}
	}
	if err := s.Accounts.UpdateProfile(c.Request.Context(), session.Viewer(c), up, httpserve.ClientKey(c)); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) myQuota(c *gin.Context) {
	used, daily, err := s.Accounts.QuotaUsed(c.Request.Context(), session.Viewer(c).ID)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"videoQuotaUsed": used, "videoQuotaUsedDaily": daily})
}

func (s *server) myVideos(c *gin.Context) {
	s.videoListFor(c, videos.ListParams{Mine: true})
}

func (s *server) listUsers(c *gin.Context) {
	p, err := httpserve.PageParams(c)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	users, total, err := s.Accounts.ListUsers(c.Request.Context(), p.Start, p.Count, p.Sort)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	out := list[userJSON]{Total: total, Data: make([]userJSON, 0, len(users))}
	for i := range users {
		out.Data = append(out.Data, s.user(&users[i], nil))
	}
	c.JSON(http.StatusOK, out)
}

type createUserRequest struct {
	Username        string `json:"username"`
	Password        string `json:"password"`
	Email           string `json:"email"`
	Role            *int   `json:"role"`
	VideoQuota      *int64 `json:"videoQuota"`
	VideoQuotaDaily *int64 `json:"videoQuotaDaily"`
	ChannelName     string `json:"channelName"`
}

func (s *server) createUser(c *gin.Context) {
	var req createUserRequest
	if err := httpserve.DecodeJSON(c, &req); err != nil {
		httpserve.Fail(c, err)
		return
	}
	in := accounts.NewUser{
		Username: req.Username, Email: req.Email, Password: req.Password,
		VideoQuota: req.VideoQuota, VideoQuotaDaily: req.VideoQuotaDaily, ChannelName: req.ChannelName,
	}
	if req.Role != nil {
		in.Role = database.RoleByID(*req.Role)
	}
	u, err := s.Accounts.CreateUser(c.Request.Context(), in)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": gin.H{"id": u.ID, "account": gin.H{"id": u.Account.ID}}})
}

func (s *server) getUser(c *gin.Context) {
	id, err := httpserve.IDParam(c, "id")
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	u, err := s.Accounts.User(c.Request.Context(), id)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.user(u, nil))
}

func (s *server) updateUser(c *gin.Context) {
	id, err := httpserve.IDParam(c, "id")
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	var up accounts.UserUpdate
	if err := httpserve.DecodeJSON(c, &up); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if err := s.Accounts.UpdateUser(c.Request.Context(), id, up); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) deleteUser(c *gin.Context) {
	id, err := httpserve.IDParam(c, "id")
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	if err := s.Accounts.DeleteUser(c.Request.Context(), id); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) getAccount(c *gin.Context) {
	a, err := s.Accounts.KnownAccount(c.Request.Context(), c.Param("name"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	out, err := s.countedAccount(c.Request.Context(), a)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) accountVideos(c *gin.Context) {
	a, err := s.Accounts.KnownAccount(c.Request.Context(), c.Param("name"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.videoListFor(c, videos.ListParams{AccountID: a.ID})
}

func (s *server) accountChannels(c *gin.Context) {
	a, err := s.Accounts.KnownAccount(c.Request.Context(), c.Param("name"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.channelListFor(c, a.ID)
}
