"""A passport page scanned after the card: its MRZ fills the card's identity fields.

The world: the Dushanbe centre and its operator; a synthetic card whose passport number was left
blank and whose date of birth falls after the crossing (both doubtful), and the traveller's
passport data page rendered in OCR-B from the same person's values, with a passport number and a
real date of birth. Both are read by the real readers (card and MRZ), as in test_pipeline.py.
"""

import datetime
import functools
import io
import threading

import numpy as np
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from PIL import Image

from safar.capture import pairing, reader, services
from safar.capture.models import Scan, Upload
from safar.capture.reader import read_page
from safar.capture.tasks import process_upload, read_scan
from safar.core.models import AuditEvent, Office
from safar.crossings.models import Cell, Crossing
from safar.reading import card, synth, translit
from safar.reading._mrz import synth as mrz_synth
from tests.conftest import make_user

from .conftest import pdf_of, png_of
from .test_pipeline import TODAY, on_the_batch_day, r12_row, render_card, upload_and_read

pytestmark = pytest.mark.django_db

# Imported for its autouse: the batch is scanned on TODAY, whatever day the suite runs.
__all__ = ["on_the_batch_day"]

SERIAL = "SY0000301"
# Blank passport number boxes, and a date of birth after the crossing: both fail on the card.
SPOILED = {"passport_number": None, "crossed_on": "2026-11-20", "birth_date": "2026-11-21"}
PASSPORT_NUMBER = "412345678"
BORN = datetime.date(1990, 7, 14)


