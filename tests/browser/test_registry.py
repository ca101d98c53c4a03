"""The registry in Chromium: an operator keys a card with the keyboard only and finds it, and
the pages hold together at desktop and phone widths. The world: an operator at the Dushanbe
centre, an administrator, one earlier card of the same traveller."""

import datetime

import pytest

from safar.crossings.models import Crossing
from safar.crossings.services import create_crossing
from tests.browser.conftest import DESKTOP, PHONE, focused_name, log_in, screenshot
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Safar-2026"


@pytest.fixture
def operator(page_at):
    return make_user("op-du", "ICC-DU", "operator", password=PASSWORD)


@pytest.fixture
def earlier_card(operator):
    return create_crossing(
        user=operator,
        data={
            "card_number": "B0000001",
            "direction": "entry",
            "crossed_on": datetime.date(2023, 12, 20),
            "border_point": "KRM",
            "citizenship": "TJK",
            "passport_number": "400123456",
            "birth_date": datetime.date(1990, 7, 14),
            "sex": "M",
            "surname": "РАҲИМОВ",
            "given_names": "ФАРРУХ",
            "purpose": "work",
            "country": "RUS",
            "region": "TJ-DU",
            "district": None,
            "source": "form",
        },
    )


def type_and_tab(page, text: str) -> None:
    if text:
        page.keyboard.type(text)
    page.keyboard.press("Tab")


def test_operator_enters_a_card_with_the_keyboard_only_and_finds_it(
    page_at, live_server, operator, earlier_card
):
    page, base = page_at(**DESKTOP), live_server.url
    log_in(page, base, operator.username, PASSWORD)
    screenshot(page, "home-operator-desktop")

    page.goto(f"{base}/crossings/new/")
    assert focused_name(page) == "card_number"
    type_and_tab(page, "A0000001")
    type_and_tab(page, "ex")  # direction: the select jumps to "exit"
    type_and_tab(page, "05.03.2024")  # date of crossing, typed the dotted way
    type_and_tab(page, "dyu")  # border point code
    type_and_tab(page, "Раҳимов")
    type_and_tab(page, "Фаррух")
    type_and_tab(page, "m")  # sex: male
    type_and_tab(page, "14071990")  # date of birth, eight digits
    type_and_tab(page, "TJK")
    type_and_tab(page, "400 123 456")
    type_and_tab(page, "work")
    type_and_tab(page, "RUS")
    type_and_tab(page, "TJ-DU")
    assert focused_name(page) == "district"
    screenshot(page, "enter-filled-desktop")
    page.keyboard.press("Enter")  # save and enter the next card

    page.wait_for_url("**/crossings/new/?*")
    crossing = Crossing.objects.get(card_number="A0000001")
    assert (crossing.direction, crossing.crossed_on, crossing.border_point_id, crossing.sex) == (
        "exit",
        datetime.date(2024, 3, 5),
        "DYU",
        "M",
    )
    assert crossing.traveller_id == earlier_card.traveller_id
    assert focused_name(page) == "card_number"
    assert page.input_value("input[name=border_point]") == "DYU"
    assert page.input_value("input[name=crossed_on]") == "2024-03-05"
    assert "A0000001" in page.locator(".messages").inner_text()

    # A mistake is shown next to its field and nothing is lost.
    type_and_tab(page, "A0000001")
    page.keyboard.press("Enter")
    page.wait_for_selector(".field-card_number .field-errors")
    assert "already recorded" in page.locator(".field-card_number .field-errors").inner_text()
    assert page.input_value("input[name=border_point]") == "DYU"
    screenshot(page, "enter-errors-desktop")

    page.goto(f"{base}/crossings/")
    assert focused_name(page) == "q"
    page.keyboard.type("раҳимов")
    page.keyboard.press("Enter")
    page.wait_for_selector("table.results")
    cards = page.locator("table.results tbody tr td:first-child").all_inner_texts()
    assert cards == ["A0000001", "B0000001"]
    screenshot(page, "search-desktop")

    page.locator("table.results a", has_text="A0000001").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/crossings/{crossing.pk}/")
    assert "B0000001" in page.locator("section", has_text="Other crossings").inner_text()
    screenshot(page, "detail-desktop")


def test_pages_fit_a_phone_screen(page_at, live_server, operator, earlier_card):
    page, base = page_at(**PHONE), live_server.url
    page.goto(f"{base}/login/")
    screenshot(page, "login-phone")
    log_in(page, base, operator.username, PASSWORD)
    for name, path in [
        ("home-operator", "/"),
        ("enter", "/crossings/new/"),
        ("search", "/crossings/"),
        ("detail", f"/crossings/{earlier_card.pk}/"),
    ]:
        page.goto(f"{base}{path}")
        if name == "search":  # the query is posted, never put in the address
            page.fill("input[name=q]", "400123456")
            page.keyboard.press("Enter")
            page.wait_for_selector("table.results")
        # Nothing may be wider than the screen: no sideways scrolling of the whole page.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than the phone"
        screenshot(page, f"{name}-phone")


def test_tajik_pages_render_with_tajik_labels(page_at, live_server, operator, earlier_card):
    page, base = page_at(locale="tg"), live_server.url
    log_in(page, base, operator.username, PASSWORD)
    page.goto(f"{base}/crossings/{earlier_card.pk}/")
    assert page.locator("html").get_attribute("lang") == "tg"
    assert "Таърих" in page.content()
    screenshot(page, "detail-tg-desktop")
    page.goto(f"{base}/crossings/new/")
    screenshot(page, "enter-tg-desktop")
