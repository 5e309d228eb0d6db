package uploads

// MaxFileSize is the largest original accepted, in bytes, for forms that
// tell creators before they pick a file.
func (s *Service) MaxFileSize() int64 { return s.cfg.MaxFileSize }
