"""One set of rules for a crossing: the service, the form and both import paths agree.

The world: the migrated reference data, today frozen at 2026-12-01 (Dushanbe).
"""

import csv
import datetime
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from safar.crossings import rules
from safar.crossings.importer import EXPECTED_HEADER, OPTIONAL, _Checker, import_crossings
from safar.crossings.models import Crossing
from safar.crossings.services import create_crossing

TODAY = datetime.date(2026, 12, 1)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC), tick=False)


def card(number="C0001", **values):
    data = {
        "card_number": number,
        "direction": "exit",
        "crossed_on": datetime.date(2025, 4, 1),
        "border_point": "DYU",
        "citizenship": "TJK",
        "passport_number": "400123456",
        "birth_date": datetime.date(1992, 5, 5),
        "sex": "M",
        "surname": "SAFAROV",
        "given_names": "UMED",
        "purpose": "work",
        "country": "RUS",
        "region": "TJ-KT",
        "district": None,
        "source": "form",
    }
    data.update(values)
    return data


def refused_fields(data) -> set[str]:
    with pytest.raises(ValidationError) as refused:
        create_crossing(user=None, data=data)
    return set(refused.value.message_dict)


# -- the card number ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("im0000001", "IM0000001"), ("IM-000-0001", "IM0000001"), (" im 0000001 ", "IM0000001")],
)
def test_a_card_number_is_stored_upper_case_without_spaces_or_dashes(typed, stored):
    assert rules.normalise_card_number(typed) == stored
    assert rules.card_number_refusal(stored) is None


@pytest.mark.parametrize("typed", ["-", "---", "", "  "])
def test_a_card_number_without_a_letter_or_digit_is_refused(typed):
    refusal = rules.card_number_refusal(rules.normalise_card_number(typed))
    assert refusal is not None and refusal.code == "card_number_blank"


@pytest.mark.django_db
def test_a_card_number_differing_only_in_case_is_a_duplicate():
    create_crossing(user=None, data=card("IM0000001"))
    assert refused_fields(card("im0000001", passport_number="999")) == {"card_number"}
    assert refused_fields(card("IM-0000001", passport_number="999")) == {"card_number"}
    assert Crossing.objects.get().card_number == "IM0000001"


@pytest.mark.django_db
def test_a_card_number_of_dashes_only_is_refused_by_the_service_and_the_import(tmp_path):
    assert refused_fields(card("-")) == {"card_number"}
    assert refused_fields(card("---")) == {"card_number"}
    result = import_crossings(write(tmp_path / "dashes.csv", [row(card_number="-")]))
    assert result.rejected == 1 and not Crossing.objects.exists()


