package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"cuttle.video/server/servertest"
)

// A flood of wrong video passwords from many addresses does not lock out
// viewers who know the password; it does hold each guessing address to
// one more wrong guess per window.
func TestVideoPasswordFloodKeepsRightPassword(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, fastTranscoding)
	owner := s.NewUser(t, 2, -1)
	v := "/api/v1/videos/" + uploadProtected(t, owner, servertest.Clip(t), "right-password").Video.UUID
	for i := range 10 {
		from := s.AnonymousFrom(t, fmt.Sprintf("127.0.1.%d", i+1))
		for j := range 10 {
			withPassword(from, "GET", v, fmt.Sprintf("guess-%d-%d", i, j)).Problem(http.StatusForbidden)
		}
	}
	// A viewer who knows the password still gets in, token included.
	viewer := s.AnonymousFrom(t, "127.0.2.1")
	withPassword(viewer, "GET", v, "right-password").Expect(http.StatusOK)
	withPassword(viewer, "POST", v+"/token", "right-password").Expect(http.StatusOK)
	// A new guessing address has one wrong guess, then waits.
	late := s.AnonymousFrom(t, "127.0.2.2")
	withPassword(late, "GET", v, "guess-late").Problem(http.StatusForbidden)
	withPassword(late, "GET", v, "guess-late-2").Problem(http.StatusTooManyRequests)
	withPassword(late, "GET", v, "right-password").Problem(http.StatusTooManyRequests)
}
