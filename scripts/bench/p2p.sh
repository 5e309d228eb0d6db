#!/usr/bin/env bash
# Peer-to-peer benchmarks. A benchmark, not a test: missed aims are
# reported, only a broken run fails.
#
# (a) Offload: a fresh Cuttle server publishes a 60 s 360p clip; 20 Go
#     peers (cuttle.video/player/peer, the browser player's protocols) join
#     its swarm 3 s apart and play it through in real time. Prints the share
#     of segment bytes that came from peers and its ratio to the best
#     possible, (N-1)/N. Aim: ratio >= 0.9.
# (b) Tracker capacity: Cuttle's tracker and bittorrent-tracker (npm, the
#     WebTorrent tracker PeerTube runs), each alone in its own process, get
#     the same load in turn: 10,000 WebSocket peers in 100 swarms, then
#     announces with five offers each, every offer answered. Prints
#     announces per second, the tracker's CPU per announce and its RSS.
#     Aim: 3x the announce rate with less memory.
#
# The load generator shares the machine's cores with the tracker under
# test, so wall-clock rates are bounded by it as much as by the tracker;
# announces per CPU-second of the tracker are the machine-independent
# figure.
#
#   scripts/bench/p2p.sh [offload|tracker]   both when no argument is given
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=lib/cuttle.sh
. scripts/bench/lib/cuttle.sh

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  PATH="$PATH:/usr/local/go/bin"
fi

log() { printf 'bench p2p: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

what=${1:-all}
case $what in all | offload | tracker) ;; *) die "usage: $0 [offload|tracker]" ;; esac

scripts/deps.sh run
command -v curl >/dev/null 2>&1 || die "curl is needed to wait for the server"
scripts/build-player.sh >/dev/null
go build -o bin/cuttle ./server/cmd/cuttle
go build -o bin/cuttle-bench ./server/cmd/cuttle-bench

# 10,000 sockets on each side.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work=$(mktemp -d "${TMPDIR:-/tmp}/cuttle-bench-p2p.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

offload() {
  local clip=scripts/bench/out/clip-360p30-60s.mp4
  if [[ ! -f $clip ]]; then
    log "generating $clip (once)"
    mkdir -p "$(dirname "$clip")"
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=30 \
      -f lavfi -i sine=frequency=440 -t 60 -c:v libx264 -preset veryfast -pix_fmt yuv420p \
      -c:a aac -shortest "$clip.partial.mp4"
    mv "$clip.partial.mp4" "$clip"
  fi
  local port url password server_pid
  port=$(free_port)
  url="http://127.0.0.1:$port"
  password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  mkdir -p "$work/data"
  CUTTLE_ADMIN_PASSWORD=$password CUTTLE_LOG_LEVEL=warn CUTTLE_TRANSCODING_WORKERS=1 \
    ./bin/cuttle serve --data "$work/data" --listen "127.0.0.1:$port" \
    >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 300); do
    curl -fsS -o /dev/null --max-time 1 "$url/healthz" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; die "the server exited during start"; }
    sleep 0.1
  done
  log "offload: 20 Go peers on one swarm"
  ./bin/cuttle-bench p2p-offload -server "$url" -password "$password" -clip "$clip" -peers 20 -spacing 3s
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}

tracker() {
  (cd scripts/bench/tracker && if [[ ! -d node_modules/bittorrent-tracker ]]; then
    npm ci --ignore-scripts --no-audit --no-fund >/dev/null
  fi)
  local port pid peers=10000 swarms=100 out
  out="$work/tracker.results"
  : >"$out"

  port=$(free_port)
  ./bin/cuttle-bench tracker-serve -listen "127.0.0.1:$port" >"$work/cuttle-tracker.out" 2>&1 &
  pid=$!
  pids+=("$pid")
  sleep 1
  log "tracker: Cuttle's, $peers peers in $swarms swarms"
  ./bin/cuttle-bench tracker-load -url "ws://127.0.0.1:$port/" -peers "$peers" -swarms "$swarms" \
    -duration 20s -pid "$pid" -name cuttle | tee -a "$out"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true

  port=$(free_port)
  node scripts/bench/tracker/bt-server.mjs "$port" >"$work/bt-tracker.out" 2>&1 &
  pid=$!
  pids+=("$pid")
  sleep 1.5
  log "tracker: bittorrent-tracker $(node -p 'require("./scripts/bench/tracker/node_modules/bittorrent-tracker/package.json").version'), same load"
  ./bin/cuttle-bench tracker-load -url "ws://127.0.0.1:$port/" -peers "$peers" -swarms "$swarms" \
    -duration 20s -pid "$pid" -name bittorrent-tracker | tee -a "$out"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true

  awk '
    /^RESULT/ {
      for (i = 3; i <= NF; i++) { split($i, kv, "="); v[$2, kv[1]] = kv[2] }
    }
    END {
      r = v["cuttle", "rate"] / v["bittorrent-tracker", "rate"]
      c = v["cuttle", "per_cpu_second"] / v["bittorrent-tracker", "per_cpu_second"]
      m = v["cuttle", "peak_rss"] / v["bittorrent-tracker", "peak_rss"]
      printf "tracker: Cuttle / bittorrent-tracker: announces per second x%.2f (aim >= 3: %s), per CPU-second x%.2f, peak RSS x%.2f (aim < 1: %s)\n",
        r, (r >= 3 ? "met" : "MISSED"), c, m, (m < 1 ? "met" : "MISSED")
    }' "$out"
}

if [[ $what == all || $what == offload ]]; then offload; fi
if [[ $what == all || $what == tracker ]]; then tracker; fi
