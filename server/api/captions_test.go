package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"cuttle.video/server/servertest"
)

type captionList struct {
	Total int `json:"total"`
	Data  []struct {
		Language struct {
			ID    string `json:"id"`
			Label string `json:"label"`
		} `json:"language"`
		CaptionPath string `json:"captionPath"`
		FileURL     string `json:"fileUrl"`
	} `json:"data"`
}

const (
	srtEnglish = "1\r\n00:00:00,500 --> 00:00:01,500\r\nHello\r\n\r\n2\r\n00:00:01,500 --> 00:00:02,000\r\n<i>world</i>\r\n"
	vttEnglish = "WEBVTT\n\n00:00.000 --> 00:01.000\nReplaced\n"
	vttFrench  = "WEBVTT\n\n00:00.000 --> 00:02.000\nBonjour\n"
)

func listCaptions(t *testing.T, c *servertest.Client, id string) captionList {
	t.Helper()
	var l captionList
	c.Do("GET", "/api/v1/videos/"+id+"/captions", nil).Expect(http.StatusOK).JSON(&l)
	return l
}

func TestCaptions(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b, servertest.FastTranscoding)
		owner := s.NewUser(t, 2, -1)
		other := s.NewUser(t, 2, -1)
		anon := s.Anonymous(t)
		id := owner.PublishVideo(servertest.Clip(t), "Captioned", 1).Video.UUID

		// An SRT file becomes WebVTT, listed and served under PeerTube's path.
		putCaption(owner, id, "en", "subs.srt", srtEnglish).Expect(http.StatusNoContent)
		l := listCaptions(t, anon, id)
		if l.Total != 1 || l.Data[0].Language.ID != "en" || l.Data[0].Language.Label != "English" ||
			l.Data[0].CaptionPath != "/lazy-static/video-captions/"+id+"-en.vtt" || l.Data[0].FileURL != s.URL+l.Data[0].CaptionPath {
			t.Fatalf("captions = %+v", l)
		}
		res := anon.Do("GET", l.Data[0].CaptionPath, nil).Expect(http.StatusOK)
		want := "WEBVTT\n\n1\n00:00:00.500 --> 00:00:01.500\nHello\n\n2\n00:00:01.500 --> 00:00:02.000\n<i>world</i>\n"
		if string(res.Body) != want || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/vtt") {
			t.Fatalf("served caption (%s):\n%q\nwant\n%q", res.Header.Get("Content-Type"), res.Body, want)
		}

		// Replacing keeps one caption per language.
		putCaption(owner, id, "en", "subs.vtt", vttEnglish).Expect(http.StatusNoContent)
		if got := anon.Do("GET", l.Data[0].CaptionPath, nil).Expect(http.StatusOK).Body; string(got) != vttEnglish {
			t.Fatalf("replaced caption:\n%s", got)
		}
		if l := listCaptions(t, anon, id); l.Total != 1 {
			t.Fatalf("after a replacement: %+v", l)
		}

		// Malformed files answer a clear 400 and change nothing.
		for name, file := range map[string]string{
			"broken.srt": "1\n00:00:01,000 -> 00:00:02,000\nHello\n",
			"broken.vtt": "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nHello\n",
			"notes.txt":  "just some notes\n",
		} {
			p := putCaption(owner, id, "en", name, file).Problem(http.StatusBadRequest)
			if !strings.Contains(p.Detail, "line") || p.InvalidParams["captionfile"] == "" {
				t.Errorf("%s: unclear refusal %+v", name, p)
			}
			if p := putCaption(owner, id, "de", name, file).Problem(http.StatusBadRequest); p.Detail == "" {
				t.Errorf("%s: no detail", name)
			}
		}
		if got := anon.Do("GET", l.Data[0].CaptionPath, nil).Expect(http.StatusOK).Body; string(got) != vttEnglish {
			t.Fatalf("a refused upload changed the caption:\n%s", got)
		}
		if l := listCaptions(t, anon, id); l.Total != 1 {
			t.Fatalf("a refused upload added a caption: %+v", l)
		}
		anon.Do("GET", "/lazy-static/video-captions/"+id+"-de.vtt", nil).Problem(http.StatusNotFound)

		// Languages are checked; only the owner changes captions.
		putCaption(owner, id, "not a language", "x.vtt", vttFrench).Problem(http.StatusBadRequest)
		putCaption(anon, id, "fr", "x.vtt", vttFrench).Problem(http.StatusUnauthorized)
		putCaption(other, id, "fr", "x.vtt", vttFrench).Problem(http.StatusForbidden)
		other.Do("DELETE", "/api/v1/videos/"+id+"/captions/en", nil).Problem(http.StatusForbidden)
		owner.Raw("PUT", "/api/v1/videos/"+id+"/captions/fr", strings.NewReader(vttFrench),
			http.Header{"Content-Type": {"text/vtt"}}).Problem(http.StatusUnsupportedMediaType)

		// Tags are kept lowercase, as PeerTube's language ids are.
		putCaption(owner, id, "pt-BR", "pt.vtt", vttFrench).Expect(http.StatusNoContent)
		l = listCaptions(t, anon, id)
		if l.Total != 2 || l.Data[0].Language.ID != "en" || l.Data[1].Language.ID != "pt-br" || l.Data[1].Language.Label != "Portuguese (Brazil)" {
			t.Fatalf("two captions = %+v", l)
		}

		// Deleting removes the file; deleting again is a 404.
		owner.Do("DELETE", "/api/v1/videos/"+id+"/captions/en", nil).Expect(http.StatusNoContent)
		owner.Do("DELETE", "/api/v1/videos/"+id+"/captions/en", nil).Problem(http.StatusNotFound)
		anon.Do("GET", "/lazy-static/video-captions/"+id+"-en.vtt", nil).Problem(http.StatusNotFound)
		if l := listCaptions(t, anon, id); l.Total != 1 || l.Data[0].Language.ID != "pt-br" {
			t.Fatalf("after the deletion: %+v", l)
		}

		// Captions of a private video are the owner's to see.
		priv := owner.UploadVideo(servertest.Clip(t), "Private captioned", 3).Video.UUID
		putCaption(owner, priv, "en", "en.srt", srtEnglish).Expect(http.StatusNoContent)
		anon.Do("GET", "/api/v1/videos/"+priv+"/captions", nil).Problem(http.StatusNotFound)
		anon.Do("GET", "/lazy-static/video-captions/"+priv+"-en.vtt", nil).Expect(http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound)
		l = listCaptions(t, owner, priv)
		if l.Total != 1 {
			t.Fatalf("private captions = %+v", l)
		}
		owner.Do("GET", "/lazy-static/video-captions/"+priv+"-en.vtt", nil).Expect(http.StatusOK)
		// The paths handed to the owner carry a file token that opens them.
		anon.Do("GET", l.Data[0].CaptionPath, nil).Expect(http.StatusOK)
		anon.Raw("GET", l.Data[0].FileURL, nil, nil).Expect(http.StatusOK)
	})
}

