"""Reads a workbook back with openpyxl and compares every sheet with the input
XML, parsed here on its own (not through parkreport's model), and checks the
workbook's print set-up, formats and formulas.

Usage: /usr/bin/python3 tests/xlsx_check.py INPUT.xml WORKBOOK.xlsx
Exits 1 with the first difference.
"""
import sys
import xml.etree.ElementTree as ET

import openpyxl

xml_path, book_path = sys.argv[1], sys.argv[2]
root = ET.parse(xml_path).getroot()
year, plan_year, period = root.get("year"), root.get("plan-year"), root.get("period")
park = root.findtext("park")


def num(text):
    """The number as written: an int when it has no decimals."""
    return float(text) if "." in text else int(text)


# Units that convert, and their power of ten (docs/input-format.md).
UNITS = {"元": ("money", 0), "万元": ("money", 4), "亿元": ("money", 8), "万亿元": ("money", 12),
         "平方米": ("area", 0), "万平方米": ("area", 4), "公顷": ("area", 4), "平方公里": ("area", 6),
         "平方千米": ("area", 6), "吨": ("mass", 0), "万吨": ("mass", 4), "人": ("people", 0),
         "万人": ("people", 4), "千瓦时": ("energy", 0), "度": ("energy", 0),
         "万千瓦时": ("energy", 4), "亿千瓦时": ("energy", 8), "个": ("count", 0), "万个": ("count", 4)}


def converts(a, b):
    return a == b or (a in UNITS and b in UNITS and UNITS[a][0] == UNITS[b][0])


def convert_text(text, unit, to):
    """The number as written in `unit`, written in `to`: 1.69 亿元 is 16900 万元,
    8000 万元 is 0.8 亿元 (only the zeros the shift adds are dropped)."""
    if unit == to:
        return text
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    coef, scale = int(whole + frac), len(frac)
    shift = UNITS[unit][1] - UNITS[to][1]
    new_scale = scale - shift
    if new_scale < 0:
        coef, new_scale = coef * 10 ** -new_scale, 0
    while new_scale > scale and coef % 10 == 0:
        coef, new_scale = coef // 10, new_scale - 1
    digits = str(coef).rjust(new_scale + 1, "0")
    out = digits[: len(digits) - new_scale] + ("." + digits[len(digits) - new_scale:] if new_scale else "")
    return ("-" if neg and coef else "") + out


# Every figure by its reference id, as the input format defines them.
figures = {}
unit_of = {}  # reference id -> unit, as the input format gives them
for ind in root.iter("indicator"):
    for slot in ind:
        figures[ind.get("id") + "." + slot.tag] = slot
        unit_of[ind.get("id") + "." + slot.tag] = slot.get("unit") or (
            "%" if slot.tag.endswith("growth") else ind.get("unit"))
for sec in root.iter("sector"):
    for f in sec:
        figures["sectors." + sec.get("id") + "." + f.tag] = f
        unit_of["sectors." + sec.get("id") + "." + f.tag] = f.get("unit") or {
            "firms": "户", "output": "亿元", "growth": "%"}[f.tag]
promo = root.find("promotion")
promo_units = {"activities": "次", "projects": "个", "amount": "亿元", "large-projects": "个"}
for f in promo if promo is not None else []:
    if f.tag != "category":
        figures["promotion." + f.tag] = f
        unit_of["promotion." + f.tag] = f.get("unit") or promo_units[f.tag]
for cat in promo.iter("category") if promo is not None else []:
    for f in cat:
        figures["promotion." + cat.get("id") + "." + f.tag] = f
        unit_of["promotion." + cat.get("id") + "." + f.tag] = f.get("unit") or promo_units[f.tag]
for grp in root.iter("group"):
    if grp.find("count") is not None:
        figures["groups." + grp.get("id") + ".count"] = grp.find("count")
        unit_of["groups." + grp.get("id") + ".count"] = grp.find("count").get("unit") or "个"


def written(elem):
    """The element that holds a figure's number, following ref="..."."""
    while elem is not None and elem.get("ref"):
        elem = figures[elem.get("ref")]
    return elem


def value(elem):
    """A figure's number, following ref="..." to where it is written."""
    return None if elem is None else num(written(elem).text)


