#!/bin/sh
# Runs every test program, the Mustache spec and the end-to-end tests; the
# last line sums them up: "total: N passed, N failed, N skipped", after the
# reason for each skipped test.
# Usage: tests/run.sh BUILD_DIR
set -u
BUILD=${1:-build}
total_pass=0
total_fail=0
total_skip=0
reasons=""
# add LOG PASSED_PATTERN FAILED_PATTERN SKIPPED_PATTERN: adds a log's counts
# (sed patterns printing a number); a log with no count of passes failed.
add() {
    p=$(sed -n "$2" "$1" | tail -1)
    f=$(sed -n "$3" "$1" | tail -1)
    s=$(sed -n "$4" "$1" | tail -1)
    [ -z "$p" ] && f=$(( ${f:-0} + 1 )) # it did not finish
    total_pass=$((total_pass + ${p:-0}))
    total_fail=$((total_fail + ${f:-0}))
    total_skip=$((total_skip + ${s:-0}))
}
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    log="$BUILD/tests/$(basename "$t").log"
    "$t" > "$log" 2>&1
    status=$?
    cat "$log"
    add "$log" 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' \
        's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p'
    [ $status -ne 0 ] && ! grep -q '^\[  FAILED  \] [0-9]' "$log" && total_fail=$((total_fail + 1)) # crashed
    reasons="$reasons$(sed -n 's/^\[  SKIPPED \] \(test_.*\)/  '"$(basename "$t")"': \1/p' "$log")
"
done
# The official Mustache spec (SPEC_DIR, SPEC_FILES from the Makefile).
sh "$(dirname "$0")/spec.sh" "$BUILD" > "$BUILD/tests/spec.log" 2>&1
cat "$BUILD/tests/spec.log"
if grep -q '^spec: skipped' "$BUILD/tests/spec.log"; then
    total_skip=$((total_skip + 1))
    reasons="$reasons  $(sed -n 's/^spec: skipped: //p' "$BUILD/tests/spec.log")
"
else
    add "$BUILD/tests/spec.log" 's/^spec: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' \
        's/^spec: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' 's/^spec: never$//p'
fi
for script in "$(dirname "$0")"/e2e*.sh; do
    name=$(basename "$script" .sh)
    log="$BUILD/tests/$name.log"
    sh "$script" "$BUILD" > "$log" 2>&1
    cat "$log"
    add "$log" "s/^$name: \([0-9]*\) passed.*/\1/p" "s/^$name: [0-9]* passed, \([0-9]*\) failed.*/\1/p" \
        "s/^$name: .* \([0-9]*\) skipped$/\1/p"
    reasons="$reasons$(sed -n 's/^skip - /  /p' "$log")
"
done
if [ "$total_skip" -gt 0 ]; then
    echo "skipped:"
    printf '%s\n' "$reasons" | grep .
fi
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
