"""queXF's test questionnaire: what a person reads on its three filled scans, and the score of
Safar's reader on them. Shared by scripts/eval_quexf.py and `safar bench reading --form quexf`.

queXF (GPL-2) ships a form, its template and three filled, scanned copies; they are kept outside
the repository (../shared/testdata/forms/quexf), so nothing here runs in the test suite. The
templates converted from queXF's XML are scripts/quexf/quexf-page{1,2}.json.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
TEMPLATES = REPO / "scripts" / "quexf"
DATA = REPO.parent / "shared" / "testdata" / "forms" / "quexf"

# What a person reads on each scan, page by page (None: left empty). Checkbox values are
# queXF's box values; character fields are the letters as written, one per box.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWX"  # 24 boxes: the tester wrote the alphabet as far as it fits
EXPECTED: dict[str, list[dict[str, str | None]]] = {
    "test_filled_1.pdf": [
        {
            "a1_a": "1",
            "a1_b": "2",
            "b1_a": "3",
            "b1_b": "2",
            "b1_c": "4",
            "b2_a": "ADAM",
            "b2_b": "ZAMMIT",
            "b3": "1",
            "b3o": "HOME",
            "b4": "43",
        },
        {"c1": "2", "c1o": "GERMAN", "c2": "1"},  # C1 "Yes" cancelled by filling
    ],
    "test_filled_2.pdf": [
        {
            "a1_a": "3",
            "a1_b": "3",
            "b1_a": "1",
            "b1_b": "3",
            "b1_c": "3",
            "b2_a": "ANOTHER",
            "b2_b": "PERSON",
            "b3": "2",
            "b3o": None,
            "b4": "1234",
        },  # B1_C "Unsure" cancelled
        {"c1": "2", "c1o": None, "c2": "2"},
    ],
    "test_filled_3.pdf": [
        {
            "a1_a": "1",
            "a1_b": "1",
            "b1_a": "1",
            "b1_b": "1",
            "b1_c": "1",
            "b2_a": ALPHABET,
            "b2_b": ALPHABET,
            "b3": "2",
            "b3o": ALPHABET,
            "b4": "1234",
        },  # B1_B, B3 "Yes" cancelled
        {"c1": "1", "c1o": "ZYXWVUTSRQPONMLKJIHGFEDC", "c2": "1"},
    ],
}


CHAR_GROUPS = ("digits", "Latin capitals", "Cyrillic capitals")


def char_group(ch: str) -> str:
    """The class a character's accuracy is reported under."""
    from .classes import CYRILLIC_ONLY, DIGITS, to_class

    cls = to_class(ch)
    return (
        CHAR_GROUPS[0]
        if cls in DIGITS
        else CHAR_GROUPS[2]
        if cls in CYRILLIC_ONLY
        else CHAR_GROUPS[1]
    )


def score(
    data: Path = DATA, *, verbose: bool = False, today: dt.date | None = None, blank: bool = True
) -> dict:
    """Read every page of the three scans; counts of right checkboxes and characters, pages
    aligned, seconds per page and alignment residuals (mm). With `blank`, ink is judged against
    queXF's blank scan (page 1 or 2 of test_blank.pdf), else against the rendered template."""
    import dataclasses

    from .card import load_pages, load_template, read_card

    today = today or dt.date(2026, 12, 1)
    templates = [load_template(TEMPLATES / f"quexf-page{i}.json") for i in (1, 2)]
    if blank:
        templates = [
            dataclasses.replace(t, blank=str(data / "test_blank.pdf"), blank_page=i)
            for i, t in enumerate(templates, start=1)
        ]
    out: dict[str, Any] = {"box_right": 0, "box_total": 0, "char_right": 0, "char_total": 0}
    out.update(pages=0, aligned=0, seconds=[], residuals=[], problems=[])
    out.update(class_right=Counter(), class_total=Counter())
    for scan_name, pages in EXPECTED.items():
        images = load_pages((data / scan_name).read_bytes())
        for number, (image, expected) in enumerate(zip(images, pages, strict=True), start=1):
            template = templates[number - 1]
            started = time.process_time()
            result = read_card(image, template, today=today)
            out["seconds"].append(time.process_time() - started)
            out["pages"] += 1
            if verbose:
                residual = getattr(result, "residual_mm", None)
                shown = f" residual={residual:.2f} mm" if residual is not None else ""
                print(
                    f"{scan_name} page {number}: aligned={result.aligned}{shown} "
                    f"{result.problem or ''}"
                )
            if not result.aligned:
                out["problems"].append(f"{scan_name} p{number}: {result.problem}")
                continue
            out["aligned"] += 1
            residual = getattr(result, "residual_mm", None)
            if residual is not None:
                out["residuals"].append(float(residual))
            for f in template.fields:
                reading = result.fields[f.name]
                want = expected.get(f.name)
                if verbose:
                    print(
                        f"  {f.name:6s} read={reading.value!r:12} conf={reading.confidence:.2f}"
                        f" expected={want!r}"
                    )
                if f.kind == "checkboxes":
                    for option, mark in zip(f.options, reading.marks, strict=True):
                        out["box_total"] += 1
                        out["box_right"] += (mark == "marked") == (option.value == want)
                else:
                    got = (reading.raw or "").strip()
                    want_text = want or ""
                    for i in range(max(len(want_text), len(got))):
                        right = got[i : i + 1] == want_text[i : i + 1]
                        group = char_group(want_text[i : i + 1] or got[i : i + 1])
                        out["char_total"] += 1
                        out["char_right"] += right
                        out["class_total"][group] += 1
                        out["class_right"][group] += right
    return out
