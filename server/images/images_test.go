package images_test

import (
	"slices"
	"testing"

	"cuttle.video/server/database"
	"cuttle.video/server/images"
	"cuttle.video/transcoder/job"
)

// A transcoding's images replace none but placeholders; the others stay
// in the video's directory, whatever the transcoding wrote.
func TestTranscodedKeepsAllButPlaceholders(t *testing.T) {
	both := map[string]bool{job.ThumbnailFile: true, job.PreviewFile: true}
	for _, c := range []struct {
		name           string
		thumb, preview string
		written        map[string]bool
		cols, kept     []string
		after          [2]string
	}{
		{"none yet", "", "", both, []string{"thumbnail_source", "preview_source"}, nil,
			[2]string{database.ImageOriginal, database.ImageOriginal}},
		{"placeholders", database.ImagePlaceholder, database.ImagePlaceholder, both,
			[]string{"thumbnail_source", "preview_source"}, nil, [2]string{database.ImageOriginal, database.ImageOriginal}},
		{"from the upload and chosen", database.ImageOriginal, database.ImageCustom, both, nil,
			[]string{job.ThumbnailFile, job.PreviewFile}, [2]string{database.ImageOriginal, database.ImageCustom}},
		{"a placeholder the transcoding made nothing for", database.ImagePlaceholder, "", map[string]bool{}, nil,
			[]string{job.ThumbnailFile}, [2]string{database.ImagePlaceholder, ""}},
	} {
		v := &database.Video{ThumbnailSource: c.thumb, PreviewSource: c.preview}
		cols, kept := images.Transcoded(v, c.written)
		if !slices.Equal(cols, c.cols) || !slices.Equal(kept, c.kept) || v.ThumbnailSource != c.after[0] || v.PreviewSource != c.after[1] {
			t.Errorf("%s: cols %v kept %v sources %q %q; want %v %v %v", c.name, cols, kept, v.ThumbnailSource, v.PreviewSource,
				c.cols, c.kept, c.after)
		}
	}
}
