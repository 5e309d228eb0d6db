package api_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/config"
	"cuttle.video/server/servertest"
)

func sha(b []byte) string { return fmt.Sprintf("%x", sha256.Sum256(b)) }

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type videoDetails struct {
	ID        int64    `json:"id"`
	UUID      string   `json:"uuid"`
	ShortUUID string   `json:"shortUUID"`
	Name      string   `json:"name"`
	Duration  int      `json:"duration"`
	Tags      []string `json:"tags"`
	State     struct {
		ID    int    `json:"id"`
		Label string `json:"label"`
	} `json:"state"`
	Privacy struct {
		ID    int    `json:"id"`
		Label string `json:"label"`
	} `json:"privacy"`
	Description string `json:"description"`
	Channel     struct {
		ID int64 `json:"id"`
	} `json:"channel"`
	Account struct {
		Name string `json:"name"`
	} `json:"account"`
}

func TestLegacyUpload(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		user := s.NewUser(t, 2, -1)
		clip := servertest.Clip(t)
		ch := strconv.FormatInt(user.Channel(), 10)

		var up servertest.UploadedVideo
		user.Upload(clip, map[string][]string{
			"name": {"My first clip"}, "channelId": {ch}, "privacy": {"2"},
			"description": {"A test pattern"}, "tags[]": {"test", "pattern"},
		}).Expect(http.StatusOK).JSON(&up)
		if up.Video.ID == 0 || up.Video.UUID == "" || len(up.Video.ShortUUID) != 22 {
			t.Fatalf("upload answer = %+v", up)
		}
		for _, ref := range []string{strconv.FormatInt(up.Video.ID, 10), up.Video.UUID, up.Video.ShortUUID} {
			var v videoDetails
			user.Do("GET", "/api/v1/videos/"+ref, nil).Expect(http.StatusOK).JSON(&v)
			if v.UUID != up.Video.UUID || v.Name != "My first clip" || v.State.ID != 2 || v.State.Label != "To transcode" ||
				v.Privacy.ID != 2 || v.Duration != 2 || len(v.Tags) != 2 || v.Description != "A test pattern" {
				t.Fatalf("video by %s = %+v", ref, v)
			}
		}
		if got := sha(readFile(t, s.OriginalFile(up.Video.UUID, ".mp4"))); got != sha(readFile(t, clip)) {
			t.Fatal("the stored original differs from the uploaded file")
		}
		var quota struct {
			Used int64 `json:"videoQuotaUsed"`
		}
		user.Do("GET", "/api/v1/users/me/video-quota-used", nil).Expect(http.StatusOK).JSON(&quota)
		if fi, _ := os.Stat(clip); quota.Used != fi.Size() {
			t.Fatalf("quota used = %d, want the clip's %d bytes", quota.Used, fi.Size())
		}
		if files := s.UploadFiles(t); len(files) != 0 {
			t.Fatalf("uploads directory keeps %v after a finished upload", files)
		}
	})
}

func TestLegacyUploadRefusals(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		user := s.NewUser(t, 2, -1)
		other := s.NewUser(t, 2, -1)
		clip := servertest.Clip(t)
		ch := strconv.FormatInt(user.Channel(), 10)

		text := filepath.Join(t.TempDir(), "holiday.mp4")
		if err := os.WriteFile(text, bytes.Repeat([]byte("not a video, just words\n"), 500), 0o600); err != nil {
			t.Fatal(err)
		}
		p := user.Upload(text, map[string][]string{"name": {"Fake video"}, "channelId": {ch}}).Problem(http.StatusUnprocessableEntity)
		if bytes.Contains([]byte(p.Detail), []byte(s.Config.DataDir)) {
			t.Fatalf("the error leaks a server path: %q", p.Detail)
		}
		p = user.Upload(clip, map[string][]string{"channelId": {ch}}).Problem(http.StatusBadRequest)
		if _, ok := p.InvalidParams["name"]; !ok {
			t.Fatalf("missing name: invalid-params = %v", p.InvalidParams)
		}
		user.Upload(clip, map[string][]string{"name": {"Wrong channel"}, "channelId": {strconv.FormatInt(other.Channel(), 10)}}).Problem(http.StatusForbidden)
		user.Upload(clip, map[string][]string{"name": {"Bad privacy"}, "channelId": {ch}, "privacy": {"9"}}).Problem(http.StatusBadRequest)
		p = user.Multipart("/api/v1/videos/upload", map[string][]string{"name": {"No file"}, "channelId": {ch}}, "", "", nil).Problem(http.StatusBadRequest)
		if _, ok := p.InvalidParams["videofile"]; !ok {
			t.Fatalf("missing file: invalid-params = %v", p.InvalidParams)
		}
		user.Raw("POST", "/api/v1/videos/upload", stringsReader("{}"), http.Header{"Content-Type": {"application/json"}}).Problem(http.StatusBadRequest)
		s.Anonymous(t).Upload(clip, map[string][]string{"name": {"Anonymous"}, "channelId": {ch}}).Problem(http.StatusUnauthorized)

		nothingStored(t, s, user)
	})
}

