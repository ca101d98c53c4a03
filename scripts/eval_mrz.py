"""Evaluate `read_mrz` on a folder of document images (default: the PassportEye set).

    .venv/bin/python scripts/eval_mrz.py [DIR] [--truth LINES.json] [--tesseract] [--json OUT]

Prints, per image, whether the reading is valid (check digits, well-formed fields, confidence),
how it compares with the printed lines (`--truth`, by default scripts/mrz_truth_passporteye.json,
transcribed by eye: right, wrong with every misread field doubtful, or wrong and trusted), the time (CPU seconds of this process and
of the Tesseract it may start for a second opinion, i.e. one core) and the lines read; then the
count and the median time. With --tesseract, the same MRZ crops (every candidate band and
orientation our locator proposes) are also given to Tesseract's standard English model, restricted
to the MRZ alphabet, as a baseline: an image counts for Tesseract when some crop yields an MRZ
whose check digits all validate.
"""

import argparse
import json
import statistics
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from safar.reading._mrz import locate  # noqa: E402
from safar.reading._mrz.layout import LAYOUTS, check_digit, format_for  # noqa: E402
from safar.reading.benchmarks_mrz import cpu_seconds, judge  # noqa: E402
from safar.reading.mrz import load_grey, read_mrz  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared/testdata/mrz/passporteye"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
DEFAULT_TRUTH = ROOT / "scripts/mrz_truth_passporteye.json"
TODAY = date(2026, 11, 22)


def images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def tesseract_valid(path: Path) -> tuple[bool, list[str]]:
    """Tesseract (eng) on each candidate crop: the first reading whose check digits all agree."""
    grey = load_grey(path)
    best: list[str] = []
    for band in locate.find_bands(grey, max_bands=3):
        for flip in (False, True):
            crop = locate.extract(grey, band, flip=flip)
            ok, png = cv2.imencode(".png", crop)
            out = subprocess.run(
                [
                    "tesseract",
                    "stdin",
                    "stdout",
                    "-l",
                    "eng",
                    "--psm",
                    "6",
                    "-c",
                    "tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<",
                ],
                input=png.tobytes(),
                capture_output=True,
                check=False,
            ).stdout.decode(errors="replace")
            lines = [
                line.replace(" ", "")
                for line in out.splitlines()
                if len(line.replace(" ", "")) >= 25
            ]
            for n in (3, 2):
                for i in range(len(lines) - n + 1):
                    group = lines[i : i + n]
                    fmt = format_for(n, len(group[0]), group[0][:1])
                    if (
                        fmt
                        and all(len(line) == len(group[0]) for line in group)
                        and _valid(group, fmt)
                    ):
                        return True, group
            best = best or lines
    return False, best


def _valid(lines: list[str], fmt: str) -> bool:
    for check in LAYOUTS[fmt][1]:
        data = "".join(lines[line][a:b] for line, a, b in check.spans)
        got = lines[check.line][check.pos]
        if not (got == check_digit(data) or (check.optional and got == "<" and set(data) <= {"<"})):
            return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--tesseract", action="store_true", help="also run the Tesseract baseline")
    parser.add_argument("--json", type=Path, help="write per-image results here")
    parser.add_argument("--truth", type=Path, default=DEFAULT_TRUTH, help="printed lines per file")
    args = parser.parse_args()
    truth = json.loads(args.truth.read_text())["lines"] if args.truth.exists() else {}
    files = images(args.folder)
    if not files:
        print(f"no images under {args.folder}", file=sys.stderr)
        return 2
    rows, times, n_valid, n_tess, verdicts = [], [], 0, 0, Counter()
    for path in files:
        t0 = cpu_seconds()
        result = read_mrz(path, today=TODAY)
        elapsed = cpu_seconds() - t0
        times.append(elapsed)
        n_valid += result.valid
        verdict = judge(result, truth.get(str(path.relative_to(args.folder))))
        verdicts[verdict] += 1
        row = {
            "file": str(path.relative_to(args.folder)),
            "valid": result.valid,
            "format": result.format,
            "seconds": round(elapsed, 3),
            "lines": result.lines,
            "reader": result.reader,
            "failed_checks": [k for k, v in result.checks.items() if not v],
            "malformed_fields": result.malformed_fields,
            "doubtful_fields": result.doubtful_fields,
            "field_confidence": result.field_confidence,
            "verdict": verdict,
        }
        if args.tesseract:
            row["tesseract_valid"], row["tesseract_lines"] = tesseract_valid(path)
            n_tess += row["tesseract_valid"]
        rows.append(row)
        mark = "OK " if result.valid else "-- "
        extra = (
            f"  tesseract={'OK' if row.get('tesseract_valid') else '--'}" if args.tesseract else ""
        )
        extra += f"  (lines from {result.reader})" if result.reader else ""
        extra += f"  [{verdict}]" if verdict not in ("right", "not valid") else ""
        extra += f"  malformed {result.malformed_fields}" if result.malformed_fields else ""
        extra += f"  doubtful {result.doubtful_fields}" if result.doubtful_fields else ""
        print(
            f"{mark}{row['file']:<28} {elapsed * 1000:6.0f} ms  {result.format or '-':<6}{extra}  {' | '.join(result.lines)}"
        )
    print(
        f"\n{n_valid} of {len(files)} read valid: {verdicts['right']} right, "
        f"{verdicts['wrong, flagged']} wrong with every misread field doubtful, "
        f"{verdicts['wrong, trusted']} wrong and trusted, {verdicts['unknown']} without printed lines; "
        f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms CPU per image"
    )
    if args.tesseract:
        print(f"Tesseract eng on the same crops: {n_tess} of {len(files)} valid")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
