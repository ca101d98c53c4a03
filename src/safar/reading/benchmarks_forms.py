"""`safar bench reading --form bubble|quexf`: the reader on forms made elsewhere.

- bubble: the answer sheet (reading/forms/bubble-sheet.json) filled synthetically by four pens
  (synth_sheet.py), scanned at 100, 150, 200 and 300 dpi (and, with --photos, photographed with a
  phone); scored bubble by bubble and question by question against the truth.
- quexf: queXF's three filled scans (../shared/testdata/forms/quexf; skipped when absent).

Time is per page, on one thread, for the whole read (decode, align, boxes, validation); synthesis
is not timed.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections import Counter, defaultdict

import numpy as np

TODAY = dt.date(2026, 12, 1)  # the sheets carry no dates: any fixed day does


def _ms(seconds: list[float]) -> str:
    if not seconds:
        return "-"
    ms = sorted(s * 1000 for s in seconds)
    return (
        f"median {statistics.median(ms):.0f} ms, 90th percentile "
        f"{ms[int(0.9 * (len(ms) - 1))]:.0f} ms, max {ms[-1]:.0f} ms"
    )


def _residuals(values: list[float]) -> str:
    if not values:
        return "not reported by the reader"
    return f"median {statistics.median(values):.2f} mm, max {max(values):.2f} mm"


class _Tally:
    def __init__(self):
        self.sheets = self.aligned = 0
        self.boxes = self.boxes_right = 0  # clean bubbles (filled or left empty)
        self.fields = self.fields_right = self.confident = self.confident_wrong = 0
        self.seconds: list[float] = []
        self.residuals: list[float] = []

    def line(self, name: str) -> str:
        return (
            f"  {name:10s} pages {self.aligned:3d}/{self.sheets:<3d} aligned · clean bubbles "
            f"{self.boxes_right}/{self.boxes} ({self.boxes_right / max(self.boxes, 1):.2%}) · "
            f"questions right {self.fields_right}/{self.fields} "
            f"({self.fields_right / max(self.fields, 1):.1%}) · confident "
            f"{self.confident / max(self.fields, 1):.1%} · confident-but-wrong "
            f"{self.confident_wrong} · "
            f"median {statistics.median(self.seconds) * 1000 if self.seconds else 0:.0f} ms"
        )


def _state(mark: str) -> str:
    """The reader's state of a bubble, in three words: marked, empty or doubtful."""
    if mark in ("marked", "empty"):
        return mark
    return "doubtful" if mark in ("doubtful", "faint", "light") else f"{mark}"


def score_sheet(template, sheet: dict, result, tallies: list[_Tally], kinds: dict) -> list[str]:
    """Add one read sheet to the tallies; returns the confident-but-wrong questions."""
    wrong = []
    for t in tallies:
        t.sheets += 1
        t.aligned += result.aligned
    if not result.aligned:
        return []
    residual = getattr(result, "residual_mm", None)
    for f in template.fields:
        if f.kind != "checkboxes":
            continue
        reading = result.fields[f.name]
        truth = sheet["values"][f.name]
        marks = sheet["marks"][f.name]
        value = reading.value
        if isinstance(truth, list) and value is None:
            value = []
        right = value == truth
        sure = reading.valid and reading.confidence >= template.confident
        for t in tallies:
            t.fields += 1
            t.fields_right += right
            t.confident += sure
            t.confident_wrong += sure and not right
        if sure and not right:
            wrong.append(f"{f.name}: read {value!r}, truth {truth!r} (bubbles {marks})")
        for kind in ("tick", "partial"):
            if kind in marks:  # should go to a person: count those that did not
                kinds[f"questions with a {kind}"]["confident" if sure else "doubtful"] += 1
        for mark, state in zip(marks, reading.marks, strict=True):
            kinds[mark][_state(state)] += 1
            if mark in ("fill", "empty"):
                ok = (state == "marked") == (mark == "fill")
                for t in tallies:
                    t.boxes += 1
                    t.boxes_right += ok
    for t in tallies:
        if residual is not None:
            t.residuals.append(float(residual))
    return wrong


