#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Fetch a Debian source package (Debian's own version of a library we build ourselves,
# patches applied) into OUT_DIR/src with `apt-get source`, through a private sources list
# and state directory under OUT_DIR/apt, so the system's apt configuration is untouched.
# Prints the unpacked source tree's path on stdout; progress and errors go to stderr.
#
# Usage: 3rdparty/debian-source.sh PACKAGE OUT_DIR
set -eu

pkg=${1:?usage: debian-source.sh PACKAGE OUT_DIR}
out=${2:?usage: debian-source.sh PACKAGE OUT_DIR}
suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-bookworm}")
mirror=${STRAND_DEBIAN_MIRROR:-http://deb.debian.org/debian}
apt="$out/apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$out/src"
echo "deb-src $mirror $suite main" > "$apt/sources.list"
aptopts="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=/nonexistent \
 -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o Debug::NoLocking=1 \
 -o APT::Sandbox::User=root -q"

echo "$pkg: fetching Debian source package '$pkg' ($suite) into $out/src" >&2
# shellcheck disable=SC2086
apt-get $aptopts update >"$out/apt.log" 2>&1 || {
    cat "$out/apt.log" >&2; echo "$pkg: apt-get update of the private deb-src list failed" >&2; exit 1; }
rm -rf "$out/src"/*
# shellcheck disable=SC2086
(cd "$out/src" && apt-get $aptopts source "$pkg") >>"$out/apt.log" 2>&1 || {
    cat "$out/apt.log" >&2; echo "$pkg: apt-get source $pkg failed (is dpkg-dev installed?)" >&2; exit 1; }
srcdir=$(find "$out/src" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -n "$srcdir" ] || { echo "$pkg: no source tree under $out/src" >&2; exit 1; }
echo "$srcdir"
