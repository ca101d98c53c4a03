"""The contact form in Chromium: typing a number shows the caller's earlier contact (the lookup
script), and Enter saves with the keyboard only."""

import datetime
import re

import pytest

from safar.core.models import AuditEvent
from safar.helpdesk.models import Contact
from safar.helpdesk.services import clean_contact, log_contact
from tests.browser.conftest import (  # noqa: F401  (fixtures used by name)
    DESKTOP,
    assert_accessible,
    chromium,
    focused_name,
    log_in,
    page_at,
    reference_data,
    screenshot,
)
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Safar-2026"
NOW = datetime.datetime(2026, 11, 3, 6, 0, tzinfo=datetime.UTC)


def test_typing_a_number_shows_the_earlier_contact_and_enter_saves(
    page_at,  # noqa: F811
    live_server,
    time_machine,
):
    time_machine.move_to(NOW, tick=True)
    consultant = make_user("consultant-du", "MSC-DU", "consultant", password=PASSWORD)
    earlier = {
        "msc": "MSC-DU",
        "received_at": NOW - datetime.timedelta(days=2),
        "channel": "phone",
        "call_type": "data",
        "caller": {"phone": "+992931234567", "name": "Зарина Олимова"},
        "categories": ["documents/patent"],
    }
    log_contact(user=consultant, data=clean_contact(earlier, user=consultant, now=NOW))

    page, base = page_at(**DESKTOP), live_server.url
    log_in(page, base, consultant.username, PASSWORD)
    page.goto(f"{base}/helpdesk/new/")
    assert focused_name(page) == "caller_phone"
    page.keyboard.type("93 123 45 67")
    history = page.locator("#caller-history")
    history.wait_for(state="visible")
    assert "Зарина Олимова" in history.inner_text()
    assert "Work patent" in history.inner_text()
    assert "not known" not in history.inner_text()  # unknown sex and age are left out
    screenshot(page, "helpdesk-new-with-history")

    page.keyboard.press("Enter")
    # The empty form for the next call, offering to open a case from this conversation.
    page.wait_for_url(
        re.compile(re.escape(f"{base}/helpdesk/new/?channel=phone&contact=") + r"\d+$")
    )
    assert Contact.objects.count() == 2
    assert Contact.objects.filter(caller__name="Зарина Олимова").count() == 2
    # The number was looked up by POST: it is in no URL the browser asked for, nor the audit.
    assert "931234567" not in str(list(AuditEvent.objects.values_list("query", flat=True)))


# The categories, their links and the guide's articles come from migrations: kept for this test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_entry_ban_category_links_the_guide_and_keeps_the_calculators_answer(
    page_at,  # noqa: F811
    live_server,
    time_machine,
):
    """Ticking entry_ban/check shows the guide's articles on bans (new tab) and the stay
    calculator; the consultant types the caller's trips, reads out the answer, and saves."""
    from safar.helpdesk.models import BanCheckResult

    time_machine.move_to(NOW, tick=True)
    consultant = make_user("consultant-du", "MSC-DU", "consultant", password=PASSWORD)
    page, base = page_at(**DESKTOP), live_server.url
    log_in(page, base, consultant.username, PASSWORD)
    page.goto(f"{base}/helpdesk/new/")
    guide, check = page.locator("#category-guide"), page.locator("#ban-check")
    assert guide.is_hidden() and check.is_hidden()
    page.keyboard.type("93 555 44 33")
    page.select_option("#id_categories", ["entry_ban/check"])
    guide.wait_for(state="visible")
    link = guide.locator("a[href='/guide/entry-bans/']")
    assert link.is_visible()
    assert link.get_attribute("target") == "_blank"
    assert guide.locator("a[href='/guide/work-patent/']").is_hidden()
    assert check.is_visible()

    page.fill("#id_trip_entered_0", "2026-03-01")
    page.fill("#id_trip_left_0", "2026-07-15")
    check.locator("[data-add-trip]").click()
    assert page.evaluate("document.activeElement.id") == "id_trip_entered_3"
    check.locator("[data-run-check]").click()
    answer = check.locator("[data-answer]")
    answer.wait_for(state="visible")
    page.wait_for_function("document.querySelector('[data-summary]').textContent.length > 0")
    assert "47" in answer.inner_text()
    assert_accessible(page)
    screenshot(page, "helpdesk-new-ban-check")
    # The guide's own calculator opens in a new tab with the same trips and the same answer.
    with page.expect_popup() as opened:
        check.locator("[data-open-calculator]").click()
    calculator = opened.value
    calculator.wait_for_load_state()
    assert "/guide/calculator/" in calculator.url
    assert calculator.locator("#result").is_visible()
    assert "15.07.2029" in calculator.locator("#result").inner_text()
    calculator.close()

    page.locator("#id_caller_phone").focus()
    page.keyboard.press("Enter")
    # The empty form for the next call, offering to open a case from the conversation saved.
    page.wait_for_url(
        re.compile(re.escape(f"{base}/helpdesk/new/?channel=phone&contact=") + r"\d+$")
    )
    kept = BanCheckResult.objects.get()
    assert kept.overstay_days == 47
    assert kept.ban_until == datetime.date(2029, 7, 15)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_crossings_section_with_its_answer_is_accessible(
    page_at,  # noqa: F811
    live_server,
    time_machine,
    client,
):
    """The section the case page includes, after a lookup with the client's consent."""
    from safar.core.models import Office
    from safar.crossings.services import create_crossing
    from safar.helpdesk.models import Case, CasePerson

    time_machine.move_to(NOW, tick=True)
    consultant = make_user("consultant-du", "MSC-DU", "consultant", password=PASSWORD)
    operator = make_user("operator-du", "ICC-DU", "operator")
    for card, direction, day in (
        ("AB0000001", "exit", "2026-03-01"),
        ("AB0000002", "entry", "2026-07-15"),
    ):
        create_crossing(
            user=operator,
            data={
                "card_number": card,
                "direction": direction,
                "crossed_on": datetime.date.fromisoformat(day),
                "border_point": "DYU",
                "citizenship": "TJK",
                "passport_number": "400100200",
                "birth_date": datetime.date(1991, 4, 5),
                "sex": "M",
                "purpose": "work",
                "country": "RUS",
                "region": "TJ-DU",
            },
        )
    case = Case.objects.create(
        msc=Office.objects.get(code="MSC-DU"),
        case_type=Case.Type.BARRED,
        summary="Asks whether he may go back to Russia",
        opened_by=consultant,
    )
    CasePerson.objects.create(
        case=case,
        relation="migrant",
        name="Али Каримов",
        passport="400100200",
        birth_date=datetime.date(1991, 4, 5),
    )
    client.force_login(consultant)
    client.cookies["django_language"] = "en"
    response = client.post(f"/helpdesk/cases/{case.pk}/crossings/", {"consent": "yes"})
    assert response.status_code == 200

    # The answer as the consultant's browser got it, shown on the site's origin (its styles).
    page, base = page_at(**DESKTOP), live_server.url
    page.goto(f"{base}/guide/")
    page.set_content(response.content.decode())
    page.wait_for_load_state("networkidle")
    assert "1 trip to Russia" in page.locator("#crossings").inner_text()
    assert_accessible(page)
    screenshot(page, "helpdesk-case-crossings")
