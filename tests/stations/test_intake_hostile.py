"""Intake against hostile files: pages too large to decode are refused from the header with a
reason of their own, nothing is decoded whole in the request, a file held by another centre is
neither used nor revealed, and control characters never reach a stored or refused name."""

import io
import time

import pytest
from django.urls import reverse
from PIL import Image

from safar.capture.models import Scan, Upload
from safar.stations.models import RefusedUpload
from safar.stations.stats import intake_stats
from tests.hostile import jpeg_bomb, pdf_bomb, png_bomb, tiff_bomb

from .conftest import png_bytes, sha
from .test_intake_api import post_file

BOMBS = {
    "bomb.pdf": pdf_bomb,
    "bomb.png": png_bomb,
    "bomb.tif": tiff_bomb,
    "bomb.jpg": jpeg_bomb,
}


@pytest.mark.parametrize("name", BOMBS)
def test_a_file_declaring_a_page_too_large_to_decode_is_refused_at_once_with_its_own_code(
    client, du_station, name
):
    content = BOMBS[name]()
    started = time.perf_counter()
    response = post_file(client, du_station[1], content, name=name)
    assert time.perf_counter() - started < 5.0  # the request, on a loaded machine
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "too_many_pixels" and body["refused"] is True
    assert " × " in body["error"]["message"]  # the page size, in the station's language
    assert not Upload.objects.exists()
    refusal = RefusedUpload.objects.get()
    assert (refusal.code, refusal.original_name, refusal.size) == (
        "too_many_pixels",
        name,
        len(content),
    )


def image_bytes(format: str, *, pages: int = 1, side: int = 200, **options) -> bytes:
    mode = "1" if options.get("compression") == "group4" else "L"
    frames = [Image.new(mode, (side, side), 40 * i) for i in range(pages)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format=format, save_all=pages > 1, append_images=frames[1:], **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cut.jpg", image_bytes("JPEG", quality=95)[:-200]),
        ("cut.tif", image_bytes("TIFF", pages=2)[:-20_000]),
        ("cut-g4.tif", image_bytes("TIFF", side=400, compression="group4")[:-30]),
    ],
)
def test_a_cut_jpeg_or_tiff_is_refused_as_corrupt_without_decoding_it_whole(
    client, du_station, name, content
):
    response = post_file(client, du_station[1], content, name=name)
    assert (response.status_code, response.json()["code"]) == (422, "corrupt")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("whole.jpg", image_bytes("JPEG")),
        ("two-pages.tif", image_bytes("TIFF", pages=2)),
        ("g4.tif", image_bytes("TIFF", side=400, compression="group4")),
    ],
)
def test_a_whole_jpeg_or_tiff_is_stored(client, du_station, name, content):
    assert post_file(client, du_station[1], content, name=name).status_code == 201


def test_a_file_held_by_another_centre_is_stored_for_this_one_and_not_revealed(
    client, du_station, su_station
):
    content = png_bytes(31)
    url = reverse("api:held", args=[sha(content)])
    assert post_file(client, du_station[1], content, name="du.png").status_code == 201
    su_auth = {"Authorization": f"Station {su_station[1]}"}
    assert client.get(url, headers=su_auth).json()["held"] is False
    response = post_file(client, su_station[1], content, name="su.png")
    assert response.status_code == 201 and response.json()["status"] == "stored"
    du_upload, su_upload = Upload.objects.order_by("pk")
    assert response.json()["upload"] == su_upload.pk != du_upload.pk
    assert (du_upload.batch.station, su_upload.batch.station) == (du_station[0], su_station[0])
    assert su_upload.centre.code == "ICC-SU" and su_upload.batch.centre.code == "ICC-SU"
    assert client.get(url, headers=su_auth).json()["held"] is True
    # And a second sending from either centre is that centre's resend.
    assert post_file(client, su_station[1], content, name="again.png").json()["upload"] == (
        su_upload.pk
    )
    assert post_file(client, du_station[1], content, name="again.png").json()["upload"] == (
        du_upload.pk
    )


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("scan\x00.png", "scan.png"), ("a\r\nb.png", "a b.png"), ("x\u202egnp.png", "xgnp.png")],
)
def test_control_characters_are_taken_out_of_a_station_file_name(client, du_station, sent, kept):
    assert post_file(client, du_station[1], png_bytes(32), name=sent).status_code == 201
    assert Upload.objects.get().original_name == kept


def test_a_refused_file_with_a_nul_in_its_name_is_recorded_without_it(client, du_station):
    response = post_file(client, du_station[1], b"plain text", name="notes\x00.txt")
    assert response.json()["code"] == "wrong_type"
    assert RefusedUpload.objects.get().original_name == "notes.txt"


def test_a_page_the_worker_failed_on_is_counted_on_the_dashboard_and_in_the_stats(
    client, analyst, du_station
):
    assert post_file(client, du_station[1], png_bytes(33)).status_code == 201
    Scan.objects.create(
        upload=Upload.objects.get(),
        status=Scan.Status.FAILED,
        problem="the page could not be read (MemoryError)",
    )
    assert intake_stats()["pages"] == {"failed": 1}
    client.force_login(analyst)
    response = client.get(reverse("stations:dashboard"))
    [du] = [s for _centre, stations in response.context["centres"] for s in stations]
    assert [(str(label), n) for label, n in du.pages] == [(str(Scan.Status.FAILED.label), 1)]
