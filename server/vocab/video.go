package vocab

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Identified is one of PeerTube's vocabularies' entries: a category,
// licence or language, as its identifier and its label.
type Identified struct {
	Identifier string
	Name       string
}

// Image is a picture of a video: its thumbnail or preview.
type Image struct {
	URL       string
	MediaType string
	Width     int
	Height    int
}

// File is one media file: an HLS rendition's fragmented MP4, or a web
// video file.
type File struct {
	URL       string
	MediaType string
	Height    int
	Width     int
	Size      int64
	FPS       int
	// CodecType is "video" or "audio" (ffprobe's codec type), empty when
	// the sender did not say.
	CodecType  string
	TorrentURL string
	MagnetURI  string
	// InfoHash is the BitTorrent v1 info hash, in lower-case hex. It is
	// read from the magnet link, which is where PeerTube carries it; the
	// builder writes the magnet link as given.
	InfoHash string
}

// Playlist is a video's HLS streaming playlist.
type Playlist struct {
	MasterURL         string
	SegmentsSHA256URL string
	// InfoHashes are the peer-to-peer swarm ids of the playlist
	// (PeerTube's p2pMediaLoaderInfohashes), sent as Infohash tags.
	InfoHashes []string
	Files      []File
}

// Caption is a subtitle track.
type Caption struct {
	Language    Identified
	Automatic   bool
	URL         string // the WebVTT file
	PlaylistURL string // its HLS playlist, when it has one
}

// CommentsPolicy is who may comment, PeerTube's numbers.
type CommentsPolicy int

// Comments policies.
const (
	CommentsEnabled         CommentsPolicy = 1
	CommentsDisabled        CommentsPolicy = 2
	CommentsRequireApproval CommentsPolicy = 3
)

// VideoInput is what we know of a local video to describe it to others.
type VideoInput struct {
	ID        string // https://HOST/videos/watch/{uuid}
	UUID      string
	ShortUUID string
	Name      string
	// Description is Markdown, sent as it is.
	Description         string
	Duration            int // seconds
	Published, Updated  time.Time
	OriginallyPublished time.Time // zero when not given
	Privacy             Privacy
	Views               int
	Sensitive           bool
	CommentsPolicy      CommentsPolicy
	DownloadEnabled     bool
	WaitTranscoding     bool
	State               int
	Category            Identified // zero when not set
	Licence             Identified
	Language            Identified
	Tags                []string
	Support             string
	// Account and Channel are the actor URLs of the uploader (a Person)
	// and of the channel (a Group).
	Account, Channel string
	// Followers is the account's followers collection, the cc of a
	// public video.
	Followers string
	// Icons are the thumbnail and the preview.
	Icons    []Image
	HLS      *Playlist
	WebVideo []File
	Trackers []string // http(s) announce URLs and ws(s) socket URLs
	Captions []Caption
	// The collections of the video.
	Likes, Dislikes, Shares, Comments string
}

// The wire shapes we send, in PeerTube's key order.

type identifiedJSON struct {
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
}

type tagJSON struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

