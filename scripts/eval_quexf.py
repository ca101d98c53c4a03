"""Read queXF's filled questionnaire scans with Safar's card reader, and score it.

    .venv/bin/python scripts/eval_quexf.py [--data ../shared/testdata/forms/quexf] [--templates]

queXF (GPL-2) ships a form, its template (test_original.xml: box coordinates in pixels at
300 dpi) and three filled, scanned copies. `--templates` converts the XML into Safar templates
(scripts/quexf/quexf-page{1,2}.json, committed); the evaluation then reads each page of each scan
and compares checkboxes and characters with what a person reads on the scans (EXPECTED, written
by looking at the scans). This shows the reader is general, not tuned to our own renderer. Not
part of the test suite: ../shared is not on users' machines.
"""

import argparse
import json
import xml.etree.ElementTree as ET
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


def evaluate(data: Path, blank: bool = True) -> int:
    from safar.reading.quexf import score

    s = score(data, verbose=True, blank=blank)
    br, bt, cr, ct = s["box_right"], s["box_total"], s["char_right"], s["char_total"]
    print(f"checkboxes right: {br}/{bt} ({br / max(bt, 1):.1%})")
    print(f"characters right: {cr}/{ct} ({cr / max(ct, 1):.1%})")
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
    args = parser.parse_args()
    if args.templates:
        HERE.mkdir(exist_ok=True)
        for t in convert(Path(args.data) / "test_original.xml"):
            (HERE / f"{t['name']}.json").write_text(json.dumps(t, indent=1) + "\n")
            print(f"wrote {HERE / t['name']}.json")
    raise SystemExit(evaluate(Path(args.data), blank=not args.no_blank))
