#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Source checks that STYLE.md promises CI makes: clang-format, file length, finite
# timeouts, no machine-specific absolute paths. Prints PASS/FAIL per check and ends
# with "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
pass=0
fail=0
ok() { echo "PASS lint: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL lint: $1"; fail=$((fail + 1)); }

srcs=$(find trunk/src trunk/tools -name '*.[ch]' | sort)

# 1. clang-format (STYLE 8): the checked-in .clang-format, no diff allowed.
if command -v clang-format >/dev/null 2>&1; then
    bad=$(for f in $srcs; do clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
    [ -z "$bad" ] && ok "clang-format" || ko "clang-format: $(echo $bad)"
else
    echo "SKIP lint: clang-format not installed"
fi

# 2. File length (STYLE 8): warn above 800 lines, fail above 1200 unless allowed.
long=""
for f in $srcs; do
    n=$(wc -l <"$f")
    if [ "$n" -gt 1200 ] && ! grep -q "^$f " scripts/long_files.allow 2>/dev/null; then
        long="$long $f($n)"
    elif [ "$n" -gt 800 ]; then
        echo "WARN lint: $f has $n lines (aim for 800)"
    fi
done
[ -z "$long" ] && ok "file length" || ko "files over 1200 lines:$long"

# 3. Every I/O has a finite timeout (STYLE 6): SR_UTIME_NO_TIMEOUT only where a stop
#    interrupts the wait (accept loops, the signal pipe), in the ST glue itself, and for
#    a live stream's player, which waits on no I/O: its source, the unpublish and the
#    server's tick wake it (sr_consumer).
allowed="trunk/src/core/sr_time.h trunk/src/protocol/sr_st.h trunk/src/protocol/sr_st.c trunk/src/app/server/sr_listener.c trunk/src/main/sr_main.c trunk/src/app/stream/sr_consumer.c trunk/src/app/stream/sr_consumer.h"
bad=""
for f in $(grep -l SR_UTIME_NO_TIMEOUT $srcs); do
    case " $allowed " in *" $f "*) ;; *) bad="$bad $f" ;; esac
done
[ -z "$bad" ] && ok "finite timeouts" || ko "SR_UTIME_NO_TIMEOUT used in:$bad"

# 4. No absolute paths of this machine in the repository: neither the checkout's own
#    location nor the home directory may appear in a tracked file.
bad=""
for p in "$(pwd)/" "${HOME:-/nonexistent}/"; do
    hit=$(git grep -nF -- "$p" 2>/dev/null | head -n 5)
    [ -n "$hit" ] && bad="$bad $hit"
done
[ -z "$bad" ] && ok "no machine paths" || ko "absolute machine paths:$bad"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
