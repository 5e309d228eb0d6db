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

// Search returns the list parameters of PeerTube's video search: every
// word of search in the name or as a tag, one of tags when given, sorted
// by sort. PeerTube sorts searches by relevance ("-match") by default;
// without a relevance score, the list's default order (newest first)
// stands in for it.
func Search(search string, tags []string, start, count int, sort string) (ListParams, error) {
	if err := validateSearch(search, tags); err != nil {
		return ListParams{}, err
	}
	if strings.TrimPrefix(sort, "-") == "match" {
		sort = ""
	}
	return ListParams{Start: start, Count: count, Sort: sort, Search: search, TagsOneOf: tags}, nil
}

// validateSearch checks a search's parameters before it runs.
func validateSearch(search string, tags []string) error {
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
