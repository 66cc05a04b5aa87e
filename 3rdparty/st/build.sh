#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Build state-threads 1.9 with epoll into objs/st/ from Debian's own source package.
# Debian's libst-dev is compiled without MD_HAVE_EPOLL (select only, which caps a
# process at 1024 descriptors), so we fetch the same source (3rdparty/debian-source.sh),
# apply our patches (3rdparty/st/patches, each says why) and compile it with
# -DMD_HAVE_EPOLL.
#
# Usage: 3rdparty/st/build.sh OBJS_DIR
set -eu

objs=${1:?usage: build.sh OBJS_DIR}
mkdir -p "$objs/st"
out=$(cd "$objs/st" && pwd)
patches=$(cd "$(dirname "$0")/patches" && pwd)
# the stamp names the patch set, so changing a patch rebuilds
stamp="$out/.epoll-$(cat "$patches"/*.patch | cksum | cut -d' ' -f1)"
if [ -f "$out/libst.a" ] && [ -f "$out/st.h" ] && [ -f "$stamp" ]; then
    exit 0
fi

srcdir=$("$(dirname "$0")/../debian-source.sh" st "$out")
[ -f "$srcdir/sched.c" ] || { echo "st: source tree not found under $out/src" >&2; exit 1; }

for p in "$patches"/*.patch; do
    echo "st: applying $(basename "$p")"
    patch -s -p1 -d "$srcdir" <"$p" || { echo "st: patch $p does not apply" >&2; exit 1; }
done
echo "st: compiling with -DMD_HAVE_EPOLL"
cflags="-DLINUX -DMD_HAVE_EPOLL -O2 -g -fPIC -w"
rm -f "$out"/*.o
for f in sched.c stk.c sync.c key.c io.c event.c; do
    ${CC:-cc} $cflags -c "$srcdir/$f" -o "$out/${f%.c}.o"
done
${CC:-cc} $cflags -Wa,--noexecstack -c "$srcdir/md.S" -o "$out/md.o"
ar rcs "$out/libst.a" "$out"/sched.o "$out"/stk.o "$out"/sync.o "$out"/key.o "$out"/io.o "$out"/event.o "$out"/md.o
cp "$srcdir/public.h" "$out/st.h"
rm -f "$out"/.epoll*
touch "$stamp"
echo "st: built $out/libst.a"
