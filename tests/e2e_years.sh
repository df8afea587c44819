#!/bin/sh
# End-to-end tests of reports chained year to year (previous="…") and of
# --scaffold, read back with the real tools: openpyxl, Gnumeric, pdftotext,
# qpdf.
# Usage: tests/e2e_years.sh BUILD_DIR
set -u
BUILD=${1:-build}
BIN=$(cd "$BUILD" && pwd)/parkreport
TOP=$(cd "$(dirname "$0")/.." && pwd)
SEED_XML=$TOP/input/park-2023.xml
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$TOP/tests/lib.sh"
export SOURCE_DATE_EPOCH=1703980800
PY=/usr/bin/python3

# --- the example chain in input/ -------------------------------------------
"$BIN" -q -o "$T/r" "$SEED_XML" "$TOP/input/park-2024.xml" 2> "$T/r.err"
status=$?
check "the example chain: park-2024.xml is written beside the seed's report" sh -c "
    test $status -eq 0 && test -s '$T/r/park-2024.pdf' && test -s '$T/r/park-2024.xlsx' &&
    test -s '$T/r/park-2023.pdf'"
check "the previous input's own warnings carry its name" \
    grep -q "^$TOP/input/park-2023.xml:86:5: warning: the stated investment" "$T/r.err"
check "the example chain has no warning of its own" sh -c "! grep -q 'park-2024.xml:' '$T/r.err'"

# The workbook's targets are the seed's 2024 plans, with their bounds, their
# source, completion and status; a sheet and a line chart across the years.
check "xlsx: this year's targets, completions and statuses come from last year's plan" $PY -c "
import xml.etree.ElementTree as ET, zipfile, openpyxl
seed = ET.parse('$SEED_XML').getroot()
plans = {i.get('name'): i.find('plan') for i in seed.iter('indicator') if i.find('plan') is not None}
now = ET.parse('$TOP/input/park-2024.xml').getroot()
actuals = {i.get('name'): i.find('actual') for i in now.iter('indicator')}
lines = {}
for n, text in enumerate(open('$SEED_XML', encoding='utf-8'), 1):
    if '<plan' in text:
        lines[len(lines)] = n
plan_line = {name: lines[k] for k, name in enumerate(plans)}
wb = openpyxl.load_workbook('$T/r/park-2024.xlsx')
cached = openpyxl.load_workbook('$T/r/park-2024.xlsx', data_only=True)
ws, wc = wb['2024年指标完成情况'], cached['2024年指标完成情况']
assert ws['D3'].value == '2024年目标' and ws['K3'].value == '目标来源', ws['K3'].value
seen = 0
for r, c in zip(ws.iter_rows(min_row=4), wc.iter_rows(min_row=4)):
    name = r[1].value
    if name not in plans:
        continue
    seen += 1
    plan = plans[name]
    assert r[3].value == float(plan.text), (name, r[3].value, plan.text)
    bound = {'at-least': '不低于；', 'at-most': '不高于；'}.get(plan.get('bound'), '')
    named = '“' + plan.get('name') + '”' if plan.get('name') else ''
    assert r[10].value == f'{bound}取自park-2023.xml第{plan_line[name]}行的2024年计划{named}', (name, r[10].value)
    want = '已完成' if c[4].value >= c[3].value else '尚未完成'  # 1-11月: not yet
    assert c[9].value == want, (name, c[9].value, want)
    if r[8].value is None:
        assert r[2].value == '%', name  # a rate: its status, but no completion rate
        continue
    assert r[8].value == f'=E{r[0].row}/D{r[0].row}', r[8].value
    rate = c[4].value / c[3].value
    assert abs(c[8].value - rate) < 1e-12
    want = '已完成' if c[4].value >= c[3].value else '尚未完成'  # 1-11月: not yet
    assert c[9].value == want, (name, c[9].value, want)
