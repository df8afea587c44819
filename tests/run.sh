#!/bin/sh
# Runs every test program and the end-to-end tests; the last line sums them up.
# Usage: tests/run.sh BUILD_DIR
set -u
BUILD=${1:-build}
total_pass=0
total_fail=0
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    "$t" > "$BUILD/tests/$(basename "$t").log" 2>&1
    status=$?
    cat "$BUILD/tests/$(basename "$t").log"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$BUILD/tests/$(basename "$t").log")
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$BUILD/tests/$(basename "$t").log")
    total_pass=$((total_pass + ${p:-0}))
    total_fail=$((total_fail + ${f:-0}))
    [ $status -ne 0 ] && [ -z "$f" ] && total_fail=$((total_fail + 1)) # crashed
done
# The official Mustache spec (SPEC_DIR, SPEC_FILES from the Makefile).
sh "$(dirname "$0")/spec.sh" "$BUILD" > "$BUILD/tests/spec.log" 2>&1
cat "$BUILD/tests/spec.log"
if ! grep -q '^spec: skipped' "$BUILD/tests/spec.log"; then
    p=$(sed -n 's/^spec: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$BUILD/tests/spec.log")
    f=$(sed -n 's/^spec: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$BUILD/tests/spec.log")
    [ -z "$p" ] && f=1 # the runner did not finish
    total_pass=$((total_pass + ${p:-0}))
    total_fail=$((total_fail + ${f:-0}))
fi
sh "$(dirname "$0")/e2e.sh" "$BUILD" > "$BUILD/tests/e2e.log" 2>&1
cat "$BUILD/tests/e2e.log"
p=$(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$BUILD/tests/e2e.log")
f=$(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$BUILD/tests/e2e.log")
[ -z "$p" ] && f=1 # the script did not finish
total_pass=$((total_pass + ${p:-0}))
total_fail=$((total_fail + ${f:-0}))
echo "total: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
