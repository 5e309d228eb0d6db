package api

import (
	"github.com/gin-gonic/gin"

	"cuttle.video/server/images"
	"cuttle.video/server/problem"
)

// imageField is the image a form field carries, nil for other fields.
func imageField(name string) *images.Kind {
	for _, k := range images.Kinds {
		if k.Field == name {
			return &k
		}
	}
	return nil
}

// chosenImages re-encodes the thumbnailfile and previewfile of a form
// that metadataFromRequest parsed; nil when it has neither.
func (s *server) chosenImages(c *gin.Context) (*images.Set, error) {
	form := c.Request.MultipartForm
	if form == nil {
		return nil, nil
	}
	var set *images.Set
	for _, k := range images.Kinds {
		files := form.File[k.Field]
		if len(files) == 0 {
			continue
		}
		f, err := files[0].Open()
		if err != nil {
			set.Remove()
			return nil, problem.Internal(err)
		}
		into, err := s.Images.FromClient(c.Request.Context(), set, k, f)
		_ = f.Close()
		if err != nil {
			set.Remove()
			return nil, err
		}
		set = into
	}
	return set, nil
}
