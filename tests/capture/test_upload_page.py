"""The web upload for a centre without a station agent, and the overview. The world: operators
at the Dushanbe and Sughd centres, an administrator of the directorate."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safar.capture.models import Upload
from safar.capture.tasks import process_upload

from .conftest import page_image, pdf_of, png_of
from .world import make_scan

pytestmark = pytest.mark.django_db


def test_operator_uploads_several_files_for_their_centre_and_nothing_is_read_in_the_request(
    client, operator_du, queued_tasks, django_capture_on_commit_callbacks
):
    client.force_login(operator_du)
    files = [
        SimpleUploadedFile("a.png", png_of(page_image("a")), "image/png"),
        SimpleUploadedFile("b.pdf", pdf_of(page_image("b1"), page_image("b2")), "application/pdf"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("capture:upload"), {"files": files}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("capture:overview")
    uploads = Upload.objects.order_by("original_name")
    assert [u.original_name for u in uploads] == ["a.png", "b.pdf"]
    assert {u.batch.centre.code for u in uploads} == {"ICC-DU"}
    assert {u.batch.uploaded_by for u in uploads} == {operator_du}
    assert all(u.status == Upload.Status.RECEIVED for u in uploads)  # queued, not split
    assert sorted(
        r.args[0] for r in queued_tasks.results if r.task.name == process_upload.name
    ) == sorted(u.pk for u in uploads)


def test_a_refused_file_is_named_and_the_others_are_kept(client, operator_du, queued_tasks):
    client.force_login(operator_du)
    files = [
        SimpleUploadedFile("notes.txt", b"hello", "text/plain"),
        SimpleUploadedFile("c.png", png_of(page_image("c")), "image/png"),
    ]
    response = client.post(reverse("capture:upload"), {"files": files}, follow=True)
    text = response.content.decode()
    assert "notes.txt" in text
    assert list(Upload.objects.values_list("original_name", flat=True)) == ["c.png"]


def test_the_same_file_twice_is_stored_once(client, operator_du, queued_tasks):
    client.force_login(operator_du)
    content = png_of(page_image("same"))
    for _ in range(2):
        client.post(
            reverse("capture:upload"),
            {"files": [SimpleUploadedFile("same.png", content, "image/png")]},
        )
    assert Upload.objects.count() == 1


def test_a_user_without_a_border_centre_cannot_upload(client, administrator, queued_tasks):
    client.force_login(administrator)
    assert client.get(reverse("capture:overview")).context["form"] is None
    response = client.post(
        reverse("capture:upload"),
        {"files": [SimpleUploadedFile("x.png", png_of(page_image("x")), "image/png")]},
    )
    assert response.status_code == 403
    assert not Upload.objects.exists()


def test_overview_counts_only_the_operators_centre(
    client, operator_du, operator_su, centre_du, centre_su
):
    make_scan(centre_du)
    make_scan(centre_du)
    make_scan(centre_su)
    client.force_login(operator_du)
    response = client.get(reverse("capture:overview"))
    assert response.context["waiting"] == 2
    assert len(response.context["uploads"]) == 2
    client.force_login(operator_su)
    assert client.get(reverse("capture:overview")).context["waiting"] == 1


def test_the_scans_page_polls_a_status_that_follows_the_worker_for_the_own_centre_only(
    client, operator_du, centre_du, centre_su
):
    from safar.capture.models import Scan

    client.force_login(operator_du)
    page = client.get(reverse("capture:overview")).content.decode()
    status_url = reverse("capture:status")
    assert f'data-status-url="{status_url}"' in page and "capture/overview.js" in page
    assert "<script>" not in page  # CSP: scripts from files only
    assert client.get(status_url).json()["counts"]["needs_review"] == 0
    scan = make_scan(centre_du)  # the worker read a page: it now waits for review
    make_scan(centre_su)  # another centre's: not counted
    data = client.get(status_url).json()
    assert data["counts"]["needs_review"] == 1
    scan.status = Scan.Status.SAVED
    scan.save()
    assert client.get(status_url).json()["counts"] == {
        status: (1 if status == "saved" else 0) for status in Scan.Status.values
    }
