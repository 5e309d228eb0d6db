#!/usr/bin/env bash
# Installs what `make run` (deps.sh run) or `make test` (deps.sh test) needs
# and is missing. Safe to run every time: silent when everything is present.
#
#   run:  ffmpeg, ffprobe, Node.js and npm (to build the player)
#   test: all of run, redis-server, PostgreSQL server binaries, versitygw,
#         Chromium (browser tests), PeerTube's CLI (npm, for the e2e test
#         that uploads with it)
#
# versitygw is not packaged for Debian, so it is built from source into
# .cache/bin/ inside the repository rather than anywhere system-wide.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_BIN="$ROOT/.cache/bin"
VERSITYGW_MODULE=github.com/versity/versitygw
VERSITYGW_VERSION=v1.8.0

log() { printf 'deps: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  echo "usage: $0 run|test" >&2
  exit 2
}

# A fresh machine may have Go only in its standard location, not on PATH.
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  PATH="$PATH:/usr/local/go/bin"
fi

# Privileged commands go through sudo only when we are not root already.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run '$*' (not root and no sudo); install it by hand"
  fi
}

apt_updated=0
apt_install() {
  log "installing $* (apt)"
  local out
  out=$(mktemp)
  # Someone else's apt run may hold the lock; wait for it instead of failing.
  local -a apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
  # apt is chatty even with -q; keep its output only for when it fails.
  if [[ $apt_updated -eq 0 ]]; then
    if ! as_root "${apt[@]}" update >"$out" 2>&1; then
      cat "$out" >&2; rm -f "$out"; die "apt-get update failed"
    fi
    apt_updated=1
  fi
  if ! as_root "${apt[@]}" install -y --no-install-recommends "$@" >"$out" 2>&1; then
    cat "$out" >&2; rm -f "$out"; die "apt-get install $* failed"
  fi
  rm -f "$out"
}

have() { command -v "$1" >/dev/null 2>&1; }

need_ffmpeg() {
  if ! have ffmpeg || ! have ffprobe; then
    apt_install ffmpeg
  fi
}

need_node() {
  if ! have node || ! have npm; then
    apt_install nodejs npm
  fi
}

need_chromium() {
  if ! have chromium; then
    apt_install chromium
  fi
}

need_redis() {
  # redis-cli (from redis-tools) is a dependency of redis-server.
  if ! have redis-server || ! have redis-cli; then
    apt_install redis-server
  fi
}

postgres_bin_dir() {
  # Newest installed major version wins; the glob sorts 15 before 16.
  local initdb dir=""
  for initdb in /usr/lib/postgresql/*/bin/initdb; do
    [[ -x $initdb ]] && dir=${initdb%/initdb}
  done
  [[ -n $dir ]] && echo "$dir"
}

need_postgres() {
  if ! postgres_bin_dir >/dev/null; then
    apt_install postgresql
    postgres_bin_dir >/dev/null || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb"
  fi
  # initdb refuses to run as root, so root needs a user to hand it to. The
  # Debian package creates it; bare server binaries may come without it.
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    log "creating system user postgres"
    useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
      --shell /bin/sh postgres
  fi
}

need_versitygw() {
  local bin="$CACHE_BIN/versitygw"
  # Rebuild when the pinned version changes; `go version -m` reads the
  # module version stamped into the binary.
  if [[ -x $bin ]] && go version -m "$bin" 2>/dev/null |
    grep -Eq "^[[:space:]]+mod[[:space:]]+${VERSITYGW_MODULE}[[:space:]]+${VERSITYGW_VERSION}([[:space:]]|\$)"; then
    return
  fi
  have go || die "go not found (needed to build versitygw)"
  log "building versitygw $VERSITYGW_VERSION into ${bin#"$ROOT"/} (about a minute)"
  mkdir -p "$CACHE_BIN"
  # GOWORK=off: the repository's go.work must not leak into this build.
  GOWORK=off GOFLAGS='' GOBIN="$CACHE_BIN" \
    go install "$VERSITYGW_MODULE/cmd/versitygw@$VERSITYGW_VERSION"
}

# PeerTube's official CLI, at the version its package-lock.json pins, in
# the e2e test data rather than anywhere system-wide. It is one bundled
# file without dependencies (3 MB, about a second to install).
need_peertube_cli() {
  local dir="$ROOT/server/e2e/testdata/peertube-cli"
  # npm writes node_modules/.package-lock.json after every install, so it
  # is older than package-lock.json exactly when the lock changed since.
  if [[ -f $dir/node_modules/.package-lock.json && ! $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    return
  fi
  log "installing PeerTube's CLI (npm) into ${dir#"$ROOT"/}"
  # The CLI needs no install scripts (also off in its .npmrc).
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
}

[[ $# -eq 1 ]] || usage
case $1 in
  run)
    need_ffmpeg
    need_node
    ;;
  test)
    need_ffmpeg
    need_node
    need_chromium
    need_redis
    need_postgres
    need_versitygw
    need_peertube_cli
    ;;
  *) usage ;;
esac
