package database

import (
	"strings"

	"github.com/uptrace/bun"
)

// likeEscaper escapes LIKE's wildcards so a search for "100%" finds
// names containing "100%" and not every name starting with "100".
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// searchWhere adds the word and tag conditions of f to q. Names compare
// lowered on both sides, as LIKE ignores case in SQLite but not in
// PostgreSQL.
func searchWhere(q *bun.SelectQuery, f VideoFilter) *bun.SelectQuery {
	for _, w := range f.Words {
		pattern := "%" + likeEscaper.Replace(strings.ToLower(w)) + "%"
		q = q.Where(`(lower(video.name) LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM video_tags AS st WHERE st.video_id = video.id AND lower(st.name) = ?))`,
			pattern, strings.ToLower(w))
	}
	if len(f.TagsOneOf) > 0 {
		tags := make([]string, len(f.TagsOneOf))
		for i, t := range f.TagsOneOf {
			tags[i] = strings.ToLower(t)
		}
		q = q.Where("EXISTS (SELECT 1 FROM video_tags AS tt WHERE tt.video_id = video.id AND lower(tt.name) IN (?))", bun.In(tags))
	}
	return q
}
