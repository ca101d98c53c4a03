"""The Information Directorate's stations page: who may see it and what it shows."""

from importlib import import_module
from io import BytesIO

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from safar.capture.models import Scan, Upload
from safar.core.models import Office
from safar.stations.models import RefusedUpload
from safar.stations.services import Refusal, intake_file

from .conftest import png_bytes, sha


def send(station, content, name="scan.png"):
    try:
        intake_file(
            station=station,
            name=name,
            sha256=sha(content),
            body=BytesIO(content),
            length=len(content),
        )
    except Refusal:
        pass


@pytest.fixture
def activity(du_station, su_station):
    du = du_station[0]
    send(du, png_bytes(1))
    send(du, png_bytes(2))
    upload = Upload.objects.get(sha256=sha(png_bytes(2)))
    upload.status = Upload.Status.SPLIT
    upload.save()
    Scan.objects.create(upload=upload, page=1, status=Scan.Status.NEEDS_REVIEW)
    send(du, b"GIF89a", name="photo.gif")
    return du_station, su_station


def test_analyst_sees_every_centre_with_its_stations(client, analyst, activity):
    client.force_login(analyst)
    response = client.get(reverse("stations:dashboard"))
    assert response.status_code == 200
    centres = dict(response.context["centres"])
    by_name = {s.name: s for stations in centres.values() for s in stations}
    assert set(by_name) == {"DU-1", "SU-1"}
    du = by_name["DU-1"]
    assert (du.files_today, du.pending, du.refused["today"]) == (2, 1, 1)
    assert [n for _label, n in du.pages] == [1]
    assert by_name["SU-1"].files_today == 0
    content = response.content.decode()
    assert "photo.gif" in content
    assert response.context["totals"] == {"files_today": 2, "pending": 1, "refused_today": 1}


def test_administrator_may_open_the_dashboard(client, administrator, activity):
    client.force_login(administrator)
    assert client.get(reverse("stations:dashboard")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["operator_du", "outsider"])
def test_operators_and_users_without_a_role_may_not(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("stations:dashboard")).status_code == 403


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("stations:dashboard"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_dashboard_speaks_the_chosen_language(client, analyst, activity):
    client.force_login(analyst)
    client.cookies["django_language"] = "ru"
    response = client.get(reverse("stations:dashboard"), headers={"Accept-Language": "ru"})
    assert "Пограничные станции" in response.content.decode()


def test_the_navigation_links_analysts_to_the_dashboard(client, analyst):
    client.force_login(analyst)
    links = {link["key"]: link for link in client.get("/").context["safar_nav"]}
    assert links["stations"]["url"] == reverse("stations:dashboard")


REFUSED_NAMES = {
    "en": "Only PNG, JPEG, TIFF and PDF files are accepted.",
    "ru": "Принимаются только файлы PNG, JPEG, TIFF и PDF.",
    "tg": "Танҳо файлҳои PNG, JPEG, TIFF ва PDF қабул карда мешаванд.",
}


@pytest.mark.parametrize("language", ["en", "ru", "tg"])
def test_a_refusal_sent_in_tajik_reads_in_each_viewers_language(
    client, analyst, du_station, language
):
    with translation.override("tg"):  # the station speaks Tajik: it hears the reason so
        send(du_station[0], b"GIF89a", name="photo.gif")
    refusal = RefusedUpload.objects.get()
    assert refusal.reason == REFUSED_NAMES["tg"]
    assert refusal.reason_key == "wrong_type"
    client.force_login(analyst)
    page = client.get(reverse("stations:dashboard"), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    content = page.content.decode()
    assert REFUSED_NAMES[language] in content
    others = [text for lang, text in REFUSED_NAMES.items() if lang != language]
    assert not any(text in content for text in others)


def test_a_reason_with_numbers_is_rendered_with_them_in_each_language(du_station):
    with translation.override("ru"):
        send(du_station[0], b"\x89PNG\r\n\x1a\nnot really", name="broken.png")
    refusal = RefusedUpload.objects.get()
    assert (refusal.reason_key, refusal.reason_params) == ("unreadable", {"type": "PNG"})
    with translation.override("en"):
        assert refusal.reason_text == (
            "The file cannot be opened: it is damaged or not really a PNG."
        )
    with translation.override("tg"):
        assert refusal.reason_text == "Файл кушода намешавад: он вайрон аст ё дар асл PNG нест."


def test_a_reason_known_only_as_text_is_shown_as_stored(du_station):
    refusal = RefusedUpload.objects.create(
        station=du_station[0], original_name="x.png", size=1, code="corrupt", reason="Бо сабаби"
    )
    with translation.override("en"):
        assert refusal.reason_text == "Бо сабаби"


STORED_BEFORE = [
    ("Файл аз 50 МБ калонтар аст.", ("too_large", {"mb": 50})),
    ("Файл больше 50 МБ.", ("too_large", {"mb": 50})),
    ("The file is empty.", ("empty", {})),
    (
        "Саҳифаи 2 12000 × 9000 пиксел аст, барои хондан хеле калон: дар ҳар саҳифа то 60 "
        "миллион пиксел (саҳифаи A4, ки бо 600 dpi скан шудааст, 35 миллион дорад).",
        ("page_too_large", {"page": 2, "width": 12000, "height": 9000, "mp": 60}),
    ),
    (
        "Файл не открывается: он повреждён или на самом деле не TIFF.",
        ("unreadable", {"type": "TIFF"}),
    ),
    ("В файле больше 200 страниц.", ("too_many_pages", {"count": 200})),
    ("Something a later rule said", None),
]


@pytest.mark.parametrize(("text", "expected"), STORED_BEFORE)
def test_the_migration_finds_the_key_of_a_text_stored_in_any_language(text, expected):
    migration = import_module("safar.stations.migrations.0004_refusal_reason_keys")
    assert migration.key_of(text) == expected


def test_the_migration_maps_known_texts_to_keys_and_keeps_unknown_ones(transactional_db):
    executor = MigrationExecutor(connection)
    before = [("stations", "0003_alter_refusedupload_code")]
    latest = executor.loader.graph.leaf_nodes("stations")
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    station = apps.get_model("stations", "Station").objects.create(
        name="OLD-1", centre_id=Office.objects.filter(kind="border_centre").first().pk
    )
    old = apps.get_model("stations", "RefusedUpload")
    for n, (text, _expected) in enumerate(STORED_BEFORE):
        old.objects.create(
            station=station, original_name=f"{n}.png", size=1, code="corrupt", reason=text
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)
    for n, (text, expected) in enumerate(STORED_BEFORE):
        refusal = RefusedUpload.objects.get(original_name=f"{n}.png")
        assert refusal.reason == text
        if expected is None:
            assert refusal.reason_key == ""
            assert refusal.reason_text == text
        else:
            assert (refusal.reason_key, refusal.reason_params) == expected
    with translation.override("en"):
        assert RefusedUpload.objects.get(original_name="0.png").reason_text == (
            "The file is larger than 50 MB."
        )
