// Package languages names the languages of captions (and, later, of
// videos): codes are BCP 47 tags, kept lowercase as PeerTube keeps its
// language ids ("en", "pt-br", "zh-hans").
package languages

import (
	"maps"
	"regexp"
	"strings"
)

// tagRE accepts a primary language of two or three letters followed by
// subtags (script, region, variant).
var tagRE = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})*$`)

// maxTag bounds a tag's length, as file names carry it.
const maxTag = 20

// Normalize lowercases a tag and tells whether it is one.
func Normalize(tag string) (string, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	tag = strings.ReplaceAll(tag, "_", "-")
	return tag, len(tag) <= maxTag && tagRE.MatchString(tag)
}

// Label is the English name of a tag, or the tag itself when it is not
// one of the common languages listed here.
func Label(tag string) string {
	if l, ok := labels[tag]; ok {
		return l
	}
	if primary, _, ok := strings.Cut(tag, "-"); ok {
		if l, ok := labels[primary]; ok {
			return l + " (" + tag + ")"
		}
	}
	return tag
}

// All returns every language this package names, code to English name.
func All() map[string]string { return maps.Clone(labels) }

var labels = map[string]string{
	"af": "Afrikaans", "ar": "Arabic", "az": "Azerbaijani", "be": "Belarusian", "bg": "Bulgarian",
	"bn": "Bengali", "br": "Breton", "bs": "Bosnian", "ca": "Catalan", "cs": "Czech", "cy": "Welsh",
	"da": "Danish", "de": "German", "el": "Greek", "en": "English", "eo": "Esperanto", "es": "Spanish",
	"et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French", "ga": "Irish",
	"gd": "Scottish Gaelic", "gl": "Galician", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
	"hu": "Hungarian", "hy": "Armenian", "id": "Indonesian", "is": "Icelandic", "it": "Italian",
	"ja": "Japanese", "ka": "Georgian", "kab": "Kabyle", "kk": "Kazakh", "ko": "Korean", "la": "Latin",
	"lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ml": "Malayalam", "mn": "Mongolian",
	"mr": "Marathi", "ms": "Malay", "mt": "Maltese", "nb": "Norwegian Bokmål", "nl": "Dutch",
	"nn": "Norwegian Nynorsk", "no": "Norwegian", "oc": "Occitan", "pa": "Punjabi", "pl": "Polish",
	"pt": "Portuguese", "pt-br": "Portuguese (Brazil)", "ro": "Romanian", "ru": "Russian",
	"sk": "Slovak", "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish",
	"sw": "Swahili", "ta": "Tamil", "te": "Telugu", "th": "Thai", "tl": "Tagalog", "tr": "Turkish",
	"uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese",
	"zh": "Chinese", "zh-hans": "Simplified Chinese (China)", "zh-hant": "Traditional Chinese (Taiwan)",
}
