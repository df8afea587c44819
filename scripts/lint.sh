#!/bin/sh
# Rules of the code that are read from the source, not tested by running it.
# Usage: scripts/lint.sh BUILD_DIR. Prints "lint: N passed, N failed".
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
rule() { # rule NAME COMMAND...: holds when COMMAND succeeds
    name=$1; shift
    if out=$("$@" 2>&1); then passed=$((passed + 1)); echo "ok - $name"
    else failed=$((failed + 1)); echo "not ok - $name"; printf '%s\n' "$out" | sed 's/^/#   /'; fi
}
cd "$TOP/src" || exit 1
rule "each third-party header is included by one file" sh -c '
    for h in hpdf xlsxwriter libxml curl libdeflate; do
        n=$(grep -l "#include <$h" *.c *.h | wc -l); [ "$n" -le 1 ] || { echo "<$h> in $n files"; exit 1; }
    done'
rule "libharu only in pdf_haru.c, through <hpdf.h>'s documented functions: no object function, no internal header, no field" sh -c '
    ! grep -l "hpdf\|HPDF" *.c *.h | grep -v "^pdf_haru.c\$" &&
    ! grep -nE "hpdf_[a-z]+\.h|->(mmgr|xref|attr|stream|catalog|info)\b|HPDF_(Dict|Array|Xref|DictStream|Binary|String|Name|Number|Real|Box_Array|Stream|CallbackReader|CallbackWriter|MemStream)_" pdf_haru.c'
rule "no definition of another library's functions" sh -c '
    ! grep -nE "^[A-Za-z].*[ *](lxw_[a-z_]+|HPDF_[A-Za-z_]+|curl_[a-z_]+|xml[A-Z][A-Za-z]+)\(" *.c | grep -v ";\s*$"'
rule "no fixed library sonames but libcurl's" sh -c '! grep -n "dlopen(" *.c | grep -v "libcurl.so.4"'
rule "the layout makes no PDF calls" sh -c '! grep -n "HPDF" layout.c layout.h'
rule "LC_NUMERIC stays C (a comma-decimal locale corrupts the workbook)" sh -c '! grep -n "setlocale" *.c'
rule "no unbounded string functions" sh -c '! grep -nE "\b(sprintf|vsprintf|strcpy|strcat|gets)\s*\(" *.c'
rule "no source file over 1,000 lines" sh -c '
    for f in *.c *.h; do n=$(wc -l < "$f"); [ "$n" -le 1000 ] || { echo "$f: $n lines"; exit 1; }; done'
if [ -n "${STRICT_CFLAGS:-}" ]; then
    rule "the sources compile without a warning" sh -c '
        cd "$0" && for f in src/*.c tests/*.c; do
            ${CC:-gcc} $STRICT_CFLAGS -DTEST_SOURCE_DIR="\"x\"" -O2 -c -o /dev/null "$f" || exit 1
        done' "$TOP"
fi
echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
