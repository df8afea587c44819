#!/bin/sh
# End-to-end tests of the official document's frame (GB/T 9704-2012) with
# real readers: pdftotext -bbox for each element's text and place, qpdf for
# the colours and rules in the pages' content (tests/frame_check.py), pdfinfo
# for the outline; the seed without a frame unchanged by the frame's code; the
# frame's data escaped; a bad 发文字号 refused at its character.
# Usage: tests/e2e_frame.sh BUILD_DIR
set -u
BUILD=${1:-build}
BIN=$(cd "$BUILD" && pwd)/parkreport
TOP=$(cd "$(dirname "$0")/.." && pwd)
SEED_XML=$TOP/input/park-2023.xml
OFFICIAL_XML=$TOP/input/park-2023-official.xml
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$TOP/tests/lib.sh"
PY=/usr/bin/python3
export SOURCE_DATE_EPOCH=1703980800

# --- an input without a frame --------------------------------------------------
# Without a frame the frame's code adds nothing: the seed's PDF is the same
# bytes as with templates from which every {{#frame}} block is cut. (The
# bytes were also compared with the build just before the frame came: the
# same, sha256 bc47f831..., on Debian 12 and 13.)
"$BIN" -q -f pdf -o "$T/seed" "$SEED_XML" 2> /dev/null
mkdir -p "$T/noframe-tpl"
cp "$TOP"/templates/* "$T/noframe-tpl/"
$PY - "$T/noframe-tpl/report.mustache" <<'PYEOF'
import re, sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
cut = re.sub(r"\{\{#frame\}\}.*?\{\{/frame\}\}\n", "", s, flags=re.S)
assert cut != s
open(p, "w", encoding="utf-8").write(cut)
PYEOF
"$BIN" -q -f pdf --templates "$T/noframe-tpl" --style "$TOP/templates/gbt9704.style" -o "$T/seed-cut" "$SEED_XML" 2> /dev/null
check "without a frame: the seed's PDF is the same bytes as with every frame block cut from the template" \
    cmp "$T/seed/park-2023.pdf" "$T/seed-cut/park-2023.pdf"
check "without a frame: no colour and no other rule width in any page" sh -c "
    qpdf --qdf --object-streams=disable '$T/seed/park-2023.pdf' '$T/seed.qdf.pdf' &&
    ! grep -aE ' (rg|RG)\$' '$T/seed.qdf.pdf' && ! grep -aE ' w\$' '$T/seed.qdf.pdf' | grep -qv '^0.75 w\$'"

# --- the example: every element in its place ---------------------------------
"$BIN" -q -o "$T/off" "$OFFICIAL_XML" 2> "$T/off.err"
check "the official example is written" test -s "$T/off/park-2023-official.pdf"
pdftotext -bbox -enc UTF-8 "$T/off/park-2023-official.pdf" "$T/off.html" 2> "$T/bbox.err"
qpdf --qdf --object-streams=disable "$T/off/park-2023-official.pdf" "$T/off.qdf.pdf"
/usr/bin/python3 "$TOP/tests/frame_check.py" "$T/off.html" "$T/off.qdf.pdf" > "$T/frame.out"
while IFS= read -r line; do
    case $line in
    "ok - "*) ok "${line#ok - }" ;;
    "not ok - "*) rm -f "$T/why"; not_ok "${line#not ok - }" ;;
    *) echo "$line" ;;
    esac
done < "$T/frame.out"
pages=$(pdfinfo "$T/off/park-2023-official.pdf" | sed -n 's/^Pages: *//p')
pdftotext -enc UTF-8 "$T/off/park-2023-official.pdf" "$T/off.txt"
check "page numbers on every page, the 版记's too when no blank page comes before it" sh -c "
    test \$(grep -c '^— [0-9]* —\$' '$T/off.txt') -eq $pages"
mutool show "$T/off/park-2023-official.pdf" outline > "$T/outline.txt" 2> /dev/null
check "the outline gains the 附件" sh -c "
    grep -q '附件1　2024年主要工作目标' '$T/outline.txt' &&
    grep -q '附件2　2023年1-11月主要指标完成情况和主导产业产值' '$T/outline.txt'"

