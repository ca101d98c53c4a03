"""The public guide and the stay calculator in Chromium, in Tajik, on a phone-sized screen.

A new visitor: no login, no JavaScript needed; they read an article, open the calculator, add a
second trip with the "add another row" button, make a mistake, fix it, and read the result.
Screenshots go to var/screenshots/guidance-*.png.
"""

import os
from pathlib import Path

import pytest
from playwright import sync_api

from .conftest import require_chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 375, "height": 667}


@pytest.fixture
def guidance_data(transactional_db):
    """The rules, contacts and articles the migrations load, back if a flush took them.

    serialized_rollback restores them after each transactional test, unless another test's
    browser hid the connection that holds the serialized data (see `phone`) or a test without
    serialized_rollback flushed them; the migrations' own loaders then put them back.
    """
    from importlib import import_module

    from django.apps import apps

    from safar.guidance.models import Article
    from safar.guidance.seed import seed_articles

    if not Article.objects.exists():
        import_module("safar.guidance.migrations.0002_rules_group_contacts").load(apps, None)
        seed_articles(apps)


@pytest.fixture
def phone(live_server, guidance_data):
    """A phone-sized page in Tajik with JavaScript off, in a browser of this test's own.

    Playwright's sync API keeps an asyncio loop running in this thread, and while it runs
    Django keeps a separate set of database connections (asgiref's Local switches to context
    storage). A browser per test, started after the test database is set up and closed before
    it is flushed, keeps that switch away from serialized_rollback (with a module-wide browser,
    the next module's tests failed restoring the data).
    """
    require_chromium()
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop beside the sync ORM
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport=PHONE, locale="tg", java_script_enabled=False)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.base = live_server.url
        yield page
        context.close()
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"guidance-{name}.png"), full_page=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_new_visitor_checks_stays_in_tajik_on_a_phone(phone):
    page = phone
    page.goto(f"{page.base}/guide/")
    assert page.locator("html").get_attribute("lang") == "tg"
    assert page.locator("h1").inner_text() == "Он чи пеш аз сафар бояд донист"
    assert fits_the_screen(page)
    shot(page, "index-tg")

    page.get_by_role("link", name="Бақайдгирии муҳоҷиратӣ дар давоми 15 рӯз").click()
    assert "15 рӯзи тақвимӣ" in page.locator(".g-body").inner_text()
    assert page.locator("mark.uncertain").count() >= 1
    assert fits_the_screen(page)
    shot(page, "article-tg")

    page.get_by_role("link", name="Санҷиши будубош ва манъ").first.click()
    page.fill("input[name=as_of]", "2026-11-22")
    page.fill("input[name=stays-0-entry]", "2025-01-10")
    page.fill("input[name=stays-0-exit]", "2025-05-10")
    page.locator("#stays").get_by_role("button", name="Боз як сатр илова кунед").click()
    # The page came back from the server with what was typed and one more empty row.
    assert page.input_value("input[name=stays-0-entry]") == "2025-01-10"
    page.fill("input[name=stays-1-entry]", "2026-03-01")
    page.fill("input[name=stays-1-exit]", "2026-02-01")  # a slip: exit before entry
    page.get_by_role("button", name="Санҷидан").click()
    assert page.get_by_role("alert").inner_text().startswith("Баъзе майдонҳоро ислоҳ")
    error = page.locator("#stays .errorlist").first
    assert error.inner_text() == "Ин сана пеш аз санаи оғоз аст."
    assert fits_the_screen(page)
    shot(page, "calculator-error-tg")

    page.fill("input[name=stays-1-exit]", "2026-04-01")
    page.get_by_role("button", name="Санҷидан").click()
    verdict = page.locator(".g-verdict").inner_text()
    assert verdict == "Воридшавӣ ба Русия аз 10.05.2028 имконпазир аст."
    explanation = page.locator(".g-explain").inner_text()
    assert "Ин маълумот аст, на маслиҳати ҳуқуқӣ." in explanation
    assert "31 рӯз аз мӯҳлати қонунии будубош зиёд аст" in explanation
    page.locator(".g-stay summary").first.click()  # <details> opens without JavaScript
    assert page.locator(".g-stay").first.locator("tr.g-overrow").count() == 31
    assert fits_the_screen(page)
    shot(page, "calculator-result-tg")


def test_the_visitor_switches_the_guide_to_russian(phone):
    page = phone
    response = page.goto(f"{page.base}/guide/work-patent/")
    assert response.status == 200, (response.status, page.content()[:3000])
    page.get_by_role("button", name="Русский").click()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text().startswith("Трудовой патент")
    shot(page, "article-ru")
    leaflet = page.get_by_role("link", name="Листовка для печати (PDF)").get_attribute("href")
    response = page.request.get(f"{page.base}{leaflet}")
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
