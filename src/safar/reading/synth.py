"""Synthetic filled cards: realistic values, handwriting-like marks and characters, scan defects.

Each card is the real printable blank (render.py, rasterised by pdfium at the scan resolution)
filled by a simulated hand, then scanned: turned by a multiple of 90°, skewed up to ±5°, blurred,
noised, saved as colour, grey or black-and-white, JPEG/PNG/TIFF, 200–600 dpi. The truth of every
field is returned with the image, so tests and the benchmark can score the reader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import cv2
import numpy as np

from ._glyphs import glyph
from .render import render_pdf
from .template import Field, Rect, Template

SURNAMES_CYR = [
    "РАҲИМОВ",
    "ҚОДИРОВ",
    "НАЗАРОВ",
    "ШАРИПОВ",
    "ҒАФУРОВ",
    "ИСМОИЛОВ",
    "ҶӮРАЕВ",
    "САФАРОВ",
    "ДАВЛАТОВ",
    "МИРЗОЕВ",
    "ҲАКИМОВА",
    "ЮСУПОВА",
    "АБДУЛЛОЕВ",
    "ЭМОМАЛӢ",
    "РАҶАБОВ",
    "КАРИМОВА",
    "ХОЛОВ",
    "БОБОЕВ",
    "СОДИҚОВ",
    "НУРИДДИНОВ",
    "УМАРОВ",
    "ЗОИРОВ",
    "ФАЙЗУЛЛОЕВ",
    "ЛАТИФОВА",
    "ЁРОВ",
    "ШОДИЕВ",
    "ТОҲИРОВ",
    "ПИРМАТОВ",
    "ЧОРИЕВ",
    "АЗИЗОВА",
    "ВАЛИЕВ",
    "ОДИНАЕВ",
    "ҚУРБОНОВ",
    "ЖУРАЕВ",
    "ГУЛОВ",
    "АҲМАДЗОДА",
    "РАҲМОНЗОДА",
    "МАҲМАДАЛИЕВ",
    "ЦОЙ",
    "ЩЕРБАКОВ",
    "ЭРГАШЕВА",
    "ЮНУСОВ",
    "ЯҚУБОВ",
    "ШАМСИДДИНОВ",
]
GIVEN_CYR = [
    "АЛИШЕР",
    "ФИРДАВС",
    "МУҲАММАД",
    "ҶАМШЕД",
    "ШАХЛО",
    "ЗАРИНА",
    "ФАРРУХ",
    "ДИЛШОД",
    "НИГИНА",
    "БЕҲРӮЗ",
    "ҚОСИМ",
    "ҒАЙРАТ",
    "ИСМОИЛ",
    "РУСТАМ",
    "МАДИНА",
    "СОРБОН",
    "ЁҚУБ",
    "ПАРВИЗ",
    "ТАҲМИНА",
    "УМЕД",
    "ХУРШЕД",
    "ЧАМАН",
    "ЭРАДЖ",
    "ЮСУФ",
    "ЯСМИН",
    "БАХТИЁР",
    "ВАҲДАТ",
    "ГУЛНОРА",
    "ДАЛЕР",
    "ЖАННА",
    "ЛАТОФАТ",
    "АБДУ РАҲМОН",
    "ОЙША",
    "ЦЕЗАР",
    "ШЕРАЛӢ",
    "МУБОРАК",
    "СУҲРОБ",
    "ИЛҲОМ",
    "ҲУСЕЙН",
    "ЗАФАР",
]
SURNAMES_LAT = [
    "RAHIMOV",
    "QODIROV",
    "NAZAROV",
    "SHARIPOV",
    "GAFUROV",
    "ISMOILOV",
    "JURAEV",
    "SAFAROV",
    "DAVLATOV",
    "MIRZOEV",
    "KARIMOVA",
    "YUSUPOVA",
    "IVANOV",
    "SMITH",
    "MUELLER",
    "WANG",
    "KIM",
    "ZOIROV",
    "FAYZULLOEV",
    "QURBONOV",
    "TOHIROV",
    "USMONOV",
    "XOLOV",
    "VALIEV",
    "LATIPOVA",
    "BOBOEV",
    "PETROV",
    "JOHNSON",
]
GIVEN_LAT = [
    "ALISHER",
    "FIRDAVS",
    "MUHAMMAD",
    "JAMSHED",
    "SHAHLO",
    "ZARINA",
    "FARRUKH",
    "DILSHOD",
    "NIGINA",
    "BEHRUZ",
    "QOSIM",
    "GAYRAT",
    "RUSTAM",
    "MADINA",
    "SORBON",
    "YAQUB",
    "PARVIZ",
    "UMED",
    "KHURSHED",
    "JOHN",
    "MARIA",
    "WEI",
    "OLGA",
    "ZAFAR",
    "VALI",
    "JASUR",
    "XURSHID",
    "IVAN",
]
COUNTRY_WEIGHTS = {
    "RUS": 55,
    "KAZ": 8,
    "TUR": 5,
    "ARE": 4,
    "KOR": 3,
    "UZB": 4,
    "KGZ": 2,
    "CHN": 3,
    "DEU": 1,
    "USA": 1,
    "POL": 1,
    "IRN": 1,
    "AFG": 1,
    "GBR": 1,
    "LTU": 1,
    "QAT": 1,
    "SAU": 1,
    "IND": 1,
    "JPN": 1,
    "BLR": 1,
}
FOREIGN = {"UZB": 30, "AFG": 15, "KGZ": 15, "RUS": 15, "CHN": 10, "IRN": 5, "TUR": 5, "KAZ": 5}
BORDER_WEIGHTS = {"DYU": 40, "LBD": 15, "TJU": 6, "KQT": 6, "FTH": 12, "PNP": 8, "KLM": 4, "KRM": 9}
PURPOSE_WEIGHTS = {
    "work": 60,
    "study": 6,
    "private": 14,
    "tourism": 6,
    "business": 5,
    "official": 2,
    "transit": 3,
    "other": 4,
}
INKS = [(140, 40, 15), (110, 30, 30), (35, 35, 35), (20, 20, 20), (160, 70, 30)]  # BGR pens


def _pick(rng, weights: dict):
    keys = list(weights)
    p = np.array([weights[k] for k in keys], float)
    return keys[rng.choice(len(keys), p=p / p.sum())]


def _date(rng, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def card_values(template: Template, rng: np.random.Generator, serial: str) -> dict:
    """Truth for every template field, by field name (None where left blank)."""
    district_rule = next((r for r in template.rules if r["kind"] == "lookup"), None)
    tjk = rng.random() < 0.9
    latin = rng.random() < (0.15 if tjk else 0.7)
    v = dict.fromkeys(template.names)
    v["card_number"] = serial
    v["direction"] = "exit" if rng.random() < 0.55 else "entry"
    crossed = _date(rng, dt.date(2025, 1, 1), dt.date(2026, 11, 20))
    v["crossed_on"] = crossed.isoformat()
    v["border_point"] = _pick(rng, BORDER_WEIGHTS)
    surnames, given = (SURNAMES_LAT, GIVEN_LAT) if latin else (SURNAMES_CYR, GIVEN_CYR)
    v["surname"] = surnames[rng.integers(len(surnames))]
    v["given_names"] = given[rng.integers(len(given))]
    v["birth_date"] = _date(rng, dt.date(1950, 1, 1), dt.date(2008, 12, 31)).isoformat()
    v["sex"] = "M" if rng.random() < 0.8 else "F"
    if tjk:
        v["citizenship"] = "TJK"
        v["passport_number"] = (
            f"4{rng.integers(0, 10**8):08d}"
            if rng.random() < 0.6
            else f"A{rng.integers(0, 10**7):07d}"
        )
        v["region"] = _pick(rng, {"TJ-DU": 25, "TJ-SU": 30, "TJ-KT": 30, "TJ-GB": 3, "TJ-RA": 12})
        if district_rule and rng.random() < 0.7:
            v["district"] = list(district_rule["table"][v["region"]].values())[
                rng.integers(len(district_rule["table"][v["region"]]))
            ]
    else:
        v["citizenship"] = v["citizenship_code"] = _pick(rng, FOREIGN)
        letters = "".join(chr(65 + int(i)) for i in rng.integers(0, 26, 2))
        v["passport_number"] = f"{letters}{rng.integers(0, 10**7):07d}"
    v["purpose"] = _pick(rng, PURPOSE_WEIGHTS)
    v["country"] = _pick(rng, COUNTRY_WEIGHTS)
    common = {o.value for o in template.field("country").options if o.value}
    if v["country"] not in common:
        v["country_code"] = v["country"]
    return v


def box_strings(template: Template, values: dict) -> dict[str, str]:
    """What a person writes in each character field's boxes (dates as DDMMYYYY)."""
    out = {}
    lookup = next((r for r in template.rules if r["kind"] == "lookup"), None)
    for f in template.fields:
        value = values.get(f.name)
        if f.kind != "characters" or value is None:
            continue
        if f.format == "date":
            value = value[8:10] + value[5:7] + value[0:4]
        elif lookup and f.name == lookup["field"]:
            table = lookup["table"][values[lookup["by"]]]
            value = next(k for k, c in table.items() if c == value)
        out[f.name] = value[: len(f.boxes)]
    return out


