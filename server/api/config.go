package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/instance"
)

// PeerTube's instance configuration, for the subset Cuttle has: the
// instance's name and descriptions, open registration, P2P and trending.

type signupJSON struct {
	Allowed                   bool `json:"allowed"`
	AllowedForCurrentIP       bool `json:"allowedForCurrentIP"`
	RequiresApproval          bool `json:"requiresApproval"`
	RequiresEmailVerification bool `json:"requiresEmailVerification"`
	MinimumAge                int  `json:"minimumAge"`
}

// publicConfig is GET /api/v1/config.
func (s *server) publicConfig(c *gin.Context) {
	st, err := s.Instance.Get(c.Request.Context())
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{
		"instance": gin.H{"name": st.Name, "shortDescription": st.ShortDescription},
		"signup": signupJSON{
			Allowed: st.SignupEnabled, AllowedForCurrentIP: st.SignupEnabled, MinimumAge: 16,
		},
		// PeerTube's switch for P2P: players may share segments.
		"tracker": gin.H{"enabled": s.Tracker != nil},
		// PeerTube's trending pages: most-viewed is sort=-trending over
		// intervalDays, hot is sort=-hot, most-liked is sort=-likes.
		"trending": gin.H{"videos": gin.H{
			"intervalDays": s.Videos.TrendingDays(),
			"algorithms":   gin.H{"enabled": []string{"hot", "most-viewed", "most-liked"}, "default": "most-viewed"},
		}},
	})
}

type customConfigJSON struct {
	Instance struct {
		Name             *string `json:"name"`
		ShortDescription *string `json:"shortDescription"`
		Description      *string `json:"description"`
	} `json:"instance"`
	Signup struct {
		Enabled *bool `json:"enabled"`
	} `json:"signup"`
}

// customConfig is GET /api/v1/config/custom, for admins.
func (s *server) customConfig(c *gin.Context) {
	st, err := s.Instance.Get(c.Request.Context())
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	var out customConfigJSON
	out.Instance.Name, out.Instance.ShortDescription, out.Instance.Description = &st.Name, &st.ShortDescription, &st.Description
	out.Signup.Enabled = &st.SignupEnabled
	c.JSON(http.StatusOK, out)
}

// updateCustomConfig is PUT /api/v1/config/custom; fields left out keep
// their value.
func (s *server) updateCustomConfig(c *gin.Context) {
	var in customConfigJSON
	if err := httpserve.DecodeJSON(c, &in); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if err := s.Instance.Set(c.Request.Context(), instance.Update{
		Name: in.Instance.Name, ShortDescription: in.Instance.ShortDescription, Description: in.Instance.Description,
		SignupEnabled: in.Signup.Enabled,
	}); err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.customConfig(c)
}
