"""Recalculates a workbook with Gnumeric (ssconvert --recalc) and compares every
cell with the value stored in the file, which is what clients that never
recalculate show. A formula whose cached value is wrong fails here.

Usage: /usr/bin/python3 tests/xlsx_recalc.py WORKBOOK.xlsx [MIN_FORMULAS]
"""
import csv
import os
import subprocess
import sys
import tempfile

import openpyxl

path = sys.argv[1]
least = int(sys.argv[2]) if len(sys.argv) > 2 else 20  # the seed has more
book = openpyxl.load_workbook(path, data_only=True)
formulas = openpyxl.load_workbook(path)
checked = 0
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run(["ssconvert", "--recalc", "-S", path, os.path.join(tmp, "sheet-%n.csv")],
                   check=True, capture_output=True)
    for ws in book.worksheets:
        with open(os.path.join(tmp, f"sheet-{book.sheetnames.index(ws.title)}.csv"),
                  encoding="utf-8") as f:
            recalculated = list(csv.reader(f))
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                got = recalculated[cell.row - 1][cell.column - 1]
                is_formula = str(formulas[ws.title][cell.coordinate].value).startswith("=")
                if isinstance(cell.value, (int, float)):
                    assert abs(float(got) - cell.value) <= 1e-12 * max(1, abs(cell.value)), \
                        (ws.title, cell.coordinate, cell.value, got)
                else:
                    assert got == str(cell.value), (ws.title, cell.coordinate, cell.value, got)
                checked += is_formula
assert checked >= least, checked  # the formulas were there to compare
print(f"ok: {checked} formulas recalculate to their stored values")