func TestUploadLimits(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b, func(c *config.Config) { c.Uploads.MaxFileSize = 200 << 10 })
		clip := servertest.Clip(t)
		data := readFile(t, clip)
		size := int64(len(data))

		// Quota for exactly one clip.
		user := s.NewUser(t, 2, size+10)
		ch := user.Channel()
		fields := map[string][]string{"name": {"Quota test"}, "channelId": {strconv.FormatInt(ch, 10)}}
		user.Upload(clip, fields).Expect(http.StatusOK)
		p := user.Upload(clip, fields).Problem(http.StatusRequestEntityTooLarge)
		if p.Code != "quota_reached" {
			t.Fatalf("legacy over quota: code %q", p.Code)
		}
		p = user.InitUpload(size, map[string]any{"name": "Quota test", "channelId": ch, "filename": "clip.mp4"}).Problem(http.StatusRequestEntityTooLarge)
		if p.Code != "quota_reached" {
			t.Fatalf("resumable over quota: code %q", p.Code)
		}

		// A pending resumable upload reserves its size.
		roomy := s.NewUser(t, 2, size*3/2)
		loc := roomy.InitUpload(size, map[string]any{"name": "Pending", "channelId": roomy.Channel(), "filename": "clip.mp4"}).
			Expect(http.StatusCreated).Header.Get("Location")
		roomy.InitUpload(size, map[string]any{"name": "Second", "channelId": roomy.Channel(), "filename": "clip.mp4"}).
			Problem(http.StatusRequestEntityTooLarge)
		roomy.Raw("DELETE", loc, nil, nil).Expect(http.StatusNoContent)
		roomy.InitUpload(size, map[string]any{"name": "Second", "channelId": roomy.Channel(), "filename": "clip.mp4"}).
			Expect(http.StatusCreated)

		// Maximum file size.
		big := s.NewUser(t, 2, -1)
		p = big.InitUpload(300<<10, map[string]any{"name": "Too big", "channelId": big.Channel(), "filename": "big.mp4"}).
			Problem(http.StatusRequestEntityTooLarge)
		if p.Code != "max_file_size_reached" {
			t.Fatalf("resumable too large: code %q", p.Code)
		}
		huge := filepath.Join(t.TempDir(), "huge.mp4")
		if err := os.WriteFile(huge, append(data, make([]byte, 300<<10)...), 0o600); err != nil {
			t.Fatal(err)
		}
		p = big.Upload(huge, map[string][]string{"name": {"Too big"}, "channelId": {strconv.FormatInt(big.Channel(), 10)}}).
			Problem(http.StatusRequestEntityTooLarge)
		if p.Code != "max_file_size_reached" {
			t.Fatalf("legacy too large: code %q", p.Code)
		}
		// The pending upload has no bytes yet; refused ones left nothing.
		if files := s.UploadFiles(t); len(files) != 0 {
			t.Fatalf("uploads directory = %v, want it empty", files)
		}
	})
}

