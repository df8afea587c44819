#!/usr/bin/python3
"""Measures how a PDF's body text sits on the GB/T 9704 grid, from MuPDF's
character boxes (mutool draw -F stext): characters on each full body line of hanzi (one followed by a line that
starts with a figure or a word may hold fewer),
the stretch or squeeze per gap against the character pitch, orphans and
widows. Prints a summary and every line at fault; exits 1 when a limit is
passed, 2 when the PDF cannot be read.

A body line is a line of characters of the body size inside the text block.
A full line reaches the block's right edge (its last mark may end half an em
short, set half width). Its deviation per gap is (its width - the sum of its
characters' widths, a full-width character counted at the pitch, and of the
spaces the gaps show) divided by its gaps: positive is stretch, negative
squeeze. A line indented two
characters starts a paragraph (or is a heading); an orphan is such a line
ending a page while its paragraph goes on, a widow a paragraph's last line
alone at the top of a page.

usage: grid_check.py FILE.pdf [--left PT] [--width PT] [--size PT]
                     [--chars N] [--max-stretch EM] [--max-squeeze EM]
                     [--min-chars N] [--min-share F] [--max-orphans N]
                     [--max-widows N] [--except REGEX] [--lines]
"""
import argparse
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

MM = 72 / 25.4


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("pdf")
    ap.add_argument("--left", type=float, default=28 * MM)
    ap.add_argument("--width", type=float, default=156 * MM)
    ap.add_argument("--size", type=float, default=16)
    ap.add_argument("--chars", type=int, default=28)
    ap.add_argument("--max-stretch", type=float, default=None)
    ap.add_argument("--max-squeeze", type=float, default=None)
    ap.add_argument("--min-chars", type=int, default=None,
                    help="least characters on a full line of hanzi and Chinese marks")
    ap.add_argument("--max-orphans", type=int, default=None)
    ap.add_argument("--max-widows", type=int, default=None)
    ap.add_argument("--min-share", type=float, default=None,
                    help="least share of full lines of hanzi holding --chars characters")
    ap.add_argument("--except", dest="exempt", default=None,
                    help="a regular expression: full lines it finds are not held to the limits")
    ap.add_argument("--lines", action="store_true", help="print every full line")
    return ap.parse_args()


def is_han_or_mark(c):
    o = ord(c)
    return (0x3400 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFF0F or
            0xFF1A <= o <= 0xFF20 or 0xFF3B <= o <= 0xFF40 or 0xFF5B <= o <= 0xFF65 or
            o in (0x201C, 0x201D, 0x2018, 0x2019, 0x2014, 0x2026, 0x00B7))


def read_pages(pdf):
    out = subprocess.run(["mutool", "draw", "-q", "-F", "stext", "-o", "-", pdf],
                         capture_output=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr.decode(errors="replace"))
        sys.exit(2)
    root = ET.fromstring(out.stdout)
    pages = []
    for page in root.iter("page"):
        chars = []
        for font in page.iter("font"):
            size = float(font.get("size"))
            for ch in font.iter("char"):
                q = [float(v) for v in ch.get("quad").split()]
                chars.append({"c": ch.get("c"), "x": float(ch.get("x")),
                              "y": round(float(ch.get("y")), 1), "w": q[2] - q[0],
                              "size": size, "font": font.get("name")})
        pages.append(chars)
    return pages


def body_lines(chars, a):
    """The page's body lines, top to bottom, each a list of characters by x."""
    rows = {}
    for ch in chars:
        rows.setdefault(ch["y"], []).append(ch)
    lines = []
    for y in sorted(rows):
        row = sorted(rows[y], key=lambda ch: ch["x"])
        if any(abs(ch["size"] - a.size) > 0.01 for ch in row):
            continue
        if row[0]["x"] < a.left - 1 or row[-1]["x"] > a.left + a.width + 1:
            continue
        row = [ch for ch in row if ch["c"] != " "]
        if row:
            lines.append(row)
    return lines


def measure(line, a):
    pitch = a.width / a.chars
    em = a.size
    def nominal(ch):
        return pitch if abs(ch["w"] - em) < 0.5 else ch["w"]
    first, last = line[0], line[-1]
    natural = sum(nominal(ch) for ch in line)
    # Spaces are not drawn, so the text's own are told from gaps: a word
    # space (a Times space, 1/4 em) beside Latin text, an ideographic space
    # (U+3000, a full character) between full-width ones.
    for a, b in zip(line, line[1:]):
        gap = b["x"] - a["x"] - nominal(a)
        latin = ord(a["c"]) < 0x80 or ord(b["c"]) < 0x80
        if latin and gap >= 0.2 * em:
            natural += 0.25 * em
        elif not latin and gap >= 0.9 * em:
            natural += pitch
    width = last["x"] + nominal(last) - first["x"]
    gaps = max(len(line) - 1, 1)
    return (width - natural) / gaps / em