def bench_bubble(count: int, seed: int, photos: bool) -> int:
    from .card import load_template, read_card
    from .synth_sheet import DPIS, PENS, synth_sheet

    template = load_template("bubble-sheet")
    rng = np.random.default_rng(seed)
    pens = list(PENS)
    jobs = [
        {"dpi": DPIS[i % len(DPIS)], "pen": pens[(i // len(DPIS)) % len(pens)]}
        for i in range(count)
    ]
    if photos:
        try:
            from . import photo_synth  # noqa: F401
        except ImportError:
            print("photos: safar.reading.photo_synth is not there yet (branch photo15); skipped")
        else:
            jobs += [
                {"dpi": 200, "pen": pens[i % len(pens)], "photo": True}
                for i in range(max(4, count // 4))
            ]
    total = _Tally()
    by_dpi: dict[str, _Tally] = defaultdict(_Tally)
    by_pen: dict[str, _Tally] = defaultdict(_Tally)
    kinds: dict[str, Counter] = defaultdict(Counter)
    wrong: list[str] = []
    refused: list[str] = []
    print(f"bubble sheet: {len(jobs)} pages, seed {seed}", flush=True)
    first = True
    for i, job in enumerate(jobs):
        sheet = synth_sheet(template, rng, f"{i + 1:06d}", **job)
        if first:  # load the models once, outside the timing
            read_card(sheet["data"], template, today=TODAY)
            first = False
        started = time.process_time()
        result = read_card(sheet["data"], template, today=TODAY)
        elapsed = time.process_time() - started
        where = f"{sheet['dpi']} dpi"
        if sheet["photo"]:
            where = "photo" if sheet["in_frame"] else "photo, cut"
        if not result.aligned:
            refused.append(f"page {i + 1} ({where}, {sheet['pen']}): {result.problem}")
        tallies = [total, by_dpi[where], by_pen[sheet["pen"]]]
        for t in tallies:
            t.seconds.append(elapsed)
        for w in score_sheet(template, sheet, result, tallies, kinds):
            wrong.append(f"page {i + 1} ({where}, {sheet['pen']}, {sheet['mode']}): {w}")
    print(f"pages aligned: {total.aligned}/{total.sheets}")
    print(f"time per page (one thread, CPU): {_ms(total.seconds)}")
    print(f"alignment residual: {_residuals(total.residuals)}")
    print(
        f"clean bubbles right (filled read as marked, empty as not): {total.boxes_right}/"
        f"{total.boxes} ({total.boxes_right / max(total.boxes, 1):.3%})"
    )
    print(
        f"questions right: {total.fields_right}/{total.fields} "
        f"({total.fields_right / max(total.fields, 1):.2%}); confident at {template.confident}: "
        f"{total.confident}/{total.fields}; confident-but-wrong: {total.confident_wrong}"
    )
    print("by scan resolution:")
    for name in sorted(by_dpi, key=lambda k: (k.startswith("photo"), k.zfill(8))):
        print(by_dpi[name].line(name))
    print("by pen:")
    for name in pens:
        if name in by_pen:
            print(by_pen[name].line(name))
    print("what each kind of bubble was read as:")
    for kind in (
        "fill",
        "empty",
        "partial",
        "offset",
        "tick",
        "erased",
        "questions with a tick",
        "questions with a partial",
    ):
        if kinds[kind]:
            states = ", ".join(f"{s} {n}" for s, n in kinds[kind].most_common())
            print(f"  {kind:24s} {states}")
    if refused:
        print("pages refused:")
        for r in refused:
            print(f"  {r}")
    if wrong:
        print(f"confident-but-wrong questions (first 20 of {len(wrong)}):")
        for w in wrong[:20]:
            print(f"  {w}")
    return 0


def bench_quexf() -> int:
    from .quexf import DATA, score

    if not DATA.is_dir():
        print(f"quexf: {DATA} is not there (it is not on users' machines); skipped")
        return 0
    s = score(DATA)
    print(f"queXF: pages aligned {s['aligned']}/{s['pages']}")
    for p in s["problems"]:
        print(f"  {p}")
    print(f"time per page (one thread, CPU): {_ms(s['seconds'])}")
    print(f"alignment residual: {_residuals(s['residuals'])}")
    br, bt, cr, ct = s["box_right"], s["box_total"], s["char_right"], s["char_total"]
    print(f"checkboxes right: {br}/{bt} ({br / max(bt, 1):.1%})")
    print(f"characters right: {cr}/{ct} ({cr / max(ct, 1):.1%})")
    return 0