assert seen == len(plans), (seen, len(plans))
assert wb.sheetnames[-1] == '历年完成率图' and '历年指标' in wb.sheetnames, wb.sheetnames
ys = wb['历年指标']
rows = [[c.value for c in r] for r in ys.iter_rows(min_row=4) if r[1].value]
out = [r for r in rows if r[0] == '工业总产值']
assert [r[1] for r in out] == [2023, 2024] and out[0][5] == 124.2 and out[1][3] == 200, out
charts = [n for n in zipfile.ZipFile('$T/r/park-2024.xlsx').namelist() if n.startswith('xl/charts/')]
assert any(b'<c:lineChart>' in zipfile.ZipFile('$T/r/park-2024.xlsx').read(n) for n in charts)
"
check "xlsx: Gnumeric's recalculation gives the chained workbook's stored values" \
    $PY "$TOP/tests/xlsx_recalc.py" "$T/r/park-2024.xlsx"

pdftotext -layout "$T/r/park-2024.pdf" "$T/r/park-2024.txt" 2> /dev/null
check "pdf: the completion table uses last year's plan, its status and its source" sh -c "
    qpdf --check '$T/r/park-2024.pdf' > /dev/null &&
    grep -q '2024年主要指标完成情况' '$T/r/park-2024.txt' &&
    grep -q '工业总产值 *亿元 *200 *141.6 *70.8% *尚未完成 *取自park-2023.' '$T/r/park-2024.txt' &&
    tr -d ' \\n' < '$T/r/park-2024.txt' | grep -q '尚未完成取自park-2023.xml第17行的2024年计划' &&
    grep -q '招引项目 *个 *≥15 *18 *120.0% *已完成' '$T/r/park-2024.txt' &&
    grep -q '2023—2024年主要指标完成率' '$T/r/park-2024.txt' &&
    tr -d ' \\n' < '$T/r/park-2024.txt' | grep -q '附图12024年1-11月主要指标完成目标（无目标的为全年预计）情况'"

# --- growth against last year's figures, and targets that disagree --------
mkdir -p "$T/g" && cp "$SEED_XML" "$T/g/park-2023.xml"
sed -e 's|<actual-growth>5.92</actual-growth>|<actual-growth>12</actual-growth>|' \
    -e 's|<target>200</target>|<target>190</target>|' \
    "$TOP/input/park-2024.xml" > "$T/g/park-2024.xml"
"$BIN" -q --check "$T/g/park-2024.xml" > /dev/null 2> "$T/g.err"
status=$?
line=$(grep -n '<actual-growth>12</actual-growth>' "$T/g/park-2024.xml" | cut -d: -f1)
check "a mis-stated growth rate: a warning naming the three numbers and both files" sh -c "
    test $status -eq 0 &&
    grep -q '^$T/g/park-2024.xml:$line:7: warning: 税收 grew by 5.9% from 1.52亿元 (2023年1-11月, $T/g/park-2023.xml:20) to 1.61亿元 (line $((line - 1))), but the stated growth is 12%' '$T/g.err'"
check "a <target> that disagrees with last year's plan: both numbers and both places" \
    grep -q "^$T/g/park-2024.xml:[0-9]*:7: warning: the target of 工业总产值 is 190亿元 here, but the 2024 plan at $T/g/park-2023.xml:17 is 200亿元" "$T/g.err"
"$BIN" -q --strict --check "$T/g/park-2024.xml" > /dev/null 2>&1
check "--strict: the chain's warnings fail the input" test $? -eq 1
"$BIN" --strict --check "$TOP/input/park-2024.xml" > /dev/null 2> "$T/strict-prev.err"
check "--strict: last year's own warnings are shown but do not fail this year's input" sh -c "
    test $? -eq 0 && grep -q 'park-2023.xml:86:5: warning' '$T/strict-prev.err'"
sed 's|period="1-11月"|period="1-12月"|' "$T/g/park-2024.xml" > "$T/g/full-year.xml"
"$BIN" -q --check "$T/g/full-year.xml" > /dev/null 2> "$T/full.err"
check "another period: the actuals are not compared, the forecasts still are" sh -c "
    ! grep -q '税收 grew by' '$T/full.err'"

