package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/httpserve"
)

// serverStatsJSON is PeerTube's ServerStats, for the counts this
// instance truly has. Left out rather than made up: active users (no
// last activity is kept), playlists, abuses and registration requests
// (not implemented), and ActivityPub's messages (no federation yet).
// Until the instance federates it knows only its own videos and
// comments, follows nobody and is followed by nobody: those totals are
// the local ones and 0.
type serverStatsJSON struct {
	TotalUsers                           int   `json:"totalUsers"`
	TotalModerators                      int   `json:"totalModerators"`
	TotalAdmins                          int   `json:"totalAdmins"`
	TotalLocalVideos                     int   `json:"totalLocalVideos"`
	TotalLocalVideoViews                 int64 `json:"totalLocalVideoViews"`
	TotalLocalVideoComments              int   `json:"totalLocalVideoComments"`
	TotalLocalVideoFilesSize             int64 `json:"totalLocalVideoFilesSize"`
	TotalVideos                          int   `json:"totalVideos"`
	TotalVideoComments                   int   `json:"totalVideoComments"`
	TotalLocalVideoChannels              int   `json:"totalLocalVideoChannels"`
	TotalLocalDailyActiveVideoChannels   int   `json:"totalLocalDailyActiveVideoChannels"`
	TotalLocalWeeklyActiveVideoChannels  int   `json:"totalLocalWeeklyActiveVideoChannels"`
	TotalLocalMonthlyActiveVideoChannels int   `json:"totalLocalMonthlyActiveVideoChannels"`
	TotalInstanceFollowers               int   `json:"totalInstanceFollowers"`
	TotalInstanceFollowing               int   `json:"totalInstanceFollowing"`
	VideosRedundancy                     []any `json:"videosRedundancy"`
}

// serverStats is GET /api/v1/server/stats; the counts may be up to
// stats.MaxAge old.
func (s *server) serverStats(c *gin.Context) {
	st, err := s.Stats.Get(c.Request.Context())
	if err != nil {
		httpserve.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, serverStatsJSON{
		TotalUsers: st.Users, TotalModerators: st.Moderators, TotalAdmins: st.Admins,
		TotalLocalVideos: st.PublicVideos, TotalLocalVideoViews: st.Views, TotalLocalVideoComments: st.Comments,
		TotalLocalVideoFilesSize: st.VideoFilesSize, TotalVideos: st.PublicVideos, TotalVideoComments: st.Comments,
		TotalLocalVideoChannels: st.Channels, TotalLocalDailyActiveVideoChannels: st.DailyActiveChannels,
		TotalLocalWeeklyActiveVideoChannels: st.WeeklyActiveChannels, TotalLocalMonthlyActiveVideoChannels: st.MonthlyActiveChannels,
		// No redundancy strategy is configured: PeerTube lists none.
		VideosRedundancy: []any{},
	})
}
