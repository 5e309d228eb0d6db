package api_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/config"
	"cuttle.video/server/database"
	"cuttle.video/server/servertest"
)

type videoImages struct {
	ThumbnailPath *string `json:"thumbnailPath"`
	PreviewPath   *string `json:"previewPath"`
}

// imagesOf reads a video's image paths, failing if either is null.
func imagesOf(t *testing.T, c *servertest.Client, id string) (thumb, preview string) {
	t.Helper()
	var v videoImages
	c.Do("GET", "/api/v1/videos/"+id, nil).Expect(http.StatusOK).JSON(&v)
	if v.ThumbnailPath == nil || v.PreviewPath == nil {
		t.Fatalf("video %s: thumbnailPath %v, previewPath %v; want both", id, v.ThumbnailPath, v.PreviewPath)
	}
	return *v.ThumbnailPath, *v.PreviewPath
}

// fetchJPEG fetches an image and checks it is a JPEG of w x h.
func fetchJPEG(t *testing.T, c *servertest.Client, path string, w, h int) image.Image {
	t.Helper()
	status, body := c.Fetch(path)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	img, err := jpeg.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("GET %s: not a JPEG: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("GET %s: %dx%d, want %dx%d", path, b.Dx(), b.Dy(), w, h)
	}
	return img
}

// near tells whether the centre of img has about the colour want.
func near(img image.Image, want color.RGBA) bool {
	b := img.Bounds()
	return nearAt(img, b.Min.X+b.Dx()/2, b.Min.Y+b.Dy()/2, want)
}

// nearAt tells whether img has about the colour want at x, y.
func nearAt(img image.Image, x, y int, want color.RGBA) bool {
	r, g, bl, _ := img.At(x, y).RGBA()
	d := func(x uint32, y uint8) bool { return int(x>>8)-int(y) < 24 && int(y)-int(x>>8) < 24 }
	return d(r, want.R) && d(g, want.G) && d(bl, want.B)
}

var (
	red  = color.RGBA{R: 230, G: 20, B: 20, A: 255}
	blue = color.RGBA{R: 20, G: 20, B: 230, A: 255}
)

