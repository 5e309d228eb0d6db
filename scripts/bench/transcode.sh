#!/usr/bin/env bash
# Transcoding benchmark, on a 30 s 720p30 clip (testsrc2 and a sine,
# generated once into scripts/bench/out/):
#   (a) pipeline.Run end to end against the bare ffmpeg command it runs
#       (pipeline.Args executed as is). Aim: pipeline/bare <= 1.10.
#   (b) the same ladder made PeerTube's way, one ffmpeg per rendition,
#       one after another and 2 at a time, against the single pass.
#       Aim: speed-up >= 1.4x.
# Runs alternate between the variants and the best of each counts. A
# missed aim is reported, not a failure.
#
# Extra arguments go to `cuttle-bench transcode`, e.g.: transcode.sh -runs 3
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# A fresh machine may have Go only in its standard location, not on PATH.
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  PATH="$PATH:/usr/local/go/bin"
fi

scripts/deps.sh run
go build -o bin/cuttle-bench ./server/cmd/cuttle-bench

# The encoded ladders go to a directory of our own, removed however the
# run ends; cuttle-bench cleans up after itself too, unless it is killed.
work=$(mktemp -d "${TMPDIR:-/tmp}/cuttle-bench-transcode.XXXXXX")
bench_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [[ -n $bench_pid ]] && kill -0 "$bench_pid" 2>/dev/null; then
    kill -TERM "$bench_pid" 2>/dev/null || true
    wait "$bench_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# In the background so that the traps run as soon as a signal comes;
# cuttle-bench stops its ffmpeg processes when it is told to stop.
./bin/cuttle-bench transcode -clip scripts/bench/out/clip-720p30-30s.mp4 -work "$work" "$@" &
bench_pid=$!
status=0
wait "$bench_pid" || status=$?
bench_pid=
exit "$status"