def value_in(elem, unit, to):
    """The figure's number in the unit `to` (a row's), as text."""
    if elem is None:
        return None
    text = written(elem).text.strip()
    return convert_text(text, unit, to) if converts(unit, to) else text


def decimals_of(text):
    return len(text.partition(".")[2])


FULL_YEAR = period in ("全年", "1-12月", "1—12月", "1–12月", "1－12月", "1~12月", "1～12月", "1至12月")


wb = openpyxl.load_workbook(book_path)
cached = openpyxl.load_workbook(book_path, data_only=True)
indicators = list(root.iter("indicator"))
sectors = list(root.iter("sector"))
cats = list(promo.iter("category")) if promo is not None else []
groups = list(root.iter("group"))
names = [f"{year}年指标完成情况", f"{plan_year}年工作目标"]
names += ["产业发展"] if sectors else []
names += ["招商引资"] if cats else []
names += ["重点项目"] if groups else []


def slot_unit(ind, slot):
    return unit_of[ind.get("id") + "." + slot.tag]


def completion(ind):
    """actual / (target, else forecast), in the actual's unit; None when not given."""
    slot = {s.tag: s for s in ind}
    actual, base = slot.get("actual"), slot.get("target", slot.get("forecast"))
    if actual is None or base is None:
        return None
    ua, ub = slot_unit(ind, actual), slot_unit(ind, base)
    if ua == "%" or not converts(ub, ua):  # a rate is not "completed"
        return None
    b = num(value_in(base, ub, ua))
    return value(actual) / b if b else None


has_completion = [ind for ind in indicators if completion(ind) is not None]
sector_outputs = [sec for sec in sectors if sec.find("output") is not None]
charts = (["完成率图"] if has_completion else []) + (["产业结构图"] if sector_outputs else [])
assert wb.sheetnames == names + charts, wb.sheetnames
assert len(wb.chartsheets) == len(charts)

for ws in wb.worksheets:
    title = ws["A1"].value
    assert title.startswith(park), title
    assert ws["A2"].value.startswith(f"填报单位：{park}    报告期：{year}年{period}    计量单位："), ws["A2"].value
    assert ws.freeze_panes == "A4", (ws.title, ws.freeze_panes)
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    # one page wide: fitToWidth left out means 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$3:$3", ws.print_title_rows
    assert ws.oddHeader.left.text == park and ws.oddHeader.right.text == title
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    for col in "ABCDEFG"[: ws.max_column]:
        width = ws.column_dimensions[col].width
        assert width and 6 <= width <= 50, (ws.title, col, width)

# This year's targets against actuals: every indicator with a figure of this
# year, each value in the row's unit (the actual's).
ws, wc = wb[names[0]], cached[names[0]]
rows = list(ws.iter_rows(min_row=4, max_col=11, values_only=True))
crow = list(wc.iter_rows(min_row=4, max_col=11, values_only=True))
n = 0
target_rows = []
# A target not met is 未完成 for a whole year, 尚未完成 (not yet) for a part of it.
unmet = "未完成" if root.get("period") in ("全年", "1-12月") else "尚未完成"
keys = ("target", "actual", "actual-growth", "forecast", "forecast-growth")
for ind in indicators:
    slot = {s.tag: s for s in ind}
    if not any(k in slot for k in ("target", "actual", "forecast")):
        continue
    r, c = rows[n], crow[n]
    n += 1
    actual = slot.get("actual")
    unit = slot_unit(ind, actual) if actual is not None else ind.get("unit")
    assert r[:3] == (n, ind.get("name"), unit), r
    texts = [value_in(slot.get(k), slot_unit(ind, slot[k]), unit if k in ("target", "forecast") else slot_unit(ind, slot[k]))
             if k in slot else None for k in keys]
    want = [num(t) if t is not None else None for t in texts]
    assert list(r[3:8]) == want, (r, want)
    # Each number is shown with the decimals it was written with (in the row's unit).
    for k, t in enumerate(texts):
        if t is not None:
            decimals = decimals_of(t)
            want_fmt = "0." + "0" * decimals if decimals else "0"
            got_fmt = ws.cell(row=3 + n, column=4 + k).number_format
            assert got_fmt == want_fmt, (ind.get("id"), keys[k], got_fmt, want_fmt)
    rate = completion(ind)
    if rate is not None:
        assert r[8] == f"=E{n + 3}/{'D' if want[0] is not None else 'G'}{n + 3}", r
        assert abs(c[8] - rate) < 1e-12, (c, rate)
        if want[0] is not None:  # done or missed only against a target
            assert c[9] == ("已完成" if rate >= 1 else unmet), c
            target_rows.append(n + 3)
        else:  # against the full-year forecast: progress
            assert r[9] == "全年进度", r
    elif want[0] is not None and want[1] is not None:  # a rate against its target: no rate, a status
        assert r[8] is None and c[9] == ("已完成" if want[1] >= want[0] else unmet), (r, c)
    else:
        assert r[8] is None and c[9] is None, r
    # Where the target came from (an input without previous="…" states its own).
    base = want[0] if want[0] is not None else want[3]
    target = slot.get("target")
    if target is not None:
        assert r[10].split("；")[-1].startswith("本文件第"), r
    else:
        assert r[10] == ("无目标，按全年预计" if rate is not None else None), r
