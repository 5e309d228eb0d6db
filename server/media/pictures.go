package media

import (
	"regexp"
	"strconv"
)

// Pictures of accounts and channels (avatars and banners) live apart
// from videos, under "pictures/{kind}s/": one JPEG per size, named after the
// picture and the width, written once under a fresh name each time an
// owner sends one, and served to anyone under PeerTube's routes.

const picturesRoot = "pictures/"

// Size is one size a picture is made in.
type Size struct{ Width, Height int }

// Picture is a kind of actor picture.
type Picture struct {
	// Kind names it in messages and form fields (PeerTube's
	// "avatarfile", "bannerfile").
	Kind  string
	Route string
	// Sizes are PeerTube's, largest first.
	Sizes []Size
}

var (
	// Avatar is an account's or a channel's, square.
	Avatar = Picture{Kind: "avatar", Route: "/lazy-static/avatars/",
		Sizes: []Size{{1500, 1500}, {600, 600}, {120, 120}, {48, 48}}}
	// Banner is a channel's, six times as wide as high.
	Banner = Picture{Kind: "banner", Route: "/lazy-static/banners/",
		Sizes: []Size{{1920, 317}, {600, 100}}}
	// Pictures lists both.
	Pictures = []Picture{Avatar, Banner}
)

// File is the name of the picture called name at size sz.
func (p Picture) File(name string, sz Size) string {
	return name + "-" + strconv.Itoa(sz.Width) + ".jpg"
}

// Path is the URL path of that file.
func (p Picture) Path(name string, sz Size) string { return p.Route + p.File(name, sz) }

// pictureFileRE is the shape of a picture's file: a UUID, a width.
var pictureFileRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9]{1,4}\.jpg$`)

// Key is where the picture's file named file is stored; false when file
// is not the name of a picture's file.
func (p Picture) Key(file string) (string, bool) {
	if !pictureFileRE.MatchString(file) {
		return "", false
	}
	return picturesRoot + p.Kind + "s/" + file, true
}
