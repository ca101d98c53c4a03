"""The pipeline end to end on synthetic cards, with the real reader: a confident card is saved
by itself and counted in R12; a doubtful one waits for an operator who confirms it; a page that
is not a card waits to be keyed in or rejected; a second scan of a saved card is a duplicate.

The world: the Dushanbe centre (border points DYU, KRM) and its operator; cards rendered from
the card template by the reader's synthetic-scan generator, clean enough to read with confidence
unless a test spoils them on purpose."""

import datetime
import functools
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.core.management import call_command

from safar.capture import reader, services
from safar.capture.models import Scan, Upload
from safar.capture.tasks import process_upload, read_scan
from safar.core.models import AuditEvent
from safar.crossings.models import Crossing
from safar.reading import card, synth
from safar.reports.standard import r12

from .conftest import page_image, pdf_of

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)
DUSHANBE = ZoneInfo("Asia/Dushanbe")
CONFIDENT_SERIAL = "SY0000101"


def render_card(serial: str, *, seed: int = 7, fmt: str = "png", **changes) -> tuple[bytes, dict]:
    """A clean synthetic scan of one card of the Dushanbe centre, and its true values."""
    template = card.load_template("safar-card")
    rng = np.random.default_rng(seed)
    values = synth.card_values(template, rng, serial)
    values.update({"border_point": "DYU", **changes})
    image, _cancelled = synth.fill(template, values, rng, 300, cancel=False)
    scanned = synth.scan(image, rng, rotation=0, skew=0.6, mode="grey")
    return synth.encode(scanned, fmt, rng), {**values, "seed": seed}


@pytest.fixture(autouse=True)
def on_the_batch_day(time_machine):
    """The cards are scanned on TODAY, whatever day the suite runs."""
    time_machine.move_to(datetime.datetime(2026, 11, 22, 12, 0, tzinfo=DUSHANBE))


@functools.cache
def confident_card() -> tuple[bytes, dict]:
    """A card the reader, with the shipped confidence bar, saves by itself. Found once."""
    for seed in range(1, 31):
        content, truth = render_card(CONFIDENT_SERIAL, seed=seed)
        if card.read_card(content, reader.card_template(), today=TODAY).confident:
            return content, truth
    pytest.fail("no confident reading of 30 clean synthetic cards")


def upload_and_read(content: bytes, name: str, centre, user, capture) -> list[Scan]:
    """What a station's upload sets going: the split, then every page read (tasks run at once)."""
    with capture(execute=True):
        services.receive_upload(content=content, name=name, centre=centre, user=user)
    return list(Scan.objects.filter(upload__original_name=name).order_by("page"))


def r12_row(centre_code: str) -> dict:
    result = r12.run(TODAY - datetime.timedelta(days=3), TODAY + datetime.timedelta(days=1))
    rows = {row[0]: dict(zip(result.columns, row, strict=True)) for row in result.rows}
    return rows.get(centre_code, {})


