#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Run the unit tests (objs/utest) and the integration tests (trunk/itest) and end
# with one line: "N passed, M failed". Exit status is non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."

utest_pass=0
utest_fail=0
if [ -x objs/utest ]; then
    out=objs/utest.log
    objs/utest --gtest_brief=1 >"$out" 2>&1
    rc=$?
    tail -n 30 "$out"
    utest_pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
    utest_fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
    utest_pass=${utest_pass:-0}
    utest_fail=${utest_fail:-0}
    if [ "$rc" -ne 0 ] && [ "$utest_fail" -eq 0 ]; then
        echo "unit tests exited with $rc (crash or sanitizer report); see $out"
        utest_fail=1
    fi
    echo "unit tests: $utest_pass passed, $utest_fail failed"
fi

itest_pass=0
itest_fail=0
out=objs/itest.log
python3 trunk/itest/run.py 2>&1 | tee "$out"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
if [ -n "$line" ]; then
    itest_pass=$(echo "$line" | cut -d' ' -f1)
    itest_fail=$(echo "$line" | cut -d' ' -f3)
else
    echo "integration tests did not report a result"
    itest_fail=1
fi

passed=$((utest_pass + itest_pass))
failed=$((utest_fail + itest_fail))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
