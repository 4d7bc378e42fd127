#!/usr/bin/env python3
"""Derive the kiosk's fonts (assets/fonts/) from the upstream files: run it on the files as taken
upstream (see assets/fonts/README.md); it is idempotent, so running it again changes nothing.

- Noto Naskh Arabic (Regular, Bold): line metrics 1000 / -500 units instead of 1069 / -634
  (1.5 em instead of 1.7): the declared line holds room for stacked marks that kiosk texts never
  use, and every Arabic line on screen (answers, buttons, headings) was a third taller than a
  Latin one. The glyphs are unchanged; an alef with a mark (about 1040 units) may reach a
  little above the line box, which is not clipped.
- Atkinson Hyperlegible (Regular, Bold): the zero without its slash (it reads as "Ø" in phone
  numbers, hours, postcodes and distances): `zero` and `zero.tf` get one oval counter instead of
  the two halves the slash left.

Needs fontTools (`pip install fonttools`). Usage: scripts/fonts.py [assets/fonts]
"""

import sys
from pathlib import Path

from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.recordingPen import DecomposingRecordingPen, RecordingPen
from fontTools.pens.reverseContourPen import ReverseContourPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

NASKH_ASCENT, NASKH_DESCENT = 1000, -500


def naskh_metrics(path: Path) -> bool:
    f = TTFont(path)
    hhea, os2 = f["hhea"], f["OS/2"]
    if (hhea.ascent, hhea.descent) == (NASKH_ASCENT, NASKH_DESCENT):
        return False
    hhea.ascent, hhea.descent, hhea.lineGap = NASKH_ASCENT, NASKH_DESCENT, 0
    os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap = NASKH_ASCENT, NASKH_DESCENT, 0
    os2.usWinAscent, os2.usWinDescent = NASKH_ASCENT, -NASKH_DESCENT
    f.save(path)
    return True


def contours(glyph_set, name):
    """The glyph's contours as lists of pen operations, one list per contour."""
    pen = DecomposingRecordingPen(glyph_set)
    glyph_set[name].draw(pen)
    out, cur = [], []
    for op in pen.value:
        cur.append(op)
        if op[0] in ("closePath", "endPath"):
            out.append(cur)
            cur = []
    return out


def bounds(glyph_set, ops):
    pen = BoundsPen(glyph_set)
    for name, args in ops:
        getattr(pen, name)(*args)
    return pen.bounds


def unslashed_zero(path: Path) -> bool:
    """Atkinson's zero is an oval whose counter the slash splits in two: its outer contour and two
    inner ones. Keep the outer contour and cut one counter out of it instead: the outer contour
    scaled about its centre to the two counters' extent, drawn the other way round."""
    f = TTFont(path)
    gs = f.getGlyphSet()
    changed = False
    for name in [f.getBestCmap()[ord("0")], "zero.tf"]:
        if name not in f["glyf"].keys():
            continue
        parts = contours(gs, name)
        if len(parts) != 3:
            continue
        boxes = [bounds(gs, c) for c in parts]
        outer = max(range(3), key=lambda i: (boxes[i][2] - boxes[i][0]) * (boxes[i][3] - boxes[i][1]))
        inner = [boxes[i] for i in range(3) if i != outer]
        ix0, iy0 = min(b[0] for b in inner), min(b[1] for b in inner)
        ix1, iy1 = max(b[2] for b in inner), max(b[3] for b in inner)
        ox0, oy0, ox1, oy1 = boxes[outer]
        cx, cy = (ox0 + ox1) / 2, (oy0 + oy1) / 2
        sx, sy = (ix1 - ix0) / (ox1 - ox0), (iy1 - iy0) / (oy1 - oy0)
        icx, icy = (ix0 + ix1) / 2, (iy0 + iy1) / 2
        pen = TTGlyphPen(gs)
        for op, args in parts[outer]:
            getattr(pen, op)(*args)
        counter = RecordingPen()
        reverse = ReverseContourPen(counter)
        for op, args in parts[outer]:
            pts = [(round(icx + (x - cx) * sx), round(icy + (y - cy) * sy)) for x, y in args]
            getattr(reverse, op)(*pts)
        counter.replay(pen)
        f["glyf"][name] = pen.glyph()
        changed = True
    if changed:
        f.save(path)
    return changed


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "assets/fonts")
    for name in ["NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"]:
        print(name, "line metrics set" if naskh_metrics(root / name) else "unchanged")
    for name in ["AtkinsonHyperlegible_400Regular.ttf", "AtkinsonHyperlegible_700Bold.ttf"]:
        print(name, "zero unslashed" if unslashed_zero(root / name) else "unchanged")


if __name__ == "__main__":
    main()
