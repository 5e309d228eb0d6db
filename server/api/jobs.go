package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"cuttle.video/server/database"
	"cuttle.video/server/jobs"
)

// jobJSON follows PeerTube's Job shape.
type jobJSON struct {
	ID          string     `json:"id"`
	State       string     `json:"state"`
	Type        string     `json:"type"`
	Data        gin.H      `json:"data"`
	Error       *string    `json:"error"`
	Progress    int        `json:"progress"`
	Attempts    int        `json:"attempts"`
	Worker      string     `json:"worker,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	ProcessedOn *time.Time `json:"processedOn"`
	FinishedOn  *time.Time `json:"finishedOn"`
}

func jobOut(j *database.Job) jobJSON {
	out := jobJSON{
		ID: j.ID, State: jobs.PeerTubeState(j.State), Type: j.Type, Progress: int(j.Progress*100 + 0.5),
		Attempts: j.Attempts, Worker: j.Worker, CreatedAt: j.CreatedAt, ProcessedOn: j.StartedAt, FinishedOn: j.FinishedAt,
		Data: gin.H{},
	}
	if j.Error != "" {
		out.Error = &j.Error
	}
	if j.Video != nil {
		out.Data = gin.H{"videoUUID": j.Video.UUID, "videoName": j.Video.Name}
	}
	return out
}

func (s *server) listJobs(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	js, total, err := s.Jobs.List(c.Request.Context(), c.Param("state"), p.Start, p.Count)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := list[jobJSON]{Total: total, Data: make([]jobJSON, 0, len(js))}
	for i := range js {
		out.Data = append(out.Data, jobOut(&js[i]))
	}
	c.JSON(http.StatusOK, out)
}

// retryJob is POST /api/v1/jobs/{id}/retry; the route shares its
// wildcard with the list's {state}.
func (s *server) retryJob(c *gin.Context) {
	if err := s.Jobs.Retry(c.Request.Context(), c.Param("state")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
