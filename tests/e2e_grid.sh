#!/bin/sh
# End-to-end tests of the body on the GB/T 9704 grid, measured in the PDF
# with MuPDF's character boxes (tests/grid_check.py): 28 characters on full
# lines of hanzi, no gap stretched more than 0.06 em or narrowed more than
# 0.1 em, no orphans or widows; letters and digits in the Latin font.
# Usage: tests/e2e_grid.sh BUILD_DIR
set -u
BUILD=${1:-build}
BIN=$(cd "$BUILD" && pwd)/parkreport
TOP=$(cd "$(dirname "$0")/.." && pwd)
SEED_XML=$TOP/input/park-2023.xml
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$TOP/tests/lib.sh"
export SOURCE_DATE_EPOCH=1703980800
GRID="$PY $TOP/tests/grid_check.py"
LIMITS="--max-stretch 0.06 --max-squeeze 0.1 --max-orphans 0 --max-widows 0"

"$BIN" -q -f pdf -o "$T/seed" "$SEED_XML" 2> /dev/null
check "grid: the seed's full lines of hanzi hold 28 characters (90% at least; the rest end before a figure)" \
    $GRID "$T/seed/park-2023.pdf" --min-share 0.9
check "grid: the seed's gaps stretched at most 0.06 em and narrowed at most 0.1 em; no orphan, no widow" \
    $GRID "$T/seed/park-2023.pdf" $LIMITS
check "grid: the seed's lines of 28 hanzi 156/28 mm apart (40 at least) end at the block's edge" $PY - "$T/seed/park-2023.pdf" <<'PYEOF'
import subprocess, sys, xml.etree.ElementTree as ET
out = subprocess.run(['mutool', 'draw', '-q', '-F', 'stext', '-o', '-', sys.argv[1]],
                     capture_output=True, check=True).stdout
pitch = 156 * 72 / 25.4 / 28
left, right = 28 * 72 / 25.4, (28 + 156) * 72 / 25.4
rows = {}
for number, page in enumerate(ET.fromstring(out).iter('page')):
    for font in page.iter('font'):
        if font.get('size') != '16':
            continue
        for ch in font.iter('char'):
            rows.setdefault((number, round(float(ch.get('y')), 1)), []).append(float(ch.get('x')))
on_grid = 0
for xs in rows.values():
    xs.sort()
    if len(xs) == 28 and abs(xs[0] - left) < 0.5 and \
            all(abs(b - a - pitch) < 0.01 for a, b in zip(xs, xs[1:])):
        assert abs(xs[-1] + pitch - right) < 0.01, xs[-1]
        on_grid += 1
assert on_grid >= 40, on_grid
PYEOF
check "grid: figures and Latin letters of the body in Liberation Serif, hanzi in UMing" sh -c "
    mutool draw -q -F stext -o - '$T/seed/park-2023.pdf' 1 |
    $PY -c '
