package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/accounts"
	"cuttle.video/server/database"
	"cuttle.video/server/httpserve"
	"cuttle.video/server/jobs"
)

type adminUserRow struct {
	ID               int64
	Username, Email  string
	Role             string
	Quota, QuotaUsed int64
	Blocked          bool
	Created          time.Time
}

type adminUsersPage struct {
	Total        int
	Users        []adminUserRow
	Pager        Pager
	Roles        []option
	DefaultQuota string
}

func roleOptions(lang string, current database.Role) []option {
	var out []option
	for _, r := range []database.Role{database.RoleUser, database.RoleModerator, database.RoleAdmin} {
		out = append(out, option{Value: strconv.Itoa(r.ID()), Label: T(lang, "role."+strconv.Itoa(r.ID())), Selected: r == current})
	}
	return out
}

// gib writes a quota in GiB for the admin forms, where -1 is unlimited.
func gib(bytes int64) string {
	if bytes < 0 {
		return "-1"
	}
	return strconv.FormatFloat(float64(bytes)/(1<<30), 'f', -1, 64)
}

func (s *pages) adminUsersPage(c *gin.Context) {
	site := s.site(c, "admin")
	ctx := c.Request.Context()
	page := pageNumber(c)
	users, total, err := s.Accounts.ListUsers(ctx, (page-1)*perPage, perPage, "-createdAt")
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	data := adminUsersPage{Total: total, Pager: NewPager(page, perPage, total, *c.Request.URL),
		Roles: roleOptions(site.Lang, database.RoleUser), DefaultQuota: "-1"}
	for _, u := range users {
		used, _, err := s.Accounts.QuotaUsed(ctx, u.ID)
		if err != nil {
			s.pageError(c, site, err)
			return
		}
		data.Users = append(data.Users, adminUserRow{
			ID: u.ID, Username: u.Username, Email: u.Email, Role: T(site.Lang, "role."+strconv.Itoa(u.Role.ID())),
			Quota: u.VideoQuota, QuotaUsed: used, Blocked: u.Blocked, Created: u.CreatedAt,
		})
	}
	s.renderPage(c, http.StatusOK, "admin-users.html", Page{Site: site, Title: T(site.Lang, "admin.users"), Data: data})
}

type adminUserPage struct {
	ID                      int64
	Username, Email         string
	Roles                   []option
	QuotaGiB, DailyQuotaGiB string
	QuotaUsed               int64
	Blocked, Deletable      bool
}

func (s *pages) adminUserPage(c *gin.Context) {
	site := s.site(c, "admin")
	ctx := c.Request.Context()
	id, err := httpserve.IDParam(c, "id")
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	u, err := s.Accounts.User(ctx, id)
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	used, _, err := s.Accounts.QuotaUsed(ctx, u.ID)
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	s.renderPage(c, http.StatusOK, "admin-user.html", Page{Site: site, Title: u.Username, Data: adminUserPage{
		ID: u.ID, Username: u.Username, Email: u.Email, Roles: roleOptions(site.Lang, u.Role),
		QuotaGiB: gib(u.VideoQuota), DailyQuotaGiB: gib(u.VideoQuotaDaily), QuotaUsed: used,
		Blocked: u.Blocked, Deletable: u.Username != accounts.RootUsername,
	}})
}

type adminJobRow struct {
	ID, Type, State, StateLabel string
	VideoName                   string
	VideoShortUUID              string
	Progress, Attempts          int
	Worker, Error               string
	Created                     time.Time
	Retryable                   bool
}

type adminRunnerRow struct {
	Name         string
	Busy         bool
	Current      string
	Jobs         int
	LastSeen     time.Time
	LastSeenText string
}

type adminJobsPage struct {
	Runners []adminRunnerRow
	States  []choice
	Total   int
	Jobs    []adminJobRow
	Pager   Pager
}

// jobStates are the filters of the jobs page, in PeerTube's names; ""
// is every state.
var jobStates = append([]string{""}, jobs.PeerTubeStates()...)

func (s *pages) adminJobsPage(c *gin.Context) {
	site := s.site(c, "admin")
	ctx := c.Request.Context()
	state := c.Query("state")
	if _, ok := jobs.StateOfPeerTube(state); !ok {
		state = ""
	}
	page := pageNumber(c)
	js, total, err := s.Jobs.List(ctx, state, (page-1)*perPage, perPage)
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	runners, err := s.Jobs.Runners(ctx)
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	data := adminJobsPage{Total: total, Pager: NewPager(page, perPage, total, *c.Request.URL)}
	for _, st := range jobStates {
		link := "/admin/jobs"
		if st != "" {
			link += "?state=" + st
		}
		data.States = append(data.States, choice{Label: T(site.Lang, "jobs.state."+stateKey(st)), URL: link, Current: st == state})
	}
	for i := range js {
		j := &js[i]
		st := jobs.PeerTubeState(j.State)
		row := adminJobRow{ID: j.ID, Type: j.Type, State: st, StateLabel: T(site.Lang, "jobs.is."+st),
			Progress: int(j.Progress*100 + 0.5), Attempts: j.Attempts, Worker: j.Worker, Created: j.CreatedAt,
			Retryable: j.State == database.JobFailed, Error: j.Error}
		if v := j.Video; v != nil {
			row.VideoName, row.VideoShortUUID = v.Name, v.ShortUUID
		}
		data.Jobs = append(data.Jobs, row)
	}
	now := time.Now()
	for _, r := range runners {
		row := adminRunnerRow{Name: r.Name, Jobs: r.Jobs, LastSeen: r.LastSeen, Busy: r.Current != nil,
			LastSeenText: T(site.Lang, "runners.ago", now.Sub(r.LastSeen).Round(time.Second).String())}
		if r.Current != nil && r.Current.Video != nil {
			row.Current = T(site.Lang, "runners.currentJob", r.Current.Video.Name, int(r.Current.Progress*100+0.5))
		}
		data.Runners = append(data.Runners, row)
	}
	s.renderPage(c, http.StatusOK, "admin-jobs.html", Page{Site: site, Title: T(site.Lang, "admin.jobs"), Data: data})
}

func stateKey(st string) string {
	if st == "" {
		return "all"
	}
	return st
}

func (s *pages) adminSettingsPage(c *gin.Context) {
	site := s.site(c, "admin")
	st, err := s.Instance.Get(c.Request.Context())
	if err != nil {
		s.pageError(c, site, err)
		return
	}
	s.renderPage(c, http.StatusOK, "admin-settings.html", Page{Site: site, Title: T(site.Lang, "admin.settings"), Data: st})
}
