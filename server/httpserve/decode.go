package httpserve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/netlimit"
	"cuttle.video/server/problem"
)

// DecodeJSON reads a JSON body of at most 1 MiB into v.
func DecodeJSON(c *gin.Context, v any) error {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 1<<20)
	dec := json.NewDecoder(c.Request.Body)
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &typ):
			return problem.Invalid(map[string]string{typ.Field: fmt.Sprintf("must be of type %s", typ.Type)})
		case errors.As(err, &syn):
			return problem.BadRequest("malformed JSON at byte %d: %v", syn.Offset, err)
		case errors.As(err, &tooBig):
			return problem.New(http.StatusRequestEntityTooLarge, "the JSON body is larger than 1 MiB")
		case errors.Is(err, netlimit.ErrTooSlow):
			return err
		default:
			return problem.BadRequest("malformed JSON body: %v", err)
		}
	}
	return nil
}

// Page holds PeerTube's start/count/sort list parameters.
type Page struct {
	Start, Count int
	Sort         string
}

const (
	defaultCount = 15
	// MaxCount is the longest page a client may ask for.
	MaxCount = 100
)

// PageParams reads a Page from the query.
func PageParams(c *gin.Context) (Page, error) {
	p := Page{Count: defaultCount, Sort: c.Query("sort")}
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
		if err != nil || n < 0 || n > MaxCount {
			bad["count"] = "must be a number between 0 and 100"
		}
		p.Count = n
	}
	if len(bad) > 0 {
		return p, problem.Invalid(bad)
	}
	return p, nil
}

// IDParam reads a numeric path parameter.
func IDParam(c *gin.Context, name string) (int64, error) {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, problem.Invalid(map[string]string{name: "must be a positive integer id"})
	}
	return n, nil
}
