package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"cuttle.video/server/database"
	"cuttle.video/server/servertest"
)

// The subscriptions page lists the channels a user follows and their
// latest videos, with the forms that subscribe and unsubscribe; it is
// a signed-in user's.
func TestWebSubscriptions(t *testing.T) {
	s := servertest.Start(t, servertest.SQLite, servertest.FastTranscoding)
	creator := s.NewUser(t, database.RoleUser.ID(), -1)
	var me struct {
		VideoChannels []struct{ Name, DisplayName string } `json:"videoChannels"`
	}
	creator.Do("GET", "/api/v1/users/me", nil).Expect(http.StatusOK).JSON(&me)
	channel := me.VideoChannels[0]
	creator.PublishVideo(servertest.Clip(t), "Fresh from the channel", database.PrivacyPublic)

	b := newWebBrowser(t, s)
	b.get("/my/subscriptions").redirectsTo(t, "/login?next=%2Fmy%2Fsubscriptions")
	viewer := s.NewUser(t, database.RoleUser.ID(), -1)
	b.post("/login", url.Values{"username": {viewer.Username}, "password": {viewer.Password}, "next": {"/my/subscriptions"}}).
		redirectsTo(t, "/my/subscriptions")
	page := b.get("/my/subscriptions").expect(t, http.StatusOK, `href="/my/subscriptions" aria-current="page"`,
		`data-api="POST /api/v1/users/me/subscriptions"`, "No video from your subscriptions yet.")

	b.api("POST", "/api/v1/users/me/subscriptions", page.csrf(t), map[string]string{"uri": channel.Name}).expect(t, http.StatusNoContent)
	b.get("/my/subscriptions").expect(t, http.StatusOK, channel.DisplayName, "Fresh from the channel",
		`data-api="DELETE /api/v1/users/me/subscriptions/`+channel.Name+`"`)

	b.lang = "fr"
	b.get("/my/subscriptions").expect(t, http.StatusOK, "Mes abonnements", "Se désabonner")
}
