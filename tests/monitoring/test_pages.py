"""The monthly report pages: the month's list, one MSC-month with its tables and charts, the
typed figures, the workflow through the forms, and the PDF, in the three languages."""

import datetime

import pytest
from django.urls import reverse

from safar.monitoring.models import MonthlyReport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def december(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 2, 9, tzinfo=datetime.UTC))


def page(msc="MSC-DU", month="2026-11", name="monitoring:report"):
    return reverse(name, args=[msc, month])


def test_the_month_list_shows_each_msc_the_user_sees(client, november, coordinator, supervisor_du):
    client.force_login(coordinator)
    body = client.get(reverse("monitoring:index")).content.decode()
    assert "MSC-DU" in body and "MSC-KH" in body and "2026-11" in body
    client.force_login(supervisor_du)
    body = client.get(reverse("monitoring:index"), {"month": "2026-10"}).content.decode()
    assert "MSC-DU" in body and "MSC-KH" not in body


@pytest.mark.parametrize("language", ["tg", "ru", "en"])
def test_the_report_page_in_three_languages(client, november, supervisor_du, language):
    client.force_login(supervisor_du)
    client.cookies["django_language"] = language
    response = client.get(page())
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<svg") >= 5  # a chart for every table of more than one row
    for code in ("M01", "M07", "M12"):
        assert f'id="table-{code}"' in body
    assert 'name="radio_listeners"' in body  # the head types the figures


def test_the_workflow_through_the_pages(client, november, supervisor_du, coordinator):
    client.force_login(supervisor_du)
    client.post(page(name="monitoring:figures"), {"radio_listeners": "x"})
    assert not MonthlyReport.objects.get().typed
    client.post(page(name="monitoring:figures"), {"radio_listeners": "5000"})
    client.post(page(name="monitoring:action"), {"action": "submit"})
    report = MonthlyReport.objects.get()
    assert report.status == "submitted" and report.typed == {"radio_listeners": 5000}
    client.force_login(coordinator)
    response = client.post(page(name="monitoring:action"), {"action": "return_report"}, follow=True)
    assert MonthlyReport.objects.get().status == "submitted"  # a return needs its comment
    client.post(page(name="monitoring:action"), {"action": "return_report", "comment": "Check M02"})
    client.force_login(supervisor_du)
    client.post(page(name="monitoring:figures"), {"radio_listeners": "6000"})
    client.post(page(name="monitoring:action"), {"action": "submit"})
    client.force_login(coordinator)
    client.post(page(name="monitoring:action"), {"action": "accept"})
    response = client.get(page())
    body = response.content.decode()
    assert MonthlyReport.objects.get().status == "accepted"
    assert "5000" in body and "6000" in body  # the difference between versions 1 and 2
    assert "Check M02" in body


def test_another_msc_and_a_bad_month_are_not_found(client, november, supervisor_kh):
    client.force_login(supervisor_kh)
    assert client.get(page()).status_code == 404
    assert client.get(page("MSC-KH", "2026-13")).status_code == 404
    assert client.post(page(name="monitoring:action"), {"action": "submit"}).status_code == 404


def test_the_printable_pdf(client, november, coordinator):
    client.force_login(coordinator)
    client.cookies["django_language"] = "ru"
    response = client.get(page(name="monitoring:pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_home_page_shows_last_months_reports(client, november, coordinator, supervisor_du):
    from safar.monitoring.figures import Month
    from safar.monitoring.services import advance, report_for

    advance(report_for(november["du"], Month(2026, 11)), "submit", supervisor_du)
    client.force_login(coordinator)
    body = client.get("/").content.decode()
    assert page() in body and "MSC-KH" in body


def test_submit_keeps_a_figure_typed_but_not_saved_and_a_bad_one_stops_it(
    client, november, supervisor_du
):
    client.force_login(supervisor_du)
    client.post(page(name="monitoring:action"), {"action": "submit", "radio_listeners": "x1"})
    report = MonthlyReport.objects.get()
    assert (report.status, report.typed) == ("draft", {})  # nothing submitted with a bad figure
    client.post(page(name="monitoring:action"), {"action": "submit", "radio_listeners": "1200"})
    report.refresh_from_db()
    assert (report.status, report.typed) == ("submitted", {"radio_listeners": 1200})
    assert report.versions.get().typed == {"radio_listeners": 1200}


def test_the_differences_between_versions_are_in_words(
    client, november, supervisor_du, coordinator
):
    from safar.core.models import Office
    from safar.outreach.models import Session

    du = Office.objects.get(code="MSC-DU")
    client.force_login(supervisor_du)
    client.post(page(name="monitoring:action"), {"action": "submit", "radio_listeners": "1200"})
    client.force_login(coordinator)
    client.post(page(name="monitoring:action"), {"action": "return_report", "comment": "Санҷед."})
    Session.objects.create(
        org=du, held_on=datetime.date(2026, 11, 20), kind="school", participants_f=5
    )
    client.force_login(supervisor_du)
    client.post(page(name="monitoring:action"), {"action": "submit", "radio_listeners": "2400"})
    client.force_login(coordinator)
    client.cookies["django_language"] = "en"
    body = client.get(page()).content.decode()
    changes = body[body.index('id="changes-title"') :]
    assert "<td>Figures typed by hand</td><td>Radio listeners reached</td><td>–</td>" in changes
    assert (
        "<td>M11. Outreach sessions held</td><td>school visit</td><td>women taking part</td>"
        in (changes)
    )
    table = changes[: changes.index("</table>")]
    assert "radio_listeners" not in table and "<td>typed</td>" not in table and "|" not in table
    # M11 names its kinds of session.
    m11 = body[body.index('id="table-M11"') :]
    assert "<td>school visit</td>" in m11 and 'href="/outreach/?month=2026-11"' in m11
