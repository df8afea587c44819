#!/bin/sh
# End-to-end tests of build/parkreport with real readers: pdftotext and
# pdffonts (poppler-utils), qpdf, and openpyxl under Debian's /usr/bin/python3.
# Usage: tests/e2e.sh BUILD_DIR. Prints "e2e: N passed, N failed, N skipped"
# (each skipped test says why); exits 1 on any failure.
set -u
BUILD=${1:-build}
BIN=$BUILD/parkreport
TOP=$(cd "$(dirname "$0")/.." && pwd)
SEED_XML=$TOP/input/park-2023.xml
SEED_TXT=$TOP/../shared/seeds/000_7c1c79c86b4c8f9b.txt
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$TOP/tests/lib.sh"

# --- the seed's report -------------------------------------------------
export SOURCE_DATE_EPOCH=1703980800 # 2023-12-31
"$BIN" -o "$T/a" "$SEED_XML" > "$T/a.out" 2> "$T/a.err"
check "report: exit status 0" test $? -eq 0
check "report: writes NAME.pdf and NAME.xlsx" test -s "$T/a/park-2023.pdf" -a -s "$T/a/park-2023.xlsx"
check "report: no temporary file left" sh -c "! ls -A '$T/a' | grep -q tmp"
check "report: the seed's two inconsistencies are warned about with positions" sh -c "
    grep -q '^$SEED_XML:86:5: warning: the stated investment is 246.5亿元, but the parts (lines 88-92) add up to 247.9亿元' '$T/a.err' &&
    grep -q '^$SEED_XML:[0-9:]*: warning: .* is 15.44亿元 here but 15.43亿元' '$T/a.err' &&
    test \$(wc -l < '$T/a.err') -eq 2"

pdftotext -enc UTF-8 "$T/a/park-2023.pdf" "$T/a.txt" 2> "$T/a.pdftotext.err"
check "pdf: text extraction without a warning (a valid ToUnicode map)" test ! -s "$T/a.pdftotext.err"
check "pdf: MuPDF renders every page without a warning" sh -c "
    mutool draw -q -o /dev/null '$T/a/park-2023.pdf' 2>&1 | grep -v 'ICC support is not available' | grep . && exit 1 || exit 0"
check "pdf: the seed's report is at most 255 KB (fonts embedded as subsets)" sh -c "
    test \$(stat -c %s '$T/a/park-2023.pdf') -le 255000"
qpdf --qdf --object-streams=disable "$T/a/park-2023.pdf" "$T/a.qdf.pdf"
check "pdf: ToUnicode ranges keep to one first byte; glyphs are CIDs (CIDToGIDMap Identity)" $PY - "$T/a.qdf.pdf" <<'PYEOF'
import re, sys
d = open(sys.argv[1], 'rb').read()
ranges = re.findall(rb'<([0-9A-F]{4})> <([0-9A-F]{4})> \[', d)
assert len(ranges) > 3, ranges
assert all(a[:2] == b[:2] and a <= b for a, b in ranges), ranges
assert d.count(b'/CIDToGIDMap /Identity') == 4
assert b'beginbfchar' not in d and b'/Ordering (Identity-H)' not in d
PYEOF
check "pdf: bookmarks for the title, every section and subsection" sh -c "
    mutool show '$T/a/park-2023.pdf' outline > '$T/outline' &&
    test \$(grep -c . '$T/outline') -eq 22 &&
    grep -q '^-.*\"工业园区2023年度工作总结和2024年工作计划\"' '$T/outline' &&
    grep -q '^+.*\"二、存在的问题\"	#page=5' '$T/outline' &&
    grep -q '^|.*\"（一）园区发展空间不足。\"' '$T/outline'"
check "pdf: language zh-CN, title, subject and author" sh -c "
    mutool show '$T/a/park-2023.pdf' trailer/Root/Lang | grep -q 'zh-CN' &&
    pdfinfo '$T/a/park-2023.pdf' | grep -q '^Title: *工业园区2023年度工作总结和2024年工作计划\$' &&
    pdfinfo '$T/a/park-2023.pdf' | grep -q '^Subject: *工作总结和工作计划' &&
    pdfinfo '$T/a/park-2023.pdf' | grep -q '^Author: *工业园区'"