func TestResumableUpload(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		user := s.NewUser(t, 2, -1)
		data := readFile(t, servertest.Clip(t))
		total := int64(len(data))

		res := user.InitUpload(total, map[string]any{"name": "Resumed clip", "channelId": user.Channel(), "filename": "clip.mp4", "privacy": 1})
		res.Expect(http.StatusCreated)
		loc := res.Header.Get("Location")
		if loc == "" || !bytes.Contains([]byte(loc), []byte("upload_id=")) || loc[:len(s.URL)] != s.URL {
			t.Fatalf("Location = %q", loc)
		}
		if n := user.UploadStatus(loc, total).Expect(http.StatusPermanentRedirect).StoredRange(); n != 0 {
			t.Fatalf("fresh upload stores %d bytes", n)
		}

		// First chunk arrives whole.
		first := total / 3
		if n := user.PutChunk(loc, 0, data[:first], total).Expect(http.StatusPermanentRedirect).StoredRange(); n != first {
			t.Fatalf("after the first chunk: Range covers %d bytes, want %d", n, first)
		}
		// The connection drops in the middle of the second chunk.
		second := data[first : 2*first]
		user.SendCut(loc, first, second, total, len(second)/2)
		stored := user.UploadStatus(loc, total).Expect(http.StatusPermanentRedirect).StoredRange()
		if stored <= first || stored > 2*first {
			t.Fatalf("after a cut chunk: %d bytes stored, want between %d and %d", stored, first, 2*first)
		}
		// A confused client resends from the start: refused, nothing damaged.
		res = user.PutChunk(loc, 0, data[:first], total)
		res.Problem(http.StatusConflict)
		if n := res.StoredRange(); n != stored {
			t.Fatalf("409 answer says %d bytes stored, want %d", n, stored)
		}
		if n := user.UploadStatus(loc, total).StoredRange(); n != stored {
			t.Fatalf("a refused chunk changed the stored bytes: %d, want %d", n, stored)
		}
		// Hostile headers.
		user.Raw("PUT", loc, bytes.NewReader(data[stored:stored+10]), http.Header{"Content-Range": {"bytes 10-5/" + strconv.FormatInt(total, 10)}}).Problem(http.StatusBadRequest)
		user.Raw("PUT", loc, bytes.NewReader(data[stored:stored+10]), http.Header{"Content-Range": {"pages 1-2/3"}}).Problem(http.StatusBadRequest)
		user.PutChunk(loc, stored, data[stored:stored+10], total+1).Problem(http.StatusBadRequest)
		s.NewUser(t, 2, -1).UploadStatus(loc, total).Problem(http.StatusNotFound)
		s.Anonymous(t).UploadStatus(loc, total).Problem(http.StatusUnauthorized)

		// Resume from what the server has, finish.
		var up servertest.UploadedVideo
		user.PutChunk(loc, stored, data[stored:], total).Expect(http.StatusOK).JSON(&up)
		if got := sha(readFile(t, s.OriginalFile(up.Video.UUID, ".mp4"))); got != sha(data) {
			t.Fatal("the resumed upload is not byte for byte the source")
		}
		var v videoDetails
		user.Do("GET", "/api/v1/videos/"+up.Video.UUID, nil).Expect(http.StatusOK).JSON(&v)
		if v.Name != "Resumed clip" || v.State.ID != 2 {
			t.Fatalf("video = %+v", v)
		}
		// The finished upload is gone; asking about it again is a 404.
		user.UploadStatus(loc, total).Problem(http.StatusNotFound)
		if files := s.UploadFiles(t); len(files) != 0 {
			t.Fatalf("uploads directory keeps %v", files)
		}
	})
}

