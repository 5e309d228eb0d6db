#!/usr/bin/env bash
# Throw-away PostgreSQL, Redis and S3 (versitygw) for the test suite.
#
#   scripts/testenv.sh start [DIR]   start all three; prints DIR on stdout
#   scripts/testenv.sh stop DIR      stop everything started under DIR, delete DIR
#
# DIR must be empty or absent; without it start makes one with mktemp -d.
# Every file the services write lives under DIR, and each service listens on
# a free 127.0.0.1 port, so several runs can share a machine. start writes
# DIR/env (KEY=value lines, load with `set -a; . DIR/env; set +a`):
#
#   CUTTLE_TEST_POSTGRES_URL, CUTTLE_TEST_REDIS_URL, CUTTLE_TEST_S3_ENDPOINT,
#   CUTTLE_TEST_S3_ACCESS_KEY, CUTTLE_TEST_S3_SECRET_KEY, CUTTLE_TEST_S3_REGION,
#   CUTTLE_TEST_REQUIRE_SERVICES=1
#
# If start fails it stops whatever it had started. stop is idempotent and
# copes with a half-started DIR, so callers can run it unconditionally from
# an EXIT trap. Needs what `scripts/deps.sh test` installs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Marks a directory as ours: stop refuses to delete anything without it.
MARKER=.cuttle-testenv
S3_ACCESS_KEY=cuttle-test
S3_SECRET_KEY=cuttle-test-secret
S3_REGION=us-east-1
READY_TIMEOUT=60 # seconds per service
STARTED=0

log() { printf 'testenv: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  echo "usage: $0 start [DIR] | stop DIR" >&2
  exit 2
}

# ---------------------------------------------------------------- helpers

