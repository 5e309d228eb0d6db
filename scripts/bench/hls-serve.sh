#!/usr/bin/env bash
# HLS serving benchmark: a fresh Cuttle server (local media storage)
# transcodes the 30 s 720p benchmark clip, then wrk (64 connections, 2
# threads, 10 s) asks for its .m4s segments in turn from the server and
# from nginx serving the same directory as static files; Go's own file
# server over the same files is measured too, to tell the server's costs
# from net/http's. Prints requests/s of each and the ratio cuttle/nginx.
# Aim: ratio >= 0.8; a miss is reported, not a failure.
#
# Extra arguments go to `cuttle-bench hls-serve`, e.g.: hls-serve.sh -runs 3
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

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

# A port nobody answers on; the server's public URL, used in the upload's
# Location, derives from it, so port 0 would not do.
port=
for _ in $(seq 50); do
  candidate=$((20000 + RANDOM % 20000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port=$candidate
    break
  fi
done
[[ -n $port ]] || die "found no free port"
url="http://127.0.0.1:$port"

# One embedded transcoding worker, the default, makes the HLS files;
# it is idle by the time wrk runs.
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
CUTTLE_ADMIN_PASSWORD=$password CUTTLE_LOG_LEVEL=warn CUTTLE_TRANSCODING_WORKERS=1 \
  ./bin/cuttle serve --data "$work/data" --listen "127.0.0.1:$port" \
  >"$work/server.out" 2>"$work/server.err" &
server_pid=$!

for _ in $(seq 300); do
  if curl -fsS -o /dev/null --max-time 1 "$url/healthz" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$work/server.err" >&2
    die "the server exited during start"
  fi
  sleep 0.1
done
curl -fsS -o /dev/null --max-time 1 "$url/healthz" || {
  cat "$work/server.err" >&2
  die "the server did not become healthy at $url"
}

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