# --- broken chains ---------------------------------------------------------
mkdir -p "$T/b"
sed 's|previous="park-2023.xml"|previous="gone-2023.xml"|' "$TOP/input/park-2024.xml" > "$T/b/park-2024.xml"
"$BIN" -o "$T/b/out" "$T/b/park-2024.xml" > /dev/null 2> "$T/b.err"
status=$?
check "a missing previous input: an error at previous=, naming the file; nothing written" sh -c "
    test $status -eq 1 && test ! -e '$T/b/out/park-2024.pdf' &&
    grep -q '^$T/b/park-2024.xml:5:53: error: previous=\"gone-2023.xml\": cannot read $T/b/gone-2023.xml: No such file or directory' '$T/b.err'"
sed 's|<park>工业园区</park>|<park>另一园区</park>|' "$SEED_XML" > "$T/b/park-2023.xml"
cp "$TOP/input/park-2024.xml" "$T/b/p.xml"
"$BIN" -q --check "$T/b/p.xml" > /dev/null 2> "$T/park.err"
check "another park's report as previous: an error naming both parks" sh -c "
    test $? -eq 1 &&
    grep -q 'previous=\"park-2023.xml\": $T/b/park-2023.xml is the report of 另一园区, not of 工业园区' '$T/park.err'"
sed 's|<report |<report previous="p.xml" |' "$SEED_XML" > "$T/b/park-2023.xml"
"$BIN" -q --check "$T/b/p.xml" > /dev/null 2> "$T/loop.err"
status=$?
check "a chain that loops: an error naming the file" sh -c "
    test $status -eq 1 && grep -q 'is already in this chain of reports' '$T/loop.err'"

# --- the scaffold -----------------------------------------------------------
mkdir -p "$T/s" && cp "$SEED_XML" "$T/s/park-2023.xml"
"$BIN" --scaffold "$T/s/park-2023.xml" > "$T/s/park-2024.xml" 2> "$T/s.err"
status=$?
check "--scaffold: next year's input on standard output, naming this one as previous" sh -c "
    test $status -eq 0 &&
    grep -q '<report year=\"2024\" plan-year=\"2025\" period=\"1-11月\" previous=\"park-2023.xml\">' '$T/s/park-2024.xml' &&
    grep -q '<target bound=\"at-least\">11</target>' '$T/s/park-2024.xml'"
"$BIN" -q --check "$T/s/park-2024.xml" > /dev/null 2> "$T/fill.err"
status=$?
fills=$(sed '1,/-->/d' "$T/s/park-2024.xml" | grep -o '待填' | wc -l)
check "--check lists every figure still to fill, with FILE:LINE:COL, as warnings" sh -c "
    test $status -eq 0 &&
    test \$(grep -c '^$T/s/park-2024.xml:[0-9]*:[0-9]*: warning: to fill: ' '$T/fill.err') -eq $fills &&
    test $fills -ge 50 && ! grep -q ': error: ' '$T/fill.err'"
"$BIN" -q -o "$T/s/fresh" "$T/s/park-2024.xml" > /dev/null 2>&1
status=$?
pdftotext "$T/s/fresh/park-2024.pdf" "$T/s/fresh.txt" 2> /dev/null
check "the scaffold as it is previews: the sections' titles, the headline left for later" sh -c "
    test $status -eq 0 && grep -q '2025年工作计划' '$T/s/fresh.txt' &&
    grep -q '主要指标一句在“待填”的数字填齐后生成' '$T/s/fresh.txt' &&
    grep -q '2024年主要指标完成情况' '$T/s/fresh.txt'"
# Half filled: the headline's figures only; the rest stays 待填.
$PY - "$T/s/park-2024.xml" "$T/s/half.xml" << 'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
headline = {"firms": ("actual", "forecast"), "output": ("actual", "actual-growth", "forecast", "forecast-growth"),
            "tax": ("actual", "forecast"), "infra-investment": ("actual",), "industrial-investment": ("actual",),
            "renovation-investment": ("actual",), "project-investment": ("forecast",)}
def fill(m):
    block = m.group(0)
    for el in headline.get(m.group(1), ()):
        block = re.sub(r"(<%s(?: [^>]*)?>)待填(</%s>)" % (el, el), r"\g<1>9\g<2>", block)
    return block
