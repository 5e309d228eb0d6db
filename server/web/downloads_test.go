package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cuttle.video/server/database"
	"cuttle.video/server/servertest"
)

var (
	downloadLinkRE = regexp.MustCompile(`<a href="([^"]+)" download>([0-9]+p|Audio only)</a>`)
	torrentLinkRE  = regexp.MustCompile(`<a href="([^"]+)" download>Torrent<span class="visually-hidden"> ([0-9]+p|Audio only)</span></a>`)
)

// downloadLinks reads the download dialog of a watch page: each
// rendition's label and link (its torrent's with torrents). nil when the
// page has no dialog.
func downloadLinks(t *testing.T, page string, torrents ...bool) map[string]string {
	t.Helper()
	start := strings.Index(page, `id="download-dialog"`)
	if start < 0 {
		return nil
	}
	dialog := page[start:]
	dialog = dialog[:strings.Index(dialog, "</div>")]
	links := map[string]string{}
	re := downloadLinkRE
	if len(torrents) > 0 && torrents[0] {
		re = torrentLinkRE
	}
	for _, m := range re.FindAllStringSubmatch(dialog, -1) {
		links[m[2]] = html.UnescapeString(m[1])
	}
	return links
}

// The watch page's download dialog lists each rendition with the link
// the API gives as its fileDownloadUrl, which sends the file; it is not
// there when the video's downloads are disabled, but for its owner.
func TestWatchPageDownloads(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	owner := s.NewUser(t, 2, -1)
	up := owner.PublishVideo(servertest.Clip(t), "Take it with you", database.PrivacyPublic)
	watch := "/w/" + up.Video.ShortUUID

	var api struct {
		StreamingPlaylists []struct {
			Files []struct {
				Resolution struct {
					Label string `json:"label"`
				} `json:"resolution"`
				Size               int64  `json:"size"`
				FileDownloadURL    string `json:"fileDownloadUrl"`
				TorrentDownloadURL string `json:"torrentDownloadUrl"`
			} `json:"files"`
		} `json:"streamingPlaylists"`
	}
	owner.Do("GET", "/api/v1/videos/"+up.Video.UUID, nil).Expect(http.StatusOK).JSON(&api)
	files := api.StreamingPlaylists[0].Files

	anon := newWebBrowser(t, s)
	page := anon.get(watch).expect(t, http.StatusOK).Body
	links, torrents := downloadLinks(t, page), downloadLinks(t, page, true)
	if len(links) != len(files) || len(torrents) != len(files) {
		t.Fatalf("the dialog lists %v and torrents %v, want the %d renditions", links, torrents, len(files))
	}
	for _, f := range files {
		link := links[f.Resolution.Label]
		if link != f.FileDownloadURL {
			t.Errorf("%s: the dialog links %q, the API %q", f.Resolution.Label, link, f.FileDownloadURL)
		}
		res := anon.get(strings.TrimPrefix(link, s.URL)).expect(t, http.StatusOK)
		if int64(len(res.Body)) != f.Size || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("%s: %d bytes, %q; want the %d bytes of the rendition as an attachment",
				f.Resolution.Label, len(res.Body), res.Header.Get("Content-Disposition"), f.Size)
		}
		if torrent := torrents[f.Resolution.Label]; torrent != f.TorrentDownloadURL {
			t.Errorf("%s: the dialog links the torrent %q, the API %q", f.Resolution.Label, torrent, f.TorrentDownloadURL)
		}
		res = anon.get(strings.TrimPrefix(torrents[f.Resolution.Label], s.URL)).expect(t, http.StatusOK)
		if res.Header.Get("Content-Type") != "application/x-bittorrent" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("%s: the torrent is %q, %q", f.Resolution.Label, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
		}
	}

	owner.Do("PUT", "/api/v1/videos/"+up.Video.UUID, map[string]any{"downloadEnabled": false}).Expect(http.StatusNoContent)
	if page := anon.get(watch).expect(t, http.StatusOK, "Take it with you").Body; strings.Contains(page, "download-dialog") {
		t.Error("the dialog is there when the video's downloads are disabled")
	}
	mine := newWebBrowser(t, s)
	mine.post("/login", url.Values{"username": {owner.Username}, "password": {owner.Password}})
	if links := downloadLinks(t, mine.get(watch).expect(t, http.StatusOK).Body); len(links) != len(files) {
		t.Errorf("its owner's dialog lists %v, want the %d renditions", links, len(files))
	}

	// The links of a private video carry a file token, which opens them
	// to anyone the owner hands them to.
	owner.Do("PUT", "/api/v1/videos/"+up.Video.UUID, map[string]any{"downloadEnabled": true, "privacy": database.PrivacyPrivate}).
		Expect(http.StatusNoContent)
	links = downloadLinks(t, mine.get(watch).expect(t, http.StatusOK).Body)
	if len(links) != len(files) {
		t.Fatalf("the private video's dialog lists %v, want the %d renditions", links, len(files))
	}
	for label, link := range links {
		if !strings.Contains(link, "videoFileToken=") {
			t.Errorf("%s: link %q of a private video without a file token", label, link)
		}
		newWebBrowser(t, s).get(strings.TrimPrefix(link, s.URL)).expect(t, http.StatusOK)
	}
}
