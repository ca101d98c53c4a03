"""Two-step sign-in in Chromium: an administrator enrols an authenticator at the first sign-in
(reading the key the page shows, as a person would type it into an app), keeps the recovery
codes, reaches the home page, and at the next sign-in types a fresh code. In Tajik, the
default language."""

import base64

import pytest
from django_otp.oath import totp

from tests.browser.conftest import DESKTOP, screenshot
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Safar-2026"


def code_from_key(key_text: str, *, drift: int = 0) -> str:
    key = base64.b32decode("".join(key_text.split()))
    return f"{totp(key, drift=drift):06d}"


def sign_in_with_password(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.keyboard.press("Enter")


def test_an_administrator_enrols_at_first_sign_in_and_types_a_code_the_next_time(
    page_at, live_server
):
    make_user("chief", "DIR", "administrator", password=PASSWORD)
    page, base = page_at(**DESKTOP, locale="tg"), live_server.url
    sign_in_with_password(page, base, "chief")
    page.wait_for_url(f"{base}/two-factor/?next=*")
    assert page.locator(".qr svg").is_visible()
    key = page.get_by_test_id("totp-secret").inner_text()
    screenshot(page, "two-factor-enrol-tg")
    page.locator("input[name=code]").fill(code_from_key(key))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/two-factor/recovery/*")
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    page.locator("a.button.primary").click()
    page.wait_for_url(f"{base}/")
    assert page.locator("nav.mainnav").is_visible()

    page.locator("form.logout button").click()
    sign_in_with_password(page, base, "chief")
    page.wait_for_url(f"{base}/two-factor/verify/*")
    page.locator("input[name=code]").fill("000000")
    page.keyboard.press("Enter")
    page.locator(".errorlist").wait_for()
    # django-otp refuses any code for a second after a wrong one (then 2 s, 4 s, …).
    page.wait_for_timeout(1500)
    page.locator("input[name=code]").fill(code_from_key(key, drift=1))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")
