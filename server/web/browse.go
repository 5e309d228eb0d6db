package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/actors"
	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/media"
	"cuttle.video/server/session"
	"cuttle.video/server/videos"
)

// cards turns videos into what a list shows of them.
func (s *pages) cards(lang string, vs []database.Video) []VideoCard {
	out := make([]VideoCard, 0, len(vs))
	for i := range vs {
		v := &vs[i]
		card := VideoCard{
			ID: v.ID, ShortUUID: v.ShortUUID, Name: v.Name, Duration: v.Duration, Views: v.Views,
			Published: v.PublishedAt, Privacy: v.Privacy, State: v.State,
			PrivacyLabel: T(lang, "privacy."+strconv.Itoa(v.Privacy)), StateLabel: T(lang, "state."+strconv.Itoa(v.State)),
		}
		if v.Channel != nil {
			card.ChannelName, card.ChannelHandle = v.Channel.DisplayName, v.Channel.Name
			if v.Channel.Host != "" {
				card.ChannelHandle += "@" + v.Channel.Host
			}
		}
		if v.ThumbnailSource != "" && v.State == database.StatePublished {
			card.Thumbnail = media.ThumbnailPath(v.UUID)
		}
		if rm := media.Remote(v); rm != nil {
			card.Thumbnail = rm.Thumbnail
		}
		out = append(out, card)
	}
	return out
}

type homePage struct {
	Recent, MostViewed     []VideoCard
	MoreRecent, MoreViewed bool
}

// homeCount is how many videos each row of the home page shows.
const homeCount = 8

func (s *pages) homePage(c *gin.Context) {
	site := s.site(c, "home")
	ctx := c.Request.Context()
	recent, nRecent, err := s.Videos.List(ctx, session.Viewer(c), videos.ListParams{Count: homeCount, Sort: "-publishedAt"})
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	viewed, nViewed, err := s.Videos.List(ctx, session.Viewer(c), videos.ListParams{Count: homeCount, Sort: "-views"})
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	s.renderPage(c, http.StatusOK, "home.html", Page{Site: site, Data: homePage{
		Recent: s.cards(site.Lang, recent), MostViewed: s.cards(site.Lang, viewed),
		MoreRecent: nRecent > homeCount, MoreViewed: nViewed > homeCount,
	}})
}

// listPage is the data of videos.html.
type listPage struct {
	Heading, Subheading, Description string
	Channels                         []channelLink
	Sorts                            []choice
	Total                            int
	Videos                           []VideoCard
	Pager                            Pager
}

type channelLink struct{ Name, Handle string }

// choice is a link among alternatives, such as sort orders.
type choice struct {
	Label, URL string
	Current    bool
}

// browseSorts are the orders the browse page offers, by parameter.
var browseSorts = []struct{ sort, key string }{
	{"-publishedAt", "sort.recent"},
	{"-views", "sort.views"},
	{"-trending", "sort.trending"},
}

// fillVideoList fills the common part of a list page from params, reading
// the page number from the request.
func (s *pages) fillVideoList(c *gin.Context, site Site, p videos.ListParams, data *listPage) error {
	page := pageNumber(c)
	p.Start, p.Count = (page-1)*perPage, perPage
	vs, total, err := s.Videos.List(c.Request.Context(), session.Viewer(c), p)
	if err != nil {
		return err
	}
	data.Total, data.Videos = total, s.cards(site.Lang, vs)
	data.Pager = NewPager(page, perPage, total, *c.Request.URL)
	return nil
}

func (s *pages) browsePage(c *gin.Context) {
	site := s.site(c, "browse")
	sort := browseSorts[0].sort
	data := listPage{Heading: T(site.Lang, "browse.title")}
	for _, o := range browseSorts {
		if o.sort == c.Query("sort") {
			sort = o.sort
		}
	}
	for _, o := range browseSorts {
		data.Sorts = append(data.Sorts, choice{Label: T(site.Lang, o.key), URL: "/videos/browse?sort=" + url.QueryEscape(o.sort), Current: o.sort == sort})
	}
	if err := s.fillVideoList(c, site, videos.ListParams{Sort: sort}, &data); err != nil {
		s.pageError(c, site, err)
		return
	}
	s.renderPage(c, http.StatusOK, "videos.html", Page{Site: site, Title: data.Heading, Data: data})
}

func (s *pages) searchPage(c *gin.Context) {
	site := s.site(c, "search")
	search, tags := c.Query("search"), c.QueryArray("tagsOneOf")
	site.Search = search
	lp := videos.Search(videos.ListParams{Search: search, TagsOneOf: tags})
	data := listPage{Heading: T(site.Lang, "search.title")}
	switch {
	case search != "":
		data.Heading = T(site.Lang, "search.results", search)
	case len(tags) > 0:
		data.Heading = T(site.Lang, "search.tag", tags[0])
	}
	if err := s.fillVideoList(c, site, lp, &data); err != nil {
		s.pageError(c, site, err)
		return
	}
	s.renderPage(c, http.StatusOK, "videos.html", Page{Site: site, Title: data.Heading, Data: data})
}

// toActor sends a request for an ActivityPub document (a server that
// follows a link to the page) to the actor's URL, where the federation
// face answers it, and says whether it did.
func (s *pages) toActor(c *gin.Context, actor string) bool {
	// The page and the redirect share a URL: caches must tell them apart.
	c.Writer.Header().Add("Vary", "Accept")
	if !actors.AcceptsActivityPub(c.GetHeader("Accept")) {
		return false
	}
	c.Redirect(http.StatusFound, actor)
	c.Abort()
	return true
}

func (s *pages) channelPage(c *gin.Context) {
	if s.toActor(c, actors.GroupURL(s.PublicURL, c.Param("handle"))) {
		return
	}
	site := s.site(c, "")
	ch, err := s.Accounts.KnownChannel(c.Request.Context(), c.Param("handle"))
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	data := listPage{Heading: ch.DisplayName, Description: ch.Description}
	if ch.Account != nil {
		data.Subheading = T(site.Lang, "channel.by", ch.Account.DisplayName)
	}
	if err := s.fillVideoList(c, site, videos.ListParams{ChannelID: ch.ID}, &data); err != nil {
		s.pageError(c, site, err)
		return
	}
	s.renderPage(c, http.StatusOK, "videos.html", Page{Site: site, Title: data.Heading, Data: data})
}

func (s *pages) accountPage(c *gin.Context) {
	if s.toActor(c, actors.PersonURL(s.PublicURL, c.Param("name"))) {
		return
	}
	site := s.site(c, "")
	ctx := c.Request.Context()
	a, err := s.Accounts.KnownAccount(ctx, c.Param("name"))
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	chs, _, err := s.Accounts.ListChannels(ctx, a.ID, 0, httpserve.MaxCount, "createdAt")
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	data := listPage{Heading: a.DisplayName, Subheading: "@" + a.Name, Description: a.Description}
	for _, ch := range chs {
		data.Channels = append(data.Channels, channelLink{Name: ch.DisplayName, Handle: ch.Name})
	}
	if err := s.fillVideoList(c, site, videos.ListParams{AccountID: a.ID}, &data); err != nil {
		s.pageError(c, site, err)
		return
	}
	s.renderPage(c, http.StatusOK, "videos.html", Page{Site: site, Title: data.Heading, Data: data})
}