"$BIN" --style "$TOP/templates/report-a4.style" -o "$T/a4" "$SEED_XML" > /dev/null 2>&1
check "pdf: another style file, another layout: plain A4, fewer pages, centred page numbers" sh -c "
    test \$(pdfinfo '$T/a4/park-2023.pdf' | sed -n 's/^Pages: *//p') -lt \$(pdfinfo '$T/a/park-2023.pdf' | sed -n 's/^Pages: *//p') &&
    pdftotext -bbox '$T/a4/park-2023.pdf' - 2>/dev/null | awk '
        /<page / { page++ } page == 2 && /<word .*>2<\\/word>/ {
            match(\$0, /xMin=\"[0-9.]+/); x = substr(\$0, RSTART + 6, RLENGTH - 6) }
        END { exit !(x > 280 && x < 315) }'"
printf 'body 16pt\nmargins 1mm\n' > "$T/bad.style"
"$BIN" --style "$T/bad.style" -o "$T/bs" "$SEED_XML" > /dev/null 2> "$T/bs.err"
check "pdf: a bad style file is an error at FILE:LINE:COL before any input is read" sh -c "
    test $? -eq 1 && grep -q '^$T/bad.style:2:1: error: not a style key' '$T/bs.err' &&
    test ! -e '$T/bs/park-2023.pdf'"
sed 's|<item>领湃新能源</item>|<item>领湃新能源鿏</item>|; s|园区紧紧围绕中央|园区紧紧围绕䶮中央|; s|中央省市全会|中央省市𠮷全会|' "$SEED_XML" > "$T/glyph.xml"
"$BIN" -o "$T/glyph" "$T/glyph.xml" > /dev/null 2> "$T/glyph.err"
check "pdf: a character no font has is a warning at its place in the input" sh -c "
    test $? -eq 0 && grep -q '^$T/glyph.xml:[0-9]*:18: warning: no font has 鿏 (U+9FCF)' '$T/glyph.err' &&
    test -s '$T/glyph/glyph.pdf'"
check "pdf: one beyond U+FFFF that no font has likewise, and the text around it is kept" sh -c "
    test \$(grep -c '𠮷' '$T/glyph.err') -eq 1 &&
    grep -q '^$T/glyph.xml:[0-9]*:[0-9]*: warning: no font has 𠮷 (U+20BB7)' '$T/glyph.err' &&
    pdftotext '$T/glyph/glyph.pdf' - 2>/dev/null | tr -d '\n' | grep -q '中央省市 *全会'"
# A fallback that has characters beyond U+FFFF: HanaMin B (fonts-hanazono).
mkdir -p "$T/fonts-b"
sed 's#^fallback .*#fallback /usr/share/fonts/truetype/hanazono/HanaMinB.ttf 0#' "$TOP/fonts/fonts.conf" > "$T/fonts-b/fonts.conf"
"$BIN" --fonts "$T/fonts-b" -o "$T/glyph-b" "$T/glyph.xml" > /dev/null 2> "$T/glyph-b.err"
check "pdf: a character beyond U+FFFF is drawn by a fallback that has it (𠮷 in HanaMin B), and extracted" sh -c "
    test $? -eq 0 && ! grep -q '𠮷' '$T/glyph-b.err' &&
    pdffonts '$T/glyph-b/glyph.pdf' 2>/dev/null | grep -q 'HanaMinB.*CID TrueType *Identity-H *yes yes yes' &&
    pdftotext '$T/glyph-b/glyph.pdf' - 2>/dev/null | tr -d '\n' | grep -q '中央省市𠮷全会'"
check "pdf: a character the body font lacks is set in the fallback font (䶮 in Zen Hei)" sh -c "
    ! grep -q '䶮' '$T/glyph.err' && pdftotext '$T/glyph/glyph.pdf' - 2>/dev/null | grep -q '园区紧紧围绕䶮中央'"
check "pdf: page numbers on the right of odd pages, the left of even ones" sh -c "
    pdftotext -bbox '$T/a/park-2023.pdf' - 2>/dev/null | awk '
        /<page / { page++ } /<word .*>1<\/word>|<word .*>2<\/word>/ {
            match(\$0, /xMin=\"[0-9.]+/); x = substr(\$0, RSTART + 6, RLENGTH - 6)
            if (\$0 ~ />1</ && page == 1) odd = x; if (\$0 ~ />2</ && page == 2) even = x }
        END { exit !(odd > 420 && even < 175) }'"
check "pdf: qpdf finds no damage" qpdf --check "$T/a/park-2023.pdf"
check "pdf: version 1.5, the objects other than streams packed in one object stream" sh -c "
    pdfinfo '$T/a/park-2023.pdf' | grep -q '^PDF version: *1.5' &&
    test \$(grep -a -c '^/Type /ObjStm' '$T/a/park-2023.pdf') -eq 1 &&
    test \$(grep -a -c '^/Type /XRef' '$T/a/park-2023.pdf') -eq 1 &&
    ! grep -a -q '^trailer' '$T/a/park-2023.pdf'"
check "pdf: A4 pages" sh -c "pdfinfo '$T/a/park-2023.pdf' | grep -q 'Page size: *595.276 x 841.89 pts (A4)'"
check "pdf: the title and date" sh -c "pdfinfo '$T/a/park-2023.pdf' | grep -q 'Title: *工业园区2023年度工作总结和2024年工作计划' &&
    pdfinfo '$T/a/park-2023.pdf' | grep -q 'CreationDate: *Sun Dec 31 00:00:00 2023 UTC'"
check "pdf: Song, Hei, Kai and a Latin serif embedded as subsets, each once" sh -c "
    pdffonts '$T/a/park-2023.pdf' 2>/dev/null | grep -q 'UMingCN.*CID TrueType *Identity-H *yes yes yes' &&
    pdffonts '$T/a/park-2023.pdf' 2>/dev/null | grep -q 'WenQuanYiZenHei.*CID TrueType *Identity-H *yes yes yes' &&
    pdffonts '$T/a/park-2023.pdf' 2>/dev/null | grep -q 'UKaiCN.*CID TrueType *Identity-H *yes yes yes' &&
    pdffonts '$T/a/park-2023.pdf' 2>/dev/null | grep -q 'LiberationSerif.*CID TrueType *Identity-H *yes yes yes' &&
    test \$(pdffonts '$T/a/park-2023.pdf' 2>/dev/null | tail -n +3 | wc -l) -eq 4"
check "pdf: a subset's name is six capitals and +, another for other characters" sh -c "
    a=\$(pdffonts '$T/a/park-2023.pdf' 2>/dev/null | grep -o '^[A-Z]\{6\}+UMingCN') &&
    g=\$(pdffonts '$T/glyph/glyph.pdf' 2>/dev/null | grep -o '^[A-Z]\{6\}+UMingCN') &&
    test -n \"\$a\" -a -n \"\$g\" -a \"\$a\" != \"\$g\""
check "pdf: page numbers — N —" grep -q '^— 3 —$' "$T/a.txt"
# The text with page numbers and all white space removed.
grep -v '^— [0-9]* —$' "$T/a.txt" | tr -d ' \n\f\r\t' > "$T/a.flat"
check "pdf: figures from the data in the prose" sh -c "
    grep -q '1-11月，园区规上企业34户，实现工业总产值124.2亿元，同比增长16.33%。' '$T/a.flat' &&
    grep -q '鞋服纺织类项目3个45.3亿元' '$T/a.flat' && grep -q '新建安置房11万余平方米' '$T/a.flat'"
check "pdf: the table of next year's targets, a row a line, from the template" sh -c "
    pdftotext -layout -enc UTF-8 '$T/a/park-2023.pdf' - 2>/dev/null > '$T/a.layout' &&
    grep -q '附表 *2024年主要工作目标' '$T/a.layout' &&
    grep -Eq '^ *工业总产值 +亿元 +140 +200 +增长42.9%$' '$T/a.layout' &&
    grep -Eq '^ *培育规上企业 +户 +— +≥11 +—$' '$T/a.layout' &&
    grep -q '只有1-11月等部分时期数字的指标，不据以计算需增长' '$T/a.flat'"
check "pdf: the charts of completion and of the leading sectors, with their labels" sh -c "
    grep -q '附图1 *2023年1-11月主要指标完成全年预计情况' '$T/a.layout' &&
    grep -Eq '^ *工业总产值 +88.7%$' '$T/a.layout' && grep -Eq '^ *纺织鞋服 +43.55$' '$T/a.layout'"
check "pdf: headings numbered from the structure" sh -c "
    grep -q '一、主要工作及成效' '$T/a.flat' && grep -q '三、2024年工作计划' '$T/a.flat' &&
    grep -q '（五）平台建设投入困难。' '$T/a.flat' && grep -q '（六）积极对上争取，推动园区上档升级。' '$T/a.flat'"

if [ -f "$SEED_TXT" ]; then
    # Every sentence of the seed (copy debris removed) is in the PDF's text.
    check "pdf: every sentence of the seed is in the extracted text" $PY - "$SEED_TXT" "$T/a.flat" <<'PYEOF'
import re, sys
seed = open(sys.argv[1], encoding="utf-8").read()
flat = open(sys.argv[2], encoding="utf-8").read()
seed = re.sub(r"\s+", "", seed.replace("##paidbegin##", "").replace("##paidend##", ""))
sentences = [s for s in re.split(r"(?<=[。；！？])", seed) if s]
missing = [s for s in sentences if s not in flat]
for s in missing:
    print("missing:", s)
print(len(sentences) - len(missing), "of", len(sentences), "sentences found")
sys.exit(1 if missing else 0)
PYEOF
else
    skip "pdf: every sentence of the seed is in the extracted text" "the seed text ($SEED_TXT) is not beside this checkout"
fi

check "xlsx: every sheet read back by openpyxl matches the input XML, with print set-up and formats" \
    $PY "$TOP/tests/xlsx_check.py" "$SEED_XML" "$T/a/park-2023.xlsx"
check "xlsx: Gnumeric's recalculation gives every formula's stored value" \
    $PY "$TOP/tests/xlsx_recalc.py" "$T/a/park-2023.xlsx"
sed 's|<forecast>44</forecast>|<forecast>0</forecast>|' "$SEED_XML" > "$T/zero.xml"
"$BIN" -o "$T/zero" "$T/zero.xml" > /dev/null 2>&1
check "xlsx: a zero base leaves the completion empty, never #DIV/0! or NaN" $PY -c "
import zipfile, openpyxl
ws = openpyxl.load_workbook('$T/zero/zero.xlsx')['2023年指标完成情况']
assert ws['B4'].value == '规上企业' and ws['G4'].value == 0
assert ws['I4'].value is None and ws['J4'].value is None, (ws['I4'].value, ws['J4'].value)
assert ws['I5'].value == '=E5/G5'
xml = zipfile.ZipFile('$T/zero/zero.xlsx').read('xl/worksheets/sheet1.xml')
assert b'NAN' not in xml and b'INF' not in xml"
SOURCE_DATE_EPOCH=1700000000 "$BIN" -o "$T/epoch" "$SEED_XML" > /dev/null 2>&1
(unset SOURCE_DATE_EPOCH; "$BIN" -o "$T/noepoch" "$SEED_XML" > /dev/null 2>&1)
check "xlsx: created from SOURCE_DATE_EPOCH, else from the report's year" $PY -c "
import sys, openpyxl, datetime
a = openpyxl.load_workbook('$T/epoch/park-2023.xlsx').properties.created
b = openpyxl.load_workbook('$T/noepoch/park-2023.xlsx').properties.created
assert a == datetime.datetime(2023, 11, 14, 22, 13, 20), a
assert b.date() == datetime.date(2023, 12, 31), b"

"$BIN" -o "$T/b" "$SEED_XML" > /dev/null 2>&1
check "reproducible: the same input gives identical bytes" sh -c "
    cmp '$T/a/park-2023.pdf' '$T/b/park-2023.pdf' && cmp '$T/a/park-2023.xlsx' '$T/b/park-2023.xlsx'"

# $TMPDIR is not used for the workbook, so a full one (a small tmpfs filled
# up, where root can mount one; elsewhere a regular file, which takes no
# scratch file either) does not matter, and nothing is left behind.
mkdir -p "$T/scratch-in" "$T/fulltmp"
cp "$SEED_XML" "$T/scratch-in/park-2023.xml"
cp "$SEED_XML" "$T/scratch-in/other.xml"
if mount -t tmpfs -o size=4k tmpfs "$T/fulltmp" 2> /dev/null; then
    head -c 8192 /dev/zero > "$T/fulltmp/fill" 2> /dev/null
    full_tmp="a full"
else
    rmdir "$T/fulltmp" && : > "$T/fulltmp"
    full_tmp="an unusable"
fi
TMPDIR="$T/fulltmp" "$BIN" -o "$T/sc" "$T/scratch-in/park-2023.xml" "$T/scratch-in/other.xml" > /dev/null 2>&1
check "workbook: $full_tmp \$TMPDIR does not matter, nothing is left beside the outputs" sh -c "
    test $? -eq 0 && test \$(ls -A '$T/sc' | wc -l) -eq 4 &&
    cmp '$T/a/park-2023.xlsx' '$T/sc/park-2023.xlsx' && cmp '$T/a/park-2023.pdf' '$T/sc/park-2023.pdf'"
[ -d "$T/fulltmp" ] && umount "$T/fulltmp"

# Hostile park names: text that looks like a formula stays text in every
# cell, chart title and series name; & in the page header is doubled; the
# longest name the schema takes shortens the header with … instead of
# losing it.
long_name=$($PY -c "print(('园区&' * 67)[:200])")
i=0
for name in '=HYPERLINK("x")' '+1' '@SUM(A1)' "$long_name"; do
    i=$((i + 1))
    mkdir -p "$T/hostile$i"
    $PY -c "
import sys
from xml.sax.saxutils import escape
text = open(sys.argv[1], encoding='utf-8').read()
open(sys.argv[2], 'w', encoding='utf-8').write(text.replace('<park>工业园区</park>', '<park>' + escape(sys.argv[3]) + '</park>', 1))
" "$SEED_XML" "$T/hostile$i/park.xml" "$name"
    "$BIN" -f xlsx -o "$T/hostile$i" "$T/hostile$i/park.xml" > /dev/null 2> "$T/hostile$i.err"
    check "xlsx: park named '$(echo "$name" | cut -c1-20)': written, text everywhere, charts titled from cells, header kept" $PY -c "
import sys, zipfile, re, openpyxl
from xml.sax.saxutils import unescape
name, path = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(path)
wb = openpyxl.load_workbook(path)
for ws in wb.worksheets:
    a1 = ws['A1']
    assert a1.data_type == 's' and a1.value.startswith(name), (ws.title, a1.value)
    assert ws['A2'].value.startswith('填报单位：' + name)
for member in z.namelist():
    if not member.endswith('.xml'):
        continue
    xml = z.read(member).decode()
    for f in re.findall(r'<(?:c:)?f>([^<]*)</(?:c:)?f>', xml):
        core = name[1:] if len(name) > 3 else name[1:] + '2023'  # a formula drops the =
        assert core not in unescape(f, {'&quot;': '\"'}), (member, f)
for n, chart in enumerate(['xl/charts/chart1.xml', 'xl/charts/chart2.xml']):
    xml = z.read(chart).decode()
    title = re.search(r'<c:title><c:tx><c:strRef><c:f>(.*?)</c:f>', xml).group(1)
    sheet, col, row = re.match(r\"'?(.*?)'?!\\\$([A-Z]+)\\\$(\d+)\", title).groups()
    cell = col + row
    assert wb[sheet][cell].value.startswith(name), (title, wb[sheet][cell].value)
    assert '<c:tx><c:strRef><c:f>' in xml.split('<c:ser>')[1], 'series name not from a cell'
for s in range(1, 6):
    xml = z.read(f'xl/worksheets/sheet{s}.xml').decode()
    head = unescape(re.search(r'<oddHeader>(.*?)</oddHeader>', xml).group(1))
    assert len(head) <= 255, len(head)
    want = name.replace('&', '&&')
    assert head.startswith('&L' + want) or (len(want) > 120 and head.startswith('&L' + want[:100]) and '…&R' in head), head
" "$name" "$T/hostile$i/park.xlsx"
done
check "xlsx: a park named like a formula recalculates in Gnumeric to the stored values" \
    $PY "$TOP/tests/xlsx_recalc.py" "$T/hostile1/park.xlsx"
check "xlsx: hostile park names: warnings of the input only, nothing of libxlsxwriter's" sh -c "! cat '$T'/hostile*.err | grep -v ': warning: '"

# Figures show in Gnumeric with the digits written: twelve decimals, fifteen
# digits, no exponent; more digits than a cell shows are refused at their place.
mkdir -p "$T/digits"
sed 's|<actual>15.43</actual>|<actual>0.000000000001</actual>|; s|<actual>38.43</actual>|<actual>999999999999999</actual>|' \
    "$SEED_XML" > "$T/digits/digits.xml"
"$BIN" -f xlsx -o "$T/digits" "$T/digits/digits.xml" > /dev/null 2>&1
ssconvert -S --export-type=Gnumeric_stf:stf_assistant -O 'format=preserve' "$T/digits/digits.xlsx" \
    "$T/digits/shown-%n.csv" > /dev/null 2>&1
check "xlsx: 0.000000000001 and 999999999999999 show as written in Gnumeric" sh -c "
    grep -q '^5,基础设施投资,亿元,,0.000000000001,' '$T/digits/shown-0.csv' &&
    grep -q '^6,工业投资,亿元,,999999999999999,' '$T/digits/shown-0.csv'"
sed 's|<actual>38.43</actual>|<actual>1234567890.123456</actual>|' "$SEED_XML" > "$T/digits/sixteen.xml"
"$BIN" -f xlsx -o "$T/digits" "$T/digits/sixteen.xml" > /dev/null 2> "$T/digits/sixteen.err"
check "xlsx: a figure of 16 significant digits is refused at its line and column, nothing written" sh -c "
    test $? -eq 1 && grep -q '^$T/digits/sixteen.xml:30:[0-9]*: error: ' '$T/digits/sixteen.err' &&
    test ! -e '$T/digits/sixteen.xlsx'"

# --- modes and exit statuses -------------------------------------------
"$BIN" --check -o "$T/c" "$SEED_XML" > /dev/null 2> "$T/c.err"
check "--check: exit 0, warnings, nothing written" sh -c "test $? -eq 0 && test ! -e '$T/c' && grep -q warning '$T/c.err'"
"$BIN" --check --strict "$SEED_XML" > /dev/null 2> "$T/s.err"
check "--strict: warnings become errors, exit 1" sh -c "test $? -eq 1 && grep -q ': error: the stated investment' '$T/s.err' && ! grep -q warning '$T/s.err'"
"$BIN" > /dev/null 2>&1
check "usage: no input gives exit 2" test $? -eq 2
"$BIN" --no-such-option "$SEED_XML" > /dev/null 2>&1
check "usage: an unknown option gives exit 2" test $? -eq 2
"$BIN" --help | grep -q -- '--strict'
check "--help describes the options" test $? -eq 0
"$BIN" --emit-doc "$SEED_XML" > "$T/doc.txt" 2>/dev/null
check "--emit-doc prints the document form" sh -c "grep -q '^= 工业园区2023年度工作总结和2024年工作计划$' '$T/doc.txt' && grep -q '^#1 一、主要工作及成效$' '$T/doc.txt'"

# --- data never becomes document structure -------------------------------
# Every field of tests/inputs/hostile-structure.xml reads like a marker of the
# document form (# = | \ #page #table, a line break, a leading U+3000, an
# opening mark and a blank, a long URL): each comes out as text, the outline
# is the sections', and --emit-doc reads back to the same document.
HOSTILE=$TOP/tests/inputs/hostile-structure.xml
"$BIN" -o "$T/h" -f pdf "$HOSTILE" > /dev/null 2> "$T/h.err"
check "hostile data: the report is written" sh -c "test $? -eq 0 && test -s '$T/h/hostile-structure.pdf'"
# -raw: the default mode takes a hyphen at a line's end for a word's, and drops it.
pdftotext -raw -enc UTF-8 "$T/h/hostile-structure.pdf" "$T/h.txt" 2> /dev/null
mutool show "$T/h/hostile-structure.pdf" outline > "$T/h.outline" 2> /dev/null
check "hostile data: every field comes out verbatim in the PDF's text" $PY - "$HOSTILE" "$T/h.txt" <<'PYEOF'
import re, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
text = re.sub(r'\s+', '', open(sys.argv[2], encoding='utf-8').read())
text = re.sub(r'—[0-9]+—', '', text) # page numbers between a paragraph's lines
fields = [root.findtext('park'), root.get('period')]
fields += [s.get('title') for s in root.iter('section')]
fields += [p.text for p in root.iter('p')]
for ind in root.iter('indicator'):
    plan = ind.find('plan')
    if plan is not None:
        fields += [plan.get('name') or ind.get('name'), ind.get('unit')]
    if ind.find('actual') is not None and ind.find('forecast') is not None:
        fields.append(ind.get('name'))
fields += [s.get('name') for s in root.iter('sector')]
missing = [f for f in fields if re.sub(r'\s+', '', f) not in text]
assert len(fields) > 20 and not missing, missing
PYEOF
check "hostile data: the outline is the title and the sections, numbered" $PY - "$HOSTILE" "$T/h.outline" <<'PYEOF'
import re, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
n1 = '一二三四五六七八九十'
want = [(0, root.findtext('park') + root.get('year') + '年度工作总结和' + root.get('plan-year') + '年工作计划')]
for i, s in enumerate(root.find('narrative').findall('section')):
    want.append((1, n1[i] + '、' + s.get('title')))
    for k, sub in enumerate(s.findall('section')):
        want.append((2, '（' + n1[k] + '）' + sub.get('title') + '。'))
got = []
for line in open(sys.argv[2], encoding='utf-8'):
    m = re.match(r'^[-+|](\t*)"(.*)"\t#page', line)
    assert m, line
    got.append((len(m.group(1)) - 1, m.group(2).replace('\\"', '"').replace('\\\\', '\\')))
squash = lambda items: [(level, re.sub(r'\s+', ' ', t)) for level, t in items]
assert squash(got) == squash(want), (got, want)
PYEOF
mkdir -p "$T/ht"
sed 's|</park>|</park><title>#1 伪标题 \| = \\ 《 书名 》\&#10;#page</title>|' "$HOSTILE" > "$T/ht/titled.xml"
"$BIN" -o "$T/ht" -f pdf "$T/ht/titled.xml" > /dev/null 2>&1
check "hostile data: a title of markers is the title, verbatim" sh -c "
    mutool show '$T/ht/titled.pdf' outline > '$T/ht.outline' && test \$(grep -c . '$T/ht.outline') -eq 5 &&
    head -1 '$T/ht.outline' | grep -qF '\"#1 伪标题 | = \\\\ 《 书名 》 #page\"' &&
    pdftotext -raw '$T/ht/titled.pdf' - | head -1 | grep -qxF '#1 伪标题 | = \\ 《 书名 》 #page'"
"$BIN" --emit-doc "$HOSTILE" > "$T/h.doc" 2> /dev/null
check "hostile data: --emit-doc escapes the data: no line of it is a marker but the template's" $PY - "$T/h.doc" <<'PYEOF'
import re, sys
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
for want in ['\\#3号厂房已建成投产。', '\\= 伪标题', '#2> （一）\\| a \\| b \\|。', '\\#table 伪表格',
             '\\\u3000\u3000全角空格开头的段落。', '#1 二、= 第二章 #2 换行']:
    assert want in lines, want
assert len([l for l in lines if re.match(r'#[0-9]', l)]) == 4, lines
assert len([l for l in lines if re.match(r'#(table|chart)', l)]) == 3, lines
PYEOF

# --- bad input never costs data -----------------------------------------
mkdir -p "$T/bad"
sed 's|</park>|</prak>|' "$SEED_XML" > "$T/bad/park-2023.xml"
sha_before=$(cat "$T/a/park-2023.pdf" "$T/a/park-2023.xlsx" | sha256sum)
"$BIN" -o "$T/a" "$T/bad/park-2023.xml" > /dev/null 2> "$T/bad.err"
status=$?
sha_after=$(cat "$T/a/park-2023.pdf" "$T/a/park-2023.xlsx" | sha256sum)
check "bad input: exit 1 with FILE:LINE:COL: error:" sh -c "test $status -eq 1 && grep -q '^$T/bad/park-2023.xml:[0-9]*:[0-9]*: error: Opening and ending tag mismatch' '$T/bad.err'"
check "bad input: earlier outputs untouched, no temporary file" sh -c "test '$sha_before' = '$sha_after' && ! ls -A '$T/a' | grep -q tmp"
cp "$SEED_XML" "$T/bad/good.xml"
printf '\xef\xbb\xbf' > "$T/bad/empty.xml"
"$BIN" -o "$T/mixed" "$T/bad/park-2023.xml" "$T/bad/good.xml" "$T/bad/missing.xml" > /dev/null 2> "$T/mixed.err"
status=$?
check "batch: one bad input fails the run but the others are written" sh -c "
    test $status -eq 1 && test -s '$T/mixed/good.pdf' && test -s '$T/mixed/good.xlsx' &&
    test ! -e '$T/mixed/park-2023.pdf' && test ! -e '$T/mixed/missing.pdf' &&
    grep -q '^$T/bad/missing.xml: error: cannot open the input: No such file or directory' '$T/mixed.err'"
"$BIN" -o "$T/a/park-2023.pdf" "$SEED_XML" > /dev/null 2> "$T/notdir.err"
check "an output path that is not a directory: exit 1, clear message" sh -c "test $? -eq 1 && grep -q 'not a directory' '$T/notdir.err'"

# A full disk, simulated with a file-size limit: writes past 100 KB fail.
mkdir -p "$T/full" && cp "$T/a/park-2023.pdf" "$T/a/park-2023.xlsx" "$T/full/"
sum_before=$(cat "$T/full/park-2023.pdf" "$T/full/park-2023.xlsx" | sha256sum)
sh -c "ulimit -f 200; trap '' XFSZ; exec '$BIN' -o '$T/full' '$SEED_XML'" > /dev/null 2> "$T/full.err"
check "a full disk: exit 1, a clear message, earlier outputs intact, no temporary file left" sh -c "
    test $? -eq 1 && grep -q 'error: cannot write .*: File too large' '$T/full.err' &&
    test \"\$(cat '$T/full/park-2023.pdf' '$T/full/park-2023.xlsx' | sha256sum)\" = '$sum_before' &&
    test \$(ls -A '$T/full' | wc -l) -eq 2"
# The workbook alone, past the limit: it is named by the output it was to
# become, in one error and nothing of libxlsxwriter's own lines, and nothing
# is left.
sh -c "ulimit -f 16; trap '' XFSZ; exec '$BIN' -f xlsx -o '$T/fullx' '$SEED_XML'" > /dev/null 2> "$T/fullx.err"
check "a workbook that cannot be written: exit 1, named by its output once, nothing left" sh -c "
    test $? -eq 1 && grep -q '^$T/fullx/park-2023.xlsx: error: cannot write the workbook' '$T/fullx.err' &&
    test \$(grep -v ': warning: ' '$T/fullx.err' | wc -l) -eq 1 && test -z \"\$(ls -A '$T/fullx')\""
# A full output folder, where one can be made (a tmpfs of 16 KB: root only).
mkdir -p "$T/tiny"
if mount -t tmpfs -o size=16k tmpfs "$T/tiny" 2> /dev/null; then
    "$BIN" -f xlsx -o "$T/tiny" "$SEED_XML" > /dev/null 2> "$T/tiny.err"
    check "a full output folder: exit 1, one message naming the folder, nothing left" sh -c "
        test $? -eq 1 && test -z \"\$(ls -A '$T/tiny')\" &&
        grep -q '^$T/tiny/park-2023.xlsx: error: cannot write the workbook: the folder $T/tiny is full' '$T/tiny.err' &&
        test \$(grep -v ': warning: ' '$T/tiny.err' | wc -l) -eq 1"
    umount "$T/tiny"
else
    echo "# skipped: a full folder is a small tmpfs, which only root can mount"
fi
"$BIN" --templates "$TOP/README.md" -o "$T/nt" "$SEED_XML" > /dev/null 2> "$T/nt.err"
check "a templates folder that cannot be read: exit 1, named, nothing written" sh -c "
    test $? -eq 1 && grep -q '^$TOP/README.md/report.mustache: error: cannot open the template: Not a directory' '$T/nt.err' &&
    test ! -e '$T/nt/park-2023.pdf'"

# --- options and batches ---------------------------------------------------
"$BIN" -f pdf -o "$T/fpdf" "$SEED_XML" > /dev/null 2>&1
"$BIN" --format=xlsx -o "$T/fxlsx" "$SEED_XML" > /dev/null 2>&1
"$BIN" --pdf-compression small -j 2 -o "$T/small" "$SEED_XML" > /dev/null 2>&1
"$BIN" --pdf-compression small -j 1 -o "$T/small1" "$SEED_XML" > /dev/null 2>&1
"$BIN" -j 1 -o "$T/one" "$SEED_XML" > /dev/null 2>&1
"$BIN" -j 2 -o "$T/two" "$SEED_XML" > /dev/null 2>&1
check "--pdf-compression small: a valid PDF with the same text, a few KB smaller" sh -c "
    qpdf --check '$T/small/park-2023.pdf' > /dev/null &&
    pdftotext -enc UTF-8 '$T/small/park-2023.pdf' - | cmp - '$T/a.txt' &&
    test \$(stat -c %s '$T/small/park-2023.pdf') -lt \$(stat -c %s '$T/a/park-2023.pdf') &&
    test \$(stat -c %s '$T/small/park-2023.pdf') -gt 200000 &&
    '$BIN' --pdf-compression tiny '$SEED_XML' 2>&1 | grep -q 'takes fast or small'"
check "one report on one processor or two (threads): the same bytes, at both compressions" sh -c "
    cmp '$T/small/park-2023.pdf' '$T/small1/park-2023.pdf' &&
    cmp '$T/one/park-2023.pdf' '$T/two/park-2023.pdf' && cmp '$T/one/park-2023.xlsx' '$T/two/park-2023.xlsx' &&
    cmp '$T/one/park-2023.pdf' '$T/a/park-2023.pdf'"
check "-f pdf and --format=xlsx write only that file" sh -c "
    test -s '$T/fpdf/park-2023.pdf' && test ! -e '$T/fpdf/park-2023.xlsx' &&
    test -s '$T/fxlsx/park-2023.xlsx' && test ! -e '$T/fxlsx/park-2023.pdf' &&
    cmp '$T/fpdf/park-2023.pdf' '$T/a/park-2023.pdf' && cmp '$T/fxlsx/park-2023.xlsx' '$T/a/park-2023.xlsx'"
check "usage errors: -f doc, -j 0, -j x give exit 2 with the reason" sh -c "
    '$BIN' -f doc '$SEED_XML' 2>&1 | grep -q 'takes pdf, xlsx or pdf,xlsx'; test \$? -eq 0 &&
    '$BIN' -f doc '$SEED_XML' > /dev/null 2>&1; test \$? -eq 2 &&
    '$BIN' -j 0 '$SEED_XML' > /dev/null 2>&1; test \$? -eq 2 &&
    '$BIN' --jobs=x '$SEED_XML' 2>&1 | grep -q 'from 1 to 256'"
"$BIN" -q -o "$T/quiet" "$SEED_XML" > "$T/quiet.out" 2> "$T/quiet.err"
check "-q prints only problems" sh -c "test ! -s '$T/quiet.out' && test \$(wc -l < '$T/quiet.err') -eq 2 && test -s '$T/quiet/park-2023.pdf'"
mkdir -p "$T/tree/a/b" && cp "$SEED_XML" "$T/tree/a/one.xml" && cp "$SEED_XML" "$T/tree/a/b/two.xml" && echo x > "$T/tree/a/notes.txt"
"$BIN" -o "$T/treeout" "$T/tree" > "$T/tree.out" 2> "$T/tree.err"
check "a directory as INPUT means every *.xml below it; a batch ends with a summary line" sh -c "
    test -s '$T/treeout/one.pdf' && test -s '$T/treeout/two.xlsx' && test \$(ls '$T/treeout' | wc -l) -eq 4 &&
    tail -1 '$T/tree.err' | grep -Eq '^parkreport: 2 written, 0 failed, 4 warnings, [0-9.]+ s$'"
mkdir -p "$T/clash/a" "$T/clash/b" && cp "$SEED_XML" "$T/clash/a/x.xml" && cp "$SEED_XML" "$T/clash/b/x.xml"
"$BIN" -o "$T/clashout" "$T/clash" > /dev/null 2> "$T/clash.err"
check "two inputs with one output name: the later refused, exit 1, the earlier written" sh -c "
    test $? -eq 1 && grep -q '^$T/clash/b/x.xml: error: it would write the same $T/clashout/x.pdf and .xlsx as $T/clash/a/x.xml' '$T/clash.err' &&
    test -s '$T/clashout/x.pdf'"
mkdir -p "$T/batch"
for i in 1 2 3 4 5 6; do cp "$SEED_XML" "$T/batch/r$i.xml"; done
printf '<report>\n' > "$T/batch/r3.xml"
SOURCE_DATE_EPOCH=1700000000 "$BIN" -j 1 -q -o "$T/j1" "$T/batch" > /dev/null 2>&1; j1=$?
SOURCE_DATE_EPOCH=1700000000 "$BIN" -j 3 -o "$T/j3" "$T/batch" > /dev/null 2> "$T/j3.err"; j3=$?
check "a batch with one bad input: exit 1, the others written, the same bytes at -j 1 and -j 3" sh -c "
    test $j1 -eq 1 && test $j3 -eq 1 && test ! -e '$T/j3/r3.pdf' && test \$(ls '$T/j3' | wc -l) -eq 10 &&
    diff -r '$T/j1' '$T/j3' && grep -q '^$T/batch/r3.xml:2:1: error' '$T/j3.err' &&
    tail -1 '$T/j3.err' | grep -q '^parkreport: 5 written, 1 failed, 10 warnings'"

if script -qec true /dev/null > /dev/null 2>&1; then
script -qec "'$BIN' -j 2 -o '$T/tty' '$T/batch' > /dev/null" /dev/null > "$T/tty.log" 2>&1
check "progress on a terminal: one line redrawn with the count, the file and the time left" sh -c "
    tr '\\r' '\\n' < '$T/tty.log' | grep -aEq '\\[6/6\\] r[0-9].xml  [0-9]+ s left' &&
    grep -aq 'parkreport: 5 written, 1 failed' '$T/tty.log'"
else
    skip "progress on a terminal" "no pseudo-terminal can be opened here (script fails)"
fi
"$BIN" -j 2 -o "$T/notty" "$T/batch" > "$T/notty.out" 2> "$T/notty.err"
check "progress elsewhere: one plain line per finished file, no terminal codes" sh -c "
    test \$(grep -c ': wrote ' '$T/notty.out') -eq 5 && ! grep -q \"\$(printf '\\033')\" '$T/notty.err'"
# docs/scaling.md: the same reports sharded by GNU parallel, in its local mode.
find "$T/batch" -name '*.xml' | sort | SOURCE_DATE_EPOCH=1700000000 \
    parallel --will-cite -S 2/: --halt never "'$BIN' -q -j 1 -o '$T/gnupar' {}" > /dev/null 2>&1; par=$?
check "GNU parallel (docs/scaling.md): the same bytes as one run, the bad input counted as failed" sh -c "
    test $par -eq 1 && diff -r '$T/j1' '$T/gnupar'"

# --- interrupted runs ------------------------------------------------------
mkdir -p "$T/many" "$T/int"
# 400 copies, far more than are done when the signal comes: it is sent once
# the first reports are written.
i=100; while [ $i -lt 500 ]; do cp "$SEED_XML" "$T/many/p$i.xml"; i=$((i + 1)); done
cp "$T/a/park-2023.pdf" "$T/int/p499.pdf"; cp "$T/a/park-2023.xlsx" "$T/int/p499.xlsx"
"$BIN" -o "$T/int" "$T"/many/p*.xml > /dev/null 2>&1 & pid=$!
i=0; while [ $i -lt 200 ] && [ "$(ls "$T/int" | grep -c '^p1.*\.xlsx$')" -lt 2 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM $pid; wait $pid; term_status=$?
check "SIGTERM mid-batch: the run stops, no temporary file, earlier outputs intact, finished ones whole" sh -c "
    test $term_status -eq 143 && ! ls '$T/int' | grep -q tmp &&
    cmp '$T/int/p499.pdf' '$T/a/park-2023.pdf' && cmp '$T/int/p499.xlsx' '$T/a/park-2023.xlsx' &&
    for f in '$T'/int/p*.pdf; do qpdf --check \"\$f\" > /dev/null || exit 1; done"
# A shell's background job ignores SIGINT: start it with the default action.
check "SIGINT mid-batch: the same" $PY -c "
import glob, os, signal, subprocess, time
out = '$T/sigint'
os.mkdir(out)
p = subprocess.Popen(['$BIN', '-o', out] + sorted(glob.glob('$T/many/p*.xml')), stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
for _ in range(200):
    if len([n for n in os.listdir(out) if n.endswith('.xlsx')]) >= 2:
        break
    time.sleep(0.05)
p.send_signal(signal.SIGINT)
assert p.wait() == -signal.SIGINT
names = os.listdir(out)
assert not [n for n in names if 'tmp' in n], names
assert len(names) % 2 == 0 and len(names) < 800, names"

# --- mail to the county (tests/mail_check.py runs an SMTP server on 127.0.0.1) ---
mail_case() { # mail_case NAME CASE
    check "mail: $1" $PY "$TOP/tests/mail_check.py" "$BIN" "$SEED_XML" "$T/mail-$2" "$2"
}
mail_case "plain SMTP: the message parses, Chinese subject and file names intact, attachments byte-identical" plain
mail_case "STARTTLS on a self-signed certificate (--smtp-insecure), credentials from the environment, never printed" starttls
mail_case "smtps:// (TLS from the start) with credentials" smtps
mail_case "credentials from ~/.netrc" netrc
mail_case "a certificate that does not verify: exit 1, the server named, nothing sent" bad-certificate
mail_case "credentials are not sent to a server without TLS" clear-credentials
mail_case "nor from ~/.netrc" netrc-clear
mail_case "a refused recipient: exit 1 with the server's answer, the files kept" refused-recipient
mail_case "a 4xx answer is tried again after a pause, and then sent" retry-then-sent
mail_case "4xx answers past --smtp-retries: exit 1, the answer and the number of tries" retries-exhausted
mail_case "a 5xx answer: exit 1 at once, no retry" permanent-failure
mail_case "a server that is down: exit 1, quickly, the files kept" server-down
mail_case "a server that stalls: exit 1 after --smtp-timeout" server-stalls
mail_case "a batch goes on after one input's mail fails" batch-goes-on
mail_case "--mail-dry-run writes NAME.eml: 7-bit, CRLF, the same bytes twice under SOURCE_DATE_EPOCH" dry-run
mail_case "a user and password in the --smtp URL: exit 2 before connecting, saying where credentials go, neither printed" url-credentials
mail_case "a server that offers AUTH without TLS: no AUTH is tried, nothing sent" no-auth-without-tls
mail_case "--mail-to with a quoted comma: two recipients, display names kept in To" display-names
mail_case "line breaks and tabs in the park's name reach no header or file name; attachments are the bytes written" data-in-headers
check "mail: usage errors give exit 2 with the reason" sh -c "
    '$BIN' --mail-to a@b.cn '$SEED_XML' 2>&1 | grep -q 'needs --mail-from' &&
    '$BIN' --mail-to a@b.cn --mail-from o@p.cn '$SEED_XML' 2>&1 | grep -q 'needs --smtp URL' &&
    '$BIN' --mail-to not-an-address --mail-from o@p.cn --smtp smtp://x '$SEED_XML' 2>&1 | grep -q 'is not an email address' &&
    '$BIN' --mail-to a@b.cn --mail-from o@p.cn --smtp ftp://x '$SEED_XML' 2>&1 | grep -q 'takes smtp://' &&
    '$BIN' --mail-to a@b.cn --mail-from o@p.cn --smtp ftp://u:pw1@x '$SEED_XML' 2>&1 | grep -q 'takes smtp://' &&
    ! '$BIN' --mail-to a@b.cn --mail-from o@p.cn --smtp ftp://u:pw1@x '$SEED_XML' 2>&1 | grep -q pw1 &&
    '$BIN' --mail-to '\"Office, County\" <a@b.cn>, x' --mail-from o@p.cn --smtp smtp://x '$SEED_XML' 2>&1 | grep -q '\" x\" is not an email address' &&
    '$BIN' --smtp smtp://x '$SEED_XML' 2>&1 | grep -q 'need --mail-to' &&
    '$BIN' -f pdf --mail-to a@b.cn --mail-from o@p.cn --mail-dry-run '$T/d' '$SEED_XML' 2>&1 | grep -q 'names a file that -f leaves out' &&
    PARKREPORT_SMTP_USER=u '$BIN' --mail-to a@b.cn --mail-from o@p.cn --smtp smtp://x '$SEED_XML' 2>&1 | grep -q 'PARKREPORT_SMTP_PASSWORD is not' &&
    '$BIN' --mail-to a@b.cn --mail-from o@p.cn --smtp smtp://x '$SEED_XML' --smtp-timeout 0 > /dev/null 2>&1; test \$? -eq 2"
printf 'Subject: {{park}}\nAttachment: x\n\nbody\n' > "$T/tmpl-mail.mustache"
mkdir -p "$T/mailtmpl" && cp "$TOP"/templates/*.mustache "$T/mailtmpl/" && cp "$T/tmpl-mail.mustache" "$T/mailtmpl/mail.mustache"
"$BIN" --templates "$T/mailtmpl" -o "$T/mt" --mail-to a@b.cn --mail-from o@p.cn --mail-dry-run "$T/mt/d" "$SEED_XML" > /dev/null 2> "$T/mt.err"
check "mail: a template line that is not Subject, Workbook-Name or PDF-Name is an error quoting it" sh -c "
    test $? -eq 1 && grep -q '^$T/mailtmpl/mail.mustache: error: line 2 of what the template gives, \"Attachment: x\": expected \"Subject:\"' '$T/mt.err' &&
    test ! -e '$T/mt/d/park-2023.eml'"
mkdir -p "$T/nocurl" && : > "$T/nocurl/libcurl.so.4" # found first, and not a library
LD_LIBRARY_PATH="$T/nocurl" "$BIN" -o "$T/nc" --mail-to a@b.cn --mail-from o@p.cn --smtp smtp://127.0.0.1:9 \
    "$SEED_XML" > /dev/null 2> "$T/nc.err"
check "mail: without libcurl, an error naming Debian's packages (libcurl4, libcurl4t64), nothing written" sh -c "
    test $? -ne 0 && grep -q 'cannot load libcurl to send mail: .*apt-get install libcurl4 (Debian 12) or libcurl4t64 (Debian 13)' '$T/nc.err' &&
    test ! -e '$T/nc/park-2023.pdf'"
LONG_NAME=$(printf 'Park Office %.0s' $(seq 250))
LONG_DOMAIN=$(printf 'b%.0s' $(seq 186)).cn
LONG_ADDR=$(printf 'a%.0s' $(seq 64))@$LONG_DOMAIN
"$BIN" -q -o "$T/ml" --mail-to "$LONG_NAME <a@b.cn>" --mail-from "工业园区$LONG_NAME <$LONG_ADDR>" \
    --mail-dry-run "$T/ml/d" "$SEED_XML" 2> /dev/null
check "mail: a 3,000-character display name folds within 78 characters, a 254-character address is kept whole; 255 are refused" sh -c "
    test -s '$T/ml/d/park-2023.eml' && grep -q '^ <$LONG_ADDR>' '$T/ml/d/park-2023.eml' &&
    awk 'length(\$0) > 79 && index(\$0, \"$LONG_DOMAIN\") == 0 { bad = 1 } END { exit bad }' '$T/ml/d/park-2023.eml' &&
    '$BIN' --mail-to '${LONG_ADDR}x' --mail-from o@p.cn --mail-dry-run '$T/ml/d' '$SEED_XML' 2>&1 | grep -q 'longer than 254 characters'"

# --- install ---------------------------------------------------------------
make -s -C "$TOP" install BUILD="$(cd "$(dirname "$BIN")" && pwd)" PREFIX=/opt/pr DESTDIR="$T/inst" > /dev/null 2>&1
printf '{{! installed }}\n#page\n' >> "$T/inst/opt/pr/share/parkreport/templates/report.mustache"
(cd / && "$T/inst/opt/pr/bin/parkreport" --emit-doc "$SEED_XML" > "$T/inst.doc" 2> /dev/null)
check "install: PREFIX/bin/parkreport reads PREFIX/share/parkreport from any directory" sh -c "
    test -x '$T/inst/opt/pr/bin/parkreport' && test -f '$T/inst/opt/pr/share/man/man1/parkreport.1' &&
    test -f '$T/inst/opt/pr/share/parkreport/fonts/fonts.conf' &&
    test \"\$(tail -2 '$T/inst.doc' | head -1)\" = '#page'"
tr -d '\\' < "$TOP/man/parkreport.1" > "$T/man.txt" # roff escapes off: \-\-output is --output
check "the man page describes every option of --help" sh -c "
    for o in \$('$BIN' --help | grep -o -- '--[a-z-]*' | sort -u); do
        grep -q -e \"\$o\" '$T/man.txt' || { echo \"missing \$o\"; exit 1; }
    done"

# --- fonts and templates ---------------------------------------------------
mkdir -p "$T/fonts1" "$T/fonts2" "$T/tmpl"
sed 's|^heading1 .*|heading1  missing.ttf 0|' "$TOP/fonts/fonts.conf" > "$T/fonts1/fonts.conf"
"$BIN" --fonts "$T/fonts1" -o "$T/f1" "$SEED_XML" > /dev/null 2> "$T/f1.err"
check "fonts: a missing font file is named with its place in fonts.conf" sh -c "
    test $? -eq 1 && grep -q '^$T/fonts1/fonts.conf:15:11: error: cannot open the heading1 font $T/fonts1/missing.ttf' '$T/f1.err' &&
    test ! -e '$T/f1/park-2023.pdf'"
cp "$TOP/README.md" "$T/fonts2/notafont.ttf"
sed 's|^body .*|body notafont.ttf|' "$TOP/fonts/fonts.conf" > "$T/fonts2/fonts.conf"
"$BIN" --fonts "$T/fonts2" -o "$T/f2" "$SEED_XML" > /dev/null 2> "$T/f2.err"
check "fonts: a file that is not a font is named, nothing is written" sh -c "
    test $? -eq 1 && grep -q '^$T/fonts2/notafont.ttf: error: this is not a TrueType or OpenType font file' '$T/f2.err' &&
    test -z \"\$(ls -A '$T/f2')\""
# A fonts.conf that is not one (the README): a few errors at their places,
# quoting no more of the file than a short word, then it is given up.
mkdir -p "$T/fonts5" "$T/fonts6"
printf '# parkreport\n\nparkreport turns one XML file holding secrets\nnarrative for a year\n- a Chinese PDF\nmore\n' > "$T/fonts5/fonts.conf"
"$BIN" --fonts "$T/fonts5" -o "$T/f5" "$SEED_XML" > /dev/null 2> "$T/f5.err"
check "fonts: a fonts.conf that is not one is refused without echoing its lines" sh -c "
    test $? -eq 1 && grep -q '^$T/fonts5/fonts.conf:3:1: error: not a role' '$T/f5.err' &&
    grep -q '^$T/fonts5/fonts.conf:5: error: stopped reading after 3 errors' '$T/f5.err' &&
    test \$(wc -l < '$T/f5.err') -eq 4 &&
    sed -n 3p '$T/fonts5/fonts.conf' > '$T/f5.line' && test -s '$T/f5.line' &&
    ! grep -qF -f '$T/f5.line' '$T/f5.err' && test ! -e '$T/f5/park-2023.pdf'"
mkfifo "$T/fonts6/pipe.ttf"
mkdir "$T/fonts6/folder.ttf"
sed 's|^body .*|body pipe.ttf|; s|^title .*|title folder.ttf|' "$TOP/fonts/fonts.conf" > "$T/fonts6/fonts.conf"
timeout 20 "$BIN" --fonts "$T/fonts6" -o "$T/f6" "$SEED_XML" > /dev/null 2> "$T/f6.err"
check "fonts: a FIFO or a folder named as a font is refused at its place, without waiting" sh -c "
    test $? -eq 1 && grep -q '^$T/fonts6/fonts.conf:13:6: error: cannot open the body font $T/fonts6/pipe.ttf: not a regular file' '$T/f6.err' &&
    grep -q '^$T/fonts6/fonts.conf:14:7: error: cannot open the title font $T/fonts6/folder.ttf: not a regular file' '$T/f6.err'"
# Two fonts libharu cannot embed, made from Zen Hei: one whose licence
# forbids it (OS/2 fsType 2), and one with CFF outlines (its directory made to
# say so: glyf renamed, its first table named CFF, the order kept).
mkdir -p "$T/fonts3"
$PY - "$T/fonts3" <<'PYEOF'
import struct, sys
zenhei = open('/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', 'rb').read()
face = struct.unpack('>I', zenhei[12:16])[0]
recs = [face + 12 + 16 * i for i in range(struct.unpack('>H', zenhei[face + 4:face + 6])[0])]
d = bytearray(zenhei)
for rec in recs:
    if d[rec:rec + 4] == b'OS/2':
        table = struct.unpack('>I', d[rec + 8:rec + 12])[0]
        d[table + 8:table + 10] = struct.pack('>H', 2)
open(sys.argv[1] + '/restricted.ttc', 'wb').write(d)
d = bytearray(zenhei)
assert d[recs[1]:recs[1] + 4] > b'CFF '  # the directory stays sorted
d[recs[0]:recs[0] + 4] = b'CFF '
for rec in recs:
    if d[rec:rec + 4] == b'glyf':
        d[rec:rec + 4] = b'glyx'
open(sys.argv[1] + '/cff.ttc', 'wb').write(d)
d = bytearray(zenhei)  # glyf cut short: the glyphs past its new end are lost
for rec in recs:
    if d[rec:rec + 4] == b'glyf':
        d[rec + 12:rec + 16] = struct.pack('>I', 4096)
open(sys.argv[1] + '/cut.ttc', 'wb').write(d)
PYEOF
sed 's|^title .*|title restricted.ttc|' "$TOP/fonts/fonts.conf" > "$T/fonts3/fonts.conf"
"$BIN" --fonts "$T/fonts3" -o "$T/f3" "$SEED_XML" > /dev/null 2> "$T/f3.err"
check "fonts: one whose licence forbids embedding is named, nothing is written" sh -c "
    test $? -eq 1 && grep -q '^$T/fonts3/restricted.ttc: error: the font.s licence forbids embedding it' '$T/f3.err' &&
    test ! -e '$T/f3'"
sed 's|^heading1 .*|heading1 cff.ttc|' "$TOP/fonts/fonts.conf" > "$T/fonts3/fonts.conf"
"$BIN" --fonts "$T/fonts3" -o "$T/f4" "$SEED_XML" > /dev/null 2> "$T/f4.err"
check "fonts: one with CFF outlines is named, nothing is written" sh -c "
    test $? -eq 1 && grep -q '^$T/fonts3/cff.ttc: error: this font has CFF (PostScript) outlines' '$T/f4.err' &&
    test ! -e '$T/f4'"
# The title font is subset on a thread beside the body's when a processor
# is spare (-j 2), here otherwise (-j 1): the error is the same either way.
sed 's|^title .*|title cut.ttc|' "$TOP/fonts/fonts.conf" > "$T/fonts3/fonts.conf"
for j in 1 2; do
    "$BIN" -j $j --fonts "$T/fonts3" -o "$T/f5-$j" "$SEED_XML" > /dev/null 2> "$T/f5-$j.err"
    echo $? > "$T/f5-$j.rc"
done
check "fonts: one whose glyphs run past its glyf table fails the report at -j 1 and -j 2, nothing is written" sh -c "
    for j in 1 2; do
        test \$(cat '$T'/f5-\$j.rc) -eq 1 &&
        grep -q '^$T/fonts3/cut.ttc: error: a glyph of the font runs past its end' '$T'/f5-\$j.err &&
        test -z \"\$(ls -A '$T'/f5-\$j 2>/dev/null)\" || exit 1
    done"
rm -f "$T/fonts3/restricted.ttc" "$T/fonts3/cff.ttc" "$T/fonts3/cut.ttc"
printf '= {{park}}\n\n{{#sections}}\n#1 {{titel}}\n{{/sections}}\n' > "$T/tmpl/report.mustache"
"$BIN" --templates "$T/tmpl" -o "$T/t1" "$SEED_XML" > /dev/null 2> "$T/t1.err"
check "templates: a name missing from the data is an error at TEMPLATE:LINE:COL" sh -c "
    test $? -eq 1 && grep -q '^$T/tmpl/report.mustache:4:4: error: \"titel\" is not in the data' '$T/t1.err' &&
    test -z \"\$(ls -A '$T/t1')\""
printf '= {{park}}\n\n{{#sections}}\n#1 {{title}}\n\n' > "$T/tmpl/report.mustache"
"$BIN" --templates "$T/tmpl" -o "$T/t2" "$SEED_XML" > /dev/null 2> "$T/t2.err"
check "templates: an unclosed section is an error before any input is read, with its line and a caret" sh -c "
    test $? -eq 1 && grep -q '^$T/tmpl/report.mustache:3:1: error: {{#sections}} is never closed' '$T/t2.err' &&
    grep -qx ' 3 | {{#sections}}' '$T/t2.err' && grep -qx '   | ^' '$T/t2.err'"

summary e2e
