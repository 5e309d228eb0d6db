package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/database"
	"cuttle.video/server/videos"
	"cuttle.video/server/web"
)

// option is an entry of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// uploadChunkSize is the chunk of the upload page's resumable protocol:
// large enough that per-request costs vanish, small enough that a drop
// loses little and the progress bar moves.
const uploadChunkSize = 8 << 20

type uploadPage struct {
	ChunkSize          int
	MaxSize, QuotaLeft int64
	Channels           []struct {
		ID   int64
		Name string
	}
	Privacies []option
}

func (s *server) uploadPage(c *gin.Context) {
	site := s.site(c, "upload")
	u := viewer(c)
	ctx := c.Request.Context()
	chs, _, err := s.Accounts.ListChannels(ctx, u.Account.ID, 0, maxCount, "createdAt")
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	data := uploadPage{ChunkSize: uploadChunkSize, MaxSize: s.Uploads.MaxFileSize(), QuotaLeft: -1}
	if u.VideoQuota >= 0 {
		used, _, err := s.Accounts.QuotaUsed(ctx, u.ID)
		if err != nil {
			s.pageError(c, site, err)
			return
		}
		data.QuotaLeft = max(u.VideoQuota-used, 0)
	}
	for _, ch := range chs {
		data.Channels = append(data.Channels, struct {
			ID   int64
			Name string
		}{ch.ID, ch.DisplayName})
	}
	// Password protection needs passwords, which the edit page sets.
	for _, p := range []int{database.PrivacyPublic, database.PrivacyUnlisted, database.PrivacyInternal, database.PrivacyPrivate} {
		data.Privacies = append(data.Privacies, option{Value: strconv.Itoa(p), Label: web.T(site.Lang, "privacy."+strconv.Itoa(p))})
	}
	s.renderPage(c, http.StatusOK, "upload.html", web.Page{Site: site, Title: web.T(site.Lang, "upload.title"), Data: data})
}

type myVideosPage struct {
	Total            int
	Videos           []web.VideoCard
	Pager            web.Pager
	QuotaUsed, Quota int64
}

func (s *server) myVideosPage(c *gin.Context) {
	site := s.site(c, "my")
	u := viewer(c)
	ctx := c.Request.Context()
	page := pageNumber(c)
	vs, total, err := s.Videos.List(ctx, u, videos.ListParams{Mine: true, Start: (page - 1) * perPage, Count: perPage, Sort: "-createdAt"})
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	used, _, err := s.Accounts.QuotaUsed(ctx, u.ID)
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	s.renderPage(c, http.StatusOK, "my-videos.html", web.Page{Site: site, Title: web.T(site.Lang, "my.title"), Data: myVideosPage{
		Total: total, Videos: s.cards(site.Lang, vs), Pager: web.NewPager(page, perPage, total, *c.Request.URL),
		QuotaUsed: used, Quota: u.VideoQuota,
	}})
}

type editPage struct {
	ID                                     int64
	ShortUUID, Name, Description, Tags     string
	Support                                string
	NSFW, CommentsEnabled, DownloadEnabled bool
	Privacies, Categories                  []option
	CaptionLanguages                       []option
	Privacy, PasswordPrivacy               int
}

// captionLanguages are offered for captions, named in themselves.
var captionLanguages = []option{
	{Value: "en", Label: "English"}, {Value: "fr", Label: "Français"}, {Value: "de", Label: "Deutsch"},
	{Value: "es", Label: "Español"}, {Value: "it", Label: "Italiano"}, {Value: "pt", Label: "Português"},
	{Value: "nl", Label: "Nederlands"}, {Value: "pl", Label: "Polski"}, {Value: "sv", Label: "Svenska"},
	{Value: "ru", Label: "Русский"}, {Value: "ja", Label: "日本語"}, {Value: "zh", Label: "中文"},
	{Value: "ar", Label: "العربية"},
}

func (s *server) editVideoPage(c *gin.Context) {
	site := s.site(c, "my")
	u := viewer(c)
	v, err := s.Videos.Manageable(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	data := editPage{
		ID: v.ID, ShortUUID: v.ShortUUID, Name: v.Name, Description: v.Description, Support: v.Support,
		NSFW: v.NSFW, CommentsEnabled: v.CommentsEnabled, DownloadEnabled: v.DownloadEnabled,
		Privacy: v.Privacy, PasswordPrivacy: database.PrivacyPassword, CaptionLanguages: captionLanguages,
	}
	tags := make([]string, 0, len(v.Tags))
	for _, t := range v.Tags {
		tags = append(tags, t.Name)
	}
	data.Tags = strings.Join(tags, ", ")
	for _, p := range []int{database.PrivacyPublic, database.PrivacyUnlisted, database.PrivacyInternal, database.PrivacyPrivate, database.PrivacyPassword} {
		data.Privacies = append(data.Privacies, option{Value: strconv.Itoa(p), Label: web.T(site.Lang, "privacy."+strconv.Itoa(p)), Selected: v.Privacy == p})
	}
	data.Categories = append(data.Categories, option{Value: "", Label: web.T(site.Lang, "edit.noCategory"), Selected: v.Category == 0})
	for id := 1; id <= len(videos.Categories); id++ {
		data.Categories = append(data.Categories, option{Value: strconv.Itoa(id), Label: web.T(site.Lang, "category."+strconv.Itoa(id)), Selected: v.Category == id})
	}
	s.renderPage(c, http.StatusOK, "edit-video.html", web.Page{Site: site, Title: web.T(site.Lang, "edit.title") + " " + v.Name, Data: data})
}
