"""Why a page was refused, in the viewer's language: every refusal the reader can raise has a
key, and every key a text in English, Tajik and Russian; old English texts are mapped to keys."""

import ast
import datetime
import importlib
import re
import string
from pathlib import Path

import numpy as np
import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from safar.capture.models import Scan, Upload
from safar.capture.problems import PROBLEMS, problem_text
from safar.capture.reader import reading_from_result
from safar.reading._align import NotAligned
from safar.reading.limits import PageSize, PageTooLarge, UnreadableImage, check_size
from safar.reading.refusals import REFUSALS, Refusal

from .world import make_scan

READING = Path(importlib.import_module("safar.reading").__file__).parent
MIGRATION = importlib.import_module("safar.capture.migrations.0010_problem_keys")

# A value for every parameter a text may name.
SAMPLE = {
    "mark": 4,
    "mm": 1.6,
    "tolerance": 1.0,
    "ppm": 2.3,
    "need": 4.0,
    "page": 2,
    "width": 60000,
    "height": 60000,
    "mp": 40,
    "count": 3,
    "error": "OSError",
    "path": "card.png",
    "extension": ".gif",
}


def english_names(key: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(REFUSALS[key]) if name}


def msgid_names(key: str) -> set[str]:
    with translation.override("en"):
        return set(re.findall(r"%\((\w+)\)", str(PROBLEMS[key])))


def refusal_raises():
    """(file, line, first argument node, keyword names) of every `raise X(...)` in the reading
    package where X is a Refusal (NotAligned, UnreadableImage, PageTooLarge, PhotoRefused …)."""
    for path in sorted(READING.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        raises = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
        ]
        if not raises:
            continue
        name = ".".join(path.relative_to(READING.parent.parent).with_suffix("").parts)
        module = importlib.import_module(name)
        for node in raises:
            func = node.exc.func
            cls = getattr(module, func.id, None) if isinstance(func, ast.Name) else None
            if isinstance(cls, type) and issubclass(cls, Refusal):
                first = node.exc.args[0] if node.exc.args else None
                # None when the numbers are passed as **params (checked where they are made).
                names = [k.arg for k in node.exc.keywords if k.arg != "size"]
                keywords = None if None in names else set(names)
                yield module, f"{path.name}:{node.lineno}", first, keywords


