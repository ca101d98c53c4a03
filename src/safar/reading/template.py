"""Card templates: the layout of a form as data (page, fiducial marks, fields, rules).

A template is a JSON file (format in docs/card.md). The printable blank (render.py), the synthetic
scans (synth.py) and the reader (card.py) all work from the same `Template` object, so a layout
change is one edit. All geometry is in millimetres from the page's top-left corner.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

FORMS_DIR = Path(__file__).resolve().parent / "forms"
LANGUAGES = ("tg", "ru", "en")
FIELD_KINDS = ("checkboxes", "characters", "serial")
CHARSETS = ("digits", "latin", "names", "alnum")
FORMATS = ("text", "date", "code")
LAYOUTS = ("card", "sheet")  # how render.py draws the blank: Safar's card, or an answer sheet
RULE_KINDS = ("required_if", "empty_unless", "before", "not_after_today", "lookup")
# Fiducial marks: solid squares, L-shaped corner lines (queXF), circle outlines, bullseyes (a ring
# round a dot), 2 mm squares, or none at all (`edges`: the paper's own corners, in photos).
MARK_KINDS = ("square", "corner", "ring", "bullseye", "small_square", "edges")
ORIENTATIONS = ("mark", "barcode", "text", "none")
MARK_NAMES = ("top-left", "top-right", "bottom-right", "bottom-left")
MARKS = ("cross", "fill")  # what marks a checkbox: a cross/tick (filling cancels), or filling it
CHOOSE = ("one", "at_most_one", "any")  # how many options of a group may be marked
SHAPES = ("square", "circle")  # the box printed: a square, or a circle (bubble) inside [x, y, w, h]
BLANK_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


class TemplateError(ValueError):
    """The template file is not valid; the message names the file and the field."""


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def union(self, other: Rect) -> Rect:
        x0, y0 = min(self.x, other.x), min(self.y, other.y)
        x1 = max(self.x + self.w, other.x + other.w)
        y1 = max(self.y + self.h, other.y + other.h)
        return Rect(x0, y0, x1 - x0, y1 - y0)


@dataclass(frozen=True)
class Option:
    """One checkbox of a group: the value it stands for, or the field that holds the value."""

    value: str | None
    box: Rect
    label: dict[str, str]
    other: str | None = None  # name of the character field that gives the value ("other: ___")
    print: str | None = None  # text printed inside the box on the blank ("A"): not a mark


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    target: str | None
    label: dict[str, str]
    required: bool = False
    options: tuple[Option, ...] = ()
    boxes: tuple[Rect, ...] = ()
    charset: str = "digits"
    first_charset: str | None = None  # the first boxes may differ (passport "A1234567")
    first_count: int = 1
    format: str = "text"
    pattern: str | None = None
    codes: str | tuple[str, ...] | None = None
    barcode: Rect | None = None
    mark: str = "cross"  # checkboxes: "cross" (a cross marks, filling cancels) or "fill"
    choose: str = "at_most_one"  # checkboxes: "one", "at_most_one" or "any" (a list of values)
    shape: str = "square"  # checkboxes: "square" or "circle"
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def region(self) -> Rect:
        """The area that holds the field, for the crop shown to operators."""
        rects = [o.box for o in self.options] + list(self.boxes)
        if self.barcode is not None:
            rects.append(self.barcode)
        out = rects[0]
        for r in rects[1:]:
            out = out.union(r)
        return out


@dataclass(frozen=True)
class Fiducial:
    x: float
    y: float
    size: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.size / 2, self.y + self.size / 2)


@dataclass(frozen=True)
class Template:
    name: str
    width: float
    height: float
    fiducial_kind: str  # one of MARK_KINDS
    fiducials: tuple[Fiducial, ...]  # top-left, top-right, bottom-right, bottom-left, extra marks
    fields: tuple[Field, ...]
    rules: tuple[dict, ...] = ()
    title: dict[str, str] = field(default_factory=dict)
    texts: tuple[dict, ...] = ()  # printed-only text (labels, notes), for the renderer
    confident: float = 0.9  # field confidence at or above which a value needs no operator
    source: str = ""
    layout: str = "card"  # "sheet": drawn as an answer sheet (render_sheet.py)
    odd: int | None = None  # the one mark that differs (bigger, or a bullseye among rings)
    orientation: str = "mark"  # what tells which way up the page is: one of ORIENTATIONS
    tolerance: float = 1.0  # mm: the largest alignment residual allowed at any mark

    # The blank form's scan (absolute path) the reader judges ink against; None: rendered from
    # the template. `blank_page`: which page of a multi-page PDF/TIFF (1 = the first).
    blank: str | None = None
    blank_page: int = 1

    def mark_shape(self, index: int) -> str:
        """How mark `index` looks: "solid" (square), "ring", "bullseye" or "corner"."""
        kind = self.fiducial_kind
        if kind in ("square", "small_square"):
            return "solid"
        if kind == "ring":
            odd = self.odd
            same_size = odd is not None and all(
                m.size == self.fiducials[odd].size for m in self.fiducials
            )
            return "bullseye" if index == odd and same_size else "ring"
        return kind

    def mark_name(self, index: int) -> str:
        """ "the top-left mark", …, "the extra mark 1": for messages to operators."""
        from .refusals import mark_name

        return mark_name(index)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def load_template(name_or_path: str | Path) -> Template:
    """Load a template by name (a file under reading/forms/) or by path to a JSON file."""
    path = Path(name_or_path)
    if path.suffix != ".json":
        path = FORMS_DIR / f"{name_or_path}.json"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in FORMS_DIR.glob("*.json")))
        raise TemplateError(f"{path}: no such template (known: {known})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TemplateError(f"{path}: line {exc.lineno}: {exc.msg}") from exc
    return parse_template(data, source=str(path))


def parse_template(data: dict, *, source: str = "<template>") -> Template:
    """Build and check a Template from its JSON structure; raises TemplateError naming the field."""

    def fail(where: str, msg: str):
        raise TemplateError(f"{source}: {where}: {msg}")

    if not isinstance(data, dict):
        fail("top level", "expected a JSON object")
    try:
        page = data["page"]
        width, height = float(page["width"]), float(page["height"])
    except (KeyError, TypeError, ValueError):
        fail("page", "needs numeric width and height in mm")
    fid = data.get("fiducials") or {}
    kind = fid.get("kind", "square")
    if kind not in MARK_KINDS:
        fail("fiducials", f"kind must be one of {', '.join(MARK_KINDS)}, not {kind!r}")
    marks = fid.get("marks") or []
    if kind == "edges":
        if marks:
            fail("fiducials", "kind 'edges' has no marks: the page's own corners are used")
    elif len(marks) < 4 or (kind == "corner" and len(marks) != 4):
        fail(
            "fiducials",
            "needs 4 marks (top-left, top-right, bottom-right, bottom-left)"
            + ("" if kind == "corner" else ", then any extra marks"),
        )
    try:
        fiducials = tuple(Fiducial(float(m["x"]), float(m["y"]), float(m["size"])) for m in marks)
    except (KeyError, TypeError, ValueError):
        fail("fiducials", "every mark needs numeric x, y and size in mm")
    if any(m.size <= 0 for m in fiducials):
        fail("fiducials", "a mark's size must be positive")
    odd = fid.get("odd")
    if odd is not None and (
        not isinstance(odd, int) or isinstance(odd, bool) or not 0 <= odd < len(fiducials)
    ):
        fail("fiducials", f"odd must be the index of one of the {len(fiducials)} marks")
    default_orientation = "mark" if kind == "square" or odd is not None else "none"
    orientation = fid.get("orientation", default_orientation)
    if orientation not in ORIENTATIONS:
        fail("fiducials", f"orientation must be one of {', '.join(ORIENTATIONS)}")
    if orientation == "mark" and len({m.size for m in fiducials}) < 2 and kind != "ring":
        fail("fiducials", "orientation 'mark' needs one mark that differs: a bigger one ('odd')")
    if orientation == "mark" and kind in ("corner", "edges"):
        fail("fiducials", f"kind {kind!r} has no odd mark: use orientation 'none' or 'barcode'")
    if orientation == "mark" and kind == "ring" and odd is None:
        fail("fiducials", "orientation 'mark' needs 'odd': the bullseye among the rings")
    try:
        tolerance = float(fid.get("tolerance", 1.0))
    except (TypeError, ValueError):
        tolerance = -1.0
    if not tolerance > 0:
        fail("fiducials", "tolerance must be a positive number of millimetres")
    layout = data.get("layout", "card")
    if layout not in LAYOUTS:
        fail("layout", f"must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    fields, seen = [], set()
    for i, raw in enumerate(data.get("fields") or []):
        where = f"field {raw.get('name', '#' + str(i))!r}"
        f = _parse_field(raw, lambda msg, where=where: fail(where, msg))
        if f.name in seen:
            fail(where, "the name is used twice")
        seen.add(f.name)
        for rect in [o.box for o in f.options] + list(f.boxes):
            if rect.x < 0 or rect.y < 0 or rect.x + rect.w > width or rect.y + rect.h > height:
                fail(where, "a box lies outside the page")
        fields.append(f)
    if not fields:
        fail("fields", "the template has no fields")
    if orientation == "barcode" and not any(f.barcode is not None for f in fields):
        fail("fiducials", "orientation 'barcode' needs a serial field with a barcode")
    for f in fields:
        for o in f.options:
            if o.other is not None and o.other not in seen:
                fail(f"field {f.name!r}", f"option 'other' names unknown field {o.other!r}")
    blank, blank_page = _blank(data, source, fail)
    rules = tuple(data.get("rules") or [])
    for rule in rules:
        if rule.get("kind") not in RULE_KINDS:
            fail("rules", f"unknown rule kind {rule.get('kind')!r}; known: {', '.join(RULE_KINDS)}")
        for key in ("field", "other"):
            if key in rule and rule[key] not in seen:
                fail("rules", f"rule {rule['kind']!r} names unknown field {rule[key]!r}")
        when = rule.get("when")
        if when and when.get("field") not in seen:
            fail("rules", f"rule {rule['kind']!r} names unknown field {when.get('field')!r}")
    return Template(
        name=str(data.get("name") or Path(source).stem),
        width=width,
        height=height,
        fiducial_kind=kind,
        fiducials=fiducials,
        fields=tuple(fields),
        rules=rules,
        title=dict(data.get("title") or {}),
        texts=tuple(data.get("texts") or ()),
        confident=float(data.get("confident", 0.9)),
        source=source,
        layout=layout,
        odd=odd,
        orientation=orientation,
        tolerance=tolerance,
        blank=blank,
        blank_page=blank_page,
    )


def _blank(data: dict, source: str, fail) -> tuple[str | None, int]:
    """The blank scan's absolute path (relative paths are from the template file) and page."""
    raw, page = data.get("blank"), data.get("blank_page", 1)
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        fail("blank_page", f"must be a page number from 1, not {page!r}")
    if raw is None:
        return None, 1
    if not isinstance(raw, str) or not raw.strip():
        fail("blank", f"must be the path of the blank form's scan (PDF or image), not {raw!r}")
    path = Path(raw)
    if not path.is_absolute():
        path = Path(source).resolve().parent / path
    if path.suffix.lower() not in BLANK_SUFFIXES:
        fail("blank", f"{raw!r} is not a PDF, PNG, JPEG or TIFF file")
    if not path.is_file():
        fail("blank", f"no such file {str(path)!r}")
    return str(path), page


