#!/bin/sh
# End-to-end tests of other parks' reports (tests/parks/*.xml): each written
# from docs/input-format.md. For every input: --check agrees with a run, the
# direction word and the digits of every figure are in the PDF's text, every
# workbook cell matches the input (tests/xlsx_check.py) and recalculates to
# what it stores, and each completion rate shows the same digits in the PDF
# and the workbook.
# Usage: tests/e2e_parks.sh BUILD_DIR
set -u
BUILD=${1:-build}
BIN=$(cd "$BUILD" && pwd)/parkreport
TOP=$(cd "$(dirname "$0")/.." && pwd)
PARKS=$TOP/tests/parks
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$TOP/tests/lib.sh"
export SOURCE_DATE_EPOCH=1703980800

# run NAME INPUT [OPTIONS]: --check, then a run into $T/NAME; their exit
# statuses in $T/NAME.check and $T/NAME.run, the text of the PDF flattened
# (no blanks, no page numbers) in $T/NAME.flat.
run() {
    r_name=$1 r_input=$2
    shift 2
    "$BIN" --check "$@" "$r_input" > "$T/$r_name.check.out" 2> "$T/$r_name.check.err"
    echo $? > "$T/$r_name.check"
    "$BIN" -o "$T/$r_name" "$@" "$r_input" > "$T/$r_name.run.out" 2> "$T/$r_name.run.err"
    echo $? > "$T/$r_name.run"
    rm -f "$T/$r_name.flat"
    r_base=$(basename "$r_input" .xml)
    if [ -f "$T/$r_name/$r_base.pdf" ]; then
        pdftotext -enc UTF-8 "$T/$r_name/$r_base.pdf" - 2> /dev/null | grep -v '^— [0-9]* —$' |
            tr -d ' \n\f\r\t' > "$T/$r_name.flat"
        pdftotext -layout -enc UTF-8 "$T/$r_name/$r_base.pdf" "$T/$r_name.layout" 2> /dev/null
    fi
}

# row NAME REGEX...: each is a whole line of the PDF's text laid out (a table's row).
row() {
    l_name=$1
    shift
    for re in "$@"; do
        grep -Eq -- "^ *$re *\$" "$T/$l_name.layout" || { echo "no row: $re"; return 1; }
    done
}

# has NAME PHRASE...: every phrase is in the PDF's flattened text.
has() {
    h_name=$1
    shift
    for phrase in "$@"; do
        grep -qF -- "$phrase" "$T/$h_name.flat" || { echo "missing: $phrase"; return 1; }
    done
}

# agree NAME: --check exits as the run does, and says the same warnings.
agree() {
    test "$(cat "$T/$1.check")" = "$(cat "$T/$1.run")" &&
        test "$(grep -c warning "$T/$1.check.err")" = "$(grep -c warning "$T/$1.run.err")"
}