@pytest.mark.django_db
def test_the_import_stores_im0000001_and_IM0000001_as_one_card(tmp_path):  # noqa: N802
    result = import_crossings(
        write(tmp_path / "cases.csv", [row(card_number="im0000001"), row(card_number="IM0000001")])
    )
    assert (result.stored, result.already_present) == (1, 1)
    assert list(Crossing.objects.values_list("card_number", flat=True)) == ["IM0000001"]


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["im0000001", "IM-0000001", "IM 0000001", ""])
def test_the_database_refuses_a_card_number_not_in_its_stored_form(number):
    crossing = create_crossing(user=None, data=card("IM0000001"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Crossing.objects.filter(pk=crossing.pk).update(card_number=number)


# -- dates and residence -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day", [datetime.date(2099, 1, 1), datetime.date(2026, 12, 2), datetime.date(1900, 1, 1)]
)
def test_the_service_refuses_a_crossing_in_the_future_or_before_the_earliest_date(day):
    assert refused_fields(card(crossed_on=day, birth_date=datetime.date(1899, 1, 1))) >= {
        "crossed_on"
    }
    assert not Crossing.objects.exists()


@pytest.mark.django_db
def test_the_earliest_crossing_date_is_a_setting(settings, tmp_path):
    settings.SAFAR_EARLIEST_CROSSING = datetime.date(2025, 1, 1)
    assert refused_fields(card(crossed_on=datetime.date(2024, 12, 31))) == {"crossed_on"}
    result = import_crossings(write(tmp_path / "early.csv", [row(crossed_on="2024-12-31")]))
    assert result.problems == [(2, "crossed_on: 2024-12-31 is before 2025-01-01")]
    create_crossing(user=None, data=card(crossed_on=datetime.date(2025, 1, 1)))


def test_env_example_gives_the_earliest_crossing_date_its_default():
    listed = re.search(r"^SAFAR_EARLIEST_CROSSING=(.*)$", (REPO / ".env.example").read_text(), re.M)
    assert datetime.date.fromisoformat(listed.group(1)) == datetime.date(1991, 1, 1)


@pytest.mark.django_db
def test_a_birth_after_the_crossing_is_refused_by_the_service():
    assert refused_fields(card(birth_date=datetime.date(2025, 4, 2))) == {"birth_date"}


@pytest.mark.django_db
def test_a_birth_on_the_day_of_crossing_is_refused_by_the_service_and_the_import(tmp_path):
    assert refused_fields(card(birth_date=datetime.date(2025, 4, 1))) == {"birth_date"}
    result = import_crossings(
        write(tmp_path / "born.csv", [row(crossed_on="2025-04-01", birth_date="2025-04-01")])
    )
    assert result.problems == [(2, "birth_date: on or after the date of crossing")]


@pytest.mark.django_db
def test_a_foreigner_with_a_region_or_district_is_refused_by_the_service_and_the_import(
    tmp_path,
):
    assert refused_fields(card(citizenship="UZB")) == {"region"}
    assert refused_fields(card(citizenship="UZB", region=None, district="SU-KHU")) == {"district"}
    result = import_crossings(write(tmp_path / "foreign.csv", [row(citizenship="UZB")]))
    assert result.problems == [(2, "region: only for citizens of TJK, not UZB")]
    create_crossing(user=None, data=card(citizenship="UZB", region=None))


@pytest.mark.django_db
def test_the_service_gives_a_district_its_region_and_refuses_one_of_another_region():
    crossing = create_crossing(user=None, data=card(region=None, district="SU-KHU"))
    assert crossing.region_id == "TJ-SU"
    assert refused_fields(card("C2", region="TJ-KT", district="SU-KHU")) == {"district"}


# -- the import's two paths and the service agree -----------------------------------------------

HEADER = [*EXPECTED_HEADER.split(","), *OPTIONAL]
GOOD = {
    "card_number": "K1",
    "direction": "exit",
    "crossed_on": "2025-03-01",
    "border_point": "DYU",
    "citizenship": "TJK",
    "passport_number": "400000001",
    "birth_date": "1990-01-01",
    "sex": "M",
    "purpose": "work",
    "country": "RUS",
    "region": "TJ-SU",
    "surname": "",
    "given_names": "",
    "district": "",
}


def row(**changes) -> list[str]:
    values = {**GOOD, **changes}
    return [values[name] for name in HEADER]


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def days(low: datetime.date, high: datetime.date):
    return st.dates(min_value=low, max_value=high)


# Values around every rule's edge: today, the earliest date, birth on the crossing day, numbers
# that only normalise to the stored form, foreigners with a residence.
edge_dates = st.sampled_from(
    [
        TODAY,
        TODAY + datetime.timedelta(days=1),
        datetime.date(1991, 1, 1),
        datetime.date(1990, 12, 31),
        datetime.date(2025, 3, 1),
        datetime.date(1900, 1, 1),
        datetime.date(1899, 12, 31),
    ]
)
crossing_dates = st.one_of(edge_dates, days(datetime.date(1985, 1, 1), datetime.date(2030, 1, 1)))
birth_dates = st.one_of(edge_dates, days(datetime.date(1890, 1, 1), datetime.date(2030, 1, 1)))
card_numbers = st.one_of(
    st.sampled_from(["IM0000001", "im0000001", "IM-0000001", "-", "---", "", "A" * 17]),
    st.text(alphabet="aZ09- \u0436", max_size=18),
)
passports = st.one_of(
    st.sampled_from(["AB1234567", "ab 123", "40-00-01", "A" * 21]),
    st.text(alphabet="aZ09- ", max_size=22),
)
residences = st.sampled_from(
    [("", ""), ("TJ-SU", ""), ("", "SU-KHU"), ("TJ-SU", "SU-KHU"), ("TJ-KT", "SU-KHU")]
)


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    number=card_numbers,
    passport=passports,
    crossed_on=crossing_dates,
    birth=birth_dates,
    citizenship=st.sampled_from(["TJK", "UZB"]),
    residence=residences,
)
@example(
    number="IM0000001",
    passport="AB1",
    crossed_on=datetime.date(2025, 3, 1),
    birth=datetime.date(2025, 3, 1),
    citizenship="TJK",
    residence=("", ""),
)
@example(
    number="IM0000001",
    passport="AB1",
    crossed_on=datetime.date(2025, 3, 1),
    birth=datetime.date(1990, 1, 1),
    citizenship="UZB",
    residence=("TJ-SU", ""),
)
def test_the_fast_path_the_slow_path_and_the_service_give_the_same_answer(
    number, passport, crossed_on, birth, citizenship, residence
):
    region, district = residence
    fields = row(
        card_number=number,
        passport_number=passport,
        crossed_on=crossed_on.isoformat(),
        birth_date=birth.isoformat(),
        citizenship=citizenship,
        region=region,
        district=district,
    )
    checker = _Checker(tuple(HEADER))
    fast, slow = checker.check(fields), checker.check_slowly(fields)
    assert fast == slow
    data = card(
        number,
        passport_number=passport,
        crossed_on=crossed_on,
        birth_date=birth,
        citizenship=citizenship,
        region=region or None,
        district=district or None,
        border_point="DYU",
    )
    try:
        with transaction.atomic():
            stored = create_crossing(user=None, data=data)
            transaction.set_rollback(True)
    except ValidationError as refused:
        assert isinstance(slow, str), (slow, refused.message_dict)
        # The first problem the import names is one the service names too.
        assert slow.split(":")[0] in refused.message_dict or slow.startswith("expected")
    else:
        assert not isinstance(slow, str), slow
        assert (stored.card_number, stored.region_id) == (slow[0], slow[10])


