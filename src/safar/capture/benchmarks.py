"""`safar bench reading`: the card reader on synthetic scans — speed and accuracy.

    safar bench reading [--form card|bubble|quexf|all] [--count 500] [--seed 7] [--dir DIR]
                        [--thresholds] [--sheets 40] [--photos]

Reads DIR (made by `safar synth-cards`, with truth.jsonl) or, without --dir, renders --count
cards into a temporary folder first. Timing is per card, on one thread, for the whole pipeline
(decode, align, barcode, boxes, classifier, validation); accuracy is against the truth.
--form bubble reads --sheets synthetic answer sheets (100-300 dpi scans, four pens; --photos adds
phone photos); --form quexf reads queXF's scans from ../shared when there
(safar.reading.benchmarks_forms); --form all runs the three.
"""

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from safar.core.benchmarks import benchmark


def _synthesise(folder: Path, count: int, seed: int) -> None:
    from django.core.management import call_command

    call_command("synth-cards", count=count, out=str(folder), seed=seed, verbosity=0)


def _score(rows, template, threshold: float) -> dict:
    """Cards saved without review, and wrong values among confident ones, at a threshold."""
    saved = wrong_saved = values_saved = wrong_conf = conf = 0
    for truth, result in rows:
        if not result.aligned:
            continue
        confident = {n: f.valid and f.confidence >= threshold for n, f in result.fields.items()}
        wrong = {n for n, f in result.fields.items() if f.value != truth["values"].get(n)}
        conf += sum(confident.values())
        wrong_conf += sum(1 for n in wrong if confident[n])
        if all(confident.values()):
            saved += 1
            values_saved += len(confident)
            wrong_saved += len(wrong)
    return {
        "saved": saved,
        "cards": len(rows),
        "values_saved": values_saved,
        "wrong_saved": wrong_saved,
        "confident": conf,
        "wrong_confident": wrong_conf,
    }


@benchmark("reading")
def bench_reading(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="safar bench reading", description=__doc__)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", help="a folder made by safar synth-cards (else a temporary one)")
    parser.add_argument(
        "--thresholds",
        action="store_true",
        help="also show the saved/wrong trade-off for other confidence thresholds",
    )
    parser.add_argument(
        "--form", choices=("card", "bubble", "quexf", "all"), default="card", help="which form"
    )
    parser.add_argument("--sheets", type=int, default=40, help="bubble sheets to read")
    parser.add_argument("--photos", action="store_true", help="bubble sheets: phone photos too")
    args = parser.parse_args(argv)

    import cv2
    from threadpoolctl import threadpool_limits

    from safar.reading import benchmarks_forms

    cv2.setNumThreads(1)
    rc = 0
    if args.form in ("card", "all"):
        print("== Safar's card", flush=True)
        rc |= _bench_card(args)
    with threadpool_limits(1):
        if args.form in ("bubble", "all"):
            print("== bubble answer sheet", flush=True)
            rc |= benchmarks_forms.bench_bubble(args.sheets, args.seed, args.photos)
        if args.form in ("quexf", "all"):
            print("== queXF questionnaire", flush=True)
            rc |= benchmarks_forms.bench_quexf()
    return rc


def _bench_card(args) -> int:
    import cv2
    from threadpoolctl import threadpool_limits

    from safar.reading.card import load_template, read_card

    cv2.setNumThreads(1)
    template = load_template("safar-card")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.dir) if args.dir else Path(tmp)
        if not (folder / "truth.jsonl").exists():
            print(f"rendering {args.count} synthetic cards into {folder} …", flush=True)
            _synthesise(folder, args.count, args.seed)
        truths = [json.loads(line) for line in (folder / "truth.jsonl").open(encoding="utf-8")]
        truths = truths[: args.count]
        today = dt.date.today()
        read_card(
            (folder / truths[0]["file"]).read_bytes(), template, today=today
        )  # load the model once
        rows, seconds = [], []
        with threadpool_limits(1):
            for truth in truths:
                data = (folder / truth["file"]).read_bytes()
                started = time.process_time()
                result = read_card(
                    data, template, today=today, expected_date=truth.get("scanned_on")
                )
                seconds.append(time.process_time() - started)
                rows.append((truth, result))
    return _report(rows, seconds, template, args.thresholds)


def _report(rows, seconds, template, thresholds: bool) -> int:
    n = len(rows)
    aligned = sum(r.aligned for _, r in rows)
    boxes = right_boxes = 0
    field_right, field_total, field_sure = Counter(), Counter(), Counter()
    for truth, result in rows:
        if not result.aligned:
            continue
        for f in template.fields:
            reading = result.fields[f.name]
            field_total[f.name] += 1
            field_right[f.name] += reading.value == truth["values"].get(f.name)
            field_sure[f.name] += reading.valid and reading.confidence >= template.confident
            if f.kind == "checkboxes":
                chosen = truth["values"].get(f.name)
                for option, mark in zip(f.options, reading.marks, strict=True):
                    want = (
                        option.value == chosen
                        if option.value
                        else (chosen is not None and chosen not in {o.value for o in f.options})
                    )
                    boxes += 1
                    right_boxes += (mark == "marked") == want
    s = _score(rows, template, template.confident)
    ms = sorted(x * 1000 for x in seconds)
    print(f"cards: {n}; aligned: {aligned} ({aligned / n:.1%})")
    print(
        f"time per card (one thread, CPU): median {statistics.median(ms):.0f} ms, "
        f"90th percentile {ms[int(0.9 * (n - 1))]:.0f} ms, max {ms[-1]:.0f} ms"
    )
    residuals = [
        float(r.residual_mm) for _, r in rows if getattr(r, "residual_mm", None) is not None
    ]
    if residuals:
        print(
            f"alignment residual: median {statistics.median(residuals):.2f} mm, "
            f"max {max(residuals):.2f} mm"
        )
    print(f"checkboxes right: {right_boxes}/{boxes} ({right_boxes / max(boxes, 1):.3%})")
    print(
        f"cards with every field confident (saved without review): {s['saved']}/{n} "
        f"({s['saved'] / n:.1%}) at threshold {template.confident}"
    )
    print(
        f"wrong values among those saved without review: {s['wrong_saved']}/"
        f"{s['values_saved']} ({s['wrong_saved'] / max(s['values_saved'], 1):.3%})"
    )
    print(
        f"wrong values among all confident-and-valid values: {s['wrong_confident']}/"
        f"{s['confident']} ({s['wrong_confident'] / max(s['confident'], 1):.3%})"
    )
    print(f"field accuracy (value equals truth) and share confident at {template.confident}:")
    for name in field_total:
        print(
            f"  {name:18s} {field_right[name] / field_total[name]:6.1%}   "
            f"{field_sure[name] / field_total[name]:6.1%}"
        )
    if thresholds:
        print("threshold  saved   wrong-saved  wrong-confident")
        for t in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99):
            x = _score(rows, template, t)
            print(
                f"  {t:.2f}    {x['saved'] / n:6.1%}   {x['wrong_saved']:4d}/{x['values_saved']:<6d}"
                f" {x['wrong_confident']:4d}/{x['confident']}"
            )
    return 0


# The MRZ benchmark lives with the reading library (not a Django app); registering it here.
from safar.reading import benchmarks_mrz  # noqa: E402, F401
