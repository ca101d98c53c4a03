"""Hostile files and scans that never get stuck: pages too large to decode are refused at the
door (web upload) or become a page in review with the reason (files stored before that check);
a task that fails for any reason leaves its scan `failed` with the reason, shown to operators and
retried by `safar capture-requeue --failed`; files are de-duplicated per centre; control
characters never reach a stored file name."""

import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from safar.capture import pairing, tasks
from safar.capture.models import Batch, Scan, Upload
from safar.capture.services import UploadRefused, receive_upload
from safar.capture.tasks import MAX_ATTEMPTS, process_upload, read_scan
from tests.hostile import pdf_bomb, png_bomb, tiff_bomb

from .conftest import page_image, pdf_of, png_of

pytestmark = pytest.mark.django_db

BOMBS = {
    "bomb.pdf": (pdf_bomb, "60001 × 60001"),
    "bomb.png": (png_bomb, "20000 × 20000"),
    "bomb.tif": (tiff_bomb, "20000 × 20000"),
}


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize("name", BOMBS)
def test_a_web_upload_of_a_page_too_large_to_decode_is_refused_at_once_and_nothing_is_stored(
    client, operator_du, queued_tasks, media, name
):
    build, size = BOMBS[name]
    client.force_login(operator_du)
    response = client.post(
        reverse("capture:upload"),
        {"files": [SimpleUploadedFile(name, build(), "application/octet-stream")]},
        follow=True,
    )
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith(f"{name}: ") and size in message
    assert not Upload.objects.exists() and not Batch.objects.exists()
    assert stored_files(media) == [] and queued_tasks.results == []


def stored_before_the_check(centre, name: str, content: bytes) -> Upload:
    """A file that entered before intake checked page sizes (or by any other way): the
    pipeline must not trust intake to have checked it."""
    import hashlib

    batch, _ = Batch.objects.get_or_create(
        centre=centre, station=None, uploaded_by=None, day="2026-11-30"
    )
    upload = Upload(
        sha256=hashlib.sha256(content).hexdigest(),
        batch=batch,
        original_name=name,
        extension="." + name.rsplit(".", 1)[1],
        size=len(content),
    )
    upload.file.save(name, ContentFile(content), save=False)
    upload.save()
    return upload


@pytest.mark.parametrize("name", BOMBS)
def test_a_stored_file_with_a_page_too_large_becomes_a_page_in_review_with_its_size(
    queued_tasks, centre_du, name
):
    build, size = BOMBS[name]
    upload = stored_before_the_check(centre_du, name, build())
    started = time.perf_counter()
    process_upload.call(upload.pk)
    scan = Scan.objects.get()
    assert read_scan.call(scan.pk) == Scan.Status.NEEDS_REVIEW
    # Rendering the PDF's page took 50 s and 7.2 GB; reading headers takes milliseconds (the
    # bound leaves room for a loaded machine).
    assert time.perf_counter() - started < 5.0
    upload.refresh_from_db()
    scan.refresh_from_db()
    assert upload.status == Upload.Status.FAILED and size in upload.error
    assert scan.review_reason == Scan.ReviewReason.UNREADABLE and size in scan.reading["problem"]


def test_a_page_image_too_large_is_not_decoded_by_the_reader(queued_tasks, centre_du):
    upload = stored_before_the_check(centre_du, "page.png", png_bomb())
    # As if split before the check: the page is the file itself.
    scan = Scan.objects.create(upload=upload, page=1, image=upload.file.name)
    assert read_scan.call(scan.pk) == Scan.Status.NEEDS_REVIEW
    scan.refresh_from_db()
    assert "page 1 is 20000 × 20000 pixels" in scan.reading["problem"]


def two_page_upload(centre, user) -> list[Scan]:
    received = receive_upload(
        content=pdf_of(page_image("one"), page_image("two")),
        name="two.pdf",
        centre=centre,
        user=user,
    )
    process_upload.call(received.upload.pk)
    return list(Scan.objects.order_by("page"))


def test_a_page_the_worker_fails_on_is_failed_with_the_reason_and_its_neighbour_moves_on(
    queued_tasks, centre_du, operator_du, monkeypatch
):
    first, second = two_page_upload(centre_du, operator_du)
    assert read_scan.call(first.pk) == Scan.Status.READ  # waits: page 2 may be its passport
    real_read_page = tasks.read_page

    def out_of_memory_on_page_two(scan):
        # Fault injection: the worker runs out of memory on this page (nothing else replaced).
        if scan.page == 2:
            raise MemoryError
        return real_read_page(scan)

    monkeypatch.setattr(tasks, "read_page", out_of_memory_on_page_two)
    assert read_scan.call(second.pk) == Scan.Status.FAILED
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.problem == "the page could not be read (MemoryError)"
    assert first.status == Scan.Status.NEEDS_REVIEW  # no longer waiting for page 2


def test_a_page_that_killed_its_worker_three_times_is_failed_not_read_again(
    queued_tasks, centre_du, operator_du
):
    _first, second = two_page_upload(centre_du, operator_du)
    # What three killed workers leave behind: the attempts counted, the scan still `received`.
    Scan.objects.filter(pk=second.pk).update(attempts=MAX_ATTEMPTS)
    assert read_scan.call(second.pk) == Scan.Status.FAILED
    second.refresh_from_db()
    assert second.problem == "the worker stopped while reading it 3 times"
    assert second.reading == {}