@dataclass
class Pen:
    colour: tuple[int, int, int]
    px_per_mm: float
    rng: np.random.Generator

    def ink(self, img: np.ndarray, alpha: np.ndarray, x: int, y: int) -> None:
        h, w = alpha.shape
        region = img[y : y + h, x : x + w]
        a = (alpha[: region.shape[0], : region.shape[1]] / 255.0)[..., None]
        region[:] = (region * (1 - a) + np.array(self.colour) * a).astype(np.uint8)

    def char(self, img: np.ndarray, box: Rect, ch: str) -> None:
        g = glyph(ch, self.rng)
        p = self.px_per_mm
        h = int(box.h * p * self.rng.uniform(0.6, 0.95))
        w = int(min(box.w * p * 0.95, h * self.rng.uniform(0.8, 1.1)))
        g = cv2.resize(g, (max(w, 2), max(h, 2)), interpolation=cv2.INTER_AREA)
        x = int(box.cx * p - w / 2 + self.rng.normal(0, box.w * p * 0.05))
        y = int(box.cy * p - h / 2 + self.rng.normal(0, box.h * p * 0.05))
        self.ink(img, g, x, y)

    def mark(self, img: np.ndarray, box: Rect, style: str) -> None:
        p = self.px_per_mm
        size = int(box.w * p * 1.3)
        canvas = np.zeros((size, size), np.uint8)
        t = max(1, int(p * self.rng.uniform(0.25, 0.5)))
        m = size * 0.15
        j = lambda: self.rng.normal(0, size * 0.05)  # noqa: E731
        if style == "filled":
            pts = np.array(
                [
                    [m + j(), m + j()],
                    [size - m + j(), m + j()],
                    [size - m + j(), size - m + j()],
                    [m + j(), size - m + j()],
                ]
            )
            cv2.fillPoly(canvas, [pts.astype(np.int32)], 255)
        elif style == "tick":
            pts = np.array(
                [
                    [m + j(), size * 0.55 + j()],
                    [size * 0.42 + j(), size - m + j()],
                    [size - m * 0.5 + j(), m * 0.5 + j()],
                ]
            )
            cv2.polylines(canvas, [pts.astype(np.int32)], False, 255, t, cv2.LINE_AA)
        else:  # a cross
            for a, b in (((m, m), (size - m, size - m)), ((size - m, m), (m, size - m))):
                cv2.line(
                    canvas,
                    (int(a[0] + j()), int(a[1] + j())),
                    (int(b[0] + j()), int(b[1] + j())),
                    255,
                    t,
                    cv2.LINE_AA,
                )
        x = int(box.cx * p - size / 2 + self.rng.normal(0, p * 0.3))
        y = int(box.cy * p - size / 2 + self.rng.normal(0, p * 0.3))
        self.ink(img, canvas, x, y)


