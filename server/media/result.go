package media

import (
	"encoding/json"

	"cuttle.video/server/database"
	"cuttle.video/transcoder/job"
)

// Result decodes a video's last transcoding result; nil before one.
func Result(v *database.Video) *job.VODHLSResult {
	if v.HLS == "" {
		return nil
	}
	var res job.VODHLSResult
	if err := json.Unmarshal([]byte(v.HLS), &res); err != nil {
		return nil
	}
	return &res
}
