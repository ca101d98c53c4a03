"""The scan pipeline saves crossings under the registry's rules (safar.crossings.rules): a card
number read in another spelling finds the stored card, a rule broken sends the scan to review."""

import datetime

import pytest

from safar.capture.models import Scan
from safar.capture.services import record_reading, route_scan, typed_values
from safar.crossings.models import Crossing
from safar.crossings.services import create_crossing

from .world import VALUES, make_scan

DUSHANBE = datetime.timezone(datetime.timedelta(hours=5))


@pytest.fixture(autouse=True)
def after_the_batch_day(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 22, 12, 0, tzinfo=DUSHANBE), tick=False)


def read_confidently(centre, **values) -> Scan:
    """A scan just read, every field confident, with these values."""
    scan = make_scan(centre, doubtful=())
    Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.RECEIVED, reading={})
    reading = {
        "aligned": True,
        "unreadable": False,
        "problem": "",
        "confident": True,
        "fields": {},
        "values": {**VALUES, **values},
        "doubtful": [],
        "mrz": None,
    }
    return route_scan(scan=record_reading(scan=scan, reading=reading))


@pytest.mark.django_db
def test_a_card_number_read_in_lower_case_or_with_a_dash_is_the_stored_card(centre_du):
    stored = create_crossing(user=None, data=typed_values(VALUES))
    for spelling in ("aa0000123", "AA-0000123"):
        scan = read_confidently(centre_du, card_number=spelling)
        assert (scan.status, scan.duplicate_of) == (Scan.Status.SAVED, stored)
        assert scan.card_number == "AA0000123"
    assert Crossing.objects.count() == 1


@pytest.mark.django_db
def test_a_confident_reading_of_a_foreigner_with_a_region_goes_to_review(centre_du):
    scan = read_confidently(centre_du, citizenship="UZB")
    assert (scan.status, scan.problem) == (Scan.Status.NEEDS_REVIEW, "refused: region")
    assert not Crossing.objects.exists()


@pytest.mark.django_db
def test_a_confident_reading_born_on_the_day_of_crossing_goes_to_review(centre_du):
    scan = read_confidently(centre_du, birth_date=VALUES["crossed_on"])
    assert (scan.status, scan.problem) == (Scan.Status.NEEDS_REVIEW, "refused: birth_date")
    assert not Crossing.objects.exists()