def main():
    a = parse_args()
    pages = read_pages(a.pdf)
    right = a.left + a.width
    em = a.size
    full = stretched = squeezed = 0
    worst_stretch = worst_squeeze = 0.0
    han_counts = {}
    faults = []
    orphans = widows = 0
    page_lines = [body_lines(chars, a) for chars in pages]
    def indented(line):
        return abs(line[0]["x"] - (a.left + 2 * a.width / a.chars)) < 0.3 * em
    def at_left(line):
        return abs(line[0]["x"] - a.left) < 0.3 * em
    def reaches(line):
        return line[-1]["x"] + line[-1]["w"] >= right - 0.55 * em
    flat = [line for lines in page_lines for line in lines]
    after = {id(a): b for a, b in zip(flat, flat[1:])}
    for pno, lines in enumerate(page_lines, 1):
        for line in lines:
            end = line[-1]["x"] + line[-1]["w"]
            text = "".join(ch["c"] for ch in line)
            if end < right - 0.55 * em:
                continue
            full += 1
            dev = measure(line, a)
            if a.exempt and re.search(a.exempt, text):
                if a.lines:
                    print(f"{pno:3} {len(line):3} {dev:+.3f} {text} (not held to the limits)")
                continue
            nxt = after.get(id(line))
            # A line of hanzi and marks before a figure or a word may end
            # short: the figure is not split. A first line holds two
            # characters fewer.
            if not indented(line) and all(is_han_or_mark(ch["c"]) for ch in line) and \
                    (nxt is None or is_han_or_mark(nxt[0]["c"])):
                n = len(line)
                han_counts[n] = han_counts.get(n, 0) + 1
                if a.min_chars is not None and n < a.min_chars:
                    faults.append(f"page {pno}: {n} characters: {text}")
            if dev > 0.06:
                stretched += 1
            if dev > worst_stretch:
                worst_stretch = dev
            if -dev > worst_squeeze:
                worst_squeeze = -dev
            if dev < -0.06:
                squeezed += 1
            if a.max_stretch is not None and dev > a.max_stretch:
                faults.append(f"page {pno}: stretched {dev:+.3f} em a gap: {text}")
            if a.max_squeeze is not None and -dev > a.max_squeeze:
                faults.append(f"page {pno}: squeezed {dev:+.3f} em a gap: {text}")
            if a.lines:
                print(f"{pno:3} {len(line):3} {dev:+.3f} {text}")
    # Orphans and widows across each page break.
    for pno in range(len(page_lines) - 1):
        here, there = page_lines[pno], page_lines[pno + 1]
        if not here or not there:
            continue
        foot, top = here[-1], there[0]
        if not (at_left(top) and reaches(foot)):
            continue  # the paragraph does not run over the break
        if indented(foot):
            orphans += 1
            faults.append(f"page {pno + 1}: orphan: {''.join(c['c'] for c in foot)}")
        nxt = there[1] if len(there) > 1 else None
        if not reaches(top) or nxt is None or not at_left(nxt):
            if not reaches(top):
                widows += 1
                faults.append(f"page {pno + 2}: widow: {''.join(c['c'] for c in top)}")
    counts = ", ".join(f"{n}: {k}" for n, k in sorted(han_counts.items()))
    print(f"pages {len(pages)}; full body lines {full}; characters on full lines of hanzi "
          f"{{{counts}}}; stretched > 0.06 em a gap {stretched} (worst {worst_stretch:+.3f}); "
          f"squeezed > 0.06 em a gap {squeezed} (worst {-worst_squeeze:+.3f}); "
          f"orphans {orphans}; widows {widows}")
    bad = [f for f in faults if "orphan" not in f and "widow" not in f]
    lines_of_hanzi = sum(han_counts.values())
    if a.min_share is not None and lines_of_hanzi:
        share = sum(k for n, k in han_counts.items() if n >= a.chars) / lines_of_hanzi
        if share < a.min_share:
            bad.append(f"only {share:.0%} of the full lines of hanzi hold {a.chars} characters")
    if a.max_orphans is not None and orphans > a.max_orphans:
        bad += [f for f in faults if "orphan" in f]
    if a.max_widows is not None and widows > a.max_widows:
        bad += [f for f in faults if "widow" in f]
    for f in bad:
        print(f)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
