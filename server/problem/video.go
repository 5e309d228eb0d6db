package problem

// PeerTube's codes for password-protected videos.
const (
	// CodeVideoRequiresPassword: the video needs the
	// x-peertube-video-password header.
	CodeVideoRequiresPassword = "video_requires_password"
	// CodeIncorrectVideoPassword: the header holds none of its passwords.
	CodeIncorrectVideoPassword = "incorrect_video_password"
)
