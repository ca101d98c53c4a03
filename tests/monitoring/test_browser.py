"""Issue 14 end to end in Chromium, as its people would do it: an MSC consultant records an
information session on a phone in Tajik; the MSC head sees it in M11 and submits the month's
report with a figure typed by hand; the coordinator returns it with a comment; the head corrects
the figure and submits again; the coordinator sees what changed and accepts: the report is
locked. Each page passes axe. And the dashboard in Russian.

Written for a loaded 2-core CI machine (SQLite and PostgreSQL): every step waits for what the
user would wait for (the next page's status, a message) with generous timeouts, and a field is
focused before it is typed into."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from safar.monitoring.models import MonthlyReport
from safar.outreach.models import Session
from tests.browser.conftest import (  # noqa: F401  (fixtures used by name)
    DESKTOP,
    PHONE,
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
# Long enough for a page served by a live server on a machine doing much else at once.
WAIT = 60_000


@pytest.fixture(autouse=True)
def patient_expect():
    """`expect` waits as long as the pages do (5 s by default), and no longer after these tests."""
    expect.set_options(timeout=WAIT)
    yield
    expect.set_options(timeout=None)


def type_into(page, selector: str, text: str) -> None:
    """Focus the field, then type: under load a page may still move focus as it loads."""
    field = page.locator(selector)
    field.wait_for(state="visible", timeout=WAIT)
    field.focus()
    field.fill(text)
    expect(field).to_have_value(text, timeout=WAIT)


def slow_page(page):
    page.set_default_timeout(WAIT)
    page.set_default_navigation_timeout(WAIT)
    return page


def status_of(page) -> str:
    return page.locator(".page-head .status").inner_text()


def test_a_session_recorded_on_a_phone_reaches_the_accepted_monthly_report_in_tajik(
    page_at,  # noqa: F811
    live_server,
    time_machine,
):
    # The 2nd of December in Dushanbe: November is over and its report is due.
    time_machine.move_to(datetime.datetime(2026, 12, 2, 4, tzinfo=datetime.UTC), tick=True)
    from safar.core.models import Office
    from safar.helpdesk.models import Caller

    du = Office.objects.get(code="MSC-DU")
    caller = Caller.objects.create(msc=du, phone="+992931111111", sex="F")
    contact(du, "2026-11-05T09:00", caller=caller, categories=["documents/patent"])
    make_user("consultant-du", "MSC-DU", "consultant", password=PASSWORD)
    make_user("supervisor-du", "MSC-DU", "supervisor", password=PASSWORD)
    make_user("coordinator", "MS", "coordinator", password=PASSWORD)
    base = live_server.url
    report_url = f"{base}/monitoring/MSC-DU/2026-11/"

    # 1. The consultant records the session on a phone, in Tajik.
    consultant = slow_page(page_at(**PHONE, locale="tg"))
    log_in(consultant, base, "consultant-du", PASSWORD)
    consultant.goto(f"{base}/outreach/new/")
    expect(consultant.locator("h1")).to_have_text("Сабти чорабинӣ")
    assert consultant.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(consultant)
    type_into(consultant, "#id_held_on", "2026-11-20")
    consultant.select_option("#id_kind", "info_session")
    consultant.select_option("#id_district", "DU-SHM")
    type_into(consultant, "#id_jamoat", "Зарафшон")
    type_into(consultant, "#id_participants_F", "12")
    type_into(consultant, "#id_participants_M", "8")
    type_into(consultant, "#id_materials_booklet", "30")
    consultant.select_option("#id_topics", ["entry_ban/explain"])
    consultant.locator("button[type=submit].primary").click()
    consultant.wait_for_url(re.compile(r"/outreach/new/\?saved=\d+"), timeout=WAIT)
    expect(consultant.locator(".messages .success")).to_contain_text(
        "Сабт шуд: вохӯрии иттилоотӣ, 2026-11-20, 20 иштирокчӣ.", timeout=WAIT
    )
    assert_accessible(consultant)
    # What was saved, on its own page, and in the month's list.
    consultant.get_by_role("link", name="Чорабинии сабтшударо дидан").click()
    consultant.wait_for_url(re.compile(r"/outreach/\d+/$"), timeout=WAIT)
    expect(consultant.locator("h1")).to_have_text("Вохӯрии иттилоотӣ")
    expect(consultant.locator(".page-head")).to_contain_text("ноҳияи Шоҳмансур, Зарафшон")
    expect(consultant.locator("main")).to_contain_text("Китобчаҳо")
    assert consultant.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(consultant)
    consultant.locator(".crumbs a").click()
    consultant.wait_for_url(re.compile(r"/outreach/\?month=2026-11$"), timeout=WAIT)
    row = consultant.locator("tr", has_text="Зарафшон")
    expect(row).to_contain_text("Вохӯрии иттилоотӣ")
    expect(row).to_contain_text("ноҳияи Шоҳмансур")
    screenshot(consultant, "issue14-sessions-tg-phone")
    assert Session.objects.get().participants == 20

    # 2. The head finds it in the month's report (M11) and submits with a figure typed by hand,
    # pressing "Submit" straight after typing it (the figure is sent with the step).
    head = slow_page(page_at(**PHONE, locale="tg"))
    log_in(head, base, "supervisor-du", PASSWORD)
    head.goto(f"{base}/monitoring/")
    head.locator("a[href='/monitoring/MSC-DU/2026-11/']").click()
    head.wait_for_url(report_url, timeout=WAIT)
    expect(head.locator("h1")).to_contain_text("Ҳисоботи моҳонаи")
    assert status_of(head) == "лоиҳа"
    m11 = head.locator("section", has=head.locator("#table-M11"))
    expect(m11.locator("h2")).to_have_text("M11. Чорабиниҳои фаҳмондадиҳии баргузоршуда")
    expect(m11.locator("thead")).to_contain_text("Чорабиниҳо")
    cells = m11.locator("tbody tr").first.locator("td")
    expect(cells).to_have_text(["вохӯрии иттилоотӣ", "1", "12", "8"])
    # From M11 to the sessions behind it.
    expect(m11.locator("a", has_text="Чорабиниҳои фаҳмондадиҳии ҳамин моҳ")).to_have_attribute(
        "href", "/outreach/?month=2026-11"
    )
    assert head.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(head)
    type_into(head, "#id_radio_listeners", "1200")
    head.locator("button[value=submit]").click()
    expect(head.locator(".page-head .status-submitted")).to_have_text("пешниҳод шуд", timeout=WAIT)
    expect(head.locator("#typed-title + dl")).to_contain_text("1200")
    expect(head.locator("#id_radio_listeners")).to_have_count(0)  # with the coordinator now
    screenshot(head, "issue14-report-submitted-tg-phone")
    assert_accessible(head)

    # 3. The coordinator returns it with a comment.
    coordinator = slow_page(page_at(**DESKTOP, locale="tg"))
    log_in(coordinator, base, "coordinator", PASSWORD)
    coordinator.goto(f"{base}/monitoring/?month=2026-11")
    row = coordinator.locator("tr", has_text="MSC-DU")
    expect(row.locator(".status")).to_have_text("пешниҳод шуд", timeout=WAIT)
    row.locator("a").click()
    coordinator.wait_for_url(report_url, timeout=WAIT)
    assert_accessible(coordinator)
    type_into(coordinator, "#id_comment", "Шумораи шунавандагони радиоро санҷед.")
    coordinator.locator("button[value=return_report]").click()
    expect(coordinator.locator(".page-head .status-returned")).to_have_text(
        "баргардонида шуд", timeout=WAIT
    )

    # 4. The head reads the comment, corrects the figure, saves it, and submits again.
    head.goto(report_url)
    assert status_of(head) == "баргардонида шуд"
    expect(head.locator("section", has=head.locator("#history-title"))).to_contain_text(
        "Шумораи шунавандагони радиоро санҷед."
    )
    expect(head.locator("#id_radio_listeners")).to_have_value("1200")
    type_into(head, "#id_radio_listeners", "2400")
    head.locator("#id_radio_listeners").press("Enter")  # Enter saves the figures only
    expect(head.locator(".messages")).to_contain_text("Рақамҳо нигоҳ дошта шуданд.", timeout=WAIT)
    assert status_of(head) == "баргардонида шуд"
    expect(head.locator("#id_radio_listeners")).to_have_value("2400")
    head.locator("button[value=submit]").click()
    expect(head.locator(".page-head .status-submitted")).to_be_visible(timeout=WAIT)
    expect(head.locator(".page-head")).to_contain_text("нусхаи 2")

    # 5. The coordinator sees what changed between the versions, in words, and accepts.
    coordinator.goto(report_url)
    changes = coordinator.locator("section", has=coordinator.locator("#changes-title"))
    expect(changes.locator("h3")).to_have_text("Нусхаи 1 → нусхаи 2", timeout=WAIT)
    expect(changes.locator("tbody tr")).to_have_count(1)
    expect(changes.locator("tbody tr td")).to_have_text(
        ["Рақамҳое, ки дастӣ ворид шудаанд", "Шунавандагони радио", "–", "1200", "2400"]
    )
    assert_accessible(coordinator)
    coordinator.locator("button[value=accept]").click()
    expect(coordinator.locator(".page-head .status-accepted")).to_have_text(
        "қабул шуд", timeout=WAIT
    )
    expect(coordinator.locator("main")).to_contain_text("Ин ҳисобот қабул ва баста шудааст.")
    screenshot(coordinator, "issue14-report-accepted-tg")
    assert_accessible(coordinator)
    href = coordinator.locator(".page-head a.button", has_text="PDF").get_attribute("href")
    assert href == "/monitoring/MSC-DU/2026-11/report.pdf"
    pdf = coordinator.request.get(base + href, timeout=WAIT)  # the browser's own session
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # Locked: the head can no longer type a figure nor submit.
    head.goto(report_url)
    assert status_of(head) == "қабул шуд"
    expect(head.locator("#id_radio_listeners")).to_have_count(0)
    expect(head.locator("button[name=action]")).to_have_count(0)
    expect(head.locator("#typed-title + dl")).to_contain_text("2400")
    report = MonthlyReport.objects.get()
    assert (report.status, report.versions.count(), report.typed) == (
        "accepted",
        2,
        {"radio_listeners": 2400},
    )
    m11_rows = report.versions.order_by("number").last().tables["M11"]["rows"]
    assert m11_rows == [["info_session", 1, 12, 8]]


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
    page = slow_page(page_at(width=1280, height=900, locale="ru"))
    log_in(page, base, "coordinator", PASSWORD)
    page.goto(f"{base}/monitoring/dashboard/")
    assert "Панель показателей" in page.inner_text("h1")
    assert page.locator("svg title").count() >= 2
    assert_accessible(page)
    page.select_option("#id_msc", "MSC-DU")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**msc=MSC-DU**", timeout=WAIT)
    assert_accessible(page)
    screenshot(page, "monitoring-dashboard-ru")
