package videos

import (
	"strings"
	"unicode/utf8"
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

// Search returns the list parameters of PeerTube's video search, which
// takes every parameter of a list. PeerTube sorts searches by relevance
// ("-match") by default; without a relevance score, the list's default
// order (newest first) stands in for it.
func Search(p ListParams) ListParams {
	if strings.TrimPrefix(p.Sort, "-") == "match" {
		p.Sort = ""
	}
	return p
}

// validateSearch checks the words and tags of a list into bad.
func validateSearch(search string, tagsOneOf, tagsAllOf []string, bad map[string]string) {
	if utf8.RuneCountInString(search) > 200 {
		bad["search"] = "must be at most 200 characters"
	}
	for name, tags := range map[string][]string{"tagsOneOf": tagsOneOf, "tagsAllOf": tagsAllOf} {
		if len(tags) > 5 {
			bad[name] = "at most 5 tags"
		}
		for _, t := range tags {
			if utf8.RuneCountInString(t) > 30 {
				bad[name] = "each tag must be at most 30 characters"
			}
		}
	}
}
