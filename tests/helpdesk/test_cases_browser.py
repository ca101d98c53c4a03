"""The case pages in Chromium: axe-core finds no serious or critical WCAG 2.2 AA violation on the
list, the overdue list, the new-case form (with search results) and a case's page; the contact
form's lookup shows the caller's open case as a link."""

import datetime

import pytest

from safar.helpdesk import cases
from safar.helpdesk.models import Case
from tests.browser.conftest import (  # noqa: F401  (fixtures used by name)
    DESKTOP,
    assert_accessible,
    chromium,
    log_in,
    page_at,
    reference_data,
    screenshot,
)
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Safar-2026"
NOW = datetime.datetime(2026, 11, 3, 6, 0, tzinfo=datetime.UTC)


def test_the_case_pages_are_accessible_and_the_lookup_links_the_open_case(
    page_at,  # noqa: F811
    live_server,
    time_machine,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    time_machine.move_to(NOW, tick=True)
    consultant = make_user("consultant-du", "MSC-DU", "consultant", password=PASSWORD)
    data = cases.clean_case(
        {
            "case_type": "family",
            "summary": "Husband in Russia stopped sending money",
            "assigned_to": "consultant-du",
            "person": {"relation": "spouse", "name": "Мавзуна Каримова", "phone": "93 555 1122"},
        },
        consultant,
    )
    case = cases.open_case(consultant, data)
    Case.objects.filter(pk=case.pk).update(follow_up_due=datetime.date(2026, 11, 1))
    cases.add_note(case, consultant, "Called the employer.")

    page, base = page_at(**DESKTOP), live_server.url
    log_in(page, base, consultant.username, PASSWORD)
    for path in ("/helpdesk/cases/", "/helpdesk/cases/overdue/", f"/helpdesk/cases/{case.pk}/"):
        page.goto(f"{base}{path}")
        assert case.number in page.content()
        assert_accessible(page)
        screenshot(page, path.strip("/").replace("/", "-").replace(str(case.pk), "id"))

    page.goto(f"{base}/helpdesk/cases/new/")
    page.locator("#id_search_name").fill("Каримова")
    page.locator("#id_search_name").press("Enter")
    page.wait_for_selector("#found-title")
    assert case.number in page.locator("#found-title + div").inner_text()
    assert_accessible(page)
    screenshot(page, "helpdesk-case-new-search")

    page.goto(f"{base}/helpdesk/new/")
    # The form focuses the number itself; under load that may come after the first keys.
    page.locator("#id_caller_phone").focus()
    page.keyboard.type("93 555 11 22")
    history = page.locator("#caller-history [data-cases]")
    history.locator("a").wait_for(state="visible", timeout=30_000)
    assert history.locator("a").inner_text() == case.number
    assert history.locator("a").get_attribute("href") == f"/helpdesk/cases/{case.pk}/"
