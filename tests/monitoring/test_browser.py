"""The monthly report in Chromium, in Tajik on a phone-sized screen: the MSC head types the radio
figure and submits, the coordinator returns it with a comment, the head corrects and submits
again, the coordinator accepts; the page passes axe at each step."""

import datetime

import pytest

from safar.monitoring.models import MonthlyReport
from tests.browser.conftest import (  # noqa: F401  (fixtures used by name)
    assert_accessible,
    chromium,
    log_in,
    page_at,
    reference_data,
    screenshot,
)
from tests.conftest import make_user
from tests.monitoring.conftest import contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Safar-2026"
PHONE = {"width": 390, "height": 844}


def test_submit_return_correct_accept_in_tajik_on_a_phone(page_at, live_server, time_machine):  # noqa: F811
    time_machine.move_to(datetime.datetime(2026, 12, 2, 6, tzinfo=datetime.UTC), tick=True)
    from safar.core.models import Office
    from safar.helpdesk.models import Caller

    du = Office.objects.get(code="MSC-DU")
    caller = Caller.objects.create(msc=du, phone="+992931111111", sex="F")
    contact(du, "2026-11-05T09:00", caller=caller, categories=["documents/patent"])
    contact(du, "2026-11-06T09:00", caller=caller, channel="walk_in")
    make_user("supervisor-du", "MSC-DU", "supervisor", password=PASSWORD)
    make_user("coordinator", "MS", "coordinator", password=PASSWORD)
    base = live_server.url
    url = f"{base}/monitoring/MSC-DU/2026-11/"

    head = page_at(**PHONE, locale="tg")
    log_in(head, base, "supervisor-du", PASSWORD)
    head.goto(url)
    assert "Ҳисоботи моҳонаи" in head.inner_text("h1")
    assert_accessible(head)
    head.fill("#id_radio_listeners", "1200")
    head.click("text=Рақамҳоро нигоҳ доштан")
    head.click("button[value=submit]")
    head.wait_for_selector(".status-submitted")
    screenshot(head, "monitoring-submitted-tg-phone")

    coordinator = page_at(**PHONE, locale="tg")
    log_in(coordinator, base, "coordinator", PASSWORD)
    coordinator.goto(url)
    coordinator.fill("#id_comment", "Рақами радиоро санҷед.")
    coordinator.click("button[value=return_report]")
    coordinator.wait_for_selector(".status-returned")
    assert_accessible(coordinator)

    head.goto(url)
    assert "Рақами радиоро санҷед." in head.inner_text("main")
    head.fill("#id_radio_listeners", "2400")
    head.click("text=Рақамҳоро нигоҳ доштан")
    head.click("button[value=submit]")
    head.wait_for_selector(".status-submitted")

    coordinator.goto(url)
    assert "1200" in coordinator.inner_text("main") and "2400" in coordinator.inner_text("main")
    coordinator.click("button[value=accept]")
    coordinator.wait_for_selector(".status-accepted")
    assert_accessible(coordinator)
    report = MonthlyReport.objects.get()
    assert report.status == "accepted" and report.versions.count() == 2


def test_the_dashboard_passes_axe_in_russian(page_at, live_server, time_machine):  # noqa: F811
    time_machine.move_to(datetime.datetime(2026, 12, 7, 6, tzinfo=datetime.UTC), tick=True)
    from safar.core.models import Office
    from safar.helpdesk.models import Caller

    du = Office.objects.get(code="MSC-DU")
    caller = Caller.objects.create(msc=du, phone="+992931111111", sex="F")
    contact(du, "2026-10-05T09:00", caller=caller, categories=["entry_ban/check"])
    contact(du, "2026-11-05T09:00", caller=caller, categories=["documents/patent"])
    make_user("coordinator", "MS", "coordinator", password=PASSWORD)
    base = live_server.url
    page = page_at(width=1280, height=900, locale="ru")
    log_in(page, base, "coordinator", PASSWORD)
    page.goto(f"{base}/monitoring/dashboard/")
    assert "Панель показателей" in page.inner_text("h1")
    assert page.locator("svg title").count() >= 2
    assert_accessible(page)
    page.select_option("#id_msc", "MSC-DU")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**msc=MSC-DU**")
    assert_accessible(page)
    screenshot(page, "monitoring-dashboard-ru")
