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


# Every figure by its reference id, as the input format defines them.
figures = {}
for ind in root.iter("indicator"):
    for slot in ind:
        figures[ind.get("id") + "." + slot.tag] = slot
for sec in root.iter("sector"):
    for f in sec:
        figures["sectors." + sec.get("id") + "." + f.tag] = f
promo = root.find("promotion")
for f in promo:
    if f.tag != "category":
        figures["promotion." + f.tag] = f
for cat in promo.iter("category"):
    for f in cat:
        figures["promotion." + cat.get("id") + "." + f.tag] = f
for grp in root.iter("group"):
    if grp.find("count") is not None:
        figures["groups." + grp.get("id") + ".count"] = grp.find("count")


def value(elem):
    """A figure's number, following ref="..." to where it is written."""
    if elem is None:
        return None
    while elem.get("ref"):
        elem = figures[elem.get("ref")]
    return num(elem.text)


wb = openpyxl.load_workbook(book_path)
cached = openpyxl.load_workbook(book_path, data_only=True)
names = [f"{year}年指标完成情况", f"{plan_year}年工作目标", "产业发展", "招商引资", "重点项目"]
assert wb.sheetnames == names + ["完成率图", "产业结构图"], wb.sheetnames
assert len(wb.chartsheets) == 2

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

# This year's targets against actuals: every indicator with a figure of this year.
ws, wc = wb[names[0]], cached[names[0]]
rows = list(ws.iter_rows(min_row=4, max_col=11, values_only=True))
crow = list(wc.iter_rows(min_row=4, max_col=11, values_only=True))
n = 0
for ind in root.iter("indicator"):
    slot = {s.tag: s for s in ind}
    if not any(k in slot for k in ("target", "actual", "forecast")):
        continue
    r, c = rows[n], crow[n]
    n += 1
    actual = slot.get("actual")
    unit = (actual.get("unit") if actual is not None else None) or ind.get("unit")
    assert r[:3] == (n, ind.get("name"), unit), r
    want = [value(slot.get(k)) for k in ("target", "actual", "actual-growth", "forecast", "forecast-growth")]
    assert list(r[3:8]) == want, (r, want)
    # Each number is shown with the decimals it was written with.
    for k, key in enumerate(("target", "actual", "actual-growth", "forecast", "forecast-growth")):
        elem = slot.get(key)
        while elem is not None and elem.get("ref"):
            elem = figures[elem.get("ref")]
        if elem is not None:
            decimals = len(elem.text.partition(".")[2])
            want_fmt = "0." + "0" * decimals if decimals else "0"
            got_fmt = ws.cell(row=3 + n, column=4 + k).number_format
            assert got_fmt == want_fmt, (ind.get("id"), key, got_fmt, want_fmt)
    base = want[0] if want[0] is not None else want[3]
    if want[1] is not None and base:
        rate = want[1] / base
        assert r[8] == f"=E{n + 3}/{'D' if want[0] is not None else 'G'}{n + 3}", r
        assert abs(c[8] - rate) < 1e-12, (c, rate)
        assert c[9] == ("已完成" if rate >= 1 else "未完成"), c
    else:
        assert r[8] is None and c[9] is None, r
    # Where the target came from (an input without previous="…" states its own).
    target = slot.get("target")
    if target is not None:
        assert r[10].startswith("本文件第"), r
    else:
        assert r[10] == ("无目标，按全年预计" if want[1] is not None and base else None), r
assert rows[n][1] is None, rows[n]  # nothing else
rules = [rule for cf in ws.conditional_formatting for rule in cf.rules]
assert [rule.formula for rule in rules] == [['J4="未完成"']], rules  # by the status
assert f"$A$1:$K${n + 5}" in str(ws.print_area), ws.print_area  # the chart's data left out

