package videos

import (
	"strings"
	"unicode/utf8"

	"cuttle.video/server/problem"
)

// maxSearchWords bounds the conditions one search adds to the query.
const maxSearchWords = 8

// searchWords splits a search into the words a video must all match,
// each in its name or as a tag.
func searchWords(search string) []string {
	words := strings.Fields(search)
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	return words
}

// ValidateSearch checks a search's parameters before it runs.
func ValidateSearch(search string, tags []string) error {
	bad := map[string]string{}
	if utf8.RuneCountInString(search) > 200 {
		bad["search"] = "must be at most 200 characters"
	}
	if len(tags) > 5 {
		bad["tagsOneOf"] = "at most 5 tags"
	}
	for _, t := range tags {
		if utf8.RuneCountInString(t) > 30 {
			bad["tagsOneOf"] = "each tag must be at most 30 characters"
		}
	}
	if len(bad) > 0 {
		return problem.Invalid(bad)
	}
	return nil
}
