package delivery

import (
	"strings"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/languages"
	"cuttle.video/server/media"
	"cuttle.video/server/problem"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// The files a video has besides its HLS renditions, each under PeerTube's
// path, following the video's privacy through serveVideoFile.

// captionFile serves {uuid}-{language}.vtt from the video's media
// directory.
func (s *server) captionFile(c *gin.Context) {
	name, ok := strings.CutSuffix(c.Param("file"), ".vtt")
	if !ok || len(name) < 38 || name[36] != '-' {
		httpserve.Fail(c, problem.NotFound("caption"))
		return
	}
	id, lang := name[:36], name[37:]
	if _, err := uuid.Parse(id); err != nil {
		httpserve.Fail(c, problem.NotFound("caption"))
		return
	}
	if lang, ok = languages.Normalize(lang); !ok {
		httpserve.Fail(c, problem.NotFound("caption"))
		return
	}
	s.serveVideoFile(c, id, media.CaptionFile(lang))
}

func (s *server) storyboardFile(c *gin.Context) {
	id, ok := strings.CutSuffix(c.Param("file"), ".jpg")
	if _, err := uuid.Parse(id); !ok || err != nil {
		httpserve.Fail(c, problem.NotFound("storyboard"))
		return
	}
	s.serveVideoFile(c, id, media.StoryboardFile)
}

// picture serves a file of an avatar or banner, public like its owner.
func (s *server) picture(p media.Picture) gin.HandlerFunc {
	return func(c *gin.Context) {
		key, ok := p.Key(c.Param("file"))
		if !ok {
			httpserve.Fail(c, problem.NotFound(p.Kind))
			return
		}
		s.serveMedia(c, key)
	}
}
