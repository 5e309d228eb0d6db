package api

import (
	"net/http"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/media"
	"cuttle.video/server/session"
	"github.com/gin-gonic/gin"
)

// Storyboards:
//
//	GET /api/v1/videos/{id}/storyboards
//
// The sheets themselves are media, served by delivery.
func (s *server) storyboardRoutes(v1 *gin.RouterGroup) {
	v1.GET("/videos/:id/storyboards", s.listStoryboards)
}

// storyboardJSON follows PeerTube's Storyboard.
type storyboardJSON struct {
	StoryboardPath string `json:"storyboardPath"`
	FileURL        string `json:"fileUrl"`
	TotalHeight    int    `json:"totalHeight"`
	TotalWidth     int    `json:"totalWidth"`
	SpriteHeight   int    `json:"spriteHeight"`
	SpriteWidth    int    `json:"spriteWidth"`
	SpriteDuration int    `json:"spriteDuration"`
}

func (s *server) listStoryboards(c *gin.Context) {
	ctx := c.Request.Context()
	v, err := s.Videos.Get(ctx, session.Viewer(c), c.Param("id"))
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	sb, err := s.Jobs.Storyboard(ctx, v)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	out := []storyboardJSON{}
	if sb != nil {
		// A private video's sheet carries a file token, as its images do.
		p := media.StoryboardPath(v.UUID) + s.URLs.Query(v)
		out = append(out, storyboardJSON{
			StoryboardPath: p, FileURL: s.PublicURL + p,
			TotalHeight: sb.Rows * sb.SpriteHeight, TotalWidth: sb.Columns * sb.SpriteWidth,
			SpriteHeight: sb.SpriteHeight, SpriteWidth: sb.SpriteWidth, SpriteDuration: sb.SpriteDuration,
		})
	}
	c.JSON(http.StatusOK, gin.H{"storyboards": out})
}
