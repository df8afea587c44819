# Sourced by the end-to-end scripts: ok, not_ok, skip and check, counting
# into passed, failed and skipped; summary NAME prints the closing line.
# Needs T, a scratch folder of the script's.
passed=0
failed=0
skipped=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; [ -f "$T/why" ] && sed 's/^/#   /' "$T/why"; }
skip() { skipped=$((skipped + 1)); echo "skip - $1: $2"; }
check() { # check NAME COMMAND...: passes when COMMAND succeeds
    name=$1; shift
    rm -f "$T/why"
    if "$@" > "$T/why" 2>&1; then ok "$name"; else not_ok "$name"; fi
}
summary() {
    echo "$1: $passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
}
