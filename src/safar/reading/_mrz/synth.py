"""Synthetic MRZs and document pages: training data and test fixtures.

MRZs are printed in OCR-B, but some issuers use another monospaced font (DejaVu Sans Mono or a
Courier-like one); both are drawn here. Everything comes from Debian fonts on this machine
(fonts-ocr-b, fonts-dejavu-core, fonts-liberation), so training is reproducible offline and the
tests need no external images.
"""

from datetime import date, timedelta
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .layout import LAYOUTS, SHAPES, check_digit

OCRB_PATH = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
SANS_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_MONO_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
LIBERATION_MONO_PATH = Path("/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf")

SURNAMES = [
    "RAHIMOV",
    "KARIMOVA",
    "NAZAROV",
    "SAIDOV",
    "ERIKSSON",
    "MUSTERMANN",
    "O<CONNOR",
    "LI",
    "ABDULLOEV",
    "DAVLATOVA",
    "QODIROV",
    "GHAFUROV",
    "SHARIPOVA",
    "VAN<DER<BERG",
    "ZHUKOV",
    "XU",
]
GIVEN = [
    "ANNA<MARIA",
    "FIRUZ",
    "MADINA",
    "JAMSHED",
    "ERIKA",
    "NILUFAR",
    "RUSTAM",
    "SHODMON",
    "ZARINA",
    "MEHROJ",
    "PIOTR<JAN",
    "YUSUF",
    "IVAN",
    "KHURSHED",
    "",
]
STATES = ["TJK", "RUS", "UZB", "KAZ", "KGZ", "D<<", "UTO", "GBR", "USA", "AFG", "TUR", "CHN", "POL"]


@cache
def font(size: int, path: Path = OCRB_PATH) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


@cache
def advance(path: Path = OCRB_PATH) -> float:
    """Advance width per point of font size of a monospaced font (OCR-B 0.723, DejaVu 0.602)."""
    return round(font(100, path).getlength("0") / 100, 3)  # OCR-B: 0.723, as measured once


def _pad(text: str, width: int) -> str:
    return (text + "<" * width)[:width]


def _date(d: date) -> str:
    return d.strftime("%y%m%d")


def _number(rng: np.random.Generator, length: int = 9) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    head = "".join(rng.choice(list(letters), size=rng.integers(0, 3)))
    tail = "".join(rng.choice(list("0123456789"), size=length - len(head)))
    return _pad(head + tail, length) if rng.random() > 0.1 else _pad(head + tail[:-2], length)


def _fill_checks(lines: list[str], fmt: str) -> list[str]:
    rows = [list(line) for line in lines]
    for check in sorted(LAYOUTS[fmt][1], key=lambda c: c.name == "composite"):
        data = "".join("".join(rows[line][a:b]) for line, a, b in check.spans)
        rows[check.line][check.pos] = (
            "<" if check.optional and set(data) <= {"<"} else check_digit(data)
        )
    return ["".join(row) for row in rows]


def random_mrz(rng: np.random.Generator, fmt: str) -> list[str]:
    """A well-formed MRZ of `fmt` with plausible random content and correct check digits."""
    n_lines, width = SHAPES[fmt]
    doc = {"TD1": "I", "TD2": "I", "TD3": "P", "MRV-A": "V", "MRV-B": "V"}[fmt]
    doc += rng.choice(["<", "<", "<", "D", "O", "S"])
    state, nationality = rng.choice(STATES), rng.choice(STATES)
    name = rng.choice(SURNAMES) + "<<" + rng.choice(GIVEN)
    born = date(1950, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 55)))
    expires = date(2020, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 15)))
    sex = rng.choice(["M", "F", "<"], p=[0.48, 0.48, 0.04])
    number = _number(rng)
    optional = _pad("".join(rng.choice(list("0123456789ABC<<<<<<"), size=rng.integers(0, 14))), 14)
    if fmt == "TD1":
        lines = [
            _pad(doc + state + number + "0" + optional, 30),
            _pad(_date(born) + "0" + sex + _date(expires) + "0" + nationality + optional[:11], 29)
            + "0",
            _pad(name, 30),
        ]
    else:
        tail = optional if fmt == "TD3" else optional[: width - 28]
        lines = [
            _pad(doc + state + name, width),
            _pad(
                number + "0" + nationality + _date(born) + "0" + sex + _date(expires) + "0" + tail,
                width,
            ),
        ]
    return _fill_checks(lines, fmt)