def _blank(template: Template, serial: str, dpi: int) -> np.ndarray:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(render_pdf(template, [serial]))
    try:
        bgr = pdf[0].render(scale=dpi / 72, rev_byteorder=False).to_numpy()
    finally:
        pdf.close()
    return np.ascontiguousarray(bgr[..., :3])


def fill(
    template: Template, values: dict, rng: np.random.Generator, dpi: int, cancel: bool = False
) -> tuple[np.ndarray, list[str]]:
    """The blank filled by hand at `dpi`; returns the image and the cancelled boxes' names."""
    img = _blank(template, values["card_number"], dpi)
    pen = Pen(INKS[rng.integers(len(INKS))], dpi / 25.4, rng)
    style = ["cross", "cross", "tick"][rng.integers(3)]
    cancelled = []
    groups = [f for f in template.fields if f.kind == "checkboxes"]
    cancel_in = groups[rng.integers(len(groups))].name if cancel else None
    for f in groups:
        chosen = _chosen_option(f, values)
        if chosen is not None:
            pen.mark(img, chosen.box, style)
        if f.name == cancel_in:
            others = [o for o in f.options if o is not chosen]
            wrong = others[rng.integers(len(others))]
            pen.mark(img, wrong.box, "filled")
            cancelled.append(f"{f.name}:{wrong.value or 'other'}")
    for name, text in box_strings(template, values).items():
        for box, ch in zip(template.field(name).boxes, text, strict=False):
            if ch != " ":
                pen.char(img, box, ch)
    return img, cancelled


