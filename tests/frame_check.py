"""Checks the official example's PDF (input/park-2023-official.xml) with real
readers: where pdftotext -bbox finds each element of the frame, and the
colours and rule widths in the pages' content (a qpdf --qdf copy).
Usage: frame_check.py BBOX.html QDF.pdf; prints one "ok"/"not ok" line a check.
Distances are those of templates/gbt9704.style (GB/T 9704-2012)."""
import re
import sys

MM = 72 / 25.4
PAGE_H = 297 * MM
LEFT, TOP = 28 * MM, 37 * MM
BLOCK_W, BLOCK_H = 156 * MM, 225 * MM
RIGHT, BOTTOM = LEFT + BLOCK_W, TOP + BLOCK_H
PITCH = (BLOCK_H - 16) / 21
EM = 16

failed = 0


def check(name, cond, why=""):
    global failed
    print(("ok - " if cond else "not ok - ") + name)
    if not cond:
        failed += 1
        print("#   " + str(why))


def pages_of(html):
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", html, re.S):
        words = []
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page):
            words.append((float(m[1]), float(m[2]), float(m[3]), float(m[4]), m[5]))
        pages.append(words)
    return pages


def word(page, text, start=False):
    for w in page:
        if (w[4].startswith(text) if start else w[4] == text):
            return w
    return None


def contents(qdf):
    """The content stream of each page, in order."""
    data = open(qdf, "rb").read()
    parts = re.split(rb"%% Contents for page (\d+)", data)
    out = {}
    for i in range(1, len(parts), 2):
        body = parts[i + 1]
        out[int(parts[i])] = body[body.find(b"stream") + 7:body.find(b"endstream")].decode("latin-1")
    return [out[k] for k in sorted(out)]


def main():
    pages = pages_of(open(sys.argv[1], encoding="utf-8").read())
    streams = contents(sys.argv[2])
    first, last = pages[0], pages[-1]
    near = lambda a, b, tol=0.6: abs(a - b) <= tol

    mark = word(first, "工业园区管理委员会文件")
    check("版头: the 发文机关标志 first on page 1, centred, its top 35 mm below the block's",
          mark and first[0] == mark and near((mark[0] + mark[2]) / 2, LEFT + BLOCK_W / 2)
          and near(mark[1], TOP + 35 * MM, 5), mark)
    number = word(first, "园管发〔2023〕12号")
    # Body glyphs: pdftotext's box starts 14.33 pt over the baseline (16 pt UMing).
    check("版头: the 发文字号 centred, two empty lines below the mark",
          number and near((number[0] + number[2]) / 2, LEFT + BLOCK_W / 2)
          and 2 * PITCH - 8 < number[1] - mark[3] < 2 * PITCH + 2, number)
    title = word(first, "工业园区管理委员会关于2023年度")
    rule_y = number[1] + 14.33 + 4 * MM if number else 0
    check("主体: the title two empty lines below the red rule",
          title and 2 * PITCH < title[1] - rule_y < 3 * PITCH, (title, rule_y))
    to = word(first, "县人民政府：")
    title2 = word(first, "工作总结和2024年工作计划的报告")
    check("主体: the 主送机关 flush left, ending in a full-width colon, one empty line below the title",
          to and title2 and near(to[0], LEFT) and 1.5 * PITCH < to[1] - title2[1] < 2.5 * PITCH,
          (to, title2))
    body_page = next((i for i, p in enumerate(pages) if word(p, "附件：", True)), None)
    p = pages[body_page] if body_page is not None else []
    a1, a2 = word(p, "附件：1.", True), word(p, "2.", True)
    check("附件说明: \"附件：1.\" two characters in; \"2.\" under \"1.\", on the next line",
          a1 and a2 and near(a1[0], LEFT + 2 * EM) and near(a2[0], LEFT + 5 * EM)
          and near(a2[1] - a1[1], PITCH), (a1, a2))
    sig, date = word(p, "工业园区管理委员会"), word(p, "2023年12月20日")
    check("署名 two characters in from the right, one empty line below the 附件说明; the date "
          "on the next line, two characters right of the signature's first",
          sig and date and near(sig[2], RIGHT - 2 * EM) and near(date[0], sig[0] + 2 * EM)
          and near(sig[1] - a2[1], 2 * PITCH) and near(date[1] - sig[1], PITCH), (sig, date))
    check("署名 and date on a page with body text",
          sig and any("。" in w[4] for w in p if w[1] < a1[1]), p[:3])
    note = word(p, "（联系人：园区办公室，电话：0000-1234567）")
    check("附注 in parentheses two characters in, on the line below the date",
          note and near(note[0], LEFT + 2 * EM) and near(note[1] - date[1], PITCH), note)
    annex = [i for i, pg in enumerate(pages) if pg and pg[0][4] in ("附件1", "附件2")]
    check("附件 pages: each starts a page with 附件N flush left on the first line, its title "
          "centred on the third",
          len(annex) == 2 and all(near(pages[i][0][0], LEFT) and
                                  near((pages[i][1][0] + pages[i][1][2]) / 2, LEFT + BLOCK_W / 2)
                                  for i in annex)
          and word(pages[annex[0]], "2024年主要工作目标"), annex)
    cc = word(last, "抄送：县委办公室，", True)
    printer, printed = word(last, "工业园区管理委员会办公室"), word(last, "2023年12月21日印发")
    check("版记 on the last page, an even one: 抄送 and 印发机关 one character in, the date one "
          "character in from the right",
          len(pages) % 2 == 0 and cc and printer and printed and near(cc[0], LEFT + 14)
          and near(printer[0], LEFT + 14) and near(printed[2], RIGHT - 14)
          and BOTTOM - PITCH < printer[1] < BOTTOM, (len(pages), cc, printer, printed))
    wrapped = [w for w in last if cc and cc[1] < w[1] < printer[1] and w[0] > LEFT + 14]
    check("版记: the organs wrap under the first organ and end in 。",
          wrapped and near(wrapped[0][0], LEFT + 14 + 3 * 14) and wrapped[-1][4].endswith("。"),
          wrapped)

    s1, sl = streams[0], streams[-1]
    check("content: the mark in red, then black again",
          "1 0 0 rg" in s1 and s1.index("1 0 0 rg") < s1.index("0 0 0 rg"), s1[:200])
    ry = PAGE_H - rule_y
    red_rule = re.search(r"([\d.]+) w\n1 0 0 RG\n79\.37 ([\d.]+) m 521\.575 ([\d.]+) l", s1)
    check("content: the red rule 0.35 mm wide, the block's width, 4 mm below the 发文字号",
          red_rule and red_rule[1] == "0.992" and near(float(red_rule[2]), ry, 1.5),
          (red_rule and red_rule.group(0), ry))
    rules = re.findall(r"([\d.]+) w\n79\.37 ([\d.]+) m 521\.575 [\d.]+ l", sl)
    check("content: the 版记's rules 0.35, 0.25 and 0.35 mm wide, the last on the block's bottom",
          [r[0] for r in rules] == ["0.992", "0.709", "0.992"]
          and near(float(rules[-1][1]), PAGE_H - BOTTOM, 0.01), rules)
    check("content: no colour on the other pages",
          all(" rg" not in s and " RG" not in s for s in streams[1:]), "")
    return 1 if failed else 0


sys.exit(main())