def _rect(raw, fail) -> Rect:
    try:
        if isinstance(raw, dict):
            return Rect(float(raw["x"]), float(raw["y"]), float(raw["w"]), float(raw["h"]))
        x, y, w, h = (float(v) for v in raw)
        return Rect(x, y, w, h)
    except (KeyError, TypeError, ValueError):
        fail(f"bad box {raw!r}: expected [x, y, w, h] or {{x, y, w, h}} in mm")


def _row_of_boxes(spec: dict, fail) -> tuple[Rect, ...]:
    """Boxes of a row from {x, y, w, h, count, pitch, groups, gap} (groups: sizes, e.g. [2,2,4])."""
    try:
        x, y, w, h = (float(spec[k]) for k in ("x", "y", "w", "h"))
        count = int(spec["count"])
    except (KeyError, TypeError, ValueError):
        fail("a row of boxes needs x, y, w, h and count")
    pitch = float(spec.get("pitch", w))
    groups = spec.get("groups") or [count]
    if sum(groups) != count:
        fail(f"groups {groups} do not add up to count {count}")
    gap = float(spec.get("gap", 0))
    out, cursor = [], x
    for size in groups:
        for _ in range(size):
            out.append(Rect(cursor, y, w, h))
            cursor += pitch
        cursor += gap
    return tuple(out)


