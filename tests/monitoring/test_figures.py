"""Every M-table on the hand-made November (conftest.py) against answers worked out by hand."""

import pytest

from safar.monitoring.figures import TABLES, Month, compute_all

pytestmark = pytest.mark.django_db

NOVEMBER = Month(2026, 11)

EXPECTED_DU = {
    # Contact 4 (2026-10-31T19:30Z) is November 1st in Dushanbe; 2026-11-30T20:00Z is December.
    "M01": [["phone", "F", 1], ["phone", "M", 2], ["walk_in", "M", 1], ["walk_in", "U", 1]],
    "M02": [["prank", 1], ["silent", 2]],
    # The contact filed under two categories counts once in each.
    "M03": [["documents/patent", 2], ["entry_ban/check", 2], ["work/wages_unpaid", 1]],
    "M04": [["", 2], ["RUS", 2], ["TJK", 1]],
    "M05": [["", 2], ["TJ-DU", 1], ["TJ-SU", 2]],
    "M06": [["", 1], ["case_opened", 1], ["information", 2], ["referred", 1]],
    # a first called in October: not new; b, c (on November 1st, Dushanbe time) and d are.
    "M07": [["M", 2], ["U", 1]],
    # A case closed in December (UTC still November) does not count; one reopened does not
    # undo its closing month.
    "M08": [["family", 0, 1], ["migrant", 2, 1]],
    # Status at the end of November: accepted (done only in December), rejected, sent.
    "M09": [
        ["international", "accepted", 1],
        ["legal_aid", "rejected", 1],
        ["legal_aid", "sent", 1],
    ],
    "M10": [["legal", "F", 2], ["psychological", "U", 1]],
    "M11": [],
    # Open at the end: the family case closed in December, the reopened barred case (overdue
    # since November 15th) and the case of November 28th (follow-up in December).
    "M12": [[3, 1]],
}


def test_every_table_of_the_dushanbe_msc_in_november(november):
    assert compute_all([november["du"]], NOVEMBER) == EXPECTED_DU


def test_all_mscs_are_summed(november):
    both = compute_all([november["du"], november["kh"]], NOVEMBER)
    assert both["M01"] == [
        ["phone", "F", 2],
        ["phone", "M", 2],
        ["walk_in", "M", 1],
        ["walk_in", "U", 1],
    ]
    assert both["M03"][0] == ["documents/patent", 3]
    assert both["M07"] == [["F", 1], ["M", 2], ["U", 1]]


def test_december_takes_the_contacts_of_the_last_evening_of_november_utc(november):
    december = compute_all([november["du"]], Month(2026, 12))
    assert december["M01"] == [["phone", "M", 1]]
    assert december["M02"] == [["silent", 1]]
    assert december["M07"] == []  # c called first on November 1st
    assert december["M08"] == [["family", 0, 1], ["trafficking", 1, 0]]
    assert december["M10"] == [["legal", "U", 1]]


def test_a_month_without_records_has_no_rows_but_m12_counts_what_is_open(november):
    august = compute_all([november["du"]], Month(2026, 8))
    assert all(rows == [] for rows in august.values())
    october = compute_all([november["du"]], Month(2026, 10))
    assert october["M12"] == [[2, 0]]  # the family cases of October 5th and 10th


def test_the_columns_are_the_issues(db):
    assert {code: table.columns for code, table in TABLES.items()} == {
        "M01": ("channel", "sex", "contacts"),
        "M02": ("call_type", "contacts"),
        "M03": ("category", "contacts"),
        "M04": ("migrant_location", "contacts"),
        "M05": ("region", "contacts"),
        "M06": ("outcome", "contacts"),
        "M07": ("sex", "callers"),
        "M08": ("case_type", "opened", "closed"),
        "M09": ("partner_kind", "status", "referrals"),
        "M10": ("service", "sex", "services"),
        "M11": ("kind", "sessions", "participants_f", "participants_m"),
        "M12": ("open_cases", "overdue_follow_ups"),
    }


def test_months_parse_strictly_and_bound_in_dushanbe_time():
    assert str(Month.parse("2026-11")) == "2026-11"
    assert Month.parse("2026-12").next == Month(2027, 1)
    assert Month(2027, 1).previous == Month(2026, 12)
    assert Month(2026, 11).start.isoformat() == "2026-11-01T00:00:00+05:00"
    for bad in ("2026-13", "2026-1", "26-11", "2026-11-01", "", "２０２６-11"):
        with pytest.raises(ValueError):
            Month.parse(bad)


def test_m11_counts_the_outreach_sessions_held_in_the_month(november):
    import datetime

    from safar.outreach.models import Session

    du = november["du"]
    for day, kind, women, men in (
        (datetime.date(2026, 11, 3), "info_session", 40, 60),
        (datetime.date(2026, 11, 20), "info_session", 10, 5),
        (datetime.date(2026, 11, 30), "radio", 0, 0),
        (datetime.date(2026, 12, 1), "school", 30, 30),  # December: not counted
    ):
        Session.objects.create(
            org=du, held_on=day, kind=kind, participants_f=women, participants_m=men
        )
    assert compute_all([november["du"]], NOVEMBER)["M11"] == [
        ["info_session", 2, 50, 65],
        ["radio", 1, 0, 0],
    ]
