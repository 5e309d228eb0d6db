package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
	"cuttle.video/server/problem"
	"cuttle.video/server/session"
	"cuttle.video/server/videos"
)

// videoListFor serves every video list; base says whose videos.
func (s *server) videoListFor(c *gin.Context, base videos.ListParams) {
	p, err := videoListQuery(c, base)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	s.serveVideoList(c, p)
}

func (s *server) serveVideoList(c *gin.Context, p videos.ListParams) {
	vs, total, err := s.Videos.List(c.Request.Context(), session.Viewer(c), p)
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.videoList(vs, total))
}

// videoListQuery reads the parameters PeerTube's video lists share into
// p, checking their shape only: videos.List holds the rules (who may use
// a filter, what the sorts mean). Arrays are repeated parameters, as in
// categoryOneOf=1&categoryOneOf=2.
func videoListQuery(c *gin.Context, p videos.ListParams) (videos.ListParams, error) {
	page, err := httpserve.PageParams(c)
	if err != nil {
		return p, err
	}
	p.Start, p.Count, p.Sort = page.Start, page.Count, page.Sort
	q := query{c: c, bad: map[string]string{}}
	if v, ok := q.number("include"); ok {
		p.Include = v
	}
	p.Search = c.Query("search")
	p.TagsOneOf, p.TagsAllOf = c.QueryArray("tagsOneOf"), c.QueryArray("tagsAllOf")
	p.LanguageOneOf = c.QueryArray("languageOneOf")
	p.CategoryOneOf, p.LicenceOneOf = q.numbers("categoryOneOf"), q.numbers("licenceOneOf")
	p.PrivacyOneOf = q.numbers("privacyOneOf")
	p.IsLive, p.IsLocal = q.boolean("isLive"), q.boolean("isLocal")
	p.DurationMin, _ = q.number("durationMin")
	p.DurationMax, _ = q.number("durationMax")
	if skip := q.boolean("skipCount"); skip != nil {
		p.SkipCount = *skip
	}
	// nsfw is PeerTube's "true", "false" or "both".
	switch v := c.Query("nsfw"); v {
	case "", "both":
	case "true", "false":
		nsfw := v == "true"
		p.NSFW = &nsfw
	default:
		q.bad["nsfw"] = "must be true, false or both"
	}
	if len(q.bad) > 0 {
		return p, problem.Invalid(q.bad)
	}
	return p, nil
}

// query reads typed query parameters, gathering what is malformed in bad
// by parameter name.
type query struct {
	c   *gin.Context
	bad map[string]string
}

// number reads a whole number >= 0; ok tells whether it was given.
func (q query) number(name string) (n int, ok bool) {
	v, given := q.c.GetQuery(name)
	if !given {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		q.bad[name] = "must be a number >= 0"
		return 0, false
	}
	return n, true
}

// numbers reads a repeated parameter of whole numbers >= 0.
func (q query) numbers(name string) []int {
	var out []int
	for _, v := range q.c.QueryArray(name) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			q.bad[name] = "each must be a number >= 0"
			return nil
		}
		out = append(out, n)
	}
	return out
}

// boolean reads PeerTube's booleans (true, false, 1, 0); nil when absent.
func (q query) boolean(name string) *bool {
	var b bool
	switch v, given := q.c.GetQuery(name); {
	case !given:
		return nil
	case v == "true" || v == "1":
		b = true
	case v == "false" || v == "0":
	default:
		q.bad[name] = "must be true or false"
		return nil
	}
	return &b
}
