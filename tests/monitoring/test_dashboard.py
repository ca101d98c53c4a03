"""The dashboard: a year of figures on small hand-made data, its scope (an MSC's staff see only
their centre), the reporting completeness (on time, late, overdue) and the CSV of every figure."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from safar.core.models import AuditEvent, Office
from safar.helpdesk.models import Caller, Referral, Service
from safar.monitoring.dashboard import FIGURES, completeness, months_ending
from safar.monitoring.figures import Month
from safar.monitoring.models import MonthlyReport, MonthlyReportEvent
from safar.outreach.models import Score, Session, Trainee, Training
from tests.conftest import make_user

from .conftest import at, case, contact, referral

pytestmark = pytest.mark.django_db
NOVEMBER = Month(2026, 11)


@pytest.fixture(autouse=True)
def december(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC))


@pytest.fixture
def consultant_ku(db):
    return make_user("consultant-ku", "MSC-KU", "consultant")


@pytest.fixture
def year(consultant_du):
    du, ku = Office.objects.get(code="MSC-DU"), Office.objects.get(code="MSC-KU")
    a = Caller.objects.create(msc=du, phone="+992931111111", sex="F")
    b = Caller.objects.create(msc=ku, phone="+992934444444", sex="M")
    # Contacts: two in November (Dushanbe dates: the second is 30 Nov 20:00 UTC = 1 December),
    # one in October about an entry ban and the documents, one non-data call (not counted).
    contact(du, "2026-11-05T09:00", caller=a, categories=["entry_ban/check", "documents/patent"])
    contact(du, "2026-11-10T09:00", caller=a, categories=["documents/patent"])
    contact(du, "2026-11-30T20:00", caller=a, categories=["entry_ban/check"])  # December there
    contact(du, "2026-10-15T09:00", caller=a, categories=["entry_ban/explain"])
    contact(du, "2026-11-11T09:00", caller=a, call_type="silent")
    contact(ku, "2026-11-12T09:00", caller=b, categories=["entry_ban/check"])
    # Cases: one opened in October and closed in November, one opened in November.
    first = case(du, consultant_du, "2026-10-20T09:00", closed="2026-11-03T09:00")
    case(du, consultant_du, "2026-11-04T09:00")
    done = referral(
        first, "FLAC", consultant_du, "2026-10-21T09:00", [("2026-11-02T09:00", "done")]
    )
    refused = referral(
        first, "IOM-TJ", consultant_du, "2026-10-22T09:00", [("2026-10-25T09:00", "rejected")]
    )
    # As the referral's workflow sets them: finished when done or rejected.
    Referral.objects.filter(pk=done.pk).update(finished_at=at("2026-11-02T09:00"))
    Referral.objects.filter(pk=refused.pk).update(
        answered_at=at("2026-10-25T09:00"), finished_at=at("2026-10-25T09:00")
    )
    # Rejected on 31 October 20:00 UTC: November in Dushanbe.
    late = referral(first, "FLAC", consultant_du, "2026-10-30T09:00")
    Referral.objects.filter(pk=late.pk).update(
        status="rejected", finished_at=at("2026-10-31T20:00")
    )
    Service.objects.create(
        case=first, kind="legal", given_on=datetime.date(2026, 11, 1), given_by=consultant_du
    )
    Session.objects.create(
        org=du,
        held_on=datetime.date(2026, 11, 10),
        kind="info_session",
        district_id="DU-SIN",
        participants_f=40,
        participants_m=60,
    )
    Session.objects.create(
        org=ku,
        held_on=datetime.date(2026, 11, 10),
        kind="info_session",
        district_id="KT-KUL",
        participants_f=5,
        participants_m=5,
    )
    training = Training.objects.create(
        org=du,
        title="Seminar",
        starts_on=datetime.date(2026, 11, 9),
        ends_on=datetime.date(2026, 11, 10),
    )
    trainee = Trainee.objects.create(training=training, name="S. R.", organisation="J", sex="F")
    Score.objects.create(trainee=trainee, topic_id="entry_ban", questions=4, before=1, after=3)
    return {"du": du, "ku": ku}


def figure(name, mscs, last=NOVEMBER):
    return FIGURES[name]([m.pk for m in mscs], months_ending(last))


def by_month(fig):
    return {row[0]: row[1:] for row in fig.rows}


def test_the_figures_on_small_data(year):
    du = [year["du"]]
    contacts = by_month(figure("contacts", du))
    assert len(contacts) == 12 and "2025-12" in contacts
    assert contacts["2026-11"] == [2, 1, 50.0]
    assert contacts["2026-10"] == [1, 1, 100.0]
    assert contacts["2026-09"] == [0, 0, 0.0]
    assert by_month(figure("contacts", du, Month(2026, 12)))["2026-12"] == [1, 1, 100.0]
    assert by_month(figure("cases", du))["2026-11"] == [1, 1]
    assert by_month(figure("cases", du))["2026-10"] == [1, 0]
    assert by_month(figure("referrals", du))["2026-11"] == [1, 1]
    assert by_month(figure("referrals", du))["2026-10"] == [0, 1]
    assert [row[1] for row in figure("services", du).rows] == [1]
    assert figure("sessions", du).rows[0][1:] == [40, 60]
    assert figure("trainings", du).rows[0][1:] == [1, 25.0, 75.0, 50.0]
    categories = dict(figure("categories", du).rows)
    # Documents twice, entry bans twice (the contact of 30 November UTC is December there).
    assert sorted(categories.values()) == [2, 2]
    both = [year["du"], year["ku"]]
    assert by_month(figure("contacts", both))["2026-11"] == [3, 2, 66.7]
    assert sorted(row[1] for row in figure("sessions", both).rows) == [5, 40]


def test_msc_staff_see_only_their_centre(client, year, consultant_du, consultant_ku):
    client.force_login(consultant_du)
    url = reverse("monitoring:dashboard")
    assert client.get(url, {"msc": "MSC-KU"}).status_code == 404
    assert (
        client.get(
            reverse("monitoring:dashboard_csv"), {"msc": "MSC-KU", "figure": "cases"}
        ).status_code
        == 404
    )
    body = client.get(url, {"month": "2026-11"}).content.decode()
    assert "MSC-DU" in body and "MSC-KU" not in body
    client.force_login(consultant_ku)
    rows = csv.reader(
        io.StringIO(
            client.get(
                reverse("monitoring:dashboard_csv"), {"figure": "sessions", "month": "2026-11"}
            ).content.decode("utf-8-sig")
        )
    )
    assert [row[1:] for row in list(rows)[1:]] == [["5", "5"]]


def test_the_coordinator_sees_every_centre_and_chooses_one(client, year, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("monitoring:dashboard"), {"month": "2026-11"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<svg") >= 5 and "<desc>" in body
    for code in ("MSC-DU", "MSC-KH", "MSC-KU", "MSC-BO"):
        assert code in body
    chosen = client.get(reverse("monitoring:dashboard"), {"month": "2026-11", "msc": "MSC-KU"})
    assert chosen.status_code == 200


def submit(msc, month, when, status="submitted"):
    report = MonthlyReport.objects.create(msc=msc, month=month.first_day, status=status)
    MonthlyReportEvent.objects.create(report=report, at=at(when), action="submit")
    return report


def test_completeness_on_time_late_and_overdue(year):
    mscs = list(Office.objects.filter(code__in=["MSC-DU", "MSC-KU", "MSC-KH"]).order_by("code"))
    du, kh, ku = mscs
    # Due by the end of 5 December in Dushanbe: 5 Dec 18:59 UTC is on time, 19:00 is late.
    submit(du, NOVEMBER, "2026-12-05T18:59")
    report = submit(ku, NOVEMBER, "2026-12-05T19:00", status="accepted")
    # A resubmission after a return does not make an on-time report late, nor a late one timely.
    MonthlyReportEvent.objects.create(
        report=report, at=at("2026-12-01T09:00"), action="return_report"
    )
    found = completeness(mscs, NOVEMBER, at("2026-12-07T09:00"))
    assert found.extra["timeliness"] == {"MSC-DU": "on_time", "MSC-KH": "missing", "MSC-KU": "late"}
    assert found.extra["submitted"] == 2
    assert found.extra["deadline"] == datetime.date(2026, 12, 5)
    early = completeness(mscs, NOVEMBER, at("2026-12-02T09:00"))
    assert early.extra["timeliness"]["MSC-KH"] == "not_due"


def test_the_deadline_day_is_a_setting(year, settings):
    settings.SAFAR_REPORT_DEADLINE_DAY = 10
    du = Office.objects.get(code="MSC-DU")
    submit(du, NOVEMBER, "2026-12-08T09:00")
    assert completeness([du], NOVEMBER, at("2026-12-09T09:00")).extra["timeliness"] == {
        "MSC-DU": "on_time"
    }


@pytest.mark.parametrize("name", [*FIGURES, "completeness"])
def test_every_figure_downloads_as_csv(client, year, coordinator, name):
    client.force_login(coordinator)
    response = client.get(reverse("monitoring:dashboard_csv"), {"figure": name, "month": "2026-11"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows[0]) >= 2 and len(rows) >= 2
    export = AuditEvent.objects.get(object_type="msc_dashboard")
    assert (export.action, export.object_id, export.user) == ("export", name, coordinator)


def test_an_unknown_figure_is_not_found(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("monitoring:dashboard_csv"), {"figure": "nope"}).status_code == 404


@pytest.mark.parametrize("language", ["tg", "ru", "en"])
def test_the_dashboard_in_three_languages(client, year, coordinator, language):
    client.force_login(coordinator)
    client.cookies["django_language"] = language
    assert client.get(reverse("monitoring:dashboard")).status_code == 200


def test_the_page_makes_a_fixed_number_of_queries(client, year, coordinator):
    """A few grouped queries per figure, however many months, MSCs or records."""
    client.force_login(coordinator)
    url = reverse("monitoring:dashboard")
    client.get(url, {"month": "2026-11"})  # warm the caches of roles and reference data
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(url, {"month": "2026-11"})
    contact(year["du"], "2026-09-05T09:00", caller=Caller.objects.first(), categories=["work"])
    with CaptureQueriesContext(connection) as second:
        client.get(url, {"month": "2026-11", "msc": "MSC-DU"})
    assert len(second) == len(first) <= 25  # 22 today, session and roles included