def _chosen_option(f: Field, values: dict):
    value = values.get(f.name)
    if value is None:
        return None
    for o in f.options:
        if o.value == value:
            return o
    return next((o for o in f.options if o.other), None)


def scan(
    img: np.ndarray, rng: np.random.Generator, *, rotation: int, skew: float, mode: str
) -> np.ndarray:
    """Simulate the scanner: bed margin, skew, 90° turns, blur, noise, colour mode."""
    h, w = img.shape[:2]
    # The scanner bed holds the whole card: room for the margin and for the skewed corners.
    pad = int(rng.uniform(0.0, 0.04) * w + abs(np.sin(np.radians(skew))) * (w + h) / 2)
    img = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(250, 250, 250))
    if skew:
        h, w = img.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
        img = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(250, 250, 250))
    img = np.rot90(img, k=rotation // 90).copy() if rotation else img
    if rng.random() < 0.6:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.1))
    if mode != "colour":
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    # Sensor noise, the same on every channel (float32 and in place: pages are large).
    noisy = img.astype(np.float32)
    noisy *= rng.uniform(0.85, 1.0)
    noise = rng.standard_normal(img.shape[:2], dtype=np.float32)
    noise *= rng.uniform(2, 9)
    noisy += noise[..., None] if img.ndim == 3 else noise
    img = cv2.convertScaleAbs(np.clip(noisy, 0, 255, out=noisy))
    if mode == "bw":
        return np.where(img > rng.uniform(110, 160), 255, 0).astype(np.uint8)
    return img


def encode(img: np.ndarray, fmt: str, rng: np.random.Generator) -> bytes:
    if fmt == "jpg":
        ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(60, 95))])
    elif fmt == "tif":
        ok, data = cv2.imencode(".tif", img)
    else:
        ok, data = cv2.imencode(".png", img, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    assert ok
    return data.tobytes()


def synth_card(template: Template, rng: np.random.Generator, serial: str, **fixed) -> dict:
    """One synthetic scan and its truth. `fixed` may set dpi, rotation, skew, mode, fmt, cancel."""
    values = card_values(template, rng, serial)
    dpi = fixed.get("dpi") or int(rng.choice([200, 240, 300, 300, 300, 300, 400, 600]))
    rotation = fixed.get("rotation", int(rng.choice([0, 0, 90, 180, 270])))
    skew = fixed.get("skew", float(rng.uniform(-5, 5)))
    mode = fixed.get("mode") or str(rng.choice(["colour", "grey", "grey", "bw"]))
    fmt = fixed.get("fmt") or (
        "png" if mode == "bw" else str(rng.choice(["jpg", "jpg", "png", "tif"]))
    )
    cancel = fixed.get("cancel", bool(rng.random() < 0.1))
    img, cancelled = fill(template, values, rng, dpi, cancel=cancel)
    scanned = scan(img, rng, rotation=rotation, skew=skew, mode=mode)
    return {
        "data": encode(scanned, fmt, rng),
        "fmt": fmt,
        "values": values,
        "dpi": dpi,
        "rotation": rotation,
        "skew": round(skew, 2),
        "mode": mode,
        "cancelled": cancelled,
    }
