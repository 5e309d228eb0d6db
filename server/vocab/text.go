package vocab

import (
	"strings"

	"golang.org/x/net/html"
)

// PlainText turns a comment's HTML into text to show or index: tags are
// dropped, with the contents of script, style and the like, entities are
// decoded, and breaks and block ends become new lines. The result is
// text, not HTML: it must still be escaped wherever it is written into a
// page.
func PlainText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0 // depth inside elements whose text is not content
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// The end of the input, or HTML the tokenizer gives up on:
			// either way, what was read so far is the text.
			return strings.TrimSpace(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch {
			case hidden(string(name)):
				if tt == html.StartTagToken {
					skip++
				}
			case string(name) == "br":
				if skip == 0 {
					b.WriteByte('\n')
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if hidden(string(name)) {
				if skip > 0 {
					skip--
				}
				continue
			}
			switch string(name) {
			case "p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr":
				if skip == 0 {
					b.WriteByte('\n')
				}
			}
		}
	}
}

// hidden says whose text is not content: code, styles, embedded documents.
func hidden(tag string) bool {
	switch tag {
	case "script", "style", "template", "noscript", "iframe", "object", "svg", "math", "head", "title", "textarea":
		return true
	}
	return false
}
