package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/problem"
)

// page reads PeerTube's start/count/sort list parameters.
type page struct {
	Start, Count int
	Sort         string
}

const (
	defaultCount = 15
	maxCount     = 100
)

func pageParams(c *gin.Context) (page, error) {
	p := page{Count: defaultCount, Sort: c.Query("sort")}
	bad := map[string]string{}
	if v := c.Query("start"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad["start"] = "must be a number >= 0"
		}
		p.Start = n
	}
	if v := c.Query("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxCount {
			bad["count"] = "must be a number between 0 and 100"
		}
		p.Count = n
	}
	if len(bad) > 0 {
		return p, problem.Invalid(bad)
	}
	return p, nil
}

// idParam reads a numeric path parameter.
func idParam(c *gin.Context, name string) (int64, error) {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, problem.Invalid(map[string]string{name: "must be a positive integer id"})
	}
	return n, nil
}
