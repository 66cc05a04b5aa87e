#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Build and run one unit-test file against the base sources plus the sources named,
# with ASan+UBSan, without touching objs/utest. Lets several people work on separate
# modules at once without one half-written file breaking everyone's build.
#
# Usage: scripts/utest-one.sh trunk/utest/utest_x.cpp [trunk/src/LAYER/sr_y.c ...] [-- gtest args]
set -eu
test_cpp=$1
shift
extra=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    extra="$extra $1"
    shift
done
[ "${1:-}" = "--" ] && shift
S=trunk/src
base="$S/core/sr_alloc.c $S/core/sr_bytes.c $S/core/sr_context.c $S/core/sr_error.c $S/core/sr_log.c $S/core/sr_time.c
 $S/kernel/sr_payload.c $S/kernel/sr_packet.c $S/kernel/sr_flv.c $S/protocol/sr_io.c"
name=$(basename "$test_cpp" .cpp)
out=${TMPDIR:-/tmp}/strand-$name
mkdir -p "$out"
inc="-I$S/core -I$S/kernel -I$S/protocol $(for d in $S/app/*/; do printf -- "-I%s " "${d%/}"; done)-Iobjs/st -Itrunk/utest"
san="-fsanitize=address,undefined -fno-omit-frame-pointer"
objs=""
for c in $base $extra; do
    o="$out/$(basename "$c" .c).o"
    gcc -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wshadow -O1 -g $san $inc $(pkg-config --cflags openssl) -c "$c" -o "$o"
    objs="$objs $o"
done
g++ -std=gnu++17 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -O1 -g $san $inc \
    -c "$test_cpp" -o "$out/test.o"
g++ -std=gnu++17 -O1 -g $san $inc -c trunk/utest/utest_main.cpp -o "$out/main.o"
g++ $san -o "$out/utest" "$out/test.o" "$out/main.o" $objs -lgtest -lpthread objs/st/libst.a $(pkg-config --libs openssl) -lhttp_parser -lm
"$out/utest" "$@"
