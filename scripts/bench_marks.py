"""Alignment marks on synthetic scans: every mark kind, 100–300 dpi, turned, skewed, three modes.

    .venv/bin/python scripts/bench_marks.py [--pages 24] [--seed 5]

A small A6 test form (a barcode, a row of boxes, a line of text) is drawn with each mark kind by
render.py, rasterised by pdfium, scanned by synth.scan (margin, skew ±5°, a 90° turn, blur, noise,
colour / grey / black and white) and aligned. Reports, per kind and resolution: pages aligned,
the right way up, the worst residual and the time per page. Each kind's `orientation` is its
default (the odd mark), plus rings all alike told apart by the barcode and by the printed text.
"""

import argparse
import time
from collections import defaultdict

import cv2
import numpy as np
import pypdfium2 as pdfium

from safar.reading._align import NotAligned, align
from safar.reading.render import render_pdf
from safar.reading.synth import scan
from safar.reading.template import parse_template

W, H = 148.0, 105.0
LABEL = {"tg": "Ном", "ru": "Имя", "en": "Name"}
KINDS = {
    "ring + bullseye (4 mm)": dict(kind="ring"),
    "bullseye, bigger odd (4/6 mm)": dict(kind="bullseye", big=6.0),
    "small square (2/3 mm)": dict(kind="small_square", size=2.0, big=3.0),
    "square, 6 marks (5/7 mm)": dict(kind="square", size=5.0, big=7.0, extra=[(72, 5), (72, 95)]),
    "rings alike, barcode": dict(kind="ring", odd=None, orientation="barcode"),
    "small squares alike, text": dict(kind="small_square", size=3.0, odd=None, orientation="text"),
}


def template(kind="ring", size=4.0, odd=0, big=None, extra=(), **fid):
    marks = [
        {"x": 5, "y": 5, "size": size},
        {"x": W - 5 - size, "y": 5, "size": size},
        {"x": W - 5 - size, "y": H - 5 - size, "size": size},
        {"x": 5, "y": H - 5 - size, "size": size},
    ]
    if big is not None:
        marks[odd]["size"] = big
    marks += [{"x": x, "y": y, "size": size} for x, y in extra]
    if odd is not None:
        fid["odd"] = odd
    line = "The quick brown fox jumps over the lazy dog. " * 2
    return parse_template(
        {
            "page": {"width": W, "height": H},
            "fiducials": {"kind": kind, "marks": marks, **fid},
            "fields": [
                {
                    "name": "serial",
                    "kind": "serial",
                    "label": LABEL,
                    "barcode": [40, 20, 60, 12],
                    "text": {"x": 40, "y": 34, "w": 5, "h": 7, "count": 9},
                },
                {
                    "name": "name",
                    "kind": "characters",
                    "label": LABEL,
                    "row": {"x": 20, "y": 60, "w": 6, "h": 8, "count": 10},
                },
            ],
            "texts": [{"x": 20, "y": 80, "size": 8, "text": dict.fromkeys(LABEL, line)}],
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=24, help="pages per mark kind")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    for name, spec in KINDS.items():
        tpl = template(**spec)
        pdf = pdfium.PdfDocument(render_pdf(tpl, ["AB0000001"]))
        stats: dict = defaultdict(lambda: {"n": 0, "ok": 0, "up": 0, "res": [], "t": []})
        failures = []
        for i in range(args.pages):
            dpi = (100, 150, 200, 300)[i % 4]
            rotation = (0, 90, 180, 270)[(i // 4) % 4]
            mode = ("grey", "bw", "colour")[i % 3]
            skew = float(rng.uniform(-5, 5))
            bgr = pdf[0].render(scale=dpi / 72, rev_byteorder=False).to_numpy()[..., :3].copy()
            img = scan(bgr, np.random.default_rng(i), rotation=rotation, skew=skew, mode=mode)
            if img.ndim == 3:
                img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
            s = stats[dpi]
            s["n"] += 1
            t0 = time.perf_counter()
            try:
                result = align(img, tpl)
            except NotAligned as exc:
                failures.append(f"{dpi} dpi, turned {rotation}, {mode}, skew {skew:.1f}: {exc}")
                continue
            s["t"].append(time.perf_counter() - t0)
            s["ok"] += 1
            s["up"] += result.rotation == (360 - rotation) % 360
            s["res"].append(result.residual_mm)
        pdf.close()
        print(f"== {name}")
        for dpi in sorted(stats):
            s = stats[dpi]
            worst = max(s["res"]) if s["res"] else float("nan")
            ms = 1000 * float(np.median(s["t"])) if s["t"] else float("nan")
            print(
                f"  {dpi:3d} dpi: aligned {s['ok']}/{s['n']}, right way up {s['up']}/{s['n']},"
                f" worst residual {worst:.2f} mm, median {ms:.0f} ms"
            )
        for f in failures:
            print(f"  not aligned: {f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
