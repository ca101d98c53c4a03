"""Files into pages: a PDF or TIFF of several pages becomes one scan per page, a damaged file
becomes a scan an operator must look at, and running the split twice changes nothing."""

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from safar.capture.models import Scan, Upload
from safar.capture.services import receive_upload
from safar.capture.tasks import process_upload, read_scan

from .conftest import page_image, pdf_of, png_of, tiff_of

pytestmark = pytest.mark.django_db


def enqueued(backend, task) -> list:
    return [r.args[0] for r in backend.results if r.task.name == task.name]


def test_a_pdf_of_three_pages_becomes_three_scans_queued_for_reading(
    queued_tasks, centre_du, operator_du, django_capture_on_commit_callbacks
):
    content = pdf_of(page_image("one"), page_image("two"), page_image("three"))
    with django_capture_on_commit_callbacks(execute=True):
        received = receive_upload(
            content=content, name="batch.pdf", centre=centre_du, user=operator_du
        )
    assert enqueued(queued_tasks, process_upload) == [received.upload.pk]

    with django_capture_on_commit_callbacks(execute=True):
        assert process_upload.call(received.upload.pk) == 3

    upload = Upload.objects.get()
    assert upload.status == Upload.Status.SPLIT
    scans = list(upload.scans.order_by("page"))
    assert [s.page for s in scans] == [1, 2, 3]
    assert all(s.status == Scan.Status.RECEIVED for s in scans)
    assert sorted(enqueued(queued_tasks, read_scan)) == [s.pk for s in scans]
    with default_storage.open(scans[1].image.name) as handle, Image.open(handle) as page:
        # Rendered at 300 dpi from a 100 dpi page of 600 px: three times as wide, in grey.
        assert abs(page.size[0] - 1800) <= 1 and abs(page.size[1] - 1200) <= 1
        assert page.mode == "L"


def test_splitting_again_adds_no_scans_and_keeps_the_pages(queued_tasks, centre_du, operator_du):
    received = receive_upload(
        content=tiff_of(page_image("a"), page_image("b")),
        name="b.tif",
        centre=centre_du,
        user=operator_du,
    )
    process_upload.call(received.upload.pk)
    first = {s.page: s.image.name for s in Scan.objects.all()}
    Upload.objects.filter(pk=received.upload.pk).update(status=Upload.Status.RECEIVED)
    process_upload.call(received.upload.pk)
    assert {s.page: s.image.name for s in Scan.objects.all()} == first
    assert set(first) == {1, 2}


def test_a_png_is_one_page_read_from_the_file_itself(queued_tasks, centre_du, operator_du):
    received = receive_upload(
        content=png_of(page_image("card")), name="card.png", centre=centre_du, user=operator_du
    )
    process_upload.call(received.upload.pk)
    scan = Scan.objects.get()
    assert scan.image.name == received.upload.file.name


def test_a_damaged_pdf_becomes_one_scan_for_an_operator_and_nothing_is_dropped(
    queued_tasks, centre_du, operator_du
):
    content = b"%PDF-1.4\n" + b"\x00garbage" * 200
    received = receive_upload(
        content=content, name="broken.pdf", centre=centre_du, user=operator_du
    )
    process_upload.call(received.upload.pk)
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.FAILED and "PDF" in upload.error
    scan = Scan.objects.get()
    assert read_scan.call(scan.pk) == Scan.Status.NEEDS_REVIEW
    scan.refresh_from_db()
    assert scan.review_reason == Scan.ReviewReason.UNREADABLE
    assert scan.reading["unreadable"] is True


def test_a_truncated_image_is_queued_for_review_not_lost(queued_tasks, centre_du, operator_du):
    content = png_of(page_image("card"))[:300]
    received = receive_upload(content=content, name="cut.png", centre=centre_du, user=operator_du)
    process_upload.call(received.upload.pk)
    scan = Scan.objects.get()
    assert read_scan.call(scan.pk) == Scan.Status.NEEDS_REVIEW
    scan.refresh_from_db()
    assert scan.review_reason == Scan.ReviewReason.UNREADABLE
    assert "decoded" in scan.reading["problem"]
