package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
)

// serverBlockJSON is PeerTube's ServerBlock.
type serverBlockJSON struct {
	ByAccount     actorSummaryJSON `json:"byAccount"`
	BlockedServer struct {
		Host string `json:"host"`
	} `json:"blockedServer"`
	CreatedAt time.Time `json:"createdAt"`
}

// accountBlockJSON is PeerTube's AccountBlock.
type accountBlockJSON struct {
	ByAccount      actorSummaryJSON `json:"byAccount"`
	BlockedAccount accountJSON      `json:"blockedAccount"`
	CreatedAt      time.Time        `json:"createdAt"`
}

// instanceAccount is who blocks in the instance's blocklist: the
// instance's actor, as PeerTube names it.
func (s *server) instanceAccount() actorSummaryJSON {
	return actorSummaryJSON{Name: "peertube", DisplayName: "peertube", URL: s.PublicURL + "/accounts/peertube", Host: s.hostname,
		Avatars: []actorImageJSON{}}
}

func (s *server) listBlocks(c *gin.Context, accounts bool) {
	p, err := httpserve.PageParams(c)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	bs, total, err := s.Federation.Blocks(c.Request.Context(), accounts, p.Start, p.Count)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	if accounts {
		out := list[accountBlockJSON]{Total: total, Data: make([]accountBlockJSON, 0, len(bs))}
		for _, b := range bs {
			if b.Account != nil {
				out.Data = append(out.Data, accountBlockJSON{ByAccount: s.instanceAccount(), BlockedAccount: s.account(b.Account), CreatedAt: b.CreatedAt})
			}
		}
		c.JSON(http.StatusOK, out)
		return
	}
	out := list[serverBlockJSON]{Total: total, Data: make([]serverBlockJSON, 0, len(bs))}
	for _, b := range bs {
		j := serverBlockJSON{ByAccount: s.instanceAccount(), CreatedAt: b.CreatedAt}
		j.BlockedServer.Host = b.Host
		out.Data = append(out.Data, j)
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) listServerBlocks(c *gin.Context)  { s.listBlocks(c, false) }
func (s *server) listAccountBlocks(c *gin.Context) { s.listBlocks(c, true) }

// blockServer takes {"host": "video.example"}.
func (s *server) blockServer(c *gin.Context) {
	var body struct {
		Host string `json:"host"`
	}
	if err := httpserve.DecodeJSON(c, &body); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if err := s.Federation.BlockServer(c.Request.Context(), body.Host); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) unblockServer(c *gin.Context) {
	if err := s.Federation.UnblockServer(c.Request.Context(), c.Param("host")); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// blockAccount takes {"accountName": "name@video.example"}.
func (s *server) blockAccount(c *gin.Context) {
	var body struct {
		AccountName string `json:"accountName"`
	}
	if err := httpserve.DecodeJSON(c, &body); err != nil {
		httpserve.Fail(c, err)
		return
	}
	if err := s.Federation.BlockAccount(c.Request.Context(), body.AccountName); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) unblockAccount(c *gin.Context) {
	if err := s.Federation.UnblockAccount(c.Request.Context(), c.Param("accountName")); err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