postgres_bin_dir() {
  # Newest installed major version wins; the glob sorts 15 before 16.
  local initdb dir=""
  for initdb in /usr/lib/postgresql/*/bin/initdb; do
    [[ -x $initdb ]] && dir=${initdb%/initdb}
  done
  [[ -n $dir ]] && echo "$dir"
}

versitygw_bin() {
  if [[ -x $ROOT/.cache/bin/versitygw ]]; then
    echo "$ROOT/.cache/bin/versitygw"
  else
    command -v versitygw
  fi
}

# initdb and postgres refuse to run as root; root hands them to the postgres
# user. Anyone else simply runs them as themselves.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# True only when a connection to the port is actively refused. A hang (say, a
# listener with a full backlog) counts as taken.
port_free() {
  local rc=0
  # shellcheck disable=SC2016 # $1 belongs to the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null || rc=$?
  [[ $rc -eq 1 ]]
}

# Picks below 32768, where Linux's default ephemeral range starts, so
# outgoing connections of other programs cannot have grabbed it. Ports handed
# out earlier in this run are skipped: their service may not be bound yet.
USED_PORTS=" "
pick_port() {
  local port tries
  for ((tries = 0; tries < 200; tries++)); do
    port=$((20000 + RANDOM % 12768))
    [[ $USED_PORTS == *" $port "* ]] && continue
    if port_free "$port"; then
      USED_PORTS+="$port "
      PORT=$port
      return 0
    fi
  done
  die "found no free port on 127.0.0.1"
}

# kill -0 also succeeds for a zombie, and an orphaned service is reaped by
# whatever runs as pid 1, possibly slowly; a zombie counts as gone.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # The state follows the command name, which is in parentheses.
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# listens_on PID PORT: whether PID itself holds the listening socket on
# 127.0.0.1:PORT. A probe that merely gets an answer could be talking to
# someone else who took the port between pick_port and our bind.
listens_on() {
  local pid=$1 want fd inode
  want=$(printf '0100007F:%04X' "$2")
  # /proc/net/tcp columns: sl local_address rem_address st ... inode (10th);
  # st 0A is LISTEN.
  inode=$(awk -v a="$want" '$2 == a && $4 == "0A" { print $10; exit }' /proc/net/tcp)
  [[ -n $inode ]] || return 1
  for fd in /proc/"$pid"/fd/*; do
    [[ $(readlink "$fd" 2>/dev/null) == "socket:[$inode]" ]] && return 0
  done
  return 1
}

# wait_ready NAME PID LOG CMD...: polls CMD until it succeeds. Gives up early
# when PID (if not empty) has exited, and shows the end of LOG on failure.
wait_ready() {
  local name=$1 pid=$2 logfile=$3
  shift 3
  local deadline=$((SECONDS + READY_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if [[ -n $pid ]] && ! alive "$pid"; then
      log "$name exited during startup"
      tail -n 20 "$logfile" >&2 || true
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "$name not ready after ${READY_TIMEOUT}s"
      tail -n 20 "$logfile" >&2 || true
      return 1
    fi
    sleep 0.1
  done
}

# kill_pidfile FILE NAME: stops the process recorded in FILE, provided it is
# still NAME (the pid may have been reused since).
kill_pidfile() {
  local file=$1 name=$2 pid comm i
  [[ -f $file ]] || return 0
  pid=$(<"$file")
  rm -f "$file"
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 0
  [[ $comm == "$name"* ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# A port that was free when probed can be taken before the service binds it,
# so a service that fails to start gets two more tries on other ports.
start_on_free_port() {
  local name=$1 fn=$2 attempt
  for attempt in 1 2 3; do
    pick_port
    if "$fn" "$PORT"; then
      return 0
    fi
    log "$name failed to start on port $PORT (attempt $attempt of 3)"
  done
  return 1
}

# ---------------------------------------------------------------- postgres

init_postgres() {
  local bin=$1 pgdir=$DIR/pg
  mkdir -p "$pgdir"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "no postgres user (run scripts/deps.sh test)"
    chown postgres: "$pgdir"
    # DIR itself stays root's; postgres only needs to pass through it.
    chmod 0711 "$DIR"
    as_pg test -w "$pgdir" ||
      die "user postgres cannot reach $pgdir; point TMPDIR at a directory every user can traverse, such as /tmp"
  fi
  # The postgres user may not be able to enter the caller's directory.
  (cd "$pgdir" && as_pg "$bin/initdb" -D "$pgdir/data" -A trust -U postgres \
    -E UTF8 --locale=C --no-sync >"$pgdir/initdb.log" 2>&1) || {
    tail -n 20 "$pgdir/initdb.log" >&2
    die "initdb failed"
  }
  # Durability is pointless for a database deleted after the run.
  cat >>"$pgdir/data/postgresql.conf" <<EOF

# throw-away test instance
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pgdir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
}

start_postgres() {
  local port=$1 bin pgdir=$DIR/pg
  bin=$(postgres_bin_dir)
  # pg_ctl -w waits until the server accepts connections or has failed.
  if ! (cd "$pgdir" && as_pg "$bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/postgres.log" \
    -o "-p $port" -w -t "$READY_TIMEOUT" start >>"$pgdir/pg_ctl.log" 2>&1); then
    tail -n 20 "$pgdir/postgres.log" >&2 || true
    stop_postgres
    return 1
  fi
  wait_ready postgres "" "$pgdir/postgres.log" \
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres || {
    stop_postgres
    return 1
  }
  PG_PORT=$port
}

stop_postgres() {
  local pgdir=$DIR/pg bin pid
  [[ -f $pgdir/data/postmaster.pid ]] || return 0
  pid=$(head -n 1 "$pgdir/data/postmaster.pid")
  # Immediate mode: no checkpoint, nothing here is worth keeping.
  if bin=$(postgres_bin_dir); then
    (cd "$pgdir" && as_pg "$bin/pg_ctl" -D "$pgdir/data" -m immediate -w -t 30 stop) \
      >>"$pgdir/pg_ctl.log" 2>&1 || true
  fi
  if [[ $pid =~ ^[0-9]+$ ]] && alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

# ---------------------------------------------------------------- redis

start_redis() {
  local port=$1 rdir=$DIR/redis pid
  mkdir -p "$rdir"
  # No persistence: --save "" and no AOF. Output goes to files so nothing
  # holds the caller's stdout (which may be a $(...) waiting for EOF).
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$rdir" --logfile "$rdir/redis.log" --daemonize no \
    </dev/null >>"$rdir/redis.out" 2>&1 &
  pid=$!
  echo "$pid" >"$rdir/pid"
  wait_ready redis "$pid" "$rdir/redis.log" redis_pong "$pid" "$port" || {
    kill_pidfile "$rdir/pid" redis-server
    return 1
  }
  REDIS_PORT=$port
}

# redis_pong PID PORT
redis_pong() {
  listens_on "$1" "$2" &&
    [[ $(redis-cli -h 127.0.0.1 -p "$2" ping 2>/dev/null) == PONG ]]
}

stop_redis() {
  kill_pidfile "$DIR/redis/pid" redis-server
}

# ---------------------------------------------------------------- s3

start_s3() {
  local port=$1 sdir=$DIR/s3 vgw pid
  local -a backend_opts=()
  vgw=$(versitygw_bin) || die "versitygw not found (run scripts/deps.sh test)"
  mkdir -p "$sdir/data"
  # The posix backend keeps object metadata in xattrs; tmpfs on older
  # kernels lacks user xattrs, so use sidecar files there instead.
  if [[ $(stat -f -c %T "$sdir") == tmpfs ]]; then
    mkdir -p "$sdir/meta"
    backend_opts+=(--sidecar "$sdir/meta")
  fi
  ROOT_ACCESS_KEY=$S3_ACCESS_KEY ROOT_SECRET_KEY=$S3_SECRET_KEY \
    "$vgw" --port "127.0.0.1:$port" --region "$S3_REGION" --quiet \
    posix "${backend_opts[@]}" "$sdir/data" \
    </dev/null >>"$sdir/versitygw.log" 2>&1 &
  pid=$!
  echo "$pid" >"$sdir/pid"
  wait_ready versitygw "$pid" "$sdir/versitygw.log" http_answers "$pid" "$port" || {
    kill_pidfile "$sdir/pid" versitygw
    return 1
  }
  S3_PORT=$port
}

# http_answers PID PORT. Any HTTP status line will do: an anonymous request gets 403, which still
# proves the gateway is serving.
http_answers() {
  listens_on "$1" "$2" || return 1
  # shellcheck disable=SC2016 # $1 belongs to the inner bash
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET / HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n" "$1" >&3
    IFS= read -r line <&3
    [[ $line == HTTP/* ]]' _ "$2" 2>/dev/null
}

stop_s3() {
  kill_pidfile "$DIR/s3/pid" versitygw
}

# ---------------------------------------------------------------- commands

cmd_start() {
  local bin
  if [[ -n ${1:-} ]]; then
    mkdir -p "$1"
    [[ -z $(ls -A "$1") ]] || die "$1 is not empty"
    DIR=$(cd "$1" && pwd)
  else
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/cuttle-testenv.XXXXXX")
  fi
  touch "$DIR/$MARKER"

  # Any failure or signal from here on tears down what was started.
  trap '[[ $STARTED -eq 1 ]] || cmd_stop "$DIR"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  bin=$(postgres_bin_dir) || die "no /usr/lib/postgresql/*/bin/initdb (run scripts/deps.sh test)"
  command -v redis-server >/dev/null || die "redis-server not found (run scripts/deps.sh test)"
  versitygw_bin >/dev/null || die "versitygw not found (run scripts/deps.sh test)"

  init_postgres "$bin"
  start_on_free_port postgres start_postgres || die "could not start postgres"
  start_on_free_port redis start_redis || die "could not start redis"
  start_on_free_port versitygw start_s3 || die "could not start versitygw"

  # Written under another name and renamed, so a reader never sees half a file.
  cat >"$DIR/env.tmp" <<EOF
CUTTLE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable
CUTTLE_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
CUTTLE_TEST_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
CUTTLE_TEST_S3_ACCESS_KEY=$S3_ACCESS_KEY
CUTTLE_TEST_S3_SECRET_KEY=$S3_SECRET_KEY
CUTTLE_TEST_S3_REGION=$S3_REGION
CUTTLE_TEST_REQUIRE_SERVICES=1
EOF
  mv "$DIR/env.tmp" "$DIR/env"
  STARTED=1

  log "postgres 127.0.0.1:$PG_PORT, redis 127.0.0.1:$REDIS_PORT, s3 127.0.0.1:$S3_PORT"
  log "env file: $DIR/env (stop with: scripts/testenv.sh stop $DIR)"
  echo "$DIR"
}

cmd_stop() {
  DIR=${1:?}
  [[ -d $DIR ]] || return 0
  if [[ ! -e $DIR/$MARKER ]]; then
    # A caller may have made DIR and been interrupted before start marked it.
    rmdir "$DIR" 2>/dev/null && return 0
    die "$DIR was not made by testenv.sh start; leaving it alone"
  fi
  # Each stop tolerates a service that never started or already died.
  stop_s3 || true
  stop_redis || true
  stop_postgres || true
  rm -rf -- "$DIR"
}

case ${1:-} in
  start)
    [[ $# -le 2 ]] || usage
    cmd_start "${2:-}"
    ;;
  stop)
    [[ $# -eq 2 ]] || usage
    cmd_stop "$2"
    ;;
  *) usage ;;
esac
