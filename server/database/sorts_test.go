package database

import "testing"

// The keys each listing accepts, and what a client is told otherwise,
// are PeerTube's.
func TestSortKeys(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parse func(string) (string, error)
		keys  []string
		bad   string
	}{
		{"videos", orderOf(VideoSort, videoSorts), []string{"publishedAt", "createdAt", "name", "views", "likes", "duration",
			"originallyPublishedAt", "trending", "hot", "best"},
			"must be one of publishedAt, createdAt, name, views, likes, duration, originallyPublishedAt, trending, hot, best, optionally prefixed with -"},
		{"users", orderOf(UserSort, userSorts), []string{"id", "username", "createdAt"},
			"must be one of id, username, createdAt, optionally prefixed with -"},
		{"channels", orderOf(ChannelSort, channelSorts), []string{"createdAt", "name", "displayName", "updatedAt"},
			"must be one of createdAt, name, displayName, updatedAt, optionally prefixed with -"},
		{"threads", orderOf(ThreadSort, threadSorts), []string{"createdAt", "totalReplies"},
			"must be one of createdAt, totalReplies, optionally prefixed with -"},
		{"passwords", orderOf(PasswordSort, passwordSorts), []string{"createdAt", "password"},
			"must be one of createdAt, password, optionally prefixed with -"},
	} {
		for _, k := range tc.keys {
			asc, err := tc.parse(k)
			if err != nil {
				t.Errorf("%s: %q: %v", tc.name, k, err)
			}
			desc, err := tc.parse("-" + k)
			if err != nil || desc == asc {
				t.Errorf("%s: -%q orders by %q, %v", tc.name, k, desc, err)
			}
		}
		if def, err := tc.parse(""); err != nil || def == "" {
			t.Errorf("%s: no default order: %q, %v", tc.name, def, err)
		}
		for _, k := range []string{"-", "--name", "password_hash", "name DESC", "Name"} {
			if _, err := tc.parse(k); err == nil || err.Error() != tc.bad {
				t.Errorf("%s: %q: %v, want %q", tc.name, k, err, tc.bad)
			}
		}
	}
}

func orderOf[T any](parse func(string) (Sort[T], error), s sorting[T]) func(string) (string, error) {
	return func(key string) (string, error) {
		sort, err := parse(key)
		return s.orderBy(sort), err
	}
}