def keys_of(module, node) -> list[str]:
    """The refusal keys an argument can be: a string, a module constant, or `a if … else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and isinstance(getattr(module, node.id, None), str):
        return [getattr(module, node.id)]
    if isinstance(node, ast.IfExp):
        return keys_of(module, node.body) + keys_of(module, node.orelse)
    return [f"<not a key: {ast.dump(node) if node else 'no argument'}>"]


def test_every_refusal_the_reader_raises_is_a_key_with_its_numbers():
    found, wrong = set(), []
    for module, where, first, keywords in refusal_raises():
        for key in keys_of(module, first):
            if key not in REFUSALS:
                wrong.append(f"{where}: {key}")
            elif keywords is not None and keywords != english_names(key):
                wrong.append(f"{where}: {key} given {sorted(keywords)}")
            found.add(key)
    assert wrong == []
    # The scan sees the reader's refusals (it would pass vacuously otherwise) …
    assert {"residual", "marks_not_found", "not_an_image", "page_too_large", "blurred"} <= found
    # … and every key is raised somewhere (a key nothing raises is a leftover).
    assert set(REFUSALS) == found


@pytest.mark.parametrize("key", sorted(REFUSALS))
def test_every_reader_refusal_has_a_text_with_the_same_numbers(key):
    assert key in PROBLEMS, f"{key}: no text in capture.problems.PROBLEMS"
    assert msgid_names(key) == english_names(key)


@pytest.mark.parametrize("language", ["tg", "ru"])
@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_every_problem_is_translated(key, language):
    params = {name: SAMPLE[name] for name in msgid_names(key)}
    with translation.override("en"):
        english = problem_text(key, params)
    with translation.override(language):
        text = problem_text(key, params)
    assert text != english, f"{key}: no {language} translation"
    assert "%(" not in text and "the " not in text


def test_numbers_and_mark_names_are_said_in_the_viewers_language():
    params = {"mark": 0, "mm": 1.6, "tolerance": 1.0}
    with translation.override("ru"):
        assert problem_text("residual", params) == (
            "Метки не совпадают с картой: левая верхняя метка на 1,6 мм от своего места "
            "(допустимо не более 1 мм)."
        )
    with translation.override("tg"):
        assert "нишонаи иловагии 2" in problem_text("mark_missing", {"mark": 5})
    with translation.override("en"):
        assert problem_text("mark_missing", {"mark": 5}).startswith("The extra mark 2 is not")
    # A key not known (a text stored before keys were) shows the stored text.
    assert problem_text("", {}, "some old note") == "some old note"


def test_the_exception_keeps_an_english_sentence_for_logs():
    exc = NotAligned("residual", mark=4, mm=1.6, tolerance=1.0)
    assert (exc.key, exc.params) == ("residual", {"mark": 4, "mm": 1.6, "tolerance": 1.0})
    assert str(exc) == (
        "the marks do not line up with the template: the extra mark 1 is 1.6 mm from its place"
        " (at most 1 mm)"
    )
    with pytest.raises(PageTooLarge) as raised:
        check_size(PageSize(3, 60000, 60000))
    assert raised.value.key == "page_too_large" and raised.value.size.number == 3
    assert raised.value.params == {"page": 3, "width": 60000, "height": 60000, "mp": 40}
    assert "page 3 is 60000 × 60000 pixels" in str(raised.value)
    # A sentence that is not a key is kept as it is, with no key.
    other = UnreadableImage("something else went wrong")
    assert (other.key, str(other)) == ("", "something else went wrong")


@pytest.mark.django_db
def test_a_refused_page_is_stored_as_its_key_and_shown_in_tajik_and_russian(
    client, operator_du, centre_du
):
    from safar.capture.reader import card_template
    from safar.reading.card import read_card

    blank = np.full((800, 1100), 255, np.uint8)
    result = read_card(blank, card_template(), today=datetime.date(2026, 12, 1))
    assert not result.aligned and result.problem_key in REFUSALS
    scan = make_scan(centre_du, aligned=False, doubtful=(), reason=Scan.ReviewReason.NOT_ALIGNED)
    scan.reading = reading_from_result(scan, result)
    scan.save()
    scan.refresh_from_db()
    assert scan.reading["problem_key"] == result.problem_key
    client.force_login(operator_du)
    url = reverse("capture:review", args=[scan.pk])
    for language in ("tg", "ru", "en"):
        with translation.override(language):
            expected = problem_text(result.problem_key, result.problem_params)
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert expected in page, language
    assert result.problem not in client.get(url, HTTP_ACCEPT_LANGUAGE="tg").content.decode()


@pytest.mark.django_db
def test_a_file_that_cannot_be_opened_is_shown_in_the_viewers_language(centre_du):
    from safar.capture import services

    scan = make_scan(centre_du)
    upload = scan.upload
    scan.delete()
    try:
        check_size(PageSize(1, 60000, 60000))
    except PageTooLarge as exc:
        refused = services.record_unreadable_upload(
            upload=upload, problem=str(exc), key=exc.key, params=exc.params
        )
    upload.refresh_from_db()
    assert upload.error_key == refused.problem_key == "page_too_large"
    with translation.override("ru"):
        assert refused.problem_text.startswith("Страница 1 имеет 60000 × 60000 пикселей")
        assert upload.error_text == refused.problem_text
    with translation.override("tg"):
        assert refused.problem_text.startswith("Саҳифаи 1 60000 × 60000 пиксел аст")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "the marks do not line up with the template: the bottom-left mark is 1.6 mm from"
            " its place (at most 1 mm)",
            ("residual", {"mark": 3, "mm": 1.6, "tolerance": 1.0}),
        ),
        (
            "the extra mark 2 is not where the template has it once the page is aligned",
            ("mark_missing", {"mark": 5}),
        ),
        (
            "the page is too small in the photo (2.6 px per mm, at least 4): come closer",
            ("too_small", {"ppm": 2.6, "need": 4.0}),
        ),
        (
            "page 2 is 70000 × 60000 pixels; at most 40 million pixels per page are read",
            ("page_too_large", {"page": 2, "width": 70000, "height": 60000, "mp": 40}),
        ),
        ("more than 500 pages", ("too_many_pages", {"count": 500})),
        ("the PDF has no pages", ("no_pages", {})),
        ("page could not be decoded (OSError)", ("page_undecodable", {"error": "OSError"})),
        ("the worker stopped while reading it 3 times", ("read_stopped", {"count": 3})),
        ("the photo is too blurred: hold the phone still and let it focus", ("blurred", {})),
        ("refused: surname, sex", None),
        ("something nobody wrote before", None),
    ],
)
def test_the_migration_maps_old_english_texts_to_keys(text, found):
    assert MIGRATION.key_of(text) == found
    if found is not None:
        key, params = found
        with translation.override("en"):
            assert problem_text(key, params)  # every key the migration gives is shown


@pytest.mark.django_db
def test_the_migration_fills_the_keys_of_rows_stored_before(centre_du):
    scan = make_scan(centre_du, aligned=False, reason=Scan.ReviewReason.NOT_ALIGNED)
    old = "the corner marks were not found where the template has them"
    Scan.objects.filter(pk=scan.pk).update(
        problem="the worker stopped while reading it 2 times",
        reading={**scan.reading, "problem": old},
    )
    other = make_scan(centre_du)
    Scan.objects.filter(pk=other.pk).update(problem="a note nobody can match")
    Upload.objects.filter(pk=scan.upload_id).update(error="not a readable PDF (PdfiumError)")
    MIGRATION.keys_from_texts(apps, None)
    scan.refresh_from_db()
    other.refresh_from_db()
    assert (scan.problem_key, scan.problem_params) == ("read_stopped", {"count": 2})
    assert scan.reading["problem_key"] == "marks_not_found"
    assert (other.problem_key, other.problem_text) == ("", "a note nobody can match")
    upload = Upload.objects.get(pk=scan.upload_id)
    assert (upload.error_key, upload.error_params) == ("not_a_pdf", {"error": "PdfiumError"})
    with translation.override("tg"):
        assert scan.reading_problem == "Нишонаҳои кунҷӣ дар ҷое, ки дар корт ҳастанд, ёфт нашуданд."
