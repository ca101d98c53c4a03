"""Write src/safar/reading/forms/bubble-sheet.json: a second form, made in another style than the card.

    .venv/bin/python scripts/make_bubble_sheet.py

An MSC intake / training knowledge-check answer sheet, as a test centre would print it: A4 portrait,
ring-shaped corner marks with a bullseye at the top-left (which way up the page is) and two
more rings half way down the sides, a candidate ID
as six columns of digit bubbles 0–9, and 50 questions of four bubbles (A B C D printed inside each
bubble), filled in with any dark pen or pencil; questions 46–50 take every answer that applies.
The JSON is committed; this script only keeps its many repeated boxes consistent.
"""

import json
from pathlib import Path

OUT = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "safar"
    / "reading"
    / "forms"
    / "bubble-sheet.json"
)

MARK = 8.0  # ring diameter, mm
BUBBLE = 5.0  # bubble diameter, mm
ID_DIGITS, ID_X, ID_Y, ID_PITCH_X, ID_PITCH_Y = 6, 24.0, 58.0, 7.5, 6.2
QUESTIONS, ANY_FROM = 50, 46
COLUMNS = ((1, 17), (18, 34), (35, 50))
COL_X = (30.0, 92.0, 154.0)  # x of the first bubble of each column
Q_Y, Q_PITCH, OPT_PITCH = 142.0, 7.6, 7.2
LETTERS = "ABCD"


def label(tg: str, ru: str, en: str) -> dict:
    return {"tg": tg, "ru": ru, "en": en}


def main() -> None:
    fields = []
    for k in range(1, ID_DIGITS + 1):
        x = ID_X + (k - 1) * ID_PITCH_X
        fields.append(
            {
                "name": f"id_{k}",
                "kind": "checkboxes",
                "required": True,
                "mark": "fill",
                "shape": "circle",
                "label": label(
                    f"Рақами шахсӣ, рақами {k}",
                    f"Личный номер, цифра {k}",
                    f"ID number, digit {k}",
                ),
                "extra": {"column": k},
                "options": [
                    {
                        "value": str(d),
                        "print": str(d),
                        "label": str(d),
                        "box": [round(x, 2), round(ID_Y + d * ID_PITCH_Y, 2), BUBBLE, BUBBLE],
                    }
                    for d in range(10)
                ],
            }
        )
    for (first, last), x0 in zip(COLUMNS, COL_X, strict=True):
        for q in range(first, last + 1):
            y = Q_Y + (q - first) * Q_PITCH
            field = {
                "name": f"q{q:02d}",
                "kind": "checkboxes",
                "mark": "fill",
                "shape": "circle",
                "label": label(f"Савол {q}", f"Вопрос {q}", f"Question {q}"),
                "extra": {"number": q},
                "options": [
                    {
                        "value": letter,
                        "print": letter,
                        "label": letter,
                        "box": [round(x0 + i * OPT_PITCH, 2), round(y, 2), BUBBLE, BUBBLE],
                    }
                    for i, letter in enumerate(LETTERS)
                ],
            }
            if q >= ANY_FROM:
                field["choose"] = "any"
            fields.append(field)
    far = 210 - 8 - MARK
    low = 297 - 8 - MARK
    template = {
        "name": "bubble-sheet",
        "version": 1,
        "layout": "sheet",
        "title": label(
            "МАРКАЗИ ХИЗМАТРАСОНӢ БА МУҲОҶИРОН · САНҶИШИ ДОНИШ",
            "ЦЕНТР УСЛУГ МИГРАНТАМ · ПРОВЕРКА ЗНАНИЙ",
            "MIGRANT SERVICE CENTRE · KNOWLEDGE CHECK",
        ),
        "page": {"width": 210, "height": 297},
        "fiducials": {
            "kind": "ring",
            "odd": 0,
            "orientation": "mark",
            "tolerance": 1.0,
            "marks": [
                {"x": 8, "y": 8, "size": MARK},
                {"x": far, "y": 8, "size": MARK},
                {"x": far, "y": low, "size": MARK},
                {"x": 8, "y": low, "size": MARK},
                # Two more rings half way down the sides: with six marks the page is fitted by
                # least squares, so the residual at each mark measures the fit (paper curl,
                # a photo's lens), not only how well each mark was found.
                {"x": far, "y": (297 - MARK) / 2, "size": MARK},
                {"x": 8, "y": (297 - MARK) / 2, "size": MARK},
            ],
        },
        "confident": 0.9,
        "fields": fields,
        "rules": [],
        "texts": [
            {
                "x": 24,
                "y": 30,
                "size": 7,
                "text": label(
                    "Доираро пурра бо қалами сиёҳ ё кабуд ё қалами сурб пур кунед. "
                    "Барои иваз кардан, тоза пок кунед.",
                    "Закрасьте кружок полностью тёмной ручкой или карандашом. "
                    "Чтобы изменить ответ, сотрите начисто.",
                    "Fill the bubble completely with a dark pen or pencil. "
                    "To change an answer, erase it cleanly.",
                ),
            },
            {
                "x": 24,
                "y": 42,
                "size": 7,
                "text": label("Рақами шахсӣ", "Личный номер", "Candidate ID"),
            },
            {
                "x": 30,
                "y": 129,
                "size": 7,
                "text": label(
                    "Барои ҳар савол як ҷавоб; 46–50: ҳамаи ҷавобҳои дурустро",
                    "Один ответ на вопрос; 46–50: все верные ответы",
                    "One answer per question; 46–50: every correct answer",
                ),
            },
        ],
    }
    OUT.write_text(json.dumps(template, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(fields)} fields")


if __name__ == "__main__":
    main()