open(sys.argv[2], "w", encoding="utf-8").write(
    re.sub(r'<indicator id="([^"]+)".*?</indicator>', fill, text, flags=re.S))
EOF
"$BIN" -q -o "$T/s/half" "$T/s/half.xml" > /dev/null 2> "$T/half.err"
status=$?
check "a half-filled file is checked and previewed, the figures to fill left out" sh -c "
    test $status -eq 0 && test -s '$T/s/half/half.pdf' && grep -q 'to fill: output.plan' '$T/half.err'"
# The round trip: every 待填 filled by a script.
$PY - "$T/s/park-2024.xml" "$T/s/filled-2024.xml" << 'EOF'
import sys
head, sep, body = open(sys.argv[1], encoding="utf-8").read().partition("-->")
n = 0
def number(_):
    global n
    n += 1
    return str(n)
import re
open(sys.argv[2], "w", encoding="utf-8").write(head + sep + re.sub("待填", number, body))
EOF
"$BIN" -q -o "$T/s/out" "$T/s/filled-2024.xml" > /dev/null 2> "$T/filled.err"
status=$?
check "round trip: the seed's scaffold, filled, gives a 2024 workbook whose targets are the 2023 plans" sh -c "
    test $status -eq 0 && ! grep -q 'to fill' '$T/filled.err' && $PY -c \"
import xml.etree.ElementTree as ET, openpyxl
seed = ET.parse('$SEED_XML').getroot()
want = {i.get('name'): (float(i.find('plan').text), i.find('plan').get('bound')) for i in seed.iter('indicator') if i.find('plan') is not None}
ws = openpyxl.load_workbook('$T/s/out/filled-2024.xlsx')['2024年指标完成情况']
got = {r[1].value: (r[3].value, r[10].value) for r in ws.iter_rows(min_row=4) if r[3].value is not None}
assert set(got) == set(want), (got, want)
for name, (target, note) in got.items():
    assert target == want[name][0], (name, target, want[name])
    assert ('不低于' in note) == (want[name][1] == 'at-least') and 'park-2023.xml' in note, note
\""

# Names written back are XML-escaped: a park named with & < > " ' survives.
sed 's|<park>工业园区</park>|<park>A\&amp;B \&lt;园\&gt; "q" '"'"'s'"'"'</park>|' "$SEED_XML" > "$T/s/odd.xml"
"$BIN" --scaffold "$T/s/odd.xml" > "$T/s/odd-next.xml" 2> /dev/null
check "--scaffold escapes what it writes back: the park's name reads back the same" $PY -c "
import xml.etree.ElementTree as ET
a = ET.parse('$T/s/odd.xml').getroot().find('park').text
b = ET.parse('$T/s/odd-next.xml').getroot()
assert a == b.find('park').text == 'A&B <园> \"q\" \'s\'', (a, b.find('park').text)
assert b.get('previous') == 'odd.xml'
"
"$BIN" --scaffold "$SEED_XML" "$SEED_XML" > /dev/null 2> "$T/usage.err"
check "--scaffold with an input besides: a usage error" sh -c "
    test $? -eq 2 && grep -q 'scaffold takes one file' '$T/usage.err'"
"$BIN" --scaffold "$T/nothere.xml" > "$T/none.out" 2> "$T/none.err"
check "--scaffold of a missing file: an error naming it, nothing printed" sh -c "
    test $? -eq 1 && test ! -s '$T/none.out' && grep -q 'nothere.xml' '$T/none.err'"

mkdir -p "$T/tab"
cp "$SEED_XML" "$T/tab/$(printf 'park\t2023').xml"
"$BIN" --scaffold "$T/tab/$(printf 'park\t2023').xml" > "$T/tab/next.xml" 2> /dev/null
"$BIN" -q --check "$T/tab/next.xml" > /dev/null 2> "$T/tab.err"
check "--scaffold of a file whose name holds a tab: previous= keeps it (&#9;), the chain loads" sh -c "
    test $? -eq 0 && grep -q 'previous=\"park&#9;2023.xml\"' '$T/tab/next.xml' && ! grep -q 'cannot read' '$T/tab.err'"

summary e2e_years
