#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Tools for the browser test (trunk/itest/test_players.py): playwright-core from npm,
# pinned by package-lock.json here, installed into OBJS_DIR/itest-node (never the repo),
# and Debian's chromium at /usr/bin/chromium. We never let playwright download its own
# browser (that fails on a closed network): the test points it at Debian's binary.
#
# Usage: 3rdparty/itest/setup.sh OBJS_DIR
# Exits 0 with both tools in place, else non-zero with one line saying what is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
objs=${1:?usage: setup.sh OBJS_DIR}
mkdir -p "$objs/itest-node"
out=$(cd "$objs/itest-node" && pwd)

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "itest setup: /usr/bin/chromium is missing; install Debian's package (apt-get install chromium) or run as root" >&2
        exit 1
    fi
    echo "itest setup: installing Debian's chromium"
    export DEBIAN_FRONTEND=noninteractive
    log="$out/apt.log"
    # the package lists may be stale or absent on a fresh machine: update once and retry
    apt-get install -y -q --no-install-recommends chromium >"$log" 2>&1 || {
        apt-get update -q >>"$log" 2>&1 || true
        apt-get install -y -q --no-install-recommends chromium >>"$log" 2>&1 || {
            tail -n 20 "$log" >&2; echo "itest setup: apt-get install chromium failed (log: $log)" >&2; exit 1; }
    }
    [ -x /usr/bin/chromium ] || { echo "itest setup: chromium installed but /usr/bin/chromium is missing" >&2; exit 1; }
fi

command -v npm >/dev/null 2>&1 || {
    echo "itest setup: npm not found; install Debian's nodejs and npm (apt-get install nodejs npm)" >&2; exit 1; }
# up to date when the installed lock is the one in the repo and the module is there
if cmp -s "$here/package-lock.json" "$out/package-lock.json" &&
   [ -f "$out/node_modules/playwright-core/package.json" ]; then
    exit 0
fi
echo "itest setup: npm ci (playwright-core) into $out"
cp "$here/package.json" "$here/package-lock.json" "$out/"
# PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: belt and braces, playwright-core has no install hook
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$out" --no-audit --no-fund --loglevel=error >"$out/npm.log" 2>&1 || {
    rm -f "$out/package-lock.json"   # so the next run tries again
    tail -n 20 "$out/npm.log" >&2; echo "itest setup: npm ci of playwright-core failed (log: $out/npm.log)" >&2; exit 1; }
