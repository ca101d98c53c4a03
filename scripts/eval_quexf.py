"""Read queXF's filled questionnaire scans with Safar's card reader, and score it.

    .venv/bin/python scripts/eval_quexf.py [--data ../shared/testdata/forms/quexf] [--templates]
        [--model FILE] [--cards N] [--rough N]

queXF (GPL-2) ships a form, its template (test_original.xml: box coordinates in pixels at
300 dpi) and three filled, scanned copies. `--templates` converts the XML into Safar templates
(scripts/quexf/quexf-page{1,2}.json, committed); the evaluation then reads each page of each scan
and compares checkboxes and characters with what a person reads on the scans (EXPECTED, written
by looking at the scans). This shows the reader is general, not tuned to our own renderer. Not
part of the test suite: ../shared is not on users' machines.

Characters are also counted per class: digits, Latin capitals, Cyrillic capitals (queXF has no
Cyrillic). For comparison on Safar's own data, `--cards N` reads the character boxes of N
synthetic cards (seed 99, cut by the reader itself as in training, none of them trained on) and
`--rough N` N box crops per class in the rough hands of training.box_crop (seed 777), each per
class; letters are read over the "names" charset, digits over "digits". `--model FILE` reads
every box with another model file instead of the shipped ones, models/characters-letters.npz
included (to judge a candidate before installing it); without it letter-only boxes are read by
that letters file, as the reader does.
queXF is the held-apart real evaluation: never train or tune on it.
"""

import argparse
import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent / "quexf"
MM = 25.4 / 300  # queXF pixels at 300 dpi → millimetres
PAGE_W, PAGE_H = 595.2 / 72 * 25.4, 837.12 / 72 * 25.4
CORNER_ARM_PX = 240  # the L-shaped corner marks' arms, measured on the blank


def _mm(v: str) -> float:
    return round(int(v) * MM, 2)


def convert(xml_path: Path) -> list[dict]:
    """One Safar template per page of the queXF form."""
    root = ET.parse(xml_path).getroot().find("questionnaire")
    templates = []
    for number, page in enumerate(root.findall("page"), start=1):
        get = lambda k, p=page: int(p.find(k).text)  # noqa: E731
        corners = [
            (get("tlx"), get("tly")),
            (get("trx"), get("try")),
            (get("brx"), get("bry")),
            (get("blx"), get("bly")),
        ]
        fields = []
        for group in page.findall("boxgroup"):
            name = group.find("varname").text.lower()
            label = (group.find("label").text or name).strip()
            boxes = []
            for b in group.findall("box"):
                x0, y0, x1, y1 = (int(b.find(k).text) for k in ("tlx", "tly", "brx", "bry"))
                boxes.append(
                    {
                        "rect": [
                            _mm(str(x0)),
                            _mm(str(y0)),
                            round((x1 - x0) * MM, 2),
                            round((y1 - y0) * MM, 2),
                        ],
                        "value": b.find("value").text,
                        "label": (b.find("label").text or "")
                        if b.find("label") is not None
                        else "",
                    }
                )
            labels = {"tg": label, "ru": label, "en": label}
            if group.find("type").text == "1":  # single choice
                fields.append(
                    {
                        "name": name,
                        "kind": "checkboxes",
                        "label": labels,
                        "options": [
                            {
                                "value": b["value"],
                                "box": b["rect"],
                                "label": b["label"] or b["value"],
                            }
                            for b in boxes
                        ],
                    }
                )
            else:  # character boxes: letters, or digits for the amount
                digits = name == "b4"
                fields.append(
                    {
                        "name": name,
                        "kind": "characters",
                        "label": labels,
                        "charset": "digits" if digits else "latin",
                        "boxes": [b["rect"] for b in boxes],
                    }
                )
        arm = round(CORNER_ARM_PX * MM, 2)
        templates.append(
            {
                "name": f"quexf-page{number}",
                "page": {"width": round(PAGE_W, 2), "height": round(PAGE_H, 2)},
                "fiducials": {
                    "kind": "corner",
                    "marks": [
                        {"x": _mm(str(x)), "y": _mm(str(y)), "size": arm} for x, y in corners
                    ],
                },
                "fields": fields,
                "rules": [],
                "confident": 0.9,
            }
        )
    return templates


