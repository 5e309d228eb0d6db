package job

import (
	"regexp"
	"strconv"
)

// What RedactError takes out of a failure message. Presigned URLs carry
// their credentials in the query string and in paths that work against
// the origin whatever host they name, so anything that looks like a URL,
// a host with a path, a query string or a signed parameter goes; absolute
// paths are the worker's own business.
var (
	schemeURLRE   = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s"'<>]*`)
	hostPathRE    = regexp.MustCompile(`(?i)\b(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*(?::\d+)?/[^\s"'<>]*`)
	addressRE     = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?:/[^\s"'<>]*)?|\[[0-9A-Fa-f:.%]+\](?::\d+)?`)
	signedParamRE = regexp.MustCompile(`(?i)\b(?:x-amz-[a-z0-9-]+|sig|signature|expires|token|access_token|videofiletoken)=[^\s&"'<>]*`)
	queryRE       = regexp.MustCompile(`\?[^\s"'<>]+`)
	unixPathRE    = regexp.MustCompile(`(^|[\s"'(=\[])/[^\s"'<>:;,)\]]+`)
	winPathRE     = regexp.MustCompile(`\b[A-Za-z]:\\[^\s"'<>:;,]*`)
	percentRE     = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)
)

// unescapeAll decodes percent-encoding, twice encoded too, so that an
// encoded URL is found like a plain one.
func unescapeAll(msg string) string {
	for range 2 {
		msg = percentRE.ReplaceAllStringFunc(msg, func(m string) string {
			b, _ := strconv.ParseUint(m[1:], 16, 8)
			return string(rune(b))
		})
	}
	return msg
}

// RedactError returns a failure message fit to be stored and shown to the
// video's owner: without URLs, network addresses, query strings, signed
// parameters or absolute paths. Workers apply it before reporting and
// the server again before storing, since a worker's word is not trusted.
func RedactError(msg string) string {
	msg = unescapeAll(msg)
	msg = schemeURLRE.ReplaceAllString(msg, "[URL]")
	msg = hostPathRE.ReplaceAllString(msg, "[URL]")
	msg = addressRE.ReplaceAllString(msg, "[address]")
	msg = signedParamRE.ReplaceAllString(msg, "[redacted]")
	msg = queryRE.ReplaceAllString(msg, "")
	msg = unixPathRE.ReplaceAllString(msg, "$1[path]")
	return winPathRE.ReplaceAllString(msg, "[path]")
}
