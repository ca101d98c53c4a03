"""`safar bench reading-mrz`: accuracy and speed of `read_mrz`.

Registered through `safar.capture.benchmarks` (the reading library is not a Django app). With
`--dir` it reads a folder of document images (e.g. ../shared/testdata/mrz/passporteye); without,
it renders `--synthetic` passport pages (all five formats, turned, skewed, blurred, noisy) so that
it runs on any machine. Times are CPU seconds of this process and of the Tesseract processes it
started for a second opinion: one core per document.
"""

import argparse
import json
import os
import statistics
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np

from safar.core.benchmarks import benchmark

from ._mrz import synth
from ._mrz.layout import SHAPES, unprotected_spans
from .mrz import MrzResult, read_mrz

SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (Tesseract, when asked)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def synthetic_pages(count: int, seed: int = 2026, *, worn: bool = False):
    """(name, image, expected lines) across formats, rotations, skews, blur and resolutions. With
    `worn`, one letter of each page's names line is partly rubbed out (30-60 % of its height from
    below): a misread there passes every check digit, so it must come out doubtful."""
    rng = np.random.default_rng(seed)
    formats = list(SHAPES)
    for i in range(count):
        fmt = formats[i % len(formats)]
        lines = synth.random_mrz(rng, fmt)
        damage: tuple[tuple[int, int, float], ...] = ()
        if worn:
            row, first = (2, 0) if fmt == "TD1" else (0, 5)  # where the names begin
            letters = [pos for pos, ch in enumerate(lines[row]) if pos >= first and ch != "<"]
            damage = ((row, int(rng.choice(letters)), float(rng.uniform(0.3, 0.6))),)
        page = synth.render_page(
            lines,
            rng,
            pitch=float(rng.uniform(9, 20)),
            rotation=90 * int(rng.integers(0, 4)),
            skew=float(rng.uniform(-5, 5)),
            blur=float(rng.uniform(0, 1.2)),
            noise=float(rng.uniform(2, 10)),
            colour=bool(rng.random() < 0.7),
            worn=damage,
        )
        yield f"synthetic-{i:03d}-{fmt}", page, lines


def judge(result: MrzResult, expected: list[str] | None) -> str:
    """How a reading compares with the printed lines: "not valid", "right", "unknown" (valid, no
    lines to compare), "wrong, flagged" (valid, but every misread character lies in a field listed
    as doubtful) or "wrong, trusted" (a misread the capture pipeline would take: target none)."""
    if not result.valid:
        return "not valid"
    if expected is None:
        return "unknown"
    if result.lines == expected:
        return "right"
    if [len(line) for line in result.lines] != [len(line) for line in expected]:
        return "wrong, trusted"
    spans = unprotected_spans(result.lines, result.format or "")
    for row, (got, want) in enumerate(zip(result.lines, expected, strict=True)):
        for pos, (a, b) in enumerate(zip(got, want, strict=True)):
            holders = [n for n, (line, s, e) in spans.items() if line == row and s <= pos < e]
            if a != b and not any(name in result.doubtful_fields for name in holders):
                return "wrong, trusted"
    return "wrong, flagged"


def right_but_doubtful(result: MrzResult, expected: list[str] | None) -> list[str]:
    """The fields listed as doubtful that were read as printed: what flagging costs (an operator
    reads them off the document although the reading was right)."""
    if not result.valid or expected is None:
        return []
    if [len(line) for line in result.lines] != [len(line) for line in expected]:
        return []
    spans = unprotected_spans(result.lines, result.format or "")
    right = []
    for name in result.doubtful_fields:
        line, start, end = spans[name]
        if result.lines[line][start:end] == expected[line][start:end]:
            right.append(name)
    return right


@benchmark("reading-mrz")
def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="safar bench reading-mrz", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--dir", type=Path, help="folder of document images")
    parser.add_argument(
        "--truth",
        type=Path,
        help="JSON of the printed lines per file (scripts/mrz_truth_passporteye.json for the "
        "PassportEye set), to count wrong readings marked valid",
    )
    parser.add_argument("--synthetic", type=int, default=60, help="synthetic pages when no --dir")
    parser.add_argument("--seed", type=int, default=2026, help="of the synthetic pages")
    parser.add_argument(
        "--worn", action="store_true", help="rub out part of one letter of each page's names"
    )
    args = parser.parse_args(argv)
    times: list[float] = []
    verdicts: Counter[str] = Counter()
    needless_flags = 0  # doubtful fields read right
    if args.dir:
        truth = json.loads(args.truth.read_text())["lines"] if args.truth else {}
        items = [
            (name, p, truth.get(name))
            for p in sorted(args.dir.rglob("*"))
            if p.suffix.lower() in SUFFIXES
            for name in [str(p.relative_to(args.dir))]
        ]
    else:
        items = list(synthetic_pages(args.synthetic, seed=args.seed, worn=args.worn))
    for name, image, expected in items:
        t0 = cpu_seconds()
        result = read_mrz(image, today=date(2026, 11, 22))
        times.append(cpu_seconds() - t0)
        verdict = judge(result, expected)
        verdicts[verdict] += 1
        needless = right_but_doubtful(result, expected)
        needless_flags += len(needless)
        if not result.valid:
            why = result.error or f"{result.malformed_fields or ''} {' | '.join(result.lines)}"
            print(f"not valid: {name} {why}")
        elif verdict != "right":
            print(f"{verdict}: {name} doubtful {result.doubtful_fields} {' | '.join(result.lines)}")
        elif needless:
            print(f"right, yet doubtful: {name} {needless}")
        elif result.reader:
            print(f"valid with {result.reader}'s lines: {name}")
    total = len(items)
    valid = total - verdicts["not valid"]
    print(f"documents: {total}; valid: {valid} ({valid / max(total, 1):.1%})")
    print(
        "of them right: {}, wrong but every misread field doubtful: {}, "
        "wrong and trusted: {}, no printed lines to compare: {}".format(
            verdicts["right"],
            verdicts["wrong, flagged"],
            verdicts["wrong, trusted"],
            verdicts["unknown"],
        )
    )
    print(f"fields listed as doubtful although read right: {needless_flags}")
    print(
        f"CPU per document: median {statistics.median(times) * 1000:.0f} ms, "
        f"90th percentile {np.percentile(times, 90) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
    )
    return 0
