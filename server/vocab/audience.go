package vocab

import "slices"

// Privacy is who a video is addressed to, as far as federation tells.
type Privacy int

const (
	// PrivacyPrivate addresses no one publicly; it is the zero value so
	// that an audience forgotten by a caller never publishes anything.
	PrivacyPrivate Privacy = iota
	// PrivacyPublic is addressed to Public, copied to the followers.
	PrivacyPublic
	// PrivacyUnlisted copies Public but addresses no one.
	PrivacyUnlisted
)

func (p Privacy) String() string {
	switch p {
	case PrivacyPublic:
		return "public"
	case PrivacyUnlisted:
		return "unlisted"
	}
	return "private"
}

// Audience returns to and cc for an object of the given privacy whose
// author has the given followers collection, as PeerTube addresses them.
// Both are non-nil, so that they are sent as [] rather than left out.
func Audience(p Privacy, followers string) (to, cc []string) {
	switch p {
	case PrivacyPublic:
		if followers == "" {
			return []string{Public}, []string{}
		}
		return []string{Public}, []string{followers}
	case PrivacyUnlisted:
		return []string{}, []string{Public}
	}
	return []string{}, []string{}
}

// PrivacyOf reads the privacy an audience gives, as Mastodon does: Public
// in to is public, Public in cc unlisted, anything else not public. The
// aliases of Public are expected already resolved by the parsers.
func PrivacyOf(to, cc []string) Privacy {
	switch {
	case slices.Contains(to, Public):
		return PrivacyPublic
	case slices.Contains(cc, Public):
		return PrivacyUnlisted
	}
	return PrivacyPrivate
}