# Next year's plan.
ws, wc = wb[names[1]], cached[names[1]]
plans = [ind for ind in root.iter("indicator") if ind.find("plan") is not None]
for i, ind in enumerate(plans):
    r = [cell.value for cell in ws[4 + i]]
    plan = ind.find("plan")
    assert r[1] == (plan.get("name") or ind.get("name")), r
    assert r[5] == value(plan), r
    assert r[6] == {"at-least": "不低于", "at-most": "不高于"}.get(plan.get("bound"), None), r

# Sectors, with their shares of the park's output.
ws, wc = wb["产业发展"], cached["产业发展"]
sectors = list(root.iter("sector"))
total = value(figures["output.actual"])
for i, sec in enumerate(sectors):
    r = [cell.value for cell in ws[4 + i]][:7]
    c = [cell.value for cell in wc[4 + i]][:7]
    want = [value(sec.find(k)) for k in ("firms", "output", "growth")]
    assert r[1] == sec.get("name") and r[3:6] == want, (r, want)
    if want[1] is not None:
        assert r[6] == f"=E{4 + i}/E{4 + len(sectors)}" and abs(c[6] - want[1] / total) < 1e-12, (r, c)
assert ws.cell(row=4 + len(sectors), column=5).value == total

# Promotion: the categories, their sums and the difference from the stated totals.
ws, wc = wb["招商引资"], cached["招商引资"]
cats = list(promo.iter("category"))
for i, cat in enumerate(cats):
    r = [cell.value for cell in ws[4 + i]]
    assert r[1:4] == [cat.get("name"), value(cat.find("projects")), value(cat.find("amount"))], r
s = 4 + len(cats)
sums = [sum(value(c.find(k)) for c in cats) for k in ("projects", "amount")]
stated = [value(promo.find("projects")), value(promo.find("amount"))]
assert ws[f"C{s}"].value == f"=SUM(C4:C{s - 1})", ws[f"C{s}"].value
for k, col in enumerate("CD"):
    assert abs(wc[f"{col}{s}"].value - sums[k]) < 1e-9
    assert ws[f"{col}{s + 1}"].value == stated[k]
    assert abs(wc[f"{col}{s + 2}"].value - (sums[k] - stated[k])) < 1e-9
rules = [rule for cf in ws.conditional_formatting for rule in cf.rules]
assert sorted(rule.formula[0] for rule in rules) == [
    f"AND(ISNUMBER(C{s + 2}),C{s + 2}<>0)", f"AND(ISNUMBER(D{s + 2}),D{s + 2}<>0)"], rules

# The named projects and firms, each with its group's status, filterable.
ws = wb["重点项目"]
items = [(item.text, grp.get("status")) for grp in root.iter("group") for item in grp.iter("item")]
got = [(r[1], r[2]) for r in ws.iter_rows(min_row=4, values_only=True)]
assert got == items, (got[:3], items[:3])
assert ws.auto_filter.ref == f"A3:D{3 + len(items)}", ws.auto_filter.ref

assert wb.properties.title == f"{park}{year}年主要指标完成情况和{plan_year}年工作目标"
assert wb.properties.creator == park and wb.properties.subject == "工作总结和工作计划"
print("ok: every sheet matches", xml_path)

# The native charts (openpyxl does not read charts back: look at their XML).
import zipfile

with zipfile.ZipFile(book_path) as z:
    bar = z.read("xl/charts/chart1.xml").decode()
    pie = z.read("xl/charts/chart2.xml").decode()
    sheets = [z.read(f"xl/chartsheets/sheet{i}.xml").decode() for i in (1, 2)]
assert '<c:barDir val="col"/>' in bar and f"{park}{year}年{period}主要指标完成率" in bar
assert f"'{names[0]}'!$M$4:$M$" in bar and f"'{names[0]}'!$N$4:$N$" in bar
assert "<c:pieChart>" in pie and '<c:showPercent val="1"/>' in pie and "产业发展" in pie
for xml in sheets:  # each prints on one A4 page, landscape
    assert 'paperSize="9"' in xml and 'orientation="landscape"' in xml, xml
print("ok: the charts are there")
