module cuttle.video/transcoder

go 1.26.8
