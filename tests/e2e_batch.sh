#!/bin/sh
# End-to-end tests of batches, names and faults: input folders, output
# folders, temporary files, dead workers, runs that collide, messages.
# Usage: tests/e2e_batch.sh BUILD_DIR
set -u
BUILD=${1:-build}
BIN=$(cd "$BUILD" && pwd)/parkreport
TOP=$(cd "$(dirname "$0")/.." && pwd)
SEED_XML=$TOP/input/park-2023.xml
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$TOP/tests/lib.sh"
export SOURCE_DATE_EPOCH=1703980800

# --- input folders ---------------------------------------------------------
mkdir -p "$T/in/sub" && cp "$SEED_XML" "$T/in/a.xml" && cp "$SEED_XML" "$T/in/sub/UPPER.XML"
ln -s .. "$T/in/sub/up"
mkfifo "$T/in/fifo.xml"
timeout 20 "$BIN" --check "$T/in" > "$T/walk.out" 2> "$T/walk.err"
status=$?
check "input folder: a symlink loop is walked once, a FIFO skipped, .XML in any case taken" sh -c "
    test $status -eq 0 && grep -q 'in/a.xml: checked' '$T/walk.out' &&
    grep -q 'sub/UPPER.XML: checked' '$T/walk.out' && test \$(wc -l < '$T/walk.out') -eq 2 &&
    ! grep -q fifo '$T/walk.out' '$T/walk.err'"
timeout 20 "$BIN" --check "$T/in/fifo.xml" > /dev/null 2> "$T/fifo.err"
status=$?
check "a FIFO named as the input: refused at once, not waited on" sh -c "
    test $status -eq 1 && grep -q 'fifo.xml: error: the input is not a regular file' '$T/fifo.err'"

# --- output folders and names ----------------------------------------------
"$BIN" -q -o "$T/o/b/c" "$SEED_XML" 2> "$T/deep.err"
check "-o makes every missing level" sh -c "test $? -eq 0 && test -s '$T/o/b/c/park-2023.pdf'"
long=$(printf 'p%.0s' $(seq 1 247))
mkdir -p "$T/names" && cp "$SEED_XML" "$T/names/$long.xml"
"$BIN" -q -o "$T/names/out" "$T/names/$long.xml" 2> "$T/long.err"
check "an input name of 251 bytes: written (temporary names do not lengthen it)" sh -c "
    test $? -eq 0 && test -s '$T/names/out/$long.xlsx' && test \$(ls -A '$T/names/out' | wc -l) -eq 2"
cp "$SEED_XML" "$T/names/${long}pppp.xml"
"$BIN" -q -o "$T/names/out2" "$T/names/${long}pppp.xml" 2> "$T/toolong.err"
check "an output name past NAME_MAX: a clear error naming the limit" sh -c "
    test $? -eq 1 && grep -q 'is longer than the 255 bytes a file name may have' '$T/toolong.err' &&
    test -z \"\$(ls -A '$T/names/out2')\""

# --- temporary files ----------------------------------------------------------
mkdir -p "$T/stale" && echo partial > "$T/stale/.parkreport-999999999-0.pdf"
touch -d '1 minute ago' "$T/stale/.parkreport-999999999-0.pdf"
# A live run's file, as one in another PID namespace or on another machine
# would be: its process is not seen here, but it holds the file's lock.
echo writing > "$T/stale/.parkreport-999999998-0.pdf"
touch -d '1 minute ago' "$T/stale/.parkreport-999999998-0.pdf"
flock "$T/stale/.parkreport-999999998-0.pdf" sleep 5 &
holder=$!
sleep 0.3
"$BIN" -q -o "$T/stale" "$SEED_XML" 2> "$T/stale.err"
check "a killed run's temporary file is removed by the next run, which says so" sh -c "
    test $? -eq 0 && test ! -e '$T/stale/.parkreport-999999999-0.pdf' &&
    grep -q 'removed a temporary file left by an interrupted run (process 999999999)' '$T/stale.err'"
check "a temporary file another live run holds is left alone, though its process is not seen here" sh -c "
    test -e '$T/stale/.parkreport-999999998-0.pdf' && ! grep -q 999999998 '$T/stale.err'"
kill "$holder" 2> /dev/null; wait "$holder" 2> /dev/null
cp "$SEED_XML" "$T/names/.parkreport-1-0.xml"
"$BIN" -q -o "$T/names/out3" "$T/names/.parkreport-1-0.xml" 2> "$T/tempname.err"
check "an input named like a temporary file is refused, not written to be removed later" sh -c "
    test $? -eq 1 && grep -q 'taken for a temporary file' '$T/tempname.err' && test -z \"\$(ls -A '$T/names/out3')\""

# --- a worker killed -----------------------------------------------------------
mkdir -p "$T/many"
for i in $(seq 1 120); do cp "$SEED_XML" "$T/many/p$i.xml"; done
"$BIN" -q -j 2 -o "$T/kill" "$T/many" > /dev/null 2> "$T/kill.err" &
parent=$!
victim=""
for _ in $(seq 1 200); do
    victim=$(pgrep -P "$parent" | head -1)
    [ -n "$victim" ] && [ -n "$(ls "$T/kill" 2> /dev/null | grep pdf)" ] && break
    sleep 0.02