from safar.reading.quexf import CHAR_GROUPS as GROUPS  # noqa: E402
from safar.reading.quexf import char_group as group_of  # noqa: E402


def print_groups(title: str, right: Counter, total: Counter) -> None:
    parts = [
        f"{g} {right[g]}/{total[g]} ({right[g] / total[g]:.1%})" if total[g] else f"{g} none"
        for g in GROUPS
    ]
    print(f"{title}: " + " · ".join(parts))


def use_model(path: Path) -> None:
    """Read every box with the model in `path` instead of the shipped ones (the letters file too)."""
    from safar.reading import _boxes
    from safar.reading._characters import load_model

    _boxes.load_model = lambda: load_model(path)  # type: ignore[assignment]
    _boxes.letters_model = lambda: None  # type: ignore[assignment]


def classify(masks, labels) -> tuple[Counter, Counter]:
    """Per-group right/total of the classifier over masks labelled with classes."""
    from safar.reading import _boxes

    main = _boxes.load_model()
    letters = _boxes.letters_model() or main  # letters as the reader reads letter-only boxes
    right, total = Counter(), Counter()
    for charset, pick in (("digits", str.isdigit), ("names", lambda c: not c.isdigit())):
        model = main if charset == "digits" else letters
        chosen = [i for i, c in enumerate(labels) if pick(c)]
        if not chosen:
            continue
        probs, allowed = model.probabilities([masks[i] for i in chosen], charset)
        _, index = model.logits_of_masks([masks[i] for i in chosen])
        for row, k in zip(probs, index, strict=True):
            want = labels[chosen[k]]
            total[group_of(want)] += 1
            right[group_of(want)] += allowed[int(row.argmax())] == want
    return right, total


def evaluate_cards(count: int) -> None:
    from safar.reading.training import card_masks

    masks, labels = card_masks(count, seed=99, log=lambda _: None)
    print_groups(f"synthetic cards ({count}) characters right", *classify(masks, labels))


def evaluate_rough(per_class: int) -> None:
    from safar.reading.training import synthetic_masks

    masks, labels = synthetic_masks(per_class, seed=777, rough=1.0)
    print_groups(f"rough synthetic boxes ({per_class}/class) right", *classify(masks, labels))


def evaluate(data: Path, blank: bool = True) -> int:
    from safar.reading.quexf import score

    s = score(data, verbose=True, blank=blank)
    br, bt, cr, ct = s["box_right"], s["box_total"], s["char_right"], s["char_total"]
    print(f"checkboxes right: {br}/{bt} ({br / max(bt, 1):.1%})")
    print(f"characters right: {cr}/{ct} ({cr / max(ct, 1):.1%})")
    print_groups("characters right per class", s["class_right"], s["class_total"])
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default=str(
            Path(__file__).resolve().parents[1].parent / "shared" / "testdata" / "forms" / "quexf"
        ),
    )
    parser.add_argument("--templates", action="store_true", help="(re)write the templates")
    parser.add_argument(
        "--no-blank",
        action="store_true",
        help="judge ink without queXF's blank scan (rendered from the template instead)",
    )
    parser.add_argument("--model", type=Path, help="read with this model file")
    parser.add_argument("--cards", type=int, default=0, help="also N synthetic cards' boxes")
    parser.add_argument("--rough", type=int, default=0, help="also N rough boxes per class")
    args = parser.parse_args()
    if args.model:
        use_model(args.model)
    if args.templates:
        HERE.mkdir(exist_ok=True)
        for t in convert(Path(args.data) / "test_original.xml"):
            (HERE / f"{t['name']}.json").write_text(json.dumps(t, indent=1) + "\n")
            print(f"wrote {HERE / t['name']}.json")
    code = evaluate(Path(args.data), blank=not args.no_blank)
    if args.cards:
        evaluate_cards(args.cards)
    if args.rough:
        evaluate_rough(args.rough)
    raise SystemExit(code)
