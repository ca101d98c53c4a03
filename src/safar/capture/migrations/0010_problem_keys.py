"""Problems are kept as a key and parameters (capture.problems), shown in each viewer's language.

Rows stored before held only the English text: Scan.problem, Upload.error and the reader's
`problem` in Scan.reading. Each text is matched against the texts the reader and the capture
pipeline wrote until now (copied here, so the migration does not change with later wording) and
its key and parameters are stored beside it; a text that matches none keeps an empty key and is
shown as stored.
"""

import re

from django.db import migrations, models

NUMBER = r"\d+(?:\.\d+)?"
MARK = r"the (?:top-left|top-right|bottom-right|bottom-left) mark|the extra mark \d+"
MARK_NAMES = ("top-left", "top-right", "bottom-right", "bottom-left")

# (key, the English text as a regular expression, its groups' types), in the order tried.
KNOWN_TEXTS = [
    ("not_an_image", r"not a readable PNG, JPEG, TIFF or PDF", {}),
    ("not_a_jpeg", r"not a readable JPEG", {}),
    ("not_a_pdf", r"not a readable PDF \((?P<error>\w+)\)", {}),
    ("not_a_pdf", r"not a readable PDF: (?P<error>.+)", {}),
    ("bad_header", r"the image header cannot be read \((?P<error>\w+)\)", {}),
    ("bad_page_header", r"page (?P<page>\d+) header cannot be read \((?P<error>\w+)\)", {}),
    ("no_pages", r"the file has no pages|the PDF has no pages", {}),
    ("page_no_size", r"page (?P<page>\d+) has no size", {}),
    ("too_many_pages", r"more than (?P<count>\d+) pages", {}),
    (
        "page_too_large",
        r"page (?P<page>\d+) is (?P<width>\d+) × (?P<height>\d+) pixels; at most (?P<mp>\d+)"
        r" million pixels per page are read",
        {},
    ),
    ("image_too_small", r"the image is too small to be a scanned page", {}),
    (
        "edges_not_found",
        r"the page's edges were not found: the page must stand out from around it",
        {},
    ),
    ("marks_not_found", r"the corner marks were not found where the template has them", {}),
    ("marks_misfit", r"the marks do not fit the template's layout", {}),
    ("marks_off", r"the corner marks do not line up with the template", {}),
    (
        "mark_missing",
        rf"(?P<mark>{MARK}) is not where the template has it once the page is aligned",
        {},
    ),
    (
        "residual",
        rf"the marks do not line up with the template: (?P<mark>{MARK}) is (?P<mm>{NUMBER}) mm"
        rf" from its place \(at most (?P<tolerance>{NUMBER}) mm\)",
        {"mm": float, "tolerance": float},
    ),
    (
        "barcode_unread",
        r"which way up the page is could not be told: the barcode was not read",
        {},
    ),
    (
        "text_no_orientation",
        r"which way up the page is could not be told from the printed text",
        {},
    ),
    ("text_misfit", r"the printed text says the page is turned a way its marks do not fit", {}),
    (
        "no_page",
        r"no page found in the photo: photograph the whole card on a dark, plain surface",
        {},
    ),
    (
        "cut_off",
        r"part of the page is outside the photo: the whole card must be in the picture",
        {},
    ),
    (
        "too_small",
        rf"the page is too small in the photo \((?P<ppm>{NUMBER}) px per mm, at least"
        rf" (?P<need>{NUMBER})\): come closer",
        {"ppm": float, "need": float},
    ),
    ("blurred", r"the photo is too blurred: hold the phone still and let it focus", {}),
    ("too_dark", r"the page is in shadow or too dark: photograph it in even light", {}),
    # The capture pipeline's own
    ("unsupported_type", r"unsupported file type (?P<extension>\.?\w*)", {}),
    ("not_a_tiff", r"not a readable TIFF \((?P<error>\w+)\)", {}),
    ("page_undecodable", r"page could not be decoded \((?P<error>\w+)\)", {}),
    ("page_undecodable", r"the page image could not be decoded \((?P<error>\w+)\)", {}),
    ("page_unrendered", r"page could not be rendered \((?P<error>\w+)\)", {}),
    ("no_image", r"no page image", {}),
    ("reader_failed", r"the reader failed \((?P<error>\w+)\)", {}),
    ("split_stopped", r"the worker stopped while splitting it (?P<count>\d+) times", {}),
    ("split_failed", r"the file could not be split \((?P<error>\w+)\)", {}),
    ("read_stopped", r"the worker stopped while reading it (?P<count>\d+) times", {}),
    ("read_failed", r"the page could not be read \((?P<error>\w+)\)", {}),
    ("route_failed", r"the page could not be routed \((?P<error>\w+)\)", {}),
]

PATTERNS = [(key, re.compile(text + r"\Z"), types) for key, text, types in KNOWN_TEXTS]
NUMERIC = {"page", "width", "height", "mp", "count"}


def _mark_index(name: str) -> int:
    extra = re.fullmatch(r"the extra mark (\d+)", name)
    if extra:
        return int(extra.group(1)) + 3
    return MARK_NAMES.index(name.removeprefix("the ").removesuffix(" mark"))


def key_of(text: str) -> tuple[str, dict] | None:
    """(key, parameters) of a stored English text, or None when it matches no known text."""
    text = (text or "").strip()
    for key, pattern, types in PATTERNS:
        match = pattern.match(text)
        if match:
            params: dict[str, object] = {}
            for name, value in match.groupdict().items():
                if name == "mark":
                    params[name] = _mark_index(value)
                elif name in types:
                    params[name] = types[name](value)
                elif name in NUMERIC:
                    params[name] = int(value)
                else:
                    params[name] = value
            return key, params
    return None


def keys_from_texts(apps, schema_editor):
    Scan = apps.get_model("capture", "Scan")
    Upload = apps.get_model("capture", "Upload")
    for upload in Upload.objects.filter(error_key="").exclude(error="").iterator():
        found = key_of(upload.error)
        if found is not None:
            upload.error_key, upload.error_params = found
            upload.save(update_fields=["error_key", "error_params"])
    for scan in Scan.objects.only("pk", "problem", "problem_key", "reading").iterator():
        fields = []
        if scan.problem and not scan.problem_key:
            found = key_of(scan.problem)
            if found is not None:
                scan.problem_key, scan.problem_params = found
                fields += ["problem_key", "problem_params"]
        reading = scan.reading if isinstance(scan.reading, dict) else {}
        if reading.get("problem") and not reading.get("problem_key"):
            found = key_of(reading["problem"])
            if found is not None:
                reading["problem_key"], reading["problem_params"] = found
                scan.reading = reading
                fields.append("reading")
        if fields:
            scan.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("capture", "0009_scan_hand_over"),
    ]

    operations = [
        migrations.AddField(
            model_name="scan",
            name="problem_key",
            field=models.CharField(blank=True, max_length=24),
        ),
        migrations.AddField(
            model_name="scan",
            name="problem_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="upload",
            name="error_key",
            field=models.CharField(blank=True, max_length=24),
        ),
        migrations.AddField(
            model_name="upload",
            name="error_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        # Backwards the keys are simply dropped with their columns (the reading's keys stay,
        # unused): the texts stay.
        migrations.RunPython(keys_from_texts, migrations.RunPython.noop),
    ]