def test_a_malformed_earliest_crossing_date_stops_the_process_with_its_name(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from safar.settings import env_date

    monkeypatch.setenv("SAFAR_EARLIEST_CROSSING", "01.01.1991")
    with pytest.raises(ImproperlyConfigured, match="SAFAR_EARLIEST_CROSSING"):
        env_date("SAFAR_EARLIEST_CROSSING", datetime.date(1991, 1, 1))
    monkeypatch.setenv("SAFAR_EARLIEST_CROSSING", "1980-01-01")
    assert env_date("SAFAR_EARLIEST_CROSSING", datetime.date(1991, 1, 1)) == datetime.date(
        1980, 1, 1
    )


@pytest.mark.django_db
def test_check_rules_lists_stored_crossings_that_break_a_rule_by_record_id_only():
    from io import StringIO

    from django.core.management import call_command

    from safar.crossings.models import Traveller

    out = StringIO()
    call_command("check-rules", stdout=out)
    assert "keeps the registry's rules" in out.getvalue()
    good = create_crossing(user=None, data=card("C1"))
    foreigner = create_crossing(user=None, data=card("C2", passport_number="999", region=None))
    Traveller.objects.filter(pk=foreigner.traveller_id).update(citizenship_id="UZB")
    Crossing.objects.filter(pk=foreigner.pk).update(region_id="TJ-KT")
    newborn = create_crossing(user=None, data=card("C3", passport_number="888"))
    Crossing.objects.filter(pk=newborn.pk).update(crossed_on=datetime.date(1990, 5, 5))
    out = StringIO()
    with pytest.raises(SystemExit) as status:
        call_command("check-rules", stdout=out)
    report = out.getvalue()
    assert status.value.code == 1
    assert f"non-citizen: 1 crossings (#{foreigner.pk})" in report
    assert f"on or after the date of crossing: 1 crossings (#{newborn.pk})" in report
    assert f"SAFAR_EARLIEST_CROSSING: 1 crossings (#{newborn.pk})" in report
    assert f"#{good.pk})" not in report and "888" not in report and "1990" not in report
