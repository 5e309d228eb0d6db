#!/usr/bin/env bash
# Builds the browser player: bundles player/web/src/watch.js (with hls.js)
# into player/bundle/dist/watch.js and copies watch.css next to it, and the
# web interface's scripts and styles from src/site. The Go package
# cuttle.video/player/bundle embeds that directory, so run this before `go build` for a
# server that can play videos.
#
# Installs npm packages only when node_modules is missing or older than
# package-lock.json, and skips the bundle when its outputs are newer than
# every source, so calling it on every build costs next to nothing.
#
#   scripts/build-player.sh           build if anything changed
#   scripts/build-player.sh --force   build anyway
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
cd player/web

force=0
case "${1:-}" in
  --force) force=1 ;;
  "") ;;
  *) echo "usage: scripts/build-player.sh [--force]" >&2; exit 2 ;;
esac

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "build-player: node and npm are needed (Node 20 or newer)" >&2
  exit 1
fi

dist=../bundle/dist
outputs=("$dist/watch.js" "$dist/watch.css" "$dist/site.js" "$dist/upload.js" "$dist/site.css")

# npm writes node_modules/.package-lock.json after every install, so it is
# older than package-lock.json exactly when the lock changed since.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "build-player: installing npm packages"
  # Install scripts stay off (also in .npmrc): a transitive dependency of
  # p2p-media-loader would otherwise download a native binary it never uses
  # in the browser.
  npm ci --ignore-scripts --no-audit --no-fund
fi

up_to_date() {
  local out
  for out in "${outputs[@]}"; do
    [[ -f $out ]] || return 1
    # Any source, the lock file or this script newer than an output means
    # the output is stale.
    if [[ -n $(find src package-lock.json patch-p2pml.mjs "$root/scripts/build-player.sh" -newer "$out" -print -quit) ]]; then
      return 1
    fi
  done
}

size_report() {
  local bytes gz
  bytes=$(wc -c <"$dist/watch.js")
  gz=$(gzip -9c "$dist/watch.js" | wc -c)
  echo "build-player: player/bundle/dist/watch.js $((bytes / 1024)) KiB ($((gz / 1024)) KiB gzipped), watch.css $(wc -c <"$dist/watch.css") bytes"
}

if [[ $force == 0 ]] && up_to_date; then
  echo "build-player: up to date"
  size_report
  exit 0
fi

mkdir -p "$dist"
# Build into temporary names and rename, so an interrupted build never leaves
# a half-written bundle for the Go embed to pick up.
trap 'rm -f "$dist"/*.tmp' EXIT
# p2p-media-loader-core cannot be bundled from its sources (it needs Node's
# events and process); its prebuilt ES module can, once fixed for byte-range
# segments (see patch-p2pml.mjs).
node patch-p2pml.mjs node_modules/p2p-media-loader-core/dist/p2p-media-loader-core.es.js \
  node_modules/.cuttle/p2p-media-loader-core.es.js
node node_modules/esbuild/bin/esbuild src/watch.js \
  --bundle --format=iife --minify --target=es2020 \
  --alias:p2p-media-loader-core=./node_modules/.cuttle/p2p-media-loader-core.es.js \
  --log-level=warning --outfile="$dist/watch.js.tmp"
cp src/watch.css "$dist/watch.css.tmp"
# The other pages' scripts (src/site: forms, editors, the upload page) and
# styles, one self-contained module per page kind.
node node_modules/esbuild/bin/esbuild src/site/site.js src/site/upload.js \
  --bundle --format=esm --minify --target=es2020 \
  --log-level=warning --outdir="$dist" --out-extension:.js=.js.tmp
node node_modules/esbuild/bin/esbuild src/site/site.css \
  --minify --log-level=warning --outfile="$dist/site.css.tmp"
for f in site.js upload.js site.css; do
  mv -f "$dist/$f.tmp" "$dist/$f"
done
mv -f "$dist/watch.js.tmp" "$dist/watch.js"
mv -f "$dist/watch.css.tmp" "$dist/watch.css"
size_report