@pytest.fixture
def pipeline(immediate_tasks, django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def doubtful_targets(result) -> set[str]:
    return {
        field.target
        for name, field in result.fields.items()
        if field.target and not result.is_confident(name)
    }


@functools.cache
def card_and_truth() -> tuple[bytes, dict]:
    """A card whose only doubtful values are the passport number and the date of birth, every
    other value read as written, and names that survive the MRZ's Latin. Found once."""
    identity = ("surname", "given_names", "sex", "citizenship")
    for seed in range(1, 31):
        content, truth = render_card(SERIAL, seed=seed, **SPOILED)
        result = card.read_card(content, reader.card_template(), today=TODAY, expected_date=TODAY)
        values = result.crossing_values()
        if (
            doubtful_targets(result) == {"passport_number", "birth_date"}
            and values.get("card_number") == SERIAL
            and all(values.get(name) == truth[name] for name in identity)
            and all(round_trips(truth[name]) for name in ("surname", "given_names"))
        ):
            return content, truth
    pytest.fail("no synthetic card of 30 read with exactly the two spoiled fields doubtful")


def round_trips(name: str) -> bool:
    """Whether a name comes back from the MRZ's Latin as the card writes it."""
    return translit.to_cyrillic(translit.to_latin(name)).upper() == name or name.isascii()


def mrz_lines(
    truth: dict, *, wrong_check_digit: bool = False, nationality: str | None = None
) -> list[str]:
    """The TD3 zone of the traveller's passport (check digits right unless spoiled; a
    `nationality` of its own, which no check digit covers, spoils it otherwise)."""

    def latin(name):
        return translit.to_latin(name).upper().replace(" ", "<")

    name = latin(truth["surname"]) + "<<" + latin(truth["given_names"])
    line1 = ("P<TJK" + name + "<" * 44)[:44]
    line2 = (
        PASSPORT_NUMBER
        + "0"
        + (nationality or truth["citizenship"])
        + BORN.strftime("%y%m%d")
        + "0"
        + truth["sex"]
        + "310101"
        + "0"
        + "<" * 16
    )[:44]
    lines = mrz_synth._fill_checks([line1, line2], "TD3")
    if wrong_check_digit:  # the date of birth's check digit, off by five
        digit = int(lines[1][19])
        lines[1] = lines[1][:19] + str((digit + 5) % 10) + lines[1][20:]
    return lines


def passport_page(truth: dict, *, worn=(), **spoil) -> Image.Image:
    rng = np.random.default_rng(11)
    page = mrz_synth.render_page(
        mrz_lines(truth, **spoil),
        rng,
        pitch=14.0,
        skew=0.5,
        blur=0.3,
        noise=4.0,
        colour=False,
        worn=worn,
    )
    return Image.fromarray(page)


def card_then_passport_pdf(**spoil) -> tuple[bytes, dict]:
    content, truth = card_and_truth()
    return pdf_of(Image.open(io.BytesIO(content)), passport_page(truth, **spoil), dpi=300), truth


def capture_counts() -> dict[str, int]:
    return {
        outcome: sum(
            Cell.objects.filter(cube="capture", grain="D", key2=outcome).values_list(
                "count", flat=True
            )
        )
        for outcome in services.OUTCOMES
    }


def test_a_passport_page_after_the_card_fills_its_doubtful_passport_number_and_birth_date(
    pipeline, centre_du, operator_du
):
    content, _truth = card_then_passport_pdf()
    card_scan, passport = upload_and_read(
        content, "card-and-passport.pdf", centre_du, operator_du, pipeline
    )
    assert passport.is_passport_page and passport.reading["mrz"]["valid"]
    # The card: both doubtful values taken from the MRZ, now confident, so saved by itself.
    assert card_scan.status == Scan.Status.SAVED and card_scan.auto_accepted
    note = card_scan.reading["passport"]
    assert note["scan"] == passport.pk and note["applied"] is True
    assert {"passport_number", "birth_date"} <= set(note["filled"])
    assert card_scan.reading["values"]["passport_number"] == PASSPORT_NUMBER
    traveller = card_scan.crossing.traveller
    assert traveller.passport_number == PASSPORT_NUMBER and traveller.birth_date == BORN
    # The passport page: saved with the card it belongs to, out of the queue.
    assert passport.status == Scan.Status.SAVED and passport.card_scan == card_scan
    assert passport.crossing is None and not passport.review_reason
    # R12 counts the card once; the passport page is not a card.
    row = r12_row("ICC-DU")
    assert row["scanned"] == 1 and row["auto_accepted"] == 1
    assert not Scan.objects.filter(status__in=[Scan.Status.RECEIVED, Scan.Status.READ]).exists()


def test_the_passport_read_before_its_card_in_the_next_file_is_still_paired(
    queued_tasks, centre_du, operator_du
):
    content, truth = card_and_truth()
    first = services.receive_upload(
        content=content, name="card.png", centre=centre_du, user=operator_du
    ).upload
    second = services.receive_upload(
        content=png_of(passport_page(truth)),
        name="passport.png",
        centre=centre_du,
        user=operator_du,
    ).upload
    # A worker splits and reads the passport's file before the card's file is even split.
    process_upload.call(second.pk)
    [passport] = second.scans.all()
    assert read_scan.call(passport.pk) == Scan.Status.READ  # waits for the card
    process_upload.call(first.pk)
    [card_scan] = first.scans.all()
    assert read_scan.call(card_scan.pk) == Scan.Status.SAVED
    passport.refresh_from_db()
    assert passport.status == Scan.Status.SAVED and passport.card_scan == card_scan
    card_scan.refresh_from_db()
    assert card_scan.crossing.traveller.passport_number == PASSPORT_NUMBER
    assert capture_counts()["scanned"] == 1


def test_a_passport_in_a_later_file_fills_a_card_already_waiting_for_review(
    pipeline, centre_du, operator_du
):
    content, truth = card_and_truth()
    [card_scan] = upload_and_read(content, "card.png", centre_du, operator_du, pipeline)
    assert card_scan.status == Scan.Status.NEEDS_REVIEW
    assert set(card_scan.reading["doubtful"]) == {"passport_number", "birth_date"}
    [passport] = upload_and_read(
        png_of(passport_page(truth)), "passport.png", centre_du, operator_du, pipeline
    )
    card_scan.refresh_from_db()
    assert card_scan.status == Scan.Status.SAVED and card_scan.auto_accepted
    assert passport.status == Scan.Status.SAVED and passport.card_scan == card_scan
    counts = capture_counts()
    assert counts["scanned"] == 1 and counts["auto_accepted"] == 1


def test_a_passport_page_alone_waits_for_an_operator_as_a_passport_without_a_card(
    pipeline, centre_du, operator_du, client
):
    _content, truth = card_and_truth()
    [passport] = upload_and_read(
        png_of(passport_page(truth)), "passport.png", centre_du, operator_du, pipeline
    )
    assert passport.status == Scan.Status.NEEDS_REVIEW
    assert passport.review_reason == Scan.ReviewReason.NO_CARD
    assert passport.is_passport_page and passport.card_scan is None
    assert capture_counts()["scanned"] == 1  # in the queue: counted, to be rejected or keyed
    client.force_login(operator_du)
    page = client.get(reverse("capture:review", args=[passport.pk])).content.decode()
    assert mrz_lines(truth)[0].replace("<", "&lt;") in page
    assert "Саҳифаи шиноснома бе корт" in page  # the reason, in Tajik (the default language)
    services.scan_reject(scan=passport, operator=operator_du, reason="passport without a card")
    assert capture_counts()["rejected"] == 1


def test_a_second_passport_page_read_first_has_no_card_once_the_first_is_read(
    queued_tasks, centre_du, operator_du
):
    _content, truth = card_and_truth()
    stranger = {**truth, "surname": "КАРИМОВА", "given_names": "МАДИНА"}
    upload = services.receive_upload(
        content=pdf_of(passport_page(truth), passport_page(stranger), dpi=300),
        name="two-passports.pdf",
        centre=centre_du,
        user=operator_du,
    ).upload
    process_upload.call(upload.pk)
    first, second = upload.scans.order_by("page")
    assert read_scan.call(second.pk) == Scan.Status.READ  # is the first page its card?
    assert read_scan.call(first.pk) == Scan.Status.NEEDS_REVIEW
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == Scan.Status.NEEDS_REVIEW
    assert first.review_reason == second.review_reason == Scan.ReviewReason.NO_CARD
    assert capture_counts()["scanned"] == 2


def test_a_wrong_check_digit_shows_the_passport_but_fills_nothing(
    pipeline, centre_du, operator_du, client
):
    content, truth = card_then_passport_pdf(wrong_check_digit=True)
    card_scan, passport = upload_and_read(content, "bad-mrz.pdf", centre_du, operator_du, pipeline)
    assert passport.is_passport_page and not passport.reading["mrz"]["valid"]
    assert passport.status == Scan.Status.SAVED and passport.card_scan == card_scan
    assert card_scan.status == Scan.Status.NEEDS_REVIEW
    assert set(card_scan.reading["doubtful"]) == {"passport_number", "birth_date"}
    assert card_scan.reading["passport"]["applied"] is False
    assert not card_scan.reading["values"].get("passport_number")
    client.force_login(operator_du)
    page = client.get(reverse("capture:review", args=[card_scan.pk])).content.decode()
    assert reverse("capture:page", args=[passport.pk]) in page
    assert passport.reading["mrz"]["lines"][1].replace("<", "&lt;") in page
    assert 'class="mrz-invalid"' in page and "Рақами назоратӣ нодуруст аст" in page


def test_a_worn_letter_of_the_passports_surname_fills_the_checked_fields_but_not_the_name(
    pipeline, centre_du, operator_du, client
):
    # The lower half of the surname's second letter rubbed out: no check digit covers it.
    content, truth = card_then_passport_pdf(worn=((0, 6, 0.5),))
    card_scan, passport = upload_and_read(content, "worn.pdf", centre_du, operator_du, pipeline)
    mrz = passport.reading["mrz"]
    assert mrz["valid"] and "surname" in mrz["doubtful_fields"]
    note = card_scan.reading["passport"]
    assert note["applied"] is True and "surname" not in note["filled"]
    assert card_scan.reading["values"]["passport_number"] == PASSPORT_NUMBER
    assert card_scan.reading["values"]["surname"] == truth["surname"]  # the card's, unchanged
    client.force_login(operator_du)
    page = client.get(reverse("capture:review", args=[card_scan.pk])).content.decode()
    assert 'class="mrz-doubtful"' in page and "бо шубҳа хонда шуданд" in page


def test_a_zone_whose_check_digits_agree_but_whose_nationality_is_no_country_fills_nothing(
    pipeline, centre_du, operator_du, client
):
    content, truth = card_then_passport_pdf(nationality="RER")
    card_scan, passport = upload_and_read(content, "rer.pdf", centre_du, operator_du, pipeline)
    mrz = passport.reading["mrz"]
    assert passport.is_passport_page and not mrz["valid"]
    assert mrz["malformed_fields"] == ["nationality"]
    assert card_scan.status == Scan.Status.NEEDS_REVIEW
    assert card_scan.reading["passport"]["applied"] is False
    assert not card_scan.reading["values"].get("passport_number")
    client.force_login(operator_du)
    page = client.get(reverse("capture:review", args=[card_scan.pk])).content.decode()
    assert 'class="mrz-invalid"' in page and "рамзи номаълуми кишвар" in page


def test_another_travellers_passport_after_the_card_is_left_for_an_operator(
    pipeline, centre_du, operator_du
):
    """A passport scanned out of order: no name the card was sure of agrees with it, so what it
    filled is not trusted and the card waits for an operator."""
    content, truth = card_and_truth()
    stranger = {**truth, "surname": "КАРИМОВА", "given_names": "МАДИНА"}
    card_scan, passport = upload_and_read(
        pdf_of(Image.open(io.BytesIO(content)), passport_page(stranger), dpi=300),
        "out-of-order.pdf",
        centre_du,
        operator_du,
        pipeline,
    )
    assert passport.status == Scan.Status.SAVED and passport.card_scan == card_scan
    assert card_scan.status == Scan.Status.NEEDS_REVIEW
    assert card_scan.reading["values"]["passport_number"] == PASSPORT_NUMBER
    assert {"passport_number", "birth_date", "surname"} <= set(card_scan.reading["doubtful"])
    assert card_scan.reading["values"]["surname"] == truth["surname"]
    assert not Crossing.objects.exists()


def test_running_the_tasks_again_changes_nothing(pipeline, centre_du, operator_du):
    content, _truth = card_then_passport_pdf()
    scans = upload_and_read(content, "twice.pdf", centre_du, operator_du, pipeline)

    def state():
        rows = Scan.objects.order_by("pk").values_list(
            "pk", "status", "review_reason", "card_scan", "crossing", "reading"
        )
        return (list(rows), capture_counts(), Crossing.objects.count(), AuditEvent.objects.count())

    before = state()
    with pipeline(execute=True):
        process_upload.call(scans[0].upload_id)
        for scan in reversed(scans):
            read_scan.call(scan.pk)
        for scan in scans:
            read_scan.call(scan.pk)
    assert state() == before
    assert Upload.objects.get().status == Upload.Status.SPLIT


def test_a_passport_page_keeps_which_of_its_mrz_fields_were_read_with_a_doubtful_letter():
    """A worn letter of the surname passes every check digit: the page says the surname is
    doubtful, so that it fills no card (reader.apply_mrz)."""
    lines = mrz_synth._fill_checks(
        [
            "P<TJKRAHIMOV<<FARRUKH<<<<<<<<<<<<<<<<<<<<<<<",
            "4123456780TJK9007140M3101010<<<<<<<<<<<<<<<<",
        ],
        "TD3",
    )
    worn = mrz_synth.render_page(
        lines, np.random.default_rng(11), pitch=12.0, colour=False, worn=((0, 6, 0.5),)
    )
    mrz = reader.mrz_on_page(worn)
    assert mrz["valid"] and mrz["fields"]["number"] == PASSPORT_NUMBER
    assert "surname" in mrz["doubtful_fields"]


def test_a_cards_own_box_rows_are_not_taken_for_a_passport():
    """read_mrz finds a zone of low confidence in a card's rows of boxes (a TD2 of chance
    letters on these torn cards, which do not align): such a page must stay a card in the queue,
    not become a passport page."""
    template = card.load_template("safar-card")
    for seed in (1, 2, 3):
        rng = np.random.default_rng(seed)
        values = synth.card_values(template, rng, SERIAL)
        image, _ = synth.fill(template, values, rng, 300, cancel=False)
        page = synth.scan(image, rng, rotation=0, skew=0.6, mode="grey")
        assert reader.mrz_on_page(page[: page.shape[0] * 3 // 5]) is None  # a torn card


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks are only taken on PostgreSQL",
)
@pytest.mark.usefixtures("reference_data")
def test_two_workers_routing_a_card_and_its_passport_at_the_same_moment_pair_them(queued_tasks):
    """The race the row locks are for (PostgreSQL; SQLite runs one writer at a time): the card
    and its passport page recorded and routed at once by two threads, many times over — every
    other time both routings start together, each seeing the other page read (without the
    locks both would apply the passport and save the card twice)."""
    operator = make_user("operator-du", "ICC-DU", "operator")
    centre = Office.objects.get(code="ICC-DU")
    content, _truth = card_then_passport_pdf()
    readings = None
    attempts = 8
    for attempt in range(attempts):
        # The same two pages in another file each time (a PDF comment after its end).
        upload = services.receive_upload(
            content=content + b"\n%" + bytes([65 + attempt]),
            name=f"race-{attempt}.pdf",
            centre=centre,
            user=operator,
        ).upload
        process_upload.call(upload.pk)
        pages = list(upload.scans.order_by("page"))
        readings = readings or [read_page(scan) for scan in pages]
        assert not race(pages, readings, together=bool(attempt % 2))
        card_scan, passport = (Scan.objects.get(pk=scan.pk) for scan in pages)
        assert passport.status == Scan.Status.SAVED and passport.card_scan_id == card_scan.pk
        assert card_scan.status == Scan.Status.SAVED, card_scan.review_reason
        assert card_scan.reading["passport"]["scan"] == passport.pk
    # The first card was saved; the same card in the later files is a duplicate of it.
    assert Crossing.objects.count() == 1
    counts = capture_counts()
    assert counts["scanned"] == attempts
    assert counts["auto_accepted"] == 1 and counts["duplicate"] == attempts - 1


def race(pages: list[Scan], readings: list[dict], *, together: bool) -> list[Exception]:
    """Each page recorded and routed by its own thread, both starting at once (and, `together`,
    both routings starting once both pages are read), as two workers would; the errors."""
    start, both_read = threading.Barrier(2), threading.Barrier(2)
    errors = []

    def worker(scan, reading):
        try:
            start.wait()
            scan = services.record_reading(scan=scan, reading=reading)
            if together:
                both_read.wait()
            if scan.status == Scan.Status.READ:
                pairing.route_page(scan=scan)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=pair) for pair in zip(pages, readings, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
