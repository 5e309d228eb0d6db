module cuttle.video/transcoder

go 1.26.8

require (
	cuttle.video/storage v0.0.0
	github.com/google/uuid v1.6.0
	github.com/grafov/m3u8 v0.12.1
	github.com/redis/go-redis/v9 v9.23.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)

replace cuttle.video/storage => ../storage