def test_a_file_the_worker_fails_to_split_is_failed_and_requeue_splits_it_again(
    queued_tasks, centre_du, operator_du, monkeypatch
):
    received = receive_upload(
        content=png_of(page_image("card")), name="card.png", centre=centre_du, user=operator_du
    )

    def out_of_memory(**kwargs):
        raise MemoryError  # fault injection, as above

    monkeypatch.setattr(tasks, "split_pages", out_of_memory)
    process_upload.call(received.upload.pk)
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.FAILED
    assert upload.error == "the file could not be split (MemoryError)"
    monkeypatch.undo()
    queued_tasks.clear()
    call_command("capture-requeue", "--failed", "--older-than", "0", stdout=open("/dev/null", "w"))
    [task] = [r for r in queued_tasks.results if r.task.name == process_upload.name]
    assert process_upload.call(*task.args) == 1
    upload.refresh_from_db()
    assert (upload.status, upload.error, upload.attempts) == (Upload.Status.SPLIT, "", 1)


def test_requeue_failed_reads_a_failed_page_again(queued_tasks, centre_du, operator_du):
    _first, second = two_page_upload(centre_du, operator_du)
    Scan.objects.filter(pk=second.pk).update(
        status=Scan.Status.FAILED, problem="the page could not be read (MemoryError)", attempts=2
    )
    queued_tasks.clear()
    call_command("capture-requeue", "--failed", "--older-than", "0", stdout=open("/dev/null", "w"))
    second.refresh_from_db()
    assert (second.status, second.problem, second.attempts) == (Scan.Status.RECEIVED, "", 0)
    assert read_scan.call(second.pk) == Scan.Status.NEEDS_REVIEW


def test_the_database_refuses_a_failed_scan_without_its_reason(centre_du, operator_du):
    received = receive_upload(
        content=png_of(page_image("x")), name="x.png", centre=centre_du, user=operator_du
    )
    with pytest.raises(IntegrityError):
        Scan.objects.create(upload=received.upload, status=Scan.Status.FAILED, problem="")


def test_operators_see_their_centres_failed_pages_with_the_reason(
    client, queued_tasks, centre_du, centre_su, operator_du, operator_su
):
    for centre, user in ((centre_du, operator_du), (centre_su, operator_su)):
        received = receive_upload(
            content=png_of(page_image(centre.code)), name="p.png", centre=centre, user=user
        )
        process_upload.call(received.upload.pk)
    du_scan = Scan.objects.get(upload__centre=centre_du)
    Scan.objects.update(status=Scan.Status.FAILED, problem="the page could not be read (Boom)")
    client.force_login(operator_du)
    response = client.get(reverse("capture:overview"))
    assert [scan.pk for scan in response.context["failed"]] == [du_scan.pk]
    assert response.context["failed_count"] == 1
    assert "the page could not be read (Boom)" in response.text


def test_the_same_file_from_two_centres_is_each_centres_own_upload(
    client, queued_tasks, centre_du, centre_su, operator_du, operator_su
):
    content = png_of(page_image("same bytes"))
    du = receive_upload(content=content, name="du.png", centre=centre_du, user=operator_du)
    su = receive_upload(content=content, name="su.png", centre=centre_su, user=operator_su)
    assert du.created and su.created and du.upload.pk != su.upload.pk
    assert (du.upload.batch.centre, su.upload.batch.centre) == (centre_du, centre_su)
    for received in (du, su):
        process_upload.call(received.upload.pk)
    assert {scan.upload.centre for scan in Scan.objects.all()} == {centre_du, centre_su}
    # Sent again at the Sughd centre: Sughd's own copy, not Dushanbe's.
    again = receive_upload(content=content, name="again.png", centre=centre_su, user=operator_su)
    assert (again.created, again.upload.pk) == (False, su.upload.pk)
    client.force_login(operator_su)
    page = client.get(reverse("capture:overview")).text
    assert "su.png" in page and "du.png" not in page


def test_the_database_holds_a_file_once_per_centre(centre_du, operator_du):
    content = png_of(page_image("once"))
    received = receive_upload(content=content, name="a.png", centre=centre_du, user=operator_du)
    with pytest.raises(IntegrityError):
        Upload.objects.create(
            sha256=received.upload.sha256,
            batch=received.upload.batch,
            original_name="b.png",
            extension=".png",
            size=len(content),
        )


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("scan\x00.png", "scan.png"),
        ("line\nbreak.png", "line break.png"),
        ("card\u202egnp.pdf", "cardgnp.pdf"),  # a right-to-left override disguising the type
        ("  tabs\tand\x1bescape.png ", "tabs andescape.png"),
    ],
)
def test_control_characters_are_taken_out_of_an_uploaded_file_name(
    queued_tasks, centre_du, operator_du, sent, kept
):
    content = pdf_of(page_image(sent)) if kept.endswith(".pdf") else png_of(page_image(sent))
    received = receive_upload(content=content, name=sent, centre=centre_du, user=operator_du)
    assert Upload.objects.get(pk=received.upload.pk).original_name == kept


def test_a_name_of_control_characters_only_is_refused(centre_du, operator_du):
    with pytest.raises(UploadRefused):
        receive_upload(
            content=png_of(page_image("x")), name="\x00\x01", centre=centre_du, user=operator_du
        )


def test_a_passport_page_after_a_card_the_worker_failed_on_waits_for_an_operator_alone(
    queued_tasks, centre_du, operator_du
):
    card, passport = two_page_upload(centre_du, operator_du)
    Scan.objects.filter(pk=card.pk).update(
        status=Scan.Status.FAILED, problem="the page could not be read (MemoryError)"
    )
    Scan.objects.filter(pk=passport.pk).update(
        status=Scan.Status.READ,
        reading={"passport_page": True, "mrz": {"valid": False, "lines": []}, "values": {}},
    )
    passport.refresh_from_db()
    routed = pairing.route_page(scan=passport)
    assert (routed.status, routed.review_reason) == (
        Scan.Status.NEEDS_REVIEW,
        Scan.ReviewReason.NO_CARD,
    )
    assert routed.card_scan_id is None
