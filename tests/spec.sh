#!/bin/sh
# Runs the official Mustache spec files named by SPEC_FILES from SPEC_DIR.
# The spec lies beside the checkout, not in it: without it, says it is skipped.
# Usage: SPEC_DIR=DIR SPEC_FILES="a b" tests/spec.sh BUILD_DIR
set -u
BUILD=${1:-build}
if [ ! -d "$SPEC_DIR" ]; then
    echo "spec: skipped: no Mustache spec at $SPEC_DIR"
    exit 0
fi
files=""
for f in $SPEC_FILES; do
    files="$files $SPEC_DIR/$f.json"
done
# shellcheck disable=SC2086
exec "$BUILD/tests/spec_runner" $files