def _one_of(raw: dict, key: str, known: tuple[str, ...], default: str, fail) -> str:
    value = raw.get(key, default)
    if value not in known:
        fail(f"{key} must be one of {', '.join(known)}, not {value!r}")
    return value


def _checkbox_field(raw: dict, common: dict, fail) -> Field:
    options = []
    for i, o in enumerate(raw.get("options") or []):
        if not isinstance(o, dict):
            fail(f"option {i + 1}: expected an object with a value and a box")
        olabel = o.get("label") or {}
        if isinstance(olabel, str):
            olabel = dict.fromkeys(LANGUAGES, olabel)
        if o.get("value") is None and not o.get("other"):
            fail("an option needs a value or 'other' (the field that holds the value)")
        printed = o.get("print")
        if printed is not None and (not isinstance(printed, str) or not printed.strip()):
            fail(f"option {i + 1}: print must be the text printed in the box, not {printed!r}")
        options.append(
            Option(
                value=o.get("value"),
                box=_rect(o.get("box"), fail),
                label=olabel,
                other=o.get("other"),
                print=printed,
            )
        )
    if len(options) < 1:
        fail("a checkbox group needs options")
    mark = _one_of(raw, "mark", MARKS, "cross", fail)
    choose = _one_of(raw, "choose", CHOOSE, "one" if common["required"] else "at_most_one", fail)
    shape = _one_of(raw, "shape", SHAPES, "square", fail)
    if choose == "any" and any(o.other for o in options):
        fail("an 'other' option needs choose 'one' or 'at_most_one' (its code fills one value)")
    values = [o.value for o in options if o.value is not None]
    if len(set(values)) != len(values):
        fail("two options have the same value")
    return Field(
        options=tuple(options),
        codes=raw.get("codes"),
        mark=mark,
        choose=choose,
        shape=shape,
        **common,
    )