# --- a blank page before the 版记 -------------------------------------------
# One-line paragraphs that end on a full even page leave the 版记 no room:
# a blank page follows, and the 版记 goes on the foot of the next; neither
# has a page number.
cp -r "$TOP/templates" "$T/tpl"
blank_found=""
for n in 40 41 42 43 44; do
    {
        printf '= 标题\n\n'
        i=0
        while [ $i -lt "$n" ]; do printf '第%d段。\n\n' $i; i=$((i + 1)); done
        printf '#copy-to 甲局，乙局。\n#printer 园区办公室\n#printed 2023年12月21日印发\n'
    } > "$T/tpl/report.mustache"
    "$BIN" -q -f pdf --templates "$T/tpl" -o "$T/blank$n" "$SEED_XML" 2> /dev/null
    if [ "$(pdfinfo "$T/blank$n/park-2023.pdf" 2> /dev/null | sed -n 's/^Pages: *//p')" = 4 ] &&
        [ -z "$(pdftotext -f 3 -l 3 "$T/blank$n/park-2023.pdf" - | tr -d ' \n\f')" ]; then
        blank_found=$n
        break
    fi
done
check "a blank page before the 版记 when the body ends on a full even page; neither numbered" sh -c "
    test -n '$blank_found' && f='$T/blank$blank_found/park-2023.pdf' &&
    pdftotext -f 4 -l 4 \"\$f\" - | grep -q '抄送：甲局，乙局。' &&
    ! pdftotext -f 4 -l 4 \"\$f\" - | grep -q '— 4 —' &&
    pdftotext -f 2 -l 2 \"\$f\" - | grep -q '— 2 —'"

# --- data stays data ----------------------------------------------------------
/usr/bin/python3 -c '
import sys
s = open(sys.argv[1], encoding="utf-8").read()
s = s.replace("<to>县人民政府</to>", "<to>#page &amp; \\x |x</to>")
s = s.replace("<issuer>工业园区管理委员会文件</issuer>", "<issuer>= #1 标志</issuer>")
open(sys.argv[2], "w", encoding="utf-8").write(s)' "$OFFICIAL_XML" "$T/marks.xml"
"$BIN" -q -f pdf -o "$T/marks" "$T/marks.xml" 2> "$T/marks.err"
pdftotext -layout -enc UTF-8 "$T/marks/marks.pdf" "$T/marks.txt" 2> /dev/null
check "the frame's texts are text: markers, bars and backslashes printed as written" sh -c "
    grep -qF '#page & \\x |x：' '$T/marks.txt' && grep -qF '= #1 标志' '$T/marks.txt'"

# --- the 发文字号 checked -------------------------------------------------------
for bad in '园管发[2023]12号:12:the year goes in 〔〕' '园管发〔2023〕012号:18:no leading zeros' \
    '园管发〔23〕12号:13:four digits'; do
    number=${bad%%:*}
    rest=${bad#*:}
    col=${rest%%:*}
    why=${rest#*:}
    line=$(grep -n '<number>' "$OFFICIAL_XML" | cut -d: -f1)
    start=$(grep '<number>' "$OFFICIAL_XML" | sed 's/<number>.*//' | wc -m)
    sed "s|<number>.*</number>|<number>$number</number>|" "$OFFICIAL_XML" > "$T/bad.xml"
    "$BIN" -o "$T/bad" "$T/bad.xml" > /dev/null 2> "$T/bad.err"
    status=$?
    # col counts from a tag at column 1; $start is the indent and a newline.
    want=$((start - 1 + col))
    check "发文字号 $number: refused at $line:$want, saying what to write, nothing written" sh -c "
        test $status -ne 0 && grep -qF 'bad.xml:$line:$want: error: 发文字号 \"$number\": ' '$T/bad.err' &&
        grep -qF '$why' '$T/bad.err' && grep -q '园管发〔2023〕12号' '$T/bad.err' &&
        test ! -e '$T/bad/bad.pdf'"
done

summary e2e_frame