type imageJSON struct {
	Type      string `json:"type"`
	URL       string `json:"url"`
	MediaType string `json:"mediaType"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
}

type linkJSON struct {
	Type      string   `json:"type"`
	Name      string   `json:"name,omitempty"`
	Rel       []string `json:"rel,omitempty"`
	MediaType string   `json:"mediaType,omitempty"`
	Href      string   `json:"href"`
	Tag       []any    `json:"tag,omitempty"`
}

// fileLinkJSON always has its numbers: PeerTube requires a height, 0 for
// an audio-only file.
type fileLinkJSON struct {
	Type       string         `json:"type"`
	MediaType  string         `json:"mediaType"`
	Href       string         `json:"href"`
	Height     int            `json:"height"`
	Width      int            `json:"width"`
	Size       *int64         `json:"size,omitempty"`
	FPS        int            `json:"fps"`
	Attachment []propertyJSON `json:"attachment,omitempty"`
}

type propertyJSON struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

type captionJSON struct {
	Identifier             string     `json:"identifier"`
	Name                   string     `json:"name"`
	AutomaticallyGenerated bool       `json:"automaticallyGenerated"`
	URL                    []linkJSON `json:"url"`
}

type videoJSON struct {
	To                    []string        `json:"to"`
	CC                    []string        `json:"cc"`
	Type                  string          `json:"type"`
	ID                    string          `json:"id"`
	Name                  string          `json:"name"`
	Duration              string          `json:"duration"`
	UUID                  string          `json:"uuid"`
	Category              *identifiedJSON `json:"category,omitempty"`
	Licence               *identifiedJSON `json:"licence,omitempty"`
	Language              *identifiedJSON `json:"language,omitempty"`
	Views                 int             `json:"views"`
	Sensitive             bool            `json:"sensitive"`
	WaitTranscoding       bool            `json:"waitTranscoding"`
	State                 int             `json:"state"`
	CanReply              *string         `json:"canReply"`
	CommentsPolicy        CommentsPolicy  `json:"commentsPolicy"`
	CommentsEnabled       bool            `json:"commentsEnabled"` // PeerTube before 6.2 reads this
	DownloadEnabled       bool            `json:"downloadEnabled"`
	Published             string          `json:"published"`
	OriginallyPublishedAt *string         `json:"originallyPublishedAt"`
	Updated               string          `json:"updated"`
	Tag                   []tagJSON       `json:"tag"`
	MediaType             string          `json:"mediaType"`
	Content               *string         `json:"content"`
	Support               *string         `json:"support"`
	SubtitleLanguage      []captionJSON   `json:"subtitleLanguage"`
	Icon                  []imageJSON     `json:"icon"`
	URL                   []any           `json:"url"`
	Likes                 string          `json:"likes,omitempty"`
	Dislikes              string          `json:"dislikes,omitempty"`
	Shares                string          `json:"shares,omitempty"`
	Comments              string          `json:"comments,omitempty"`
	AttributedTo          []string        `json:"attributedTo"`
	IsLiveBroadcast       bool            `json:"isLiveBroadcast"`
}

// Media types of the url[] links.
const (
	mediaHTML      = "text/html"
	mediaHLS       = "application/x-mpegURL"
	mediaTorrent   = "application/x-bittorrent"
	mediaMagnet    = "application/x-bittorrent;x-scheme-handler/magnet"
	mediaJSON      = "application/json"
	mediaMarkdown  = "text/markdown"
	mediaVTT       = "text/vtt"
	formatFlag     = "peertube_format_flag"
	codecTypeProp  = "ffprobe_codec_type"
	sha256LinkName = "sha256"
)

// BuildVideo describes a local video as PeerTube does. The result is
// checked by ParseVideo before it is returned: what we send passes what we
// require of others.
func BuildVideo(in VideoInput) (Object, error) {
	to, cc := Audience(in.Privacy, in.Followers)
	v := videoJSON{
		To: to, CC: cc, Type: TypeVideo, ID: in.ID, Name: in.Name,
		Duration: FormatDuration(in.Duration), UUID: in.UUID,
		Category: identified(in.Category), Licence: identified(in.Licence), Language: identified(in.Language),
		Views: in.Views, Sensitive: in.Sensitive, WaitTranscoding: in.WaitTranscoding, State: in.State,
		CommentsPolicy: in.CommentsPolicy, CommentsEnabled: in.CommentsPolicy == CommentsEnabled,
		DownloadEnabled: in.DownloadEnabled,
		Published:       isoTime(in.Published), Updated: isoTime(in.Updated),
		Tag:       []tagJSON{},
		MediaType: mediaMarkdown, Content: orNull(in.Description), Support: orNull(in.Support),
		SubtitleLanguage: []captionJSON{}, Icon: []imageJSON{},
		Likes: in.Likes, Dislikes: in.Dislikes, Shares: in.Shares, Comments: in.Comments,
		// The Person first: Mastodon takes the first as the author.
		AttributedTo: []string{in.Account, in.Channel},
	}
	if v.State == 0 {
		v.State = 1
	}
	if in.CommentsPolicy != CommentsEnabled {
		public := "as:Public"
		v.CanReply = &public
	}
	if !in.OriginallyPublished.IsZero() {
		s := isoTime(in.OriginallyPublished)
		v.OriginallyPublishedAt = &s
	}
	for _, t := range in.Tags {
		v.Tag = append(v.Tag, tagJSON{Type: "Hashtag", Name: t})
	}
	for _, c := range in.Captions {
		cj := captionJSON{Identifier: c.Language.Identifier, Name: c.Language.Name, AutomaticallyGenerated: c.Automatic,
			URL: []linkJSON{{Type: "Link", MediaType: mediaVTT, Href: c.URL}}}
		if c.PlaylistURL != "" {
			cj.URL = append(cj.URL, linkJSON{Type: "Link", MediaType: mediaHLS, Href: c.PlaylistURL})
		}
		v.SubtitleLanguage = append(v.SubtitleLanguage, cj)
	}
	for _, img := range in.Icons {
		v.Icon = append(v.Icon, imageJSON{Type: "Image", URL: img.URL, MediaType: img.MediaType, Width: img.Width, Height: img.Height})
	}
	v.URL = videoURLs(in)
	obj := Object{id: in.ID, actor: in.Account, to: to, cc: cc, context: VideoContext, body: v}
	data, err := obj.MarshalJSON()
	if err != nil {
		return Object{}, err
	}
	if _, err := ParseVideo(data); err != nil {
		return Object{}, fmt.Errorf("vocab: build video %s: %w", in.ID, err)
	}
	return obj, nil
}

// videoURLs lays out url[] in PeerTube's order: the short watch page
// first (Mastodon links the first text/html entry), the long one, the web
// video files, the HLS playlist, the trackers.
func videoURLs(in VideoInput) []any {
	// A bad id leaves base empty, and ParseVideo refuses the result.
	base, _ := Origin(in.ID)
	urls := []any{
		linkJSON{Type: "Link", MediaType: mediaHTML, Href: base + "/w/" + url.PathEscape(in.ShortUUID)},
		linkJSON{Type: "Link", MediaType: mediaHTML, Href: base + "/videos/watch/" + url.PathEscape(in.UUID)},
	}
	for _, f := range in.WebVideo {
		urls = append(urls, fileLinks(f, "web-video")...)
	}
	if p := in.HLS; p != nil {
		var tags []any
		for _, h := range p.InfoHashes {
			tags = append(tags, tagJSON{Type: "Infohash", Name: h})
		}
		tags = append(tags, linkJSON{Type: "Link", Name: sha256LinkName, MediaType: mediaJSON, Href: p.SegmentsSHA256URL})
		for _, f := range p.Files {
			tags = append(tags, fileLinks(f, "fragmented")...)
		}
		urls = append(urls, linkJSON{Type: "Link", MediaType: mediaHLS, Href: p.MasterURL, Tag: tags})
	}
	for _, t := range in.Trackers {
		kind := "websocket"
		if strings.HasPrefix(t, "http") {
			kind = "http"
		}
		urls = append(urls, linkJSON{Type: "Link", Name: "tracker-" + kind, Rel: []string{"tracker", kind}, Href: t})
	}
	return urls
}

// fileLinks is a file's link followed by its torrent's and magnet's,
// which PeerTube ties to the file by height.
func fileLinks(f File, format string) []any {
	mt := f.MediaType
	if mt == "" {
		mt = "video/mp4"
	}
	size := f.Size
	file := fileLinkJSON{Type: "Link", MediaType: mt, Href: f.URL, Height: f.Height, Width: f.Width, Size: &size, FPS: f.FPS,
		Attachment: []propertyJSON{{Type: "PropertyValue", Name: formatFlag, Value: format}}}
	if f.CodecType != "" {
		file.Attachment = append([]propertyJSON{{Type: "PropertyValue", Name: codecTypeProp, Value: f.CodecType}}, file.Attachment...)
	}
	out := []any{file}
	if f.TorrentURL != "" {
		out = append(out, fileLinkJSON{Type: "Link", MediaType: mediaTorrent, Href: f.TorrentURL, Height: f.Height, Width: f.Width, FPS: f.FPS})
	}
	if f.MagnetURI != "" {
		out = append(out, fileLinkJSON{Type: "Link", MediaType: mediaMagnet, Href: f.MagnetURI, Height: f.Height, Width: f.Width, FPS: f.FPS})
	}
	return out
}

func identified(i Identified) *identifiedJSON {
	if i.Identifier == "" {
		return nil
	}
	return &identifiedJSON{Identifier: i.Identifier, Name: i.Name}
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