# workbook NAME INPUT MIN_FORMULAS: every cell, every formula recalculated,
# and each completion rate's digits as the PDF shows them.
workbook() {
    w_book=$T/$1/$(basename "$2" .xml).xlsx
    $PY "$TOP/tests/xlsx_check.py" "$2" "$w_book" && $PY "$TOP/tests/xlsx_recalc.py" "$w_book" "$3" &&
        $PY - "$w_book" "$T/$1.flat" <<'PYEOF'
import sys
from decimal import Decimal, ROUND_HALF_UP
import openpyxl
book = openpyxl.load_workbook(sys.argv[1], data_only=True)
flat = open(sys.argv[2], encoding="utf-8").read()
ws = book.worksheets[0]
rates = 0
for row in ws.iter_rows(min_row=4, max_col=10, values_only=True):
    if row[1] is None or row[8] is None:
        continue
    # What the cell's 0.0% shows: the double, rounded half away from zero.
    shown = Decimal(repr(row[8] * 100)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert f"{row[1]}{shown}%" in flat, (row[1], shown)
    rates += 1
assert rates > 0
PYEOF
}

# --- a part-year report: 1-5月, declines, targets in 万元 and 亿元 ----------
P=$PARKS/kaifa-2024-05.xml
run kaifa "$P"
check "1-5月: --check and a run both succeed, with the same warnings" sh -c "
    test \$(cat '$T/kaifa.run') -eq 0 &&
    test ! -s '$T/kaifa.run.err'"
check "1-5月: --check exits as the run does, with the same warnings" agree kaifa
check "1-5月: every decline reads 下降, every rise 增长, each with its digits" has kaifa \
    同比下降4.6% 同比下降2.1% 同比下降14.21% 同比增长3.8% 同比下降75.31% 降幅75.31% \
    同比增长12.3% 新材料产业产值86230万元，同比下降9.4% 装备制造产业产值54100万元，同比增长6.2%
check "1-5月: figures converted where the prose asks, completion against 万元 and 亿元 targets" has kaifa \
    规上工业增加值完成1.86亿元，占任务数的58.0% 预计上半年完成22300万元 完成目标的38.7% \
    税收收入3120.5万元，完成目标的36.3%，比上年同期增加114.2万元 固定资产投资3.05亿元，完成目标的25.4% \
    引进到位资金6.8亿元，完成目标的45.3% 亿元以上项目3个4.1亿元 合计产值140330万元 \
    达到4亿元
check "1-5月: sections four levels deep, numbered 一、（一）1.（1）" has kaifa \
    一、1-5月经济运行情况 （一）财税收入。 （二）项目投资 1.招商引资 （1）主导产业。
check "1-5月: no growth needed from a part-year figure, and the table says why" sh -c "
    grep -qF '只有1-5月等部分时期数字的指标，不据以计算需增长' '$T/kaifa.flat' &&
    grep -Eq '^ *规上工业增加值 +万元 +— +40000 +— *$' '$T/kaifa.layout'"
check "1-5月: chart captions from the data" sh -c "
    grep -qF '2024年1-5月主要指标完成目标情况' '$T/kaifa.flat' &&
    grep -qF '2024年1-5月各产业产值（万元）' '$T/kaifa.flat' &&
    ! grep -qF '全年预计情况' '$T/kaifa.flat'"
check "1-5月: every workbook cell; completion digits as in the PDF" workbook kaifa "$P" 10

# --- three indicators, no sectors, no promotion, an introduction -----------
P=$PARKS/xincheng-2023.xml
run xincheng "$P"
check "three indicators: --check and a run both succeed" sh -c "
    test \$(cat '$T/xincheng.run') -eq 0"
check "three indicators: --check exits as the run does" agree xincheng
check "three indicators: the headline has the sentences whose figures exist, declines worded from the data" has xincheng \
    全年，园区实现工业总产值56.3亿元，同比增长8.1%。实缴税收4820万元，同比下降3.5%。一年来
check "three indicators: flat decided on the rounded value, a fall in another unit" has xincheng \
    完成目标的107.0%，与上年持平。 税收0.482亿元，同比下降3.5%。 比今年增长15.5%
check "three indicators: growth needed from the full-year actual" row xincheng \
    '工业总产值 +亿元 +56.3 +65 +增长15.5%' '税收 +万元 +4820 +5000 +增长3.7%' '工业投资 +亿元 +21.4 +≥25 +增长16.8%'
check "three indicators: no chart or sheet of what is not there" sh -c "
    ! grep -qF '各产业产值' '$T/xincheng.flat' &&
    grep -qF '2023年全年主要指标完成目标情况' '$T/xincheng.flat'"
check "three indicators: every workbook cell; completion digits as in the PDF" workbook xincheng "$P" 5

# --- every figure phrased by the data: 1-10月 against 任务数 ----------------
P=$PARKS/gaoxin-2023-10.xml
run gaoxin "$P"
check "1-10月: --check and a run both succeed without a warning" sh -c "
    test \$(cat '$T/gaoxin.run') -eq 0 &&
    test ! -s '$T/gaoxin.run.err'"
check "1-10月: --check exits as the run does" agree gaoxin
check "1-10月: completions, changes, shares and points from the data" has gaoxin \
    规上工业总产值86.42亿元，完成任务数的72.0%，同比下降7.18%，比上年同期减少6.68亿元 \
    规上工业增加值19.11亿元，完成任务数的63.7%，同比增长2.4% 同比下降5%。 \
    税收17350万元，完成任务数的82.6%，同比下降11.6% 比上年同期下降1.6个百分点 \
    占园区的44.5%，同比下降12.0% 生物医药产业产值15.23亿元，占园区的17.6%，同比增长9.9% \
    占总投资的77.2% 生物医药类5个14.2亿元 比今年预计增长13.5% 税收2.3亿元，增长12.2% \
    提高2.9个百分点
check "1-10月: the plan table in the plan's unit, points for a rate" row gaoxin \
    '税收 +亿元 +2.05 +2.3 +增长12.2%' '高新技术产业产值占比 +% +40.1 +43 +提高2.9个百分点'
check "1-10月: one unit in the sectors' chart" row gaoxin '电子信息 +38.5' '生物医药 +15.23'
check "1-10月: every workbook cell; completion digits as in the PDF" workbook gaoxin "$P" 10

# Flipping the signs in the data flips the words, with no edit to the prose.
sed -e 's|<actual-growth>-7.18</actual-growth>|<actual-growth>7.18</actual-growth>|' \
    -e 's|<actual-growth>2.4</actual-growth>|<actual-growth>-2.4</actual-growth>|' \
    -e 's|<growth>-12.04</growth>|<growth>12.04</growth>|' \
    -e 's|<previous>41.2</previous>|<previous>38.2</previous>|' "$P" > "$T/flipped.xml"
run flipped "$T/flipped.xml"
check "a sign flipped in the data: 增长 and 下降 change places" has flipped \
    同比增长7.18% 同比下降2.4% 同比增长12.0% 比上年同期提高1.4个百分点

# --- --check agrees with a run where the run fails --------------------------
sed 's|<target unit="亿元">2.1</target>|<target unit="户">2.1</target>|' "$P" > "$T/units.xml"
run units "$T/units.xml"
check "units that do not convert: an error naming both, from --check and from a run" sh -c "
    test \$(cat '$T/units.check') -eq 1 && test \$(cat '$T/units.run') -eq 1 &&
    grep -q 'units.xml:[0-9]*:[0-9]*: error: 税收: tax.actual is in 万元 but tax.target (line [0-9]*) is in 户' '$T/units.check.err' &&
    test ! -e '$T/units/units.pdf'"
mkdir -p "$T/tpl" && cp "$TOP"/templates/* "$T/tpl/" &&
    printf '{{fig.output.missing}}\n' >> "$T/tpl/report.mustache"
run template "$P" --templates "$T/tpl"
check "a template that needs a name the data lacks: --check fails as a run does" sh -c "
    test \$(cat '$T/template.check') -eq 1 && test \$(cat '$T/template.run') -eq 1 &&
    grep -q 'fig.output.missing' '$T/template.check.err'"
long=$(printf 'p%.0s' $(seq 1 251))
cp "$P" "$T/$long.xml"
run long "$T/$long.xml"
check "an output name past NAME_MAX: --check fails as a run does" sh -c "
    test \$(cat '$T/long.check') -eq 1 && test \$(cat '$T/long.run') -eq 1 &&
    grep -q 'longer than the 255 bytes' '$T/long.check.err'"

# --- the seed, with every growth sign flipped ------------------------------
sed -e 's|<growth>14.21</growth>|<growth>-14.21</growth>|' \
    -e 's|<growth>22.62</growth>|<growth>-22.62</growth>|' \
    -e 's|<actual-growth>16.33</actual-growth>|<actual-growth>-16.33</actual-growth>|' \
    "$TOP/input/park-2023.xml" > "$T/seed.xml"
run seed "$T/seed.xml"
check "the seed with its growth signs flipped says 下降 everywhere, never 增长-" sh -c "
    grep -qF '同比下降14.21%' '$T/seed.flat' && grep -qF '同比下降22.62%' '$T/seed.flat' &&
    grep -qF '同比下降16.33%' '$T/seed.flat' && ! grep -qF '增长-' '$T/seed.flat' &&
    ! grep -qF '下降-' '$T/seed.flat'"

# --- two more parks, written from docs/input-format.md alone ---------------------
P=$PARKS/qingxi-2024.xml
run qingxi "$P"
check "全年 (written from the docs alone): --check and a run both succeed without a warning, and agree" sh -c "
    test \$(cat '$T/qingxi.run') -eq 0 && test ! -s '$T/qingxi.run.err'" && check "全年: --check exits as the run does" agree qingxi
check "全年: declines worded 下降 from the data" has qingxi '同比下降7.4%' '同比下降5.33%' '同比下降18.2%'
check "全年: a target in another unit shown in the actual's; 需增减 worded" \
    row qingxi '基础设施投资 +万元 +120000 +98600 +82.2% +未完成 +本文件第[0-9]+行' '新建标准厂房 +万平方米 +23.6 +15 +下降36.4%'
check "全年: every workbook cell, formulas recalculated" sh -c "
    $PY '$TOP/tests/xlsx_check.py' '$P' '$T/qingxi/qingxi-2024.xlsx' && $PY '$TOP/tests/xlsx_recalc.py' '$T/qingxi/qingxi-2024.xlsx' 10"
P=$PARKS/fenglin-2025-06.xml
run fenglin "$P"
check "1-6月 (written from the docs alone): a run without a warning" sh -c "
    test \$(cat '$T/fenglin.run') -eq 0 && test ! -s '$T/fenglin.run.err' && ! grep -q ' 未完成' '$T/fenglin.layout'"
check "1-6月: targets not yet met are 尚未完成, never 未完成" \
    row fenglin '规上工业总产值 +亿元 +38 +17.46 +45.9% +尚未完成 +本文件第[0-9]+行'
sed 's|<actual-growth>6.8</actual-growth>|<actual-growth>6.8</actual-growth><estimate period="上半年">17.5</estimate>|' "$P" > "$T/fenglin-twice.xml"
"$BIN" --check "$T/fenglin-twice.xml" > /dev/null 2> "$T/fenglin-twice.err"
check "1-6月: an estimate of the report's own period (上半年 in 1-6月) is warned about at its period=" sh -c "
    grep -q 'fenglin-twice.xml:[0-9]*:[0-9]*: warning: <estimate period=\"上半年\"> of output covers the report.s own period' '$T/fenglin-twice.err'"
check "1-6月: every workbook cell, formulas recalculated" sh -c "
    $PY '$TOP/tests/xlsx_check.py' '$P' '$T/fenglin/fenglin-2025-06.xlsx' && $PY '$TOP/tests/xlsx_recalc.py' '$T/fenglin/fenglin-2025-06.xlsx' 10"

check "1-10月: points in the workbook at the rates' written precision, as the PDF has them (2.9, not 2.90)" $PY - "$T/gaoxin/gaoxin-2023-10.xlsx" <<'PYEOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
formats = [c.number_format for ws in wb.worksheets for row in ws.iter_rows() for c in row
           if "个百分点" in str(c.number_format)]
assert formats and all(f == '0.0"个百分点"' for f in formats), formats
PYEOF

summary e2e_parks
