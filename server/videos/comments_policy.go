package videos

import "cuttle.video/server/database"

// PeerTube's comment policies. Cuttle keeps whether comments are enabled;
// the policy that holds comments for approval is not supported.
const (
	CommentsPolicyEnabled  = 1
	CommentsPolicyDisabled = 2
)

// CommentsPolicies are the policies' labels by id.
var CommentsPolicies = map[int]string{
	CommentsPolicyEnabled:  "Enabled",
	CommentsPolicyDisabled: "Disabled",
}

// CommentsPolicy is a video's policy id.
func CommentsPolicy(v *database.Video) int {
	if v.CommentsEnabled {
		return CommentsPolicyEnabled
	}
	return CommentsPolicyDisabled
}
