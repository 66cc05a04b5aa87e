#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Assemble the players page: research/players/* plus the two JS players from the npm
# registry (versions pinned by package-lock.json here) into OBJS_DIR/nginx/html/players/,
# which the default http_server (dir ./objs/nginx/html) serves at /players/. npm installs
# into OBJS_DIR/players-npm, never into the repo: nothing downloaded is committed.
#
# Usage: 3rdparty/players/build.sh OBJS_DIR
# Re-running is cheap: npm runs only when the lock changed, files are copied only when changed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../research/players" && pwd)
objs=${1:?usage: build.sh OBJS_DIR}
mkdir -p "$objs/players-npm" "$objs/nginx/html/players"
npmdir=$(cd "$objs/players-npm" && pwd)
www=$(cd "$objs/nginx/html/players" && pwd)

if ! cmp -s "$here/package-lock.json" "$npmdir/package-lock.json" ||
   [ ! -f "$npmdir/node_modules/mpegts.js/dist/mpegts.js" ] ||
   [ ! -f "$npmdir/node_modules/hls.js/dist/hls.min.js" ]; then
    command -v npm >/dev/null 2>&1 || {
        echo "players: npm not found; install Debian's nodejs and npm (apt-get install nodejs npm)" >&2; exit 1; }
    echo "players: npm ci (mpegts.js, hls.js) into $npmdir"
    cp "$here/package.json" "$here/package-lock.json" "$npmdir/"
    npm ci --prefix "$npmdir" --no-audit --no-fund --loglevel=error >"$npmdir/npm.log" 2>&1 || {
        rm -f "$npmdir/package-lock.json"   # so the next run tries again
        tail -n 20 "$npmdir/npm.log" >&2
        echo "players: npm ci failed (log: $npmdir/npm.log)" >&2; exit 1; }
fi

# Copy by content, not by date: files from npm tarballs all carry the same old mtime,
# so `cp -u` would keep a stale library after a version bump.
for f in "$src"/* "$npmdir/node_modules/mpegts.js/dist/mpegts.js" \
         "$npmdir/node_modules/hls.js/dist/hls.min.js"; do
    cmp -s "$f" "$www/${f##*/}" || cp "$f" "$www/"
done