def _parse_field(raw: dict, fail) -> Field:
    name = raw.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        fail("needs a name of lower-case letters, digits and _")
    kind = raw.get("kind")
    if kind not in FIELD_KINDS:
        fail(f"kind must be one of {', '.join(FIELD_KINDS)}, not {kind!r}")
    label = dict(raw.get("label") or {})
    missing = [lang for lang in LANGUAGES if not label.get(lang)]
    if missing:
        fail(f"label lacks the languages {', '.join(missing)}")
    common = dict(
        name=name,
        kind=kind,
        target=raw.get("target"),
        label=label,
        required=bool(raw.get("required", False)),
        extra=dict(raw.get("extra") or {}),
    )
    if kind == "checkboxes":
        return _checkbox_field(raw, common, fail)
    if kind == "characters":
        if "boxes" in raw:
            boxes = tuple(_rect(b, fail) for b in raw["boxes"])
        else:
            boxes = _row_of_boxes(raw.get("row") or {}, fail)
        charset = raw.get("charset", "digits")
        first = raw.get("first_charset")
        for cs in (charset, first):
            if cs is not None and cs not in CHARSETS:
                fail(f"charset must be one of {', '.join(CHARSETS)}, not {cs!r}")
        fmt = raw.get("format", "text")
        if fmt not in FORMATS:
            fail(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        if fmt == "date" and len(boxes) != 8:
            fail("a date needs 8 boxes (DDMMYYYY)")
        pattern = raw.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                fail(f"bad pattern: {exc}")
        codes = raw.get("codes")
        return Field(
            boxes=boxes,
            charset=charset,
            first_charset=first,
            format=fmt,
            first_count=int(raw.get("first_count", 1)),
            pattern=pattern,
            codes=tuple(codes) if isinstance(codes, list) else codes,
            **common,
        )
    # serial: pre-printed text in fixed boxes and a Code 128 barcode with the same value
    text = raw.get("text")
    boxes = _row_of_boxes(text, fail) if text else ()
    return Field(
        boxes=boxes,
        barcode=_rect(raw.get("barcode"), fail),
        charset=raw.get("charset", "alnum"),
        first_charset=raw.get("first_charset"),
        first_count=int(raw.get("first_count", 1)),
        pattern=raw.get("pattern"),
        **common,
    )
