module cuttle.video/player

go 1.26.8
