package database

import (
	"fmt"
	"strings"
)

// Sort orders a listing of T as PeerTube's sort parameter asks: a key
// such as "name", or "-name" for the reverse order. Each listing has its
// own keys, mapped here to the columns of its query (see VideoSort,
// UserSort, ChannelSort, ThreadSort, PasswordSort); the zero value is the
// listing's default order.
type Sort[T any] struct{ order string }

// SortError refuses a key the listing does not know; its message names
// the keys it does.
type SortError struct{ Keys []string }

func (e *SortError) Error() string {
	return "must be one of " + strings.Join(e.Keys, ", ") + ", optionally prefixed with -"
}

// sortKey maps a sort key to the column it orders by.
type sortKey struct{ key, column string }

// sorting is the sort keys of one listing and its default order.
type sorting[T any] struct {
	keys      []sortKey
	byDefault string
}

// newSorting declares a listing's keys, in the order its errors name
// them, and the key of its default order.
func newSorting[T any](byDefault string, keys ...sortKey) sorting[T] {
	s := sorting[T]{keys: keys}
	def, err := s.parse(byDefault)
	if err != nil {
		panic(fmt.Sprintf("database: default sort %q: %v", byDefault, err))
	}
	s.byDefault = def.order
	return s
}

// parse turns a client's key into a Sort; "" is the default order.
func (s sorting[T]) parse(key string) (Sort[T], error) {
	if key == "" {
		return Sort[T]{}, nil
	}
	name, dir := key, "ASC"
	if rest, ok := strings.CutPrefix(key, "-"); ok {
		name, dir = rest, "DESC"
	}
	names := make([]string, len(s.keys))
	for i, k := range s.keys {
		if k.key == name {
			return Sort[T]{order: k.column + " " + dir}, nil
		}
		names[i] = k.key
	}
	return Sort[T]{}, &SortError{Keys: names}
}

// orderBy is the ORDER BY expression of a Sort made by parse.
func (s sorting[T]) orderBy(sort Sort[T]) string {
	if sort.order == "" {
		return s.byDefault
	}
	return sort.order
}