import sys, xml.etree.ElementTree as ET
fonts = {}
for font in ET.parse(sys.stdin).getroot().iter(\"font\"):
    for ch in font.iter(\"char\"):
        fonts.setdefault(ch.get(\"c\"), set()).add(font.get(\"name\"))
assert any(\"LiberationSerif\" in f for f in fonts[\"4\"]), fonts[\"4\"]
assert any(\"UMing\" in f for f in fonts[\"园\"]), fonts[\"园\"]
'"

# The other inputs the tests hold. The checker cannot see the spaces of a
# line of spaced brackets (（ 甲 ）, none beside Latin text): that line is
# measured but not held to the limits.
n=0
for xml in "$TOP"/tests/inputs/*.xml "$TOP"/tests/fuzz/corpus/model/*.xml; do
    name=$(basename "$xml" .xml)
    n=$((n + 1))
    "$BIN" -q -f pdf -o "$T/in$n" "$xml" > /dev/null 2>&1
    if [ ! -f "$T/in$n/$name.pdf" ]; then
        continue # an input made to be refused
    fi
    check "grid: $(basename "$xml"): the gaps' limits, no orphan, no widow, full lines of 28" \
        $GRID "$T/in$n/$name.pdf" $LIMITS --min-share 0.9 --except '括号后空格'
done

# A role named on several lines takes the first file that exists (Debian 12
# and 13 keep Liberation in different folders); none existing is an error at
# the first.
mkdir -p "$T/alt" "$T/alt2"
grep -v '^latin' "$TOP/fonts/fonts.conf" > "$T/alt/fonts.conf"
printf 'latin missing.ttf\nlatin %s\n' "$(sed -n 's/^body *\([^ ]*\).*/\1/p' "$TOP/fonts/fonts.conf")" >> "$T/alt/fonts.conf"
"$BIN" -q -f pdf --fonts "$T/alt" -o "$T/alt/out" "$SEED_XML" 2> "$T/alt.err"
status=$?
check "fonts: a role's first file missing, the next that exists is taken" sh -c "
    test $status -eq 0 && pdffonts '$T/alt/out/park-2023.pdf' | grep -q UMingCN &&
    ! pdffonts '$T/alt/out/park-2023.pdf' | grep -q Liberation"
grep -v '^latin' "$TOP/fonts/fonts.conf" > "$T/alt2/fonts.conf"
printf 'latin gone.ttf\nlatin also-gone.ttf\n' >> "$T/alt2/fonts.conf"
lines=$(wc -l < "$T/alt2/fonts.conf")
"$BIN" -q -f pdf --fonts "$T/alt2" -o "$T/alt2/out" "$SEED_XML" 2> "$T/alt2.err"
status=$?
check "fonts: none of a role's files there: an error at the first, nothing written" sh -c "
    test $status -eq 1 &&
    grep -q '^$T/alt2/fonts.conf:$((lines - 1)):7: error: cannot open the latin font $T/alt2/gone.ttf' '$T/alt2.err' &&
    test ! -e '$T/alt2/out/park-2023.pdf'"

# A plain A4 style has no grid: characters at their own width.
"$BIN" -q -f pdf --style "$TOP/templates/report-a4.style" -o "$T/a4" "$SEED_XML" 2> /dev/null
check "grid: a style without \"characters\" sets characters at their own width" $PY - "$T/a4/park-2023.pdf" <<'PYEOF'
import subprocess, sys, xml.etree.ElementTree as ET
out = subprocess.run(['mutool', 'draw', '-q', '-F', 'stext', '-o', '-', sys.argv[1], '2'],
                     capture_output=True, check=True).stdout
rows = {}
for font in ET.fromstring(out).iter('font'):
    if font.get('size') == '12' and 'UMing' in font.get('name'):
        for ch in font.iter('char'):
            rows.setdefault(round(float(ch.get('y')), 1), []).append(float(ch.get('x')))
steps = [round(b - a, 2) for xs in rows.values() for a, b in zip(sorted(xs), sorted(xs)[1:])]
assert max(set(steps), key=steps.count) == 12.0, sorted(steps)[:20]
PYEOF

mutool draw -q -F stext -o "$T/seed-p1.xml" "$T/seed/park-2023.pdf" 1 2> /dev/null
check "fonts: the page number's digits in the Latin font, its dashes in the body's" $PY - "$T/seed-p1.xml" <<'PYEOF'
import re, sys
xml = open(sys.argv[1], encoding="utf-8").read()
# the last line of the page is its number, "— 1 —" below the block
fonts = re.findall(r'<font name="([^"]+)" size="14">(.*?)</font>', xml, re.S)
chars = [(name, "\u2014" if c == "&#x2014;" else c)
         for name, body in fonts for c in re.findall(r' c="([^"]*)"', body)]
tail = chars[-5:]
assert [c for _, c in tail] == ["\u2014", " ", "1", " ", "\u2014"] or \
       [c for _, c in tail if c != " "] == ["\u2014", "1", "\u2014"], tail
assert [n for n, c in tail if c == "1"] == ["LiberationSerif"], tail
assert all(n.startswith("UMing") for n, c in tail if c == "\u2014"), tail
PYEOF

summary e2e_grid