done
[ -n "$victim" ] && kill -KILL "$victim"
wait "$parent"
status=$?
written=$(ls "$T/kill" | grep -c '\.pdf$')
lost=$(grep -c 'the worker writing this input stopped' "$T/kill.err")
# A worker killed after its report's files were renamed but before it said
# so counts that input as failed although its files are there: hence 121.
check "a worker killed costs only the report it was writing; the others are all written" sh -c "
    echo 'victim $victim, written $written, lost $lost, status $status'; ls -A '$T/kill' | grep -v 'xlsx\$\|pdf\$';
    test -n '$victim' && test $lost -le 1 && test \$(($written + $lost)) -ge 120 &&
    test \$(($written + $lost)) -le 121 && test $status -eq \$([ $lost -eq 0 ] && echo 0 || echo 1) &&
    test -z \"\$(ls -A '$T/kill' | grep parkreport)\""

# --- two runs writing the same names -------------------------------------------
mkdir -p "$T/one" "$T/two"
cp "$SEED_XML" "$T/one/park.xml"
sed 's|<park>[^<]*</park>|<park>第二园区</park>|' "$SEED_XML" > "$T/two/park.xml"
mixed=0
for i in $(seq 1 15); do
    "$BIN" -q -j 1 -o "$T/same" "$T/one/park.xml" 2> /dev/null &
    "$BIN" -q -j 1 -o "$T/same" "$T/two/park.xml" 2> /dev/null
    wait
    in_pdf=$(pdftotext "$T/same/park.pdf" - 2> /dev/null | grep -c 第二园区)
    in_xlsx=$(unzip -p "$T/same/park.xlsx" xl/sharedStrings.xml | grep -c 第二园区)
    [ "$in_pdf" -gt 0 ] && [ "$in_xlsx" -eq 0 ] && mixed=$((mixed + 1))
    [ "$in_pdf" -eq 0 ] && [ "$in_xlsx" -gt 0 ] && mixed=$((mixed + 1))
done
check "two runs writing the same names leave one run's pair, never a mix (15 tries)" test "$mixed" -eq 0

# --- one of the pair ---------------------------------------------------------
"$BIN" -q -o "$T/fpair" "$SEED_XML" 2> /dev/null
"$BIN" -q -f pdf -o "$T/fpair" "$SEED_XML" 2> "$T/fpair.err"
check "-f pdf beside an older workbook of that name: written, and the workbook said to be older" sh -c "
    test $? -eq 0 && grep -q 'park-2023.xlsx: warning: left as it was, from an earlier run: only the PDF was written now' '$T/fpair.err'"

# --- a small input that would expand -----------------------------------------
/usr/bin/python3 - "$SEED_XML" "$T/expand.xml" <<'PYEOF'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
names = "".join(f"<item>{'名' * 190}{i:03d}</item>" for i in range(300))
s = s.replace("<groups>", f'<groups><group id="many" status="在建">{names}</group>', 1)
s = s.replace("</narrative>", "<section title=\"清单\"><p>" + '<list ref="groups.many"/>' * 300 + "</p></section></narrative>", 1)
open(sys.argv[2], "w", encoding="utf-8").write(s)
PYEOF
/usr/bin/time -f '%M' -o "$T/expand.mem" "$BIN" -q -o "$T/expand-out" "$T/expand.xml" 2> "$T/expand.err"
check "a 200 KB input naming a long list 300 times: refused at the <list>, in little memory" sh -c "
    test $? -eq 1 && grep -q 'expand.xml:[0-9]*:[0-9]*: error: the lists the narrative names would write more than 16 MB' '$T/expand.err' &&
    test \$(tail -1 '$T/expand.mem') -lt 200000"

/usr/bin/python3 -c "
import sys
s = open('$SEED_XML', encoding='utf-8').read()
s = s.replace('</narrative>', '<section title=\"长\"><p>' + 'a ' * 5000001 + '</p></section></narrative>', 1)
open('$T/huge.xml', 'w', encoding='utf-8').write(s)"
"$BIN" --check "$T/huge.xml" > /dev/null 2> "$T/huge.err"
check "a paragraph of more than 10 MB: refused at its line, saying to split it" sh -c "
    test $? -eq 1 && grep -q 'huge.xml:[0-9]*:[0-9]*: error: a text of more than 10 MB in one element; split it' '$T/huge.err'"

# --- messages ---------------------------------------------------------------
bidi=$(printf 'x\342\200\256lmx')
"$BIN" --check "$T/$bidi.xml" 2> "$T/bidi.err"
check "a direction override in a file name is shown escaped" sh -c "
    grep -q 'x\\\\u202Elmx.xml: error' '$T/bidi.err' && ! grep -q \"\$(printf '\\342\\200\\256')\" '$T/bidi.err'"

mkdir -p "$T/esc"
cp "$SEED_XML" "$T/esc/$(printf 'e\033[31mred')".xml
"$BIN" -o "$T/esc-out" "$T/esc" > "$T/esc.out" 2> /dev/null
check "what is printed of a file name is escaped on stdout too (wrote ...)" sh -c "
    grep -q 'e\\\\x1B\[31mred.xml: wrote ' '$T/esc.out' && ! grep -q \"\$(printf '\\033')\" '$T/esc.out'"

summary e2e_batch
