package e2e

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"cuttle.video/server/config"
	"cuttle.video/server/p2p"
	"cuttle.video/server/servertest"
)

// openAPISchema is a schema of PeerTube's OpenAPI description, as much of
// it as checking JSON types needs.
type openAPISchema struct {
	Ref        string                   `yaml:"$ref"`
	Type       string                   `yaml:"type"`
	Properties map[string]openAPISchema `yaml:"properties"`
}

// peertubeSchemas reads the excerpt of PeerTube's OpenAPI description in
// testdata.
func peertubeSchemas(t *testing.T) map[string]openAPISchema {
	t.Helper()
	b, err := os.ReadFile("testdata/peertube-openapi-videofile.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]openAPISchema `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas
}

// checkSchema fails the test where the JSON value v (decoded with
// UseNumber) does not have the types the schema named says, integers
// being numbers without a fraction or exponent.
func checkSchema(t *testing.T, schemas map[string]openAPISchema, name, where string, v any) {
	t.Helper()
	s, ok := schemas[name]
	if !ok {
		t.Fatalf("no schema %s", name)
	}
	checkValue(t, schemas, s, where, v)
}

func checkValue(t *testing.T, schemas map[string]openAPISchema, s openAPISchema, where string, v any) {
	t.Helper()
	if s.Ref != "" {
		checkSchema(t, schemas, strings.TrimPrefix(s.Ref, "#/components/schemas/"), where, v)
		return
	}
	switch s.Type {
	case "integer":
		if n, ok := v.(json.Number); !ok || strings.ContainsAny(n.String(), ".eE") {
			t.Errorf("%s = %v, want an integer", where, v)
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			t.Errorf("%s = %v, want a number", where, v)
		}
	case "string":
		if _, ok := v.(string); !ok {
			t.Errorf("%s = %v, want a string", where, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			t.Errorf("%s = %v, want a boolean", where, v)
		}
	}
	if s.Properties == nil {
		return
	}
	obj, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s = %v, want an object", where, v)
		return
	}
	for k, val := range obj {
		if p, ok := s.Properties[k]; ok {
			checkValue(t, schemas, p, where+"."+k, val)
		}
	}
}

// decodeNumbers decodes JSON keeping numbers as they were written.
func decodeNumbers(t *testing.T, b []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// videoFileFields are the fields of PeerTube's VideoFile every listed
// original carries.
var videoFileFields = []string{"id", "resolution", "size", "fps", "width", "height", "hasAudio", "hasVideo",
	"fileUrl", "fileDownloadUrl", "torrentUrl", "torrentDownloadUrl", "magnetUri", "metadataUrl"}

// checkVideoFile checks a file of a video's JSON against PeerTube's
// VideoFile: the fields want, their types, an integer fps.
func checkVideoFile(t *testing.T, where string, f any, want ...string) map[string]any {
	t.Helper()
	obj, ok := f.(map[string]any)
	if !ok {
		t.Fatalf("%s = %v, want an object", where, f)
	}
	for _, k := range want {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s has no %s: %v", where, k, obj)
		}
	}
	checkSchema(t, peertubeSchemas(t), "VideoFile", where, obj)
	checkValue(t, nil, openAPISchema{Type: "integer"}, where+".fps", obj["fps"])
	return obj
}

// torrentInfo is a torrent decoded by testdata/peertube-cli/torrent-info.mjs.
type torrentInfo struct {
	InfoHash    string   `json:"infoHash"`
	Name        string   `json:"name"`
	Length      int64    `json:"length"`
	PieceLength int64    `json:"pieceLength"`
	Pieces      []string `json:"pieces"`
	URLList     []string `json:"urlList"`
	Announce    []string `json:"announce"`
}

// decodeTorrent decodes a torrent with a bencode decoder other than the
// server's.
func decodeTorrent(t *testing.T, metainfo []byte) torrentInfo {
	t.Helper()
	peertubeCLI(t) // the decoder is installed with the CLI
	path := filepath.Join(t.TempDir(), "file.torrent")
	if err := os.WriteFile(path, metainfo, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("node", "testdata/peertube-cli/torrent-info.mjs", path).CombinedOutput()
	if err != nil {
		t.Fatalf("decode the torrent: %v\n%s", err, out)
	}
	var info torrentInfo
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("torrent-info: %v: %s", err, out)
	}
	return info
}

// fetch GETs u with the given headers and returns the answer and its
// body.
func fetch(t *testing.T, u string, h http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// checkFileTorrent checks the torrent of the video file f (its JSON)
// whose bytes are file, decoded independently: the file's name, length
// and web seed, and pieces that are the SHA-1 of the file's; then its
// magnet link, which shows dn; announce is the tracker both name, if any.
func checkFileTorrent(t *testing.T, f map[string]any, file []byte, name, dn, announce string) {
	t.Helper()
	fileURL := f["fileUrl"].(string)
	res, metainfo := fetch(t, f["torrentUrl"].(string), nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/x-bittorrent" {
		t.Fatalf("GET torrent: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	info := decodeTorrent(t, metainfo)
	if info.Name != name || info.Length != int64(len(file)) ||
		len(info.URLList) != 1 || info.URLList[0] != fileURL || strings.Join(info.Announce, " ") != announce {
		t.Fatalf("torrent = %+v", info)
	}
	if want := (info.Length + info.PieceLength - 1) / info.PieceLength; int64(len(info.Pieces)) != want {
		t.Fatalf("%d pieces, want %d", len(info.Pieces), want)
	}
	for i, h := range info.Pieces {
		piece := file[int64(i)*info.PieceLength : min(int64(i+1)*info.PieceLength, info.Length)]
		if sum := sha1.Sum(piece); hex.EncodeToString(sum[:]) != h {
			t.Fatalf("piece %d: sha1 %x, the torrent says %s", i, sum, h)
		}
	}
	magnet, err := url.Parse(f["magnetUri"].(string))
	if err != nil || magnet.Scheme != "magnet" {
		t.Fatalf("magnetUri %q: %v", f["magnetUri"], err)
	}
	q := magnet.Query()
	if q.Get("xt") != "urn:btih:"+info.InfoHash || q.Get("ws") != fileURL || q.Get("dn") != dn || q.Get("tr") != announce ||
		q.Get("xs") != f["torrentUrl"] {
		t.Fatalf("magnetUri %s, info hash %s", magnet, info.InfoHash)
	}
}

// Every HLS rendition of a published video is a PeerTube video file:
// every field with PeerTube's types, its playlist named after its file
// as PeerTube names them, its fragmented MP4 served with ranges as
// video/mp4, the same bytes as its download, and a torrent whose pieces
// are the file's.
// On S3 the files and downloads are redirects to the bucket, which must
// keep ranges and the attachment's name.
func TestRenditionsAreVideoFiles(t *testing.T) {
	t.Run("local", func(t *testing.T) {
		renditionsAreVideoFiles(t, servertest.Start(t, servertest.SQLite, servertest.FastTranscoding))
	})
	t.Run("s3-replicas", func(t *testing.T) {
		a, _ := twoReplicas(t)
		renditionsAreVideoFiles(t, a)
	})
}

func renditionsAreVideoFiles(t *testing.T, s *servertest.Server) {
	user := s.NewUser(t, 2, -1)
	up := uploadClip(t, user, clip(t, 3), "Renditions as files")
	v := decodeNumbers(t, servertest.WaitState(t, user, up.Video.UUID, 3*time.Minute, 1))
	if files, _ := v["files"].([]any); len(files) != 0 {
		t.Fatalf("files = %v, want none once published", files)
	}
	sps, _ := v["streamingPlaylists"].([]any)
	if len(sps) != 1 {
		t.Fatalf("streamingPlaylists = %v", sps)
	}
	files, _ := sps[0].(map[string]any)["files"].([]any)
	if len(files) == 0 {
		t.Fatal("no rendition files")
	}
	for i, raw := range files {
		where := fmt.Sprintf("streamingPlaylists[0].files[%d]", i)
		f := checkVideoFile(t, where, raw, append(videoFileFields, "playlistUrl")...)
		fileURL := f["fileUrl"].(string)
		height := f["resolution"].(map[string]any)["id"].(json.Number).String()
		if derived := strings.TrimSuffix(fileURL, "-fragmented.mp4") + ".m3u8"; derived != f["playlistUrl"] {
			t.Fatalf("%s: playlist %s, PeerTube's naming gives %s", where, f["playlistUrl"], derived)
		}
		if res, pl := fetch(t, f["playlistUrl"].(string), nil); res.StatusCode != http.StatusOK ||
			!bytes.Contains(pl, []byte("#EXT-X-BYTERANGE:")) {
			t.Fatalf("%s: playlist: %d %s", where, res.StatusCode, pl)
		}
		res, file := fetch(t, fileURL, nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "video/mp4" || f["size"].(json.Number).String() != fmt.Sprint(len(file)) {
			t.Fatalf("%s: GET %s: %d %s, %d bytes", where, fileURL, res.StatusCode, res.Header.Get("Content-Type"), len(file))
		}
		res, part := fetch(t, fileURL, http.Header{"Range": {"bytes=100-199"}})
		if res.StatusCode != http.StatusPartialContent || res.Header.Get("Content-Type") != "video/mp4" || !bytes.Equal(part, file[100:200]) {
			t.Fatalf("%s: ranged GET: %d %q", where, res.StatusCode, res.Header.Get("Content-Range"))
		}
		res, download := fetch(t, f["fileDownloadUrl"].(string), nil)
		_, params, _ := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
		if res.StatusCode != http.StatusOK || params["filename"] != "Renditions as files "+height+"p.mp4" || !bytes.Equal(download, file) {
			t.Fatalf("%s: download: %d %q, %d bytes", where, res.StatusCode, res.Header.Get("Content-Disposition"), len(download))
		}
		name := "Renditions as files " + height + "p.mp4"
		checkFileTorrent(t, f, file, name, name, p2p.TrackerURL(s.URL, up.Video.UUID, ""))
		if res, _ := fetch(t, f["torrentDownloadUrl"].(string), nil); res.StatusCode != http.StatusOK ||
			!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("%s: torrent download: %d", where, res.StatusCode)
		}
	}
	user.Do("PUT", "/api/v1/videos/"+up.Video.UUID, map[string]any{"downloadEnabled": false}).Expect(http.StatusNoContent)
	f := files[0].(map[string]any)
	for _, k := range []string{"fileDownloadUrl", "torrentDownloadUrl"} {
		if res, _ := fetch(t, f[k].(string), nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("GET %s with downloads disabled: %d", k, res.StatusCode)
		}
	}
}

// untranscoded starts a server whose videos are never transcoded (its
// queue has no worker), so they stay where an upload leaves them.
func untranscoded(t *testing.T) *servertest.Server {
	t.Helper()
	return untranscodedOn(t, servertest.SQLite)
}

// untranscodedOn is untranscoded on a backend, with tweaks.
func untranscodedOn(t *testing.T, b servertest.Backend, tweaks ...func(*config.Config)) *servertest.Server {
	t.Helper()
	port := freePort(t)
	startRedis(t, port)
	return servertest.Start(t, b, append(tweaks, func(c *config.Config) {
		c.RedisURL = redisURLFor(port)
		c.Transcoding.Workers = 0
	})...)
}

// Right after an upload, the original is the video's web video file:
// every field of PeerTube's VideoFile with PeerTube's types, served with
// ranges and its real type, with a torrent whose pieces are the file's.
// On S3 the file, the torrent and the downloads are redirects to the
// bucket, which must keep the ranges, types and attachment names.
func TestOriginalIsWebVideoFile(t *testing.T) {
	t.Run("local", func(t *testing.T) { originalIsWebVideoFile(t, untranscoded(t)) })
	t.Run("s3", func(t *testing.T) {
		servertest.NeedsPostgres(t)
		s3tweak, _ := servertest.S3(t)
		originalIsWebVideoFile(t, untranscodedOn(t, servertest.Postgres, s3tweak))
	})
}

func originalIsWebVideoFile(t *testing.T, s *servertest.Server) {
	user := s.NewUser(t, 2, -1)
	src := clip(t, 3)
	original, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	up := uploadClip(t, user, src, "Not transcoded: web video")
	body := user.Do("GET", "/api/v1/videos/"+up.Video.UUID, nil).Expect(http.StatusOK).Body
	files, _ := decodeNumbers(t, body)["files"].([]any)
	if len(files) != 1 {
		t.Fatalf("files = %v, want the original", files)
	}
	f := checkVideoFile(t, "files[0]", files[0], videoFileFields...)
	if f["size"].(json.Number).String() != fmt.Sprint(len(original)) || f["fps"].(json.Number).String() != "30" ||
		f["height"].(json.Number).String() != "720" || f["hasAudio"] != true || f["hasVideo"] != true {
		t.Fatalf("files[0] = %v", f)
	}

	// The file: its bytes, with ranges, as video/mp4.
	fileURL := f["fileUrl"].(string)
	res, got := fetch(t, fileURL, nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "video/mp4" || !bytes.Equal(got, original) {
		t.Fatalf("GET %s: %d %s, %d bytes", fileURL, res.StatusCode, res.Header.Get("Content-Type"), len(got))
	}
	res, got = fetch(t, fileURL, http.Header{"Range": {"bytes=100-199"}})
	if res.StatusCode != http.StatusPartialContent || res.Header.Get("Content-Type") != "video/mp4" || !bytes.Equal(got, original[100:200]) {
		t.Fatalf("ranged GET %s: %d %s %q", fileURL, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Range"))
	}

	checkFileTorrent(t, f, original, "Not transcoded- web video 720p.mp4", "Not transcoded: web video", "")

	// The downloads: attachments, refused once the owner disables them.
	for _, k := range []string{"fileDownloadUrl", "torrentDownloadUrl"} {
		res, _ := fetch(t, f[k].(string), nil)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("GET %s: %d %q", k, res.StatusCode, res.Header.Get("Content-Disposition"))
		}
	}
	user.Do("PUT", "/api/v1/videos/"+up.Video.UUID, map[string]any{"downloadEnabled": false}).Expect(http.StatusNoContent)
	for _, k := range []string{"fileDownloadUrl", "torrentDownloadUrl"} {
		if res, _ := fetch(t, f[k].(string), nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("GET %s with downloads disabled: %d", k, res.StatusCode)
		}
	}

	// The metadata: ffprobe's fields.
	var meta struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
			CodecName string `json:"codec_name"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
			Size     string `json:"size"`
		} `json:"format"`
	}
	metaPath := strings.TrimPrefix(f["metadataUrl"].(string), s.URL)
	user.Do("GET", metaPath, nil).Expect(http.StatusOK).JSON(&meta)
	if len(meta.Streams) != 2 || meta.Streams[0].CodecName != "h264" || meta.Streams[1].CodecName != "aac" ||
		meta.Format.Size != fmt.Sprint(len(original)) {
		t.Fatalf("metadata = %+v", meta)
	}
}

// The original of a private video needs its file token, on every route.
func TestPrivateWebVideoFileNeedsToken(t *testing.T) {
	s := untranscoded(t)
	user := s.NewUser(t, 2, -1)
	up := user.UploadVideo(clip(t, 2), "Private web video", 3)
	var v struct {
		Files []map[string]any `json:"files"`
	}
	user.Do("GET", "/api/v1/videos/"+up.Video.UUID, nil).Expect(http.StatusOK).JSON(&v)
	if len(v.Files) != 1 {
		t.Fatalf("files = %v", v.Files)
	}
	for _, k := range []string{"fileUrl", "fileDownloadUrl", "torrentUrl", "torrentDownloadUrl"} {
		withToken := v.Files[0][k].(string)
		if !strings.Contains(withToken, "/private/") && k == "fileUrl" {
			t.Errorf("%s %s is not on the private route", k, withToken)
		}
		if res, _ := fetch(t, withToken, nil); res.StatusCode != http.StatusOK {
			t.Errorf("GET %s with its token: %d", k, res.StatusCode)
		}
		bare, _, _ := strings.Cut(withToken, "?")
		if res, _ := fetch(t, bare, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s without a token: %d", k, res.StatusCode)
		}
	}
}

// A web video file's URLs follow their video over time: once a public
// video is made private its public URLs answer nothing, and once it is
// deleted even a file token issued for it opens nothing.
func TestWebVideoFileFollowsPrivacyChanges(t *testing.T) {
	s := untranscoded(t)
	user := s.NewUser(t, 2, -1)
	up := user.UploadVideo(clip(t, 2), "Changing web video", 1)
	id := up.Video.UUID
	urls := func() map[string]string {
		var v struct {
			Files []map[string]any `json:"files"`
		}
		user.Do("GET", "/api/v1/videos/"+id, nil).Expect(http.StatusOK).JSON(&v)
		if len(v.Files) != 1 {
			t.Fatalf("files = %v", v.Files)
		}
		out := map[string]string{}
		for _, k := range []string{"fileUrl", "torrentUrl"} {
			out[k] = v.Files[0][k].(string)
		}
		return out
	}
	public := urls()
	for k, u := range public {
		if res, _ := fetch(t, u, nil); res.StatusCode != http.StatusOK {
			t.Fatalf("public %s: %d", k, res.StatusCode)
		}
	}
	user.Do("PUT", "/api/v1/videos/"+id, map[string]any{"privacy": 3}).Expect(http.StatusNoContent)
	for k, u := range public {
		if res, _ := fetch(t, u, nil); res.StatusCode == http.StatusOK {
			t.Errorf("%s still answers on its public URL once the video is private", k)
		}
	}
	private := urls()
	for k, u := range private {
		if res, _ := fetch(t, u, nil); res.StatusCode != http.StatusOK {
			t.Fatalf("private %s with its token: %d", k, res.StatusCode)
		}
	}
	// The torrent's web seed follows: the file's private URL, token
	// included.
	if _, metainfo := fetch(t, private["torrentUrl"], nil); !slices.Equal(decodeTorrent(t, metainfo).URLList, []string{private["fileUrl"]}) {
		t.Errorf("the private video's torrent web seeds %v, want %s", decodeTorrent(t, metainfo).URLList, private["fileUrl"])
	}
	user.Do("DELETE", "/api/v1/videos/"+id, nil).Expect(http.StatusNoContent)
	for k, u := range private {
		if res, _ := fetch(t, u, nil); res.StatusCode == http.StatusOK {
			t.Errorf("%s still answers, with its token, once the video is deleted", k)
		}
	}
}
