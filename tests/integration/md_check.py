#!/usr/bin/env python3
"""md_check.py - check a Markdown document headroom wrote, as a forge would read it.

    md_check.py FILE.md MILESTONES

Checks: every pipe table has a header, a separator row of the same width
and rows of that width; the roadmap table has one row per milestone; every
link and image that is a relative path exists, and every linked SVG parses
as XML with an <svg role="img"> root that has a <title>; the document has
the sections headroom promises. Prints one line per problem; exit 1 on any.
"""
import os
import re
import sys
import xml.dom.minidom

SECTIONS = ["Summary", "Roadmap", "Charts", "Stages", "SLA tiers", "Triggers",
            "What to do at each milestone", "Assumptions", "Prices used"]


def cells(line):
    # split on pipes that are not escaped with a backslash
    body = line.strip()
    assert body.startswith("|") and body.endswith("|"), line
    return re.split(r"(?<!\\)\|", body[1:-1])


def main():
    path, milestones = sys.argv[1], int(sys.argv[2])
    text = open(path, encoding="utf-8").read()
    problems = []
    lines = text.split("\n")
    tables = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("|"):
            start = i
            while i < len(lines) and lines[i].startswith("|"):
                i += 1
            tables.append((start, lines[start:i]))
        else:
            i += 1
    if not tables:
        problems.append("no table")
    for start, t in tables:
        if len(t) < 2:
            problems.append(f"line {start + 1}: a table without a separator row")
            continue
        width = len(cells(t[0]))
        sep = cells(t[1])
        if len(sep) != width or not all(re.fullmatch(r"\s*:?-{3}-*:?\s*|\s*-*-{2}:\s*", c) for c in sep):
            problems.append(f"line {start + 2}: bad separator row {t[1]!r}")
        for k, row in enumerate(t[2:]):
            if len(cells(row)) != width:
                problems.append(f"line {start + 3 + k}: {len(cells(row))} cells, the header has {width}")
    roadmap = [t for s, t in tables if t[0].startswith("| Milestone | Month | Users")]
    if len(roadmap) != 1:
        problems.append("no roadmap table")
    elif len(roadmap[0]) - 2 != milestones:
        problems.append(f"the roadmap has {len(roadmap[0]) - 2} rows, expected {milestones}")
    for s in SECTIONS:
        if f"\n## {s}\n" not in text:
            problems.append(f"no section '## {s}'")
    base = os.path.dirname(path)
    svgs = 0
    for m in re.finditer(r"(!?)\[[^\]]*\]\(([^)\s]+)\)", text):
        target = m.group(2)
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        f = os.path.join(base, target)
        if not os.path.isfile(f):
            problems.append(f"link to {target}: no such file")
            continue
        if target.endswith(".svg"):
            svgs += 1
            try:
                doc = xml.dom.minidom.parse(f)
            except Exception as e:  # noqa: BLE001 - any parse error is the finding
                problems.append(f"{target}: not XML: {e}")
                continue
            root = doc.documentElement
            if root.tagName != "svg" or root.getAttribute("role") != "img" or not root.getElementsByTagName("title"):
                problems.append(f"{target}: not an <svg role=img> with a <title>")
    print(f"{len(tables)} tables, {svgs} charts linked")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
