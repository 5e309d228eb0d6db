package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"cuttle.video/server/media"
	"cuttle.video/server/problem"
)

// Storyboards:
//
//	GET /api/v1/videos/{id}/storyboards
//	GET /lazy-static/storyboards/{uuid}.jpg
func (s *server) storyboardRoutes(r *gin.Engine, v1 *gin.RouterGroup) {
	v1.GET("/videos/:id/storyboards", s.listStoryboards)
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		r.Handle(m, storyboardPath+":file", s.storyboardFile)
	}
}

const storyboardPath = "/lazy-static/storyboards/"

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
	v, err := s.Videos.Get(ctx, viewer(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	sb, err := s.Jobs.Storyboard(ctx, v)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := []storyboardJSON{}
	if sb != nil {
		// A private video's sheet carries a file token, as its images do.
		p := storyboardPath + v.UUID + ".jpg" + s.fileQuery(v)
		out = append(out, storyboardJSON{
			StoryboardPath: p, FileURL: s.PublicURL + p,
			TotalHeight: sb.Rows * sb.SpriteHeight, TotalWidth: sb.Columns * sb.SpriteWidth,
			SpriteHeight: sb.SpriteHeight, SpriteWidth: sb.SpriteWidth, SpriteDuration: sb.SpriteDuration,
		})
	}
	c.JSON(http.StatusOK, gin.H{"storyboards": out})
}

func (s *server) storyboardFile(c *gin.Context) {
	id, ok := strings.CutSuffix(c.Param("file"), ".jpg")
	if _, err := uuid.Parse(id); !ok || err != nil {
		s.fail(c, problem.NotFound("storyboard"))
		return
	}
	s.serveVideoFile(c, id, media.StoryboardFile)
}