func TestResumableRandomChunks(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	user := s.NewUser(t, 2, -1)
	data := readFile(t, servertest.Clip(t))
	total := int64(len(data))
	loc := user.InitUpload(total, map[string]any{"name": "Chunky", "channelId": user.Channel(), "filename": "clip.mp4"}).
		Expect(http.StatusCreated).Header.Get("Location")
	rng := rand.New(rand.NewPCG(1, 2))
	var up servertest.UploadedVideo
	for off := int64(0); off < total; {
		n := min(int64(1+rng.IntN(int(total/5))), total-off)
		res := user.PutChunk(loc, off, data[off:off+n], total)
		off += n
		if off < total {
			if got := res.Expect(http.StatusPermanentRedirect).StoredRange(); got != off {
				t.Fatalf("Range covers %d bytes, want %d", got, off)
			}
			continue
		}
		res.Expect(http.StatusOK).JSON(&up)
	}
	if got := sha(readFile(t, s.OriginalFile(up.Video.UUID, ".mp4"))); got != sha(data) {
		t.Fatal("a file sent in random chunks is not stored byte for byte")
	}
}

func TestResumableCancelAndNonVideo(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		user := s.NewUser(t, 2, -1)
		data := readFile(t, servertest.Clip(t))
		total := int64(len(data))
		meta := map[string]any{"name": "Cancelled", "channelId": user.Channel(), "filename": "clip.mp4"}

		loc := user.InitUpload(total, meta).Expect(http.StatusCreated).Header.Get("Location")
		user.PutChunk(loc, 0, data[:1000], total).Expect(http.StatusPermanentRedirect)
		if len(s.UploadFiles(t)) != 1 {
			t.Fatal("no partial file while an upload is in progress")
		}
		s.NewUser(t, 2, -1).Raw("DELETE", loc, nil, nil).Problem(http.StatusNotFound)
		user.Raw("DELETE", loc, nil, nil).Expect(http.StatusNoContent)
		user.PutChunk(loc, 1000, data[1000:2000], total).Problem(http.StatusNotFound)
		if files := s.UploadFiles(t); len(files) != 0 {
			t.Fatalf("cancel left %v", files)
		}

		// Text renamed .mp4, sent resumably: refused at the last byte, gone.
		text := bytes.Repeat([]byte("plain words, no video here\n"), 100)
		loc = user.InitUpload(int64(len(text)), map[string]any{"name": "Words", "channelId": user.Channel(), "filename": "words.mp4"}).
			Expect(http.StatusCreated).Header.Get("Location")
		user.PutChunk(loc, 0, text, int64(len(text))).Problem(http.StatusUnprocessableEntity)
		user.UploadStatus(loc, int64(len(text))).Problem(http.StatusNotFound)
		if files := s.UploadFiles(t); len(files) != 0 {
			t.Fatalf("a refused file left %v", files)
		}
		// A declared type that is not video is refused before any byte.
		user.Raw("POST", "/api/v1/videos/upload-resumable", stringsReader(`{"name":"Doc","channelId":1,"filename":"a.pdf"}`), http.Header{
			"Content-Type": {"application/json"}, "X-Upload-Content-Length": {"100"}, "X-Upload-Content-Type": {"application/pdf"},
		}).Problem(http.StatusUnsupportedMediaType)
		user.Raw("POST", "/api/v1/videos/upload-resumable", stringsReader(`{"name":"Doc",`), http.Header{
			"Content-Type": {"application/json"}, "X-Upload-Content-Length": {"100"},
		}).Problem(http.StatusBadRequest)

		nothingStored(t, s, user)
	})
}

func TestAbandonedUploadsExpire(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	user := s.NewUser(t, 2, -1)
	data := readFile(t, servertest.Clip(t))
	total := int64(len(data))
	meta := map[string]any{"name": "Abandoned", "channelId": user.Channel(), "filename": "clip.mp4"}
	old := user.InitUpload(total, meta).Expect(http.StatusCreated).Header.Get("Location")
	user.PutChunk(old, 0, data[:500], total).Expect(http.StatusPermanentRedirect)

	// Twelve hours later another upload starts; a day after the first
	// one's last chunk, with the server restarted in between, only the
	// active one is left.
	s.Clock.Advance(12 * time.Hour)
	active := user.InitUpload(total, meta).Expect(http.StatusCreated).Header.Get("Location")
	user.PutChunk(active, 0, data[:500], total).Expect(http.StatusPermanentRedirect)
	s.Clock.Advance(13 * time.Hour)
	s.Restart(t)
	user = s.Client(t, user.Username, user.Password)
	rebase := func(loc string) string { return s.URL + loc[strings.Index(loc, "/api/"):] }
	user.UploadStatus(rebase(old), total).Problem(http.StatusNotFound)
	if n := user.UploadStatus(rebase(active), total).Expect(http.StatusPermanentRedirect).StoredRange(); n != 500 {
		t.Fatalf("the active upload stores %d bytes, want 500", n)
	}
	if files := s.UploadFiles(t); len(files) != 1 {
		t.Fatalf("uploads directory = %v, want only the active upload", files)
	}
	// It can still be finished.
	user.PutChunk(rebase(active), 500, data[500:], total).Expect(http.StatusOK)
}

