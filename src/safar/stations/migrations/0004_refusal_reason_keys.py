"""Refusals keep their reason as a key and parameters, shown in each viewer's language.

Rows stored before held only the text, in the language of the station that sent the file. Each
text is matched against every known reason in English, Russian and Tajik (the texts as they were
when this migration was written, copied here so the migration does not change with later
wording) and its key and parameters are stored; a text that matches none keeps an empty key and
is shown as stored.
"""

import re

from django.db import migrations, models

# key → the reason's text in English, Russian and Tajik, as intake sent it until now.
KNOWN_TEXTS = {
    "hash_mismatch": (
        "The file's SHA-256 does not match: it was damaged on the way or changed while it was "
        "sent.",
        "SHA-256 файла не совпадает: файл повреждён при передаче или изменился во время отправки.",
        "SHA-256-и файл мувофиқат намекунад: файл дар роҳ вайрон шуд ё ҳангоми фиристодан "
        "тағйир ёфт.",
    ),
    "empty": ("The file is empty.", "Файл пуст.", "Файл холӣ аст."),
    "too_large": (
        "The file is larger than %(mb)d MB.",
        "Файл больше %(mb)d МБ.",
        "Файл аз %(mb)d МБ калонтар аст.",
    ),
    "wrong_type": (
        "Only PNG, JPEG, TIFF and PDF files are accepted.",
        "Принимаются только файлы PNG, JPEG, TIFF и PDF.",
        "Танҳо файлҳои PNG, JPEG, TIFF ва PDF қабул карда мешаванд.",
    ),
    "unreadable": (
        "The file cannot be opened: it is damaged or not really a %(type)s.",
        "Файл не открывается: он повреждён или на самом деле не %(type)s.",
        "Файл кушода намешавад: он вайрон аст ё дар асл %(type)s нест.",
    ),
    "too_many_pages": (
        "The file has more than %(count)d pages.",
        "В файле больше %(count)d страниц.",
        "Файл зиёда аз %(count)d саҳифа дорад.",
    ),
    "page_too_large": (
        "Page %(page)d is %(width)d × %(height)d pixels, too large to read: at most %(mp)d "
        "million pixels per page (an A4 page scanned at 600 dpi has 35 million).",
        "Страница %(page)d имеет %(width)d × %(height)d пикселей — слишком много для чтения: "
        "не более %(mp)d миллионов пикселей на страницу (страница A4, отсканированная с "
        "разрешением 600 dpi, — 35 миллионов).",
        "Саҳифаи %(page)d %(width)d × %(height)d пиксел аст, барои хондан хеле калон: дар ҳар "
        "саҳифа то %(mp)d миллион пиксел (саҳифаи A4, ки бо 600 dpi скан шудааст, 35 миллион "
        "дорад).",
    ),
    "not_readable": (
        "The file is not a readable PNG, JPEG, TIFF or PDF.",
        "Файл не является читаемым PNG, JPEG, TIFF или PDF.",
        "Файл PNG, JPEG, TIFF ё PDF-и хонданашаванда аст.",
    ),
}

PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)([ds])")


def _pattern(text: str) -> re.Pattern:
    """A text with %(name)d / %(name)s placeholders as a regular expression that captures them."""

    def group(match: re.Match) -> str:
        name, kind = match.groups()
        return rf"(?P<{name}>\d+)" if kind == "d" else rf"(?P<{name}>.+?)"

    return re.compile(PLACEHOLDER.sub(group, re.escape(text)) + r"\Z")


PATTERNS = [(key, _pattern(text)) for key, texts in KNOWN_TEXTS.items() for text in texts]


def key_of(text: str) -> tuple[str, dict] | None:
    """(key, parameters) of a stored reason text, or None when it matches no known text."""
    text = text.strip()
    for key, pattern in PATTERNS:
        match = pattern.match(text)
        if match:
            params = {
                name: int(value) if value.isdigit() and name != "type" else value
                for name, value in match.groupdict().items()
            }
            return key, params
    return None


def keys_from_texts(apps, schema_editor):
    RefusedUpload = apps.get_model("stations", "RefusedUpload")
    for refusal in RefusedUpload.objects.filter(reason_key="").iterator():
        found = key_of(refusal.reason)
        if found is not None:
            refusal.reason_key, refusal.reason_params = found
            refusal.save(update_fields=["reason_key", "reason_params"])


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0003_alter_refusedupload_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="refusedupload",
            name="reason_key",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="refusedupload",
            name="reason_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        # Backwards the keys are simply dropped with their columns: the texts stay.
        migrations.RunPython(keys_from_texts, migrations.RunPython.noop),
    ]
