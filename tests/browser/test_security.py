"""The Content Security Policy blocks nothing the pages use: an administrator (every role's
pages) walks through the registry, a report with its chart, the guide and the admin, and the
browser reports no violation; the registry search keeps its query out of every address."""

import datetime

import pytest

from safar.crossings.services import create_crossing
from tests.browser.conftest import DESKTOP, log_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Safar-2026"


@pytest.fixture
def administrator(page_at):
    clerk = make_user("op-du", "ICC-DU", "operator", password=PASSWORD)
    create_crossing(
        user=clerk,
        data={
            "card_number": "C1",
            "direction": "exit",
            "crossed_on": datetime.date(2024, 5, 1),
            "border_point": "DYU",
            "citizenship": "TJK",
            "passport_number": "400123456",
            "birth_date": datetime.date(1990, 1, 1),
            "sex": "M",
            "surname": "Раҳимов",
            "given_names": "Фаррух",
            "purpose": "work",
            "country": "RUS",
            "region": "TJ-DU",
            "district": None,
            "source": "form",
        },
    )
    admin = make_user("boss", "DIR", "administrator", "analyst", "operator", password=PASSWORD)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    return admin


def test_no_page_breaks_the_content_security_policy_and_no_query_reaches_an_address(
    page_at, live_server, administrator
):
    page, base = page_at(**DESKTOP), live_server.url
    violations, addresses = [], []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    page.on("request", lambda r: addresses.append(r.url))
    log_in(page, base, administrator.username, PASSWORD)

    page.fill("#home-q", "Раҳимов")
    page.keyboard.press("Enter")
    page.wait_for_selector("table.results")
    page.fill("input[name=q]", "400123456")
    page.keyboard.press("Enter")
    page.wait_for_selector("table.results")
    page.go_back()
    page.wait_for_selector("table.results")
    assert "Раҳимов" in page.inner_text("table.results")

    for path in (
        "/crossings/new/",
        "/reports/R02/?from=2024-01-01&to=2024-12-31",
        "/guide/",
        "/guide/calculator/",
        "/admin/",
        "/admin/core/user/",
    ):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("load")
    assert page.evaluate("getComputedStyle(document.body).fontFamily")  # the stylesheet loaded
    assert violations == []
    assert not [url for url in addresses if "400123456" in url or "%D0" in url]