func TestLegacyUploadRefusesFieldFlood(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	user := s.NewUser(t, 2, -1)
	big := strings.Repeat("x", 60<<10)
	fields := map[string][]string{"name": {"Flood"}, "channelId": {strconv.FormatInt(user.Channel(), 10)}}
	for i := range 10 {
		fields["junk"+strconv.Itoa(i)] = []string{big}
	}
	user.Upload(servertest.Clip(t), fields).Problem(http.StatusRequestEntityTooLarge)
	if files := s.UploadFiles(t); len(files) != 0 {
		t.Fatalf("a refused form left %v", files)
	}
}

// A legacy upload form is bounded besides its file: in part headers
// (field names included) and in the number of parts. Floods are refused
// while they are being sent, and the server carries on.
func TestLegacyUploadRefusesPartFlood(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite)
	user := s.NewUser(t, 2, -1)
	ch := strconv.FormatInt(user.Channel(), 10)
	send := func(what string, parts int, name func(i int) string) {
		t.Helper()
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			for _, f := range [][2]string{{"name", "Flood"}, {"channelId", ch}} {
				if err := mw.WriteField(f[0], f[1]); err != nil {
					return
				}
			}
			for i := range parts {
				if err := mw.WriteField(name(i), ""); err != nil {
					return // the server hung up
				}
			}
			pw.CloseWithError(mw.Close())
		}()
		res := user.Raw("POST", "/api/v1/videos/upload", pr, http.Header{"Content-Type": {mw.FormDataContentType()}})
		pr.CloseWithError(io.ErrClosedPipe)
		if p := res.Problem(http.StatusRequestEntityTooLarge); p.Detail == "" {
			t.Errorf("%s: no detail in %+v", what, p)
		}
	}
	// 40 empty fields with 4 MB names: 160 MB of names.
	send("huge names", 40, func(i int) string { return strings.Repeat("n", 4<<20) + strconv.Itoa(i) })
	// Many small fields, known or not.
	send("many parts", 100000, func(i int) string { return "f" + strconv.Itoa(i) })
	send("many tags", 100000, func(int) string { return "tags[]" })

	s.Anonymous(t).Do("GET", "/healthz", nil).Expect(http.StatusOK)
	var up servertest.UploadedVideo
	user.Upload(servertest.Clip(t), map[string][]string{
		"name": {"After the flood"}, "channelId": {ch}, "tags[]": {"one", "two"}, "unknownField": {"ignored"},
	}).Expect(http.StatusOK).JSON(&up)
	if up.Video.UUID == "" {
		t.Fatal("no video after a normal upload")
	}
	if files := s.UploadFiles(t); len(files) != 0 {
		t.Fatalf("refused forms left %v", files)
	}
}

// nothingStored checks that refused or cancelled uploads left user no
// video and the server no upload file.
func nothingStored(t *testing.T, s *servertest.Server, user *servertest.Client) {
	t.Helper()
	var mine struct{ Total int }
	user.Do("GET", "/api/v1/users/me/videos", nil).Expect(http.StatusOK).JSON(&mine)
	if mine.Total != 0 {
		t.Fatalf("refused uploads created %d videos", mine.Total)
	}
	if files := s.UploadFiles(t); len(files) != 0 {
		t.Fatalf("refused uploads left %v behind", files)
	}
}
