#!/usr/bin/env bash
# Upload benchmark: a resumable upload of a ~1 GiB video to a fresh Cuttle
# server over loopback, alternated with the same upload to a bare net/http
# handler that only appends the body to a file (what this machine can do
# at best). Prints both throughputs, their ratio and the server's RSS.
# Aims: ratio >= 0.7, RSS growth < 64 MiB; a miss is reported, not a
# failure.
#
# Extra arguments go to `cuttle-bench upload`, e.g.: upload.sh -chunk 32MiB
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=lib/cuttle.sh
. scripts/bench/lib/cuttle.sh

# A fresh machine may have Go only in its standard location, not on PATH.
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  PATH="$PATH:/usr/local/go/bin"
fi

log() { printf 'bench upload: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

scripts/deps.sh run
command -v curl >/dev/null 2>&1 || die "curl is needed to wait for the server"

go build -o bin/cuttle ./server/cmd/cuttle
go build -o bin/cuttle-bench ./server/cmd/cuttle-bench

# The server probes a finished upload with ffprobe, so the file must be a
# real video. Lossless x264 of a noisy test pattern runs at ~300 Mbit/s,
# which reaches 1 GiB in about 25 s of video and 10 s of encoding; -fs
# stops there and ffmpeg still writes a complete file. It is kept in out/
# (ignored by git) for the next runs.
MEDIA=scripts/bench/out/upload-1GiB.mp4
ONE_GIB=$((1 << 30))
if [[ ! -f $MEDIA ]]; then
  log "generating $MEDIA (once)"
  mkdir -p "$(dirname "$MEDIA")"
  # Written under another name first, so an interrupted run leaves
  # nothing that looks finished.
  tmp="${MEDIA%.mp4}.partial.mp4"
  ffmpeg -hide_banner -loglevel error -y \
    -f lavfi -i testsrc2=size=1280x720:rate=30 -t 120 \
    -vf noise=alls=30:allf=t -c:v libx264 -preset ultrafast -qp 0 -pix_fmt yuv420p \
    -fs "$ONE_GIB" -movflags +faststart "$tmp"
  codec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$tmp")
  [[ $codec == h264 ]] || die "ffprobe does not see an h264 video in $tmp"
  mv "$tmp" "$MEDIA"
fi
size=$(stat -c %s "$MEDIA")
((size >= ONE_GIB)) || die "$MEDIA is only $size bytes; delete it to regenerate"

# Server data and baseline file share one directory, hence one
# filesystem, so both sides write to the same disk.
work=$(mktemp -d "${TMPDIR:-/tmp}/cuttle-bench-upload.XXXXXX")
server_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir "$work/data" "$work/baseline"

start_cuttle "$work/data" "$work"

status=0
./bin/cuttle-bench upload -file "$MEDIA" -server "$url" -password "$password" \
  -pid "$server_pid" -baseline-dir "$work/baseline" "$@" || status=$?
if [[ -s $work/server.err ]]; then
  log "server log:"
  cat "$work/server.err" >&2
fi
exit "$status"