@pytest.fixture
def pipeline(immediate_tasks, django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_a_confident_card_is_saved_by_itself_and_counted_in_r12(pipeline, centre_du, operator_du):
    content, _truth = confident_card()
    [scan] = upload_and_read(content, "card.png", centre_du, operator_du, pipeline)
    assert scan.status == Scan.Status.SAVED, (scan.review_reason, scan.reading["doubtful"])
    assert scan.auto_accepted and scan.crossing is not None
    crossing = scan.crossing
    assert crossing.card_number == CONFIDENT_SERIAL and crossing.source == Crossing.Source.SCAN
    assert crossing.created_by is None  # saved by the system; the audit names the scan
    values = scan.reading["values"]
    assert crossing.traveller.passport_number == values["passport_number"]
    assert crossing.surname == values["surname"] and crossing.border_point_id == "DYU"
    assert AuditEvent.objects.filter(
        object_type="capture.scan", object_id=str(scan.pk), changes__crossing=crossing.pk, user=None
    ).exists()
    row = r12_row("ICC-DU")
    assert row["scanned"] == 1 and row["auto_accepted"] == 1 and row["corrected"] == 0


def test_a_doubtful_card_waits_and_the_operators_correction_becomes_the_crossing(
    pipeline, centre_du, operator_du
):
    # Born after the crossing: whatever the classifier reads, the card fails its own rule.
    content, truth = render_card("SY0000102", birth_date="2026-11-21", crossed_on="2026-11-20")
    [scan] = upload_and_read(content, "doubtful.png", centre_du, operator_du, pipeline)
    assert scan.status == Scan.Status.NEEDS_REVIEW
    assert scan.review_reason == Scan.ReviewReason.DOUBTFUL
    assert {"birth_date", "crossed_on"} & set(scan.reading["doubtful"])
    assert not Crossing.objects.exists()

    from safar.capture.forms import ReviewForm
    from safar.crossings.forms import CARD_ORDER

    # The operator keys what the card says, with the date of birth from the passport.
    data = {name: truth.get(name) or "" for name in CARD_ORDER}
    data["birth_date"] = "1991-03-04"
    form = ReviewForm(data, scan=scan, user=operator_du)
    assert form.is_valid(), form.errors
    services.scan_accept(scan=scan, operator=operator_du, values=form.service_data())

    scan.refresh_from_db()
    assert scan.status == Scan.Status.SAVED and "birth_date" in scan.corrected_fields
    assert scan.crossing.traveller.birth_date == datetime.date(1991, 3, 4)
    assert scan.crossing.created_by == operator_du
    row = r12_row("ICC-DU")
    assert row["scanned"] == 1 and row["corrected"] == 1 and row["auto_accepted"] == 0


def test_a_rejected_scan_keeps_its_reason_and_counts_as_rejected(pipeline, centre_du, operator_du):
    [scan] = upload_and_read(
        pdf_of(page_image("a letter, not a card")), "letter.pdf", centre_du, operator_du, pipeline
    )
    assert scan.status == Scan.Status.NEEDS_REVIEW
    assert scan.review_reason == Scan.ReviewReason.NOT_ALIGNED
    services.scan_reject(scan=scan, operator=operator_du, reason="Not a migration card")
    scan.refresh_from_db()
    assert scan.status == Scan.Status.REJECTED and scan.reject_reason == "Not a migration card"
    assert r12_row("ICC-DU")["rejected"] == 1


def test_a_pdf_of_several_pages_gives_one_scan_per_page_each_routed(
    pipeline, centre_du, operator_du
):
    import io

    from PIL import Image

    pages = [Image.open(io.BytesIO(render_card(f"SY000020{i}", seed=20 + i)[0])) for i in (1, 2)]
    pages.append(page_image("blank page", (1200, 850)))
    scans = upload_and_read(pdf_of(*pages, dpi=300), "three.pdf", centre_du, operator_du, pipeline)
    assert [s.page for s in scans] == [1, 2, 3]
    assert Upload.objects.get(original_name="three.pdf").status == Upload.Status.SPLIT
    assert {s.status for s in scans[:2]} <= {Scan.Status.SAVED, Scan.Status.NEEDS_REVIEW}
    assert {s.card_number for s in scans[:2]} == {"SY0000201", "SY0000202"}
    assert scans[2].review_reason == Scan.ReviewReason.NOT_ALIGNED
    assert not Scan.objects.filter(status__in=[Scan.Status.RECEIVED, Scan.Status.READ]).exists()


def test_a_second_scan_of_a_saved_card_is_marked_duplicate_and_a_different_one_conflicts(
    pipeline, centre_du, operator_du
):
    from safar.crossings.services import update_crossing

    content, _truth = confident_card()
    [saved] = upload_and_read(content, "first.png", centre_du, operator_du, pipeline)
    assert saved.status == Scan.Status.SAVED
    # The same card scanned again: another file (a byte more), the same picture.
    [duplicate] = upload_and_read(content + b"\0", "again.png", centre_du, operator_du, pipeline)
    assert duplicate.status == Scan.Status.SAVED and duplicate.duplicate_of == saved.crossing
    assert duplicate.crossing is None
    # The registry now says something else for that card number: a conflict for an operator.
    update_crossing(user=operator_du, crossing=saved.crossing, data={"surname": "OTHER"})
    [conflict] = upload_and_read(content + b"\0\0", "third.png", centre_du, operator_du, pipeline)
    assert conflict.status == Scan.Status.NEEDS_REVIEW
    assert conflict.review_reason == Scan.ReviewReason.CONFLICT
    assert Crossing.objects.count() == 1
    row = r12_row("ICC-DU")
    assert row["scanned"] == 3 and row["auto_accepted"] == 1


def test_reading_a_scan_twice_changes_nothing(pipeline, centre_du, operator_du):
    content, _ = confident_card()
    [scan] = upload_and_read(content, "once.png", centre_du, operator_du, pipeline)
    assert read_scan.call(scan.pk) == scan.status
    assert process_upload.call(scan.upload_id) == 1
    assert scan.status == Scan.Status.SAVED and Crossing.objects.count() == 1
    assert r12_row("ICC-DU")["scanned"] == 1


def test_a_real_worker_reads_what_the_upload_queued(settings, reference_data):
    from safar.core.models import Office
    from tests.conftest import make_user

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    operator = make_user("operator-du", "ICC-DU", "operator")
    content, _ = confident_card()
    services.receive_upload(
        content=content, name="queued.png", centre=Office.objects.get(code="ICC-DU"), user=operator
    )
    assert Scan.objects.count() == 0  # nothing is read in the request
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    scan = Scan.objects.get()
    assert scan.status == Scan.Status.SAVED and scan.read_at is not None
