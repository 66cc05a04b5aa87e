#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run.sh OBJS_DIR [SECONDS]: run every harness built by build.sh (OBJS_DIR/fuzz/fuzz_*)
# for SECONDS each (default 10) over a fresh copy of its seed corpus under
# OBJS_DIR/fuzz/run/<name>/ (the repository is never written). Prints
# "PASS fuzz: <name> (N execs)" or "FAIL fuzz: <name>: <crash input>" per harness and
# ends with "N passed, M failed", like the other suites scripts/test.sh adds up.
# Reproduce a failure: OBJS_DIR/fuzz/fuzz_<name> <crash input>.
set -u
if [ $# -lt 1 ]; then
    echo "usage: $0 OBJS_DIR [SECONDS]" >&2
    exit 2
fi
bin=$(cd "$1" && pwd)/fuzz
secs=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

for src in "$here"/fuzz_*.c; do
    name=$(basename "$src" .c)
    name=${name#fuzz_}
    exe="$bin/fuzz_$name"
    work="$bin/run/$name"
    if [ ! -x "$exe" ]; then
        echo "FAIL fuzz: $name: $exe not built (run trunk/utest/fuzz/build.sh)"
        failed=$((failed + 1))
        continue
    fi
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/crash"
    if [ -d "$here/corpus/$name" ]; then
        cp "$here/corpus/$name"/* "$work/corpus/" 2>/dev/null
    fi
    (cd "$work" && "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/crash/" "$work/corpus" >"$work/log" 2>&1)
    rc=$?
    crash=$(ls "$work/crash" 2>/dev/null | head -n 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$work/log" | tail -n 1)
    if [ "$rc" -eq 0 ] && [ -z "$crash" ]; then
        echo "PASS fuzz: $name (${execs:-0} execs)"
        passed=$((passed + 1))
    else
        if [ -n "$crash" ]; then
            echo "FAIL fuzz: $name: $work/crash/$crash (exit $rc; log $work/log)"
        else
            echo "FAIL fuzz: $name: exit $rc with no crash input (log $work/log)"
        fi
        grep -m 3 -E 'ERROR|invariant failed|runtime error' "$work/log" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