assert rows[n][1] is None, rows[n]  # nothing else
rules = [rule for cf in ws.conditional_formatting for rule in cf.rules]
assert [rule.formula for rule in rules] == [['J4="未完成"']], rules  # by the status
assert f"$A$1:$K${n + 5}" in str(ws.print_area), ws.print_area  # the chart's data left out

# Next year's plan: each target beside its full-year base, in the plan's unit.
ws, wc = wb[names[1]], cached[names[1]]
plans = [ind for ind in indicators if ind.find("plan") is not None]
for i, ind in enumerate(plans):
    r = [cell.value for cell in ws[4 + i]]
    c = [cell.value for cell in wc[4 + i]]
    slot = {s.tag: s for s in ind}
    plan = slot["plan"]
    pu = slot_unit(ind, plan)
    assert r[1] == (plan.get("name") or ind.get("name")), r
    assert r[2] == pu and r[5] == value(plan), r
    assert r[6] == {"at-least": "不低于", "at-most": "不高于"}.get(plan.get("bound"), None), r
    fc, act = slot.get("forecast"), slot.get("actual")
    base, kind = None, None
    if fc is not None and converts(slot_unit(ind, fc), pu):
        base, kind = fc, "全年预计"
    elif act is not None and FULL_YEAR and converts(slot_unit(ind, act), pu):
        base, kind = act, "全年实际"
    if base is None:
        assert r[3] is None and r[7] is None and r[4] in ("无全年数", "计量单位不同", "无基数"), r
        if fc is None and (act is not None or "estimate" in slot) and (act is None or converts(slot_unit(ind, act), pu)):
            assert r[4] == "无全年数", r
        continue
    b = num(value_in(base, slot_unit(ind, base), pu))
    assert r[3] == b and r[4] == kind, (r, b, kind)
    if pu == "%":
        assert r[7] == f"=F{4 + i}-D{4 + i}" and abs(c[7] - (value(plan) - b)) < 1e-9, (r, c)
    elif b:
        assert r[7] == f"=F{4 + i}/D{4 + i}-1" and abs(c[7] - (value(plan) / b - 1)) < 1e-12, (r, c)

# Sectors, with their shares of the park's output, every output in one unit.
if sectors:
    ws, wc = wb["产业发展"], cached["产业发展"]
    total_el = figures.get("output.actual")
    total_unit = unit_of.get("output.actual")
    out_unit = total_unit or next((unit_of["sectors." + s.get("id") + ".output"] for s in sector_outputs), "亿元")
    total = value(total_el) if total_el is not None else None
    assert f"产值（{out_unit}）" in [cell.value for cell in ws[3]], [cell.value for cell in ws[3]]
    for i, sec in enumerate(sectors):
        r = [cell.value for cell in ws[4 + i]][:7]
        c = [cell.value for cell in wc[4 + i]][:7]
        o = sec.find("output")
        ou = unit_of.get("sectors." + sec.get("id") + ".output")
        want = [value(sec.find("firms")), num(value_in(o, ou, out_unit)) if o is not None else None,
                value(sec.find("growth"))]
        assert r[1] == sec.get("name") and r[3:6] == want, (r, want)
        if o is not None and total and converts(ou, total_unit):
            assert r[6] == f"=E{4 + i}/E{4 + len(sectors)}" and abs(c[6] - want[1] / total) < 1e-12, (r, c)
        else:
            assert r[6] is None, r
    assert ws.cell(row=4 + len(sectors), column=5).value == total

