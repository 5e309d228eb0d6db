#!/usr/bin/env bash
# HLS serving benchmark: a fresh Cuttle server (local media storage)
# transcodes the 30 s 720p benchmark clip; the benchmark reads the media
# playlists it wrote and makes one request per segment of every
# rendition: with the byte-range layout (one fragmented MP4 per
# rendition, #EXT-X-BYTERANGE), a GET with `Range: bytes=start-end` of
# the segment's bytes, answered 206; with separate segment files, a GET
# of the whole file. wrk (64 connections, 2 threads, 10 s) cycles through
# that list against the server, against nginx serving the same directory
# as static files, and against Go's own file server over the same files
# (to tell the server's costs from net/http's). Before the timed runs,
# every request is made once to each of them and the status,
# Content-Range and bytes checked against the file, so a server that
# ignores Range cannot win.
# Prints, for each, requests/s and server CPU per request (user+system
# time from /proc during the run, nginx's master and workers summed,
# divided by the requests wrk completed), both also as ratios to nginx.
# Aim: cuttle/nginx requests/s >= 0.8; a miss is reported, not a failure.
#
# Extra arguments go to `cuttle-bench hls-serve`, e.g.: hls-serve.sh -runs 3
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=lib/cuttle.sh
. scripts/bench/lib/cuttle.sh

# A fresh machine may have Go only in its standard location, not on PATH.
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  PATH="$PATH:/usr/local/go/bin"
fi

log() { printf 'bench hls-serve: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run '$*'; install wrk and nginx by hand"
  fi
}

scripts/deps.sh run
command -v curl >/dev/null 2>&1 || die "curl is needed to wait for the server"
NGINX=$(command -v nginx || true)
# Debian puts nginx in /usr/sbin, which is not on every user's PATH.
[[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
if ! command -v wrk >/dev/null 2>&1 || [[ -z $NGINX ]]; then
  log "installing wrk and nginx (apt)"
  # The package's own nginx service is not used: ours runs in the
  # foreground on a port of its own, with a configuration of its own.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 update >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 \
    install -y --no-install-recommends wrk nginx >/dev/null
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi

# The server embeds the player bundle.
scripts/build-player.sh
go build -o bin/cuttle ./server/cmd/cuttle
go build -o bin/cuttle-bench ./server/cmd/cuttle-bench

work=$(mktemp -d "${TMPDIR:-/tmp}/cuttle-bench-hls.XXXXXX")
server_pid=
bench_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local pid
  # The benchmark first: it stops the nginx it started.
  for pid in "$bench_pid" "$server_pid"; do
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir "$work/data"

# One embedded transcoding worker, the default, makes the HLS files;
# it is idle by the time wrk runs.
start_cuttle "$work/data" "$work" CUTTLE_TRANSCODING_WORKERS=1

status=0
./bin/cuttle-bench hls-serve -clip scripts/bench/out/clip-720p30-30s.mp4 \
  -server "$url" -password "$password" -data "$work/data" -work "$work" -pid "$server_pid" \
  -nginx "$NGINX" "$@" &
bench_pid=$!
wait "$bench_pid" || status=$?
bench_pid=
if [[ -s $work/server.err ]]; then
  log "server log:"
  cat "$work/server.err" >&2
fi
exit "$status"
