// Package httpserve is the plumbing every HTTP face of the server shares
// (the JSON API, the pages, media delivery): the one writer of
// problem+json answers, the request id carried in the request's context
// so that every log line of a request names it, panic recovery, how
// clients are told apart and how slowly they may send, and the decoding
// of bodies and list parameters. It knows nothing of videos or users.
package httpserve