// Captions are subtitle renditions of the master playlist: those added
// before the transcoding finished, and those added or removed after.
func TestCaptionsInMasterPlaylist(t *testing.T) {
	servertest.EachBackend(t, func(t *testing.T, b servertest.Backend) {
		s := servertest.Start(t, b)
		owner := s.NewUser(t, 2, -1)
		anon := s.Anonymous(t)
		id := owner.UploadVideo(servertest.Clip(t), "Subtitled", 1).Video.UUID
		putCaption(owner, id, "en", "en.srt", srtEnglish).Expect(http.StatusNoContent)
		v := servertest.WaitVideo[playableVideo](t, owner, id, 2*time.Minute, 1)
		master := func() string {
			t.Helper()
			return string(anon.Raw("GET", v.StreamingPlaylists[0].PlaylistURL, nil, nil).Expect(http.StatusOK).Body)
		}
		base := v.StreamingPlaylists[0].PlaylistURL[:strings.LastIndex(v.StreamingPlaylists[0].PlaylistURL, "/")+1]
		m := master()
		if !strings.Contains(m, `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",DEFAULT=NO,AUTOSELECT=YES,LANGUAGE="en",URI="caption-en.m3u8"`) ||
			!strings.Contains(m, `SUBTITLES="subs"`) {
			t.Fatalf("master playlist without the caption:\n%s", m)
		}
		sub := string(anon.Raw("GET", base+"caption-en.m3u8", nil, nil).Expect(http.StatusOK).Body)
		if !strings.Contains(sub, "#EXTINF:") || !strings.Contains(sub, "\ncaption-en.vtt\n") || !strings.Contains(sub, "#EXT-X-ENDLIST") {
			t.Fatalf("subtitle playlist:\n%s", sub)
		}
		if vtt := anon.Raw("GET", base+"caption-en.vtt", nil, nil).Expect(http.StatusOK).Body; !strings.HasPrefix(string(vtt), "WEBVTT") {
			t.Fatalf("subtitle file:\n%s", vtt)
		}

		putCaption(owner, id, "fr", "fr.vtt", vttFrench).Expect(http.StatusNoContent)
		if m := master(); !strings.Contains(m, `LANGUAGE="fr",URI="caption-fr.m3u8"`) || !strings.Contains(m, `LANGUAGE="en"`) {
			t.Fatalf("master playlist after adding French:\n%s", m)
		}
		anon.Raw("GET", base+"caption-fr.m3u8", nil, nil).Expect(http.StatusOK)

		owner.Do("DELETE", "/api/v1/videos/"+id+"/captions/en", nil).Expect(http.StatusNoContent)
		owner.Do("DELETE", "/api/v1/videos/"+id+"/captions/fr", nil).Expect(http.StatusNoContent)
		if m := master(); strings.Contains(m, "SUBTITLES") || !strings.Contains(m, "#EXT-X-STREAM-INF") {
			t.Fatalf("master playlist after removing the captions:\n%s", m)
		}
		anon.Raw("GET", base+"caption-en.m3u8", nil, nil).Problem(http.StatusNotFound)

		// A private video's subtitle renditions are protected as its other
		// files are: the playlists handed to its owner open them, nothing
		// else does.
		priv := owner.UploadVideo(servertest.Clip(t), "Private subtitled", 3).Video.UUID
		putCaption(owner, priv, "en", "en.srt", srtEnglish).Expect(http.StatusNoContent)
		pv := servertest.WaitVideo[playableVideo](t, owner, priv, 2*time.Minute, 1)
		pm := string(owner.Raw("GET", pv.StreamingPlaylists[0].PlaylistURL, nil, nil).Expect(http.StatusOK).Body)
		m2 := regexp.MustCompile(`URI="(caption-en\.m3u8\?[^"]+)"`).FindStringSubmatch(pm)
		if m2 == nil {
			t.Fatalf("private master playlist:\n%s", pm)
		}
		pbase := pv.StreamingPlaylists[0].PlaylistURL[:strings.LastIndex(pv.StreamingPlaylists[0].PlaylistURL, "/")+1]
		sub = string(anon.Raw("GET", pbase+m2[1], nil, nil).Expect(http.StatusOK).Body)
		var vttURI string
		for _, line := range strings.Split(sub, "\n") {
			if strings.HasPrefix(line, "caption-en.vtt") || strings.HasPrefix(line, "http") {
				vttURI = line
			}
		}
		if vttURI == "" {
			t.Fatalf("private subtitle playlist:\n%s", sub)
		}
		if !strings.HasPrefix(vttURI, "http") {
			vttURI = pbase + vttURI
		}
		if vtt := anon.Raw("GET", vttURI, nil, nil).Expect(http.StatusOK).Body; !strings.HasPrefix(string(vtt), "WEBVTT") {
			t.Fatalf("private subtitle file: %q", vtt)
		}
		anon.Raw("GET", pbase+"caption-en.vtt", nil, nil).Expect(http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound)
	})
}