func picture(t *testing.T, format string, w, h int, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var buf bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// form builds a multipart body of fields and files (field name to bytes).
func form(t *testing.T, fields map[string]string, files map[string][]byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for k, data := range files {
		fw, err := mw.CreateFormFile(k, k+".bin")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

func uploadWith(t *testing.T, c *servertest.Client, clip string, privacy int, files map[string][]byte) *servertest.Response {
	t.Helper()
	files["videofile"] = readFile(t, clip)
	body, ct := form(t, map[string]string{
		"name": "With images", "channelId": strconv.FormatInt(c.Channel(), 10), "privacy": strconv.Itoa(privacy),
	}, files)
	return c.Raw("POST", "/api/v1/videos/upload", body, http.Header{"Content-Type": {ct}})
}

// Right after an upload, legacy or resumable, of a video or of a sound,
// the video has its images, of PeerTube's sizes.
func TestImagesRightAfterUpload(t *testing.T) {
	servertest.EachSetup(t, func(t *testing.T, start func(...func(*config.Config)) *servertest.Server) {
		s := start()
		user := s.NewUser(t, 2, -1)
		clip := servertest.Clip(t)

		up := user.UploadVideo(clip, "Legacy", database.PrivacyPublic)
		thumb, preview := imagesOf(t, user, up.Video.UUID)
		fetchJPEG(t, user, thumb, 280, 157)
		fetchJPEG(t, user, preview, 850, 480)

		data := readFile(t, clip)
		res := user.InitUpload(int64(len(data)), map[string]any{"name": "Resumed", "channelId": user.Channel(), "filename": "clip.mp4"})
		res.Expect(http.StatusCreated)
		var rup servertest.UploadedVideo
		user.PutChunk(res.Header.Get("Location"), 0, data, int64(len(data))).Expect(http.StatusOK).JSON(&rup)
		thumb, preview = imagesOf(t, user, rup.Video.UUID)
		fetchJPEG(t, user, thumb, 280, 157)
		fetchJPEG(t, user, preview, 850, 480)

		sound := servertest.Generate(t, "sound.m4a", "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac")
		aup := user.UploadVideo(sound, "Sound", database.PrivacyPublic)
		thumb, preview = imagesOf(t, user, aup.Video.UUID)
		fetchJPEG(t, user, thumb, 280, 157)
		fetchJPEG(t, user, preview, 850, 480)

		// A private video's images need a file token, as its other files.
		pup := user.UploadVideo(clip, "Private", database.PrivacyPrivate)
		thumb, _ = imagesOf(t, user, pup.Video.UUID)
		if !strings.Contains(thumb, "videoFileToken=") {
			t.Fatalf("private thumbnail path %q has no file token", thumb)
		}
		fetchJPEG(t, s.Anonymous(t), thumb, 280, 157)
		bare, _, _ := strings.Cut(thumb, "?")
		if status, _ := s.Anonymous(t).Fetch(bare); status == http.StatusOK {
			t.Fatal("a private video's thumbnail is served without a token")
		}
		if files := s.UploadFiles(t); len(files) != 0 {
			t.Fatalf("images or uploads left behind: %v", files)
		}
	})
}

// Images chosen at upload and later replace the automatic ones, are
// re-encoded at PeerTube's sizes and survive the transcoding.
func TestChosenImages(t *testing.T) {
	servertest.EachSetup(t, func(t *testing.T, start func(...func(*config.Config)) *servertest.Server) {
		s := start(servertest.FastTranscoding)
		user := s.NewUser(t, 2, -1)
		clip := servertest.Clip(t)

		var up servertest.UploadedVideo
		uploadWith(t, user, clip, database.PrivacyPublic, map[string][]byte{
			"thumbnailfile": picture(t, "png", 640, 360, red),
		}).Expect(http.StatusOK).JSON(&up)
		id := up.Video.UUID
		thumb, preview := imagesOf(t, user, id)
		if !near(fetchJPEG(t, user, thumb, 280, 157), red) {
			t.Fatal("the thumbnail chosen at upload is not served")
		}
		if near(fetchJPEG(t, user, preview, 850, 480), red) {
			t.Fatal("the preview should be taken from the video")
		}

		body, ct := form(t, map[string]string{"name": "Renamed"}, map[string][]byte{"previewfile": picture(t, "jpeg", 1920, 1080, blue)})
		user.Raw("PUT", "/api/v1/videos/"+id, body, http.Header{"Content-Type": {ct}}).Expect(http.StatusNoContent)
		if !near(fetchJPEG(t, user, preview, 850, 480), blue) {
			t.Fatal("the preview sent by PUT is not served")
		}

		servertest.WaitState(t, user, id, 3*time.Minute, database.StatePublished)
		thumb, preview = imagesOf(t, user, id)
		if !near(fetchJPEG(t, user, thumb, 280, 157), red) || !near(fetchJPEG(t, user, preview, 850, 480), blue) {
			t.Fatal("the transcoding replaced chosen images")
		}

		// On a resumable upload, the images come with the init's form.
		data := readFile(t, clip)
		body, ct = form(t, map[string]string{"name": "Resumed", "channelId": strconv.FormatInt(user.Channel(), 10), "filename": "clip.mp4"},
			map[string][]byte{"thumbnailfile": picture(t, "jpeg", 320, 180, blue)})
		res := user.Raw("POST", "/api/v1/videos/upload-resumable", body, http.Header{
			"Content-Type": {ct}, "X-Upload-Content-Length": {strconv.Itoa(len(data))}, "X-Upload-Content-Type": {"video/mp4"},
		}).Expect(http.StatusCreated)
		var rup servertest.UploadedVideo
		user.PutChunk(res.Header.Get("Location"), 0, data, int64(len(data))).Expect(http.StatusOK).JSON(&rup)
		thumb, _ = imagesOf(t, user, rup.Video.UUID)
		if !near(fetchJPEG(t, user, thumb, 280, 157), blue) {
			t.Fatal("the thumbnail chosen at a resumable init is not served")
		}
		if files := s.UploadFiles(t); len(files) != 0 {
			t.Fatalf("images or uploads left behind: %v", files)
		}
	})
}

// pngHeader is a PNG that claims a w x h picture: its header alone.
func pngHeader(t *testing.T, w, h int) []byte {
	t.Helper()
	small := picture(t, "png", 1, 1, red)
	// The IHDR chunk follows the 8-byte signature and its length and type.
	out := bytes.Clone(small)
	out[16], out[17], out[18], out[19] = byte(w>>24), byte(w>>16), byte(w>>8), byte(w)
	out[20], out[21], out[22], out[23] = byte(h>>24), byte(h>>16), byte(h>>8), byte(h)
	return out
}

// Pictures that are not images, too large, or claim a huge size are
// refused with a problem, and change nothing.
func TestImageRefusals(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		user := s.NewUser(t, 2, -1)
		clip := servertest.Clip(t)
		up := user.UploadVideo(clip, "Kept", database.PrivacyPublic)
		id := up.Video.UUID
		thumb, _ := imagesOf(t, user, id)
		_, before := user.Fetch(thumb)

		for _, c := range []struct {
			name   string
			data   []byte
			status int
		}{
			{"not an image", []byte("<html><script>alert(1)</script></html>"), http.StatusBadRequest},
			{"a huge claimed size", pngHeader(t, 30000, 30000), http.StatusBadRequest},
			{"too many bytes", bytes.Repeat([]byte{0xff}, 4<<20+1), http.StatusRequestEntityTooLarge},
		} {
			body, ct := form(t, map[string]string{"name": "Changed"}, map[string][]byte{"thumbnailfile": c.data})
			p := user.Raw("PUT", "/api/v1/videos/"+id, body, http.Header{"Content-Type": {ct}}).Problem(c.status)
			if !strings.Contains(p.Detail+fmt.Sprint(p.InvalidParams), "thumbnailfile") {
				t.Errorf("%s: the problem does not name the field: %+v", c.name, p)
			}
			var v videoDetails
			user.Do("GET", "/api/v1/videos/"+id, nil).Expect(http.StatusOK).JSON(&v)
			if _, after := user.Fetch(thumb); v.Name != "Kept" || !bytes.Equal(before, after) {
				t.Errorf("%s: a refused update changed the video", c.name)
			}

			uploadWith(t, user, clip, database.PrivacyPublic, map[string][]byte{"thumbnailfile": c.data}).Problem(c.status)
		}
		var list struct {
			Total int `json:"total"`
		}
		user.Do("GET", "/api/v1/users/me/videos", nil).Expect(http.StatusOK).JSON(&list)
		if list.Total != 1 {
			t.Fatalf("refused uploads made videos: %d in all", list.Total)
		}
		if files := s.UploadFiles(t); len(files) != 0 {
			t.Fatalf("images or uploads left behind: %v", files)
		}
	})
}
