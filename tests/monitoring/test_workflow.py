"""The monthly report's workflow: the MSC head submits (freezing a version), the coordinator
returns with a comment or accepts (locking it), and reopens it only with a reason."""

import datetime

import pytest

from safar.monitoring.figures import Month
from safar.monitoring.models import MonthlyReport
from safar.monitoring.services import (
    ReportError,
    advance,
    available_actions,
    differences,
    report_for,
    save_typed,
    shown_tables,
)
from tests.monitoring.conftest import contact

pytestmark = pytest.mark.django_db
NOVEMBER = Month(2026, 11)


@pytest.fixture(autouse=True)
def december(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 2, 9, tzinfo=datetime.UTC))


def test_submit_return_correct_accept_reopen(november, supervisor_du, coordinator):
    report = report_for(november["du"], NOVEMBER)
    assert available_actions(report, supervisor_du) == ["submit"]
    assert available_actions(report, coordinator) == []
    save_typed(report, {"radio_listeners": "12000", "booklets": ""}, supervisor_du)
    advance(report, "submit", supervisor_du)
    assert report.status == MonthlyReport.Status.SUBMITTED
    first = report.latest_version()
    assert first.number == 1
    assert first.typed == {"radio_listeners": 12000}
    assert first.tables["M02"] == {
        "columns": ["call_type", "contacts"],
        "rows": [["prank", 1], ["silent", 2]],
    }
    # Frozen: a contact logged later does not change what was submitted.
    contact(november["du"], "2026-11-15T09:00", call_type="prank")
    tables, version = shown_tables(report)
    assert version == first and tables["M02"]["rows"] == [["prank", 1], ["silent", 2]]
    assert available_actions(report, coordinator) == ["return_report", "accept"]
    with pytest.raises(ReportError) as refused:
        advance(report, "return_report", coordinator)
    assert refused.value.field == "comment"
    advance(report, "return_report", coordinator, "Two pranks were logged late: count them.")
    assert report.status == MonthlyReport.Status.RETURNED
    # Returned: the MSC sees the records as they are now, and submits again.
    assert shown_tables(report)[0]["M02"]["rows"] == [["prank", 2], ["silent", 2]]
    advance(report, "submit", supervisor_du)
    second = report.latest_version()
    assert second.number == 2
    assert [(c.table, c.row, c.column, c.before, c.after) for c in differences(first, second)] == [
        ("M02", "prank", "contacts", 1, 2)
    ]
    advance(report, "accept", coordinator)
    assert report.is_locked
    with pytest.raises(ReportError):
        save_typed(report, {"radio_listeners": "1"}, supervisor_du)
    with pytest.raises(ReportError):
        advance(report, "submit", supervisor_du)
    with pytest.raises(ReportError) as refused:
        advance(report, "reopen", coordinator, "  ")
    assert refused.value.field == "comment"
    advance(report, "reopen", coordinator, "The radio figure was wrong.")
    assert report.status == MonthlyReport.Status.DRAFT
    assert list(report.events.values_list("action", flat=True)) == [
        "save_figures",
        "submit",
        "return_report",
        "submit",
        "accept",
        "reopen",
    ]
    assert report.events.get(action="reopen").comment == "The radio figure was wrong."


def test_only_the_head_of_the_msc_submits_and_only_the_coordinator_reviews(
    november, supervisor_kh, consultant_du, supervisor_du, coordinator
):
    report = report_for(november["du"], NOVEMBER)
    for user in (supervisor_kh, consultant_du, coordinator):
        with pytest.raises(ReportError):
            advance(report, "submit", user)
    advance(report, "submit", supervisor_du)
    for user in (supervisor_du, supervisor_kh):
        with pytest.raises(ReportError):
            advance(report, "accept", user)
    assert report.versions.count() == 1


def test_typed_figures_are_whole_numbers_named_in_the_error(november, supervisor_du):
    report = report_for(november["du"], NOVEMBER)
    for bad in ("-1", "1.5", "lots", "١٢"):
        with pytest.raises(ReportError) as refused:
            save_typed(report, {"radio_listeners": bad}, supervisor_du)
        assert refused.value.field == "radio_listeners"
    with pytest.raises(ReportError):
        save_typed(report, {"unknown": "1"}, supervisor_du)
    report.refresh_from_db()
    assert report.typed == {}


def test_the_demo_month(db, capsys):
    import io

    from safar.core.demo import load_demo

    load_demo(io.StringIO())
    statuses = dict(
        MonthlyReport.objects.filter(month=datetime.date(2026, 11, 1)).values_list(
            "msc__code", "status"
        )
    )
    assert statuses == {
        "MSC-DU": "accepted",
        "MSC-KH": "submitted",
        "MSC-KU": "submitted",
        "MSC-BO": "draft",
    }
    from safar.monitoring.dhis2 import build_sets

    (one,) = build_sets(Month(2026, 11))
    assert one.org_unit == "OU_MSC_DU" and one.values
    load_demo(io.StringIO())  # again: nothing changes
    assert MonthlyReport.objects.count() == 4
