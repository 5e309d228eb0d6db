package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/session"
	"cuttle.video/server/videos"
)

// subscription is a channel the user follows, with the handle that
// names it to the API (name@host for another instance's).
type subscription struct{ Name, Handle, URL string }

type subscriptionsPage struct {
	Total         int
	Videos        []VideoCard
	Pager         Pager
	Subscriptions []subscription
}

// subscriptionsPage shows the latest videos of the channels the user
// follows, those channels, and a form to follow another by its handle;
// the forms call the API.
func (s *pages) subscriptionsPage(c *gin.Context) {
	site := s.site(c, "subscriptions")
	u := session.Viewer(c)
	ctx := c.Request.Context()
	page := pageNumber(c)
	vs, total, err := s.Videos.List(ctx, u, videos.ListParams{Subscriptions: true, Start: (page - 1) * perPage, Count: perPage})
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	chs, _, err := s.Federation.ListSubscriptions(ctx, u.Account, 0, httpserve.MaxCount)
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	data := subscriptionsPage{Total: total, Videos: s.cards(site.Lang, vs), Pager: NewPager(page, perPage, total, *c.Request.URL)}
	for _, ch := range chs {
		sub := subscription{Name: ch.DisplayName, Handle: ch.Name, URL: "/c/" + ch.Name}
		if ch.Host != "" {
			sub.Handle = ch.Name + "@" + ch.Host
			sub.URL = ch.URL
		}
		data.Subscriptions = append(data.Subscriptions, sub)
	}
	s.renderPage(c, http.StatusOK, "my-subscriptions.html", Page{Site: site, Title: T(site.Lang, "subscriptions.title"), Data: data})
}
