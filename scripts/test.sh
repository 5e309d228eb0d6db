#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs missing dependencies, starts
# throw-away PostgreSQL/Redis/S3 (scripts/testenv.sh), then checks gofmt and
# runs go vet and go test in every module. Keeps going after a failure so
# one run reports everything; exits non-zero if anything failed.
#
# Extra arguments go to `go test`, e.g.: scripts/test.sh -run TestUpload -v
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

MODULES=(server storage transcoder player)
# The reference machine has 2 cores.
GO_TEST_FLAGS=(-p 2 -count=1 -timeout 30m)

# A fresh machine may have Go only in its standard location, not on PATH.
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  PATH="$PATH:/usr/local/go/bin"
fi

scripts/deps.sh test
# The server embeds the player bundle; its tests play videos with it.
scripts/build-player.sh

# The directory exists before the services do, so the trap can always clean
# up, even when start is interrupted.
envdir=$(mktemp -d "${TMPDIR:-/tmp}/cuttle-test.XXXXXX")
cleanup() {
  scripts/testenv.sh stop "$envdir" || echo "test: could not stop the test services in $envdir" >&2
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

scripts/testenv.sh start "$envdir" >/dev/null
set -a
# shellcheck source=/dev/null # written by testenv.sh start
. "$envdir/env"
set +a
# Browser tests keep their screenshots here, for people and CI to look at.
export CUTTLE_TEST_ARTIFACTS="${CUTTLE_TEST_ARTIFACTS:-$PWD/test-artifacts}"
rm -rf "$CUTTLE_TEST_ARTIFACTS"
mkdir -p "$CUTTLE_TEST_ARTIFACTS"

results=()
failed=0

# step NAME CMD...: runs CMD and records how it went for the summary.
step() {
  local name=$1 start=$SECONDS
  shift
  printf '\n== %s\n' "$name"
  if "$@"; then
    results+=("ok    $name ($((SECONDS - start))s)")
  else
    results+=("FAIL  $name ($((SECONDS - start))s)")
    failed=1
  fi
}

in_module() {
  (cd "$1" && shift && "$@")
}

gofmt_check() {
  local -a files
  local out
  # testdata may hold deliberately malformed Go; the others are not ours.
  mapfile -t files < <(find "${MODULES[@]}" \
    \( -name testdata -o -name vendor -o -name node_modules \) -prune \
    -o -type f -name '*.go' -print)
  ((${#files[@]})) || return 0
  out=$(gofmt -l "${files[@]}") || return 1
  if [[ -n $out ]]; then
    echo "not gofmt-formatted (run gofmt -w on them):"
    echo "$out"
    return 1
  fi
}

step gofmt gofmt_check

for m in "${MODULES[@]}"; do
  if [[ ! -f $m/go.mod ]]; then
    results+=("skip  $m (no go.mod)")
    continue
  fi
  # go vet and go test fail on a module without packages.
  if [[ -z $(in_module "$m" go list -e ./... 2>/dev/null) ]]; then
    results+=("skip  $m (no Go packages)")
    continue
  fi
  step "go vet $m" in_module "$m" go vet ./...
  step "go test $m" in_module "$m" go test "${GO_TEST_FLAGS[@]}" "$@" ./...
done

printf '\n== summary\n'
printf '%s\n' "${results[@]}"
if ((failed)); then
  echo "FAILED"
  exit 1
fi
echo "all passed"
