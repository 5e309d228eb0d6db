package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/httpserve"
)

// registration follows PeerTube's RegisterUser.
type registration struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	Email       string `json:"email"`
	DisplayName string `json:"displayName"`
	Channel     *struct {
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
	} `json:"channel"`
}

// register is PeerTube's POST /api/v1/users/register.
func (s *server) register(c *gin.Context) {
	var r registration
	if err := httpserve.DecodeJSON(c, &r); err != nil {
		httpserve.Fail(c, err)
		return
	}
	in := accounts.Registration{Username: r.Username, Email: r.Email, Password: r.Password, DisplayName: r.DisplayName}
	if r.Channel != nil {
		in.ChannelName, in.ChannelDisplayName = r.Channel.Name, r.Channel.DisplayName
	}
	if err := s.Sessions.Register(c, in); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