# Promotion: the categories, their sums and the difference from the stated totals.
if cats:
    ws, wc = wb["招商引资"], cached["招商引资"]
    cols = ("projects", "amount")
    units = []
    for k in cols:
        u = unit_of.get("promotion." + k)
        if u is None:
            u = next((unit_of["promotion." + c.get("id") + "." + k] for c in cats if c.find(k) is not None),
                     {"projects": "个", "amount": "亿元"}[k])
        units.append(u)
    assert [cell.value for cell in ws[3]][2:4] == [f"项目数（{units[0]}）", f"投资额（{units[1]}）"]
    for i, cat in enumerate(cats):
        r = [cell.value for cell in ws[4 + i]]
        want = [num(value_in(cat.find(k), unit_of["promotion." + cat.get("id") + "." + k], units[j]))
                if cat.find(k) is not None else None for j, k in enumerate(cols)]
        assert r[1:4] == [cat.get("name")] + want, (r, want)
    s = 4 + len(cats)
    rules = [rule for cf in ws.conditional_formatting for rule in cf.rules]
    if promo.get("additive") in ("false", "0"):
        assert ws[f"B{s}"].value is None and not rules, (ws[f"B{s}"].value, rules)
    else:
        stated = [value(promo.find(k)) for k in cols]
        want_rules = []
        for k, col in enumerate("CD"):
            parts = [num(value_in(c.find(cols[k]), unit_of["promotion." + c.get("id") + "." + cols[k]], units[k]))
                     for c in cats if c.find(cols[k]) is not None]
            if not parts:
                assert ws[f"{col}{s}"].value is None
                continue
            assert ws[f"{col}{s}"].value == f"=SUM({col}4:{col}{s - 1})", ws[f"{col}{s}"].value
            assert abs(wc[f"{col}{s}"].value - sum(parts)) < 1e-9
            assert ws[f"{col}{s + 1}"].value == stated[k]
            if stated[k] is not None:
                assert abs(wc[f"{col}{s + 2}"].value - (sum(parts) - stated[k])) < 1e-9
                want_rules.append(f"AND(ISNUMBER({col}{s + 2}),{col}{s + 2}<>0)")
        assert sorted(rule.formula[0] for rule in rules) == sorted(want_rules), rules

# The named projects and firms, each with its group's status, filterable.
if groups:
    ws = wb["重点项目"]
    items = [(item.text, grp.get("status")) for grp in groups for item in grp.iter("item")]
    got = [(r[1], r[2]) for r in ws.iter_rows(min_row=4, values_only=True)]
    assert got == items, (got[:3], items[:3])
    assert ws.auto_filter.ref == f"A3:D{3 + len(items)}", ws.auto_filter.ref

assert wb.properties.title == f"{park}{year}年主要指标完成情况和{plan_year}年工作目标"
assert wb.properties.creator == (root.findtext("author") or park) and wb.properties.subject == "工作总结和工作计划"
print("ok: every sheet matches", xml_path)

# The native charts (openpyxl does not read charts back: look at their XML).
import zipfile

with zipfile.ZipFile(book_path) as z:
    chart_xml = [z.read(f"xl/charts/chart{i + 1}.xml").decode() for i in range(len(charts))]
    sheets = [z.read(f"xl/chartsheets/sheet{i + 1}.xml").decode() for i in range(len(charts))]
if has_completion:
    bar = chart_xml[0]
    against = {(True, True): "对目标，无目标的对全年预计", (True, False): "对目标", (False, True): "对全年预计"}[
        (any(ind.find("target") is not None for ind in has_completion),
         any(ind.find("target") is None for ind in has_completion))]
    assert '<c:barDir val="col"/>' in bar and f"{park}{year}年{period}主要指标完成率（{against}）" in bar
    assert f"'{names[0]}'!$M$4:$M$" in bar and f"'{names[0]}'!$N$4:$N$" in bar
if sector_outputs:
    pie = chart_xml[-1]
    assert "<c:pieChart>" in pie and '<c:showPercent val="1"/>' in pie and "产业发展" in pie
for xml in sheets:  # each prints on one A4 page, landscape
    assert 'paperSize="9"' in xml and 'orientation="landscape"' in xml, xml
print("ok: the charts are there")
