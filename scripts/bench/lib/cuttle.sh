# Sourced by the benchmarks that run a Cuttle server; the caller defines
# die and an EXIT trap that stops $server_pid.

# free_port prints a loopback port nobody answers on. The server's public
# URL derives from its port, so port 0 would not do.
free_port() {
  local candidate
  for _ in $(seq 50); do
    candidate=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  die "found no free port"
}

# start_cuttle DATA_DIR LOG_DIR [NAME=value ...] starts bin/cuttle serve on
# a free port with a random admin password and the given environment, sets
# url, password and server_pid, and returns once /healthz answers.
start_cuttle() {
  local data=$1 logs=$2
  shift 2
  port=$(free_port)
  url="http://127.0.0.1:$port"
  password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  env CUTTLE_ADMIN_PASSWORD="$password" CUTTLE_LOG_LEVEL=warn "$@" \
    ./bin/cuttle serve --data "$data" --listen "127.0.0.1:$port" \
    >"$logs/server.out" 2>"$logs/server.err" &
  server_pid=$!
  for _ in $(seq 300); do
    if curl -fsS -o /dev/null --max-time 1 "$url/healthz" 2>/dev/null; then
      return
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      cat "$logs/server.err" >&2
      die "the server exited during start"
    fi
    sleep 0.1
  done
  cat "$logs/server.err" >&2
  die "the server did not become healthy at $url"
}
