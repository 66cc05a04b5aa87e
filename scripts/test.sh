#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Run every test: source lint, unit tests (objs/utest, ASan+UBSan), integration
# tests against real clients (trunk/itest), a 2-minute soak and the fuzzers. Ends
# with one line, "N passed, M failed", and exits non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."
mkdir -p objs
passed=0
failed=0

# add_counts LOG: add the last "N passed, M failed" line of LOG to the totals.
add_counts() {
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        echo "$1: the suite did not report a result"
        failed=$((failed + 1))
        return
    fi
    passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
    failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}

echo "== lint"
scripts/lint.sh >objs/lint.log 2>&1
cat objs/lint.log
add_counts objs/lint.log

echo "== unit tests"
objs/utest --gtest_brief=1 >objs/utest.log 2>&1
rc=$?
tail -n 40 objs/utest.log
up=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' objs/utest.log | tail -n 1)
uf=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' objs/utest.log | tail -n 1)
up=${up:-0}
uf=${uf:-0}
if [ "$rc" -ne 0 ] && [ "$uf" -eq 0 ]; then
    echo "unit tests exited with $rc (a crash or a sanitizer report); see objs/utest.log"
    uf=1
fi
echo "$up passed, $uf failed" >>objs/utest.log
add_counts objs/utest.log

echo "== integration tests"
# each test's line as it finishes, not all at the end; two shards (run.py -j) as the
# tests mostly wait for real-time media
python3 trunk/itest/run.py -j "${STRAND_ITEST_JOBS:-2}" 2>&1 | tee objs/itest.log
add_counts objs/itest.log

echo "== soak (${SOAK_MINUTES:-2} min)"
SOAK_MINUTES=${SOAK_MINUTES:-2} python3 scripts/soak.py 2>&1 | tee objs/soak.log
add_counts objs/soak.log

echo "== fuzz (${FUZZ_SECONDS:-6} s per parser)"
{ trunk/utest/fuzz/build.sh objs && trunk/utest/fuzz/run.sh objs "${FUZZ_SECONDS:-6}"; } >objs/fuzz.log 2>&1
grep -v '^CC ' objs/fuzz.log
add_counts objs/fuzz.log

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