def render_block(
    lines: list[str],
    pitch: float,
    *,
    line_gap: float = 1.75,
    ink: int = 20,
    font_path: Path = OCRB_PATH,
    worn: tuple[tuple[int, int, float], ...] = (),
) -> np.ndarray:
    """The MRZ lines in a monospaced font (OCR-B by default), black on white, `pitch` pixels per
    character (grey uint8). Each (line, position, fraction) of `worn` rubs out that share of the
    character's height from below, as wear or a fold does to a passport page."""
    size = max(6, round(pitch / advance(font_path)))
    f = font(size, font_path)
    width = max(len(line) for line in lines)
    w = round(width * size * advance(font_path) + 2 * pitch)
    h = round(len(lines) * pitch * line_gap + pitch)
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((pitch, pitch * 0.5 + i * pitch * line_gap), line, font=f, fill=ink)
    for i, pos, fraction in worn:
        _, top, _, bottom = f.getbbox(lines[i])
        y = pitch * 0.5 + i * pitch * line_gap
        x = pitch + pos * size * advance(font_path)
        box = (x, y + bottom - fraction * (bottom - top), x + size * advance(font_path), y + bottom)
        draw.rectangle(box, fill=255)
    return np.asarray(img)


def render_page(
    lines: list[str],
    rng: np.random.Generator,
    *,
    pitch: float = 14.0,
    rotation: int = 0,
    skew: float = 0.0,
    blur: float = 0.0,
    noise: float = 6.0,
    colour: bool = True,
    other_text: bool = True,
    font_path: Path = OCRB_PATH,
    worn: tuple[tuple[int, int, float], ...] = (),
) -> np.ndarray:
    """A document page with a photo box, printed labels, a patterned background and the MRZ at the
    bottom; then skewed by `skew` degrees, turned by `rotation` (a multiple of 90), blurred and
    noised. The MRZ is in OCR-B unless `font_path` names another monospaced font; `worn`
    characters are partly rubbed out (see `render_block`). Returns BGR uint8 (or grey when
    `colour` is false)."""
    block = render_block(lines, pitch, font_path=font_path, worn=worn)
    bh, bw = block.shape
    page_w = round(bw * 1.08)
    page_h = round(page_w * 0.7)
    yy, xx = np.mgrid[0:page_h, 0:page_w]
    # A guilloche-like pattern in pale colour, as on the data page of a passport.
    wave = 0.5 + 0.5 * np.sin(xx / (pitch * 0.9) + 3 * np.sin(yy / (pitch * 3.1)))
    tint = np.array(rng.uniform(200, 250, size=3))
    page = (
        (tint[None, None, :] - wave[..., None] * rng.uniform(10, 40, size=3))
        .astype(np.uint8)
        .copy()
    )
    cv2.rectangle(
        page,
        (round(page_w * 0.05), round(page_h * 0.12)),
        (round(page_w * 0.28), round(page_h * 0.6)),
        tuple(int(v) for v in rng.integers(60, 160, size=3)),
        -1,
    )
    if other_text:
        label = Image.fromarray(page)
        draw = ImageDraw.Draw(label)
        sans = font(max(8, round(pitch * 1.1)), SANS_PATH)
        for i, text in enumerate(
            [
                "PASSPORT / ПАСПОРТ / ШИНОСНОМА",
                "Surname / Насаб",
                "Given names / Ном",
                "Date of birth 01.02.1990",
                "Authority MVD 12345",
            ]
        ):
            draw.text(
                (page_w * 0.33, page_h * 0.08 + i * pitch * 2.3), text, font=sans, fill=(40, 40, 60)
            )
        page = np.asarray(label).copy()
    y0, x0 = page_h - bh - round(pitch * 0.5), (page_w - bw) // 2
    region = page[y0 : y0 + bh, x0 : x0 + bw].astype(np.float32)
    page[y0 : y0 + bh, x0 : x0 + bw] = (region * (block[..., None] / 255.0)).astype(np.uint8)
    # Skew on a larger canvas so that nothing is cut off.
    pad = round(page_w * 0.1)
    canvas = cv2.copyMakeBorder(
        page, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(235, 235, 235)
    )
    if skew:
        ch, cw = canvas.shape[:2]
        m = cv2.getRotationMatrix2D((cw / 2, ch / 2), skew, 1.0)
        canvas = cv2.warpAffine(canvas, m, (cw, ch), borderValue=(235, 235, 235))
    if blur:
        canvas = cv2.GaussianBlur(canvas, (0, 0), blur)
    canvas = np.clip(canvas + rng.normal(0, noise, canvas.shape), 0, 255).astype(np.uint8)
    canvas = np.ascontiguousarray(np.rot90(canvas, k=(rotation // 90) % 4))
    return canvas if colour else cv2.cvtColor(canvas, cv2.COLOR_BGR2GRAY)
