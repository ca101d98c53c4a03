"""Playwright harness: Debian's Chromium against pytest-django's live server.

Fixtures: `chromium` (one browser per test), `page_at(width, height)` (a fresh page on the
live server), and helpers `log_in` and `screenshot` (PNG files in var/screenshots/ to look at).
Tests using them are marked `browser` and `django_db(transaction=True)`; serialized rollback
(on for all transactional tests, see tests/conftest.py) restores the reference data after them.
"""

import os
from pathlib import Path

import pytest
from playwright import sync_api

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def require_chromium() -> None:
    """Skip without Chromium on a developer's machine; in CI (CI set) a missing browser is a
    failure, so that browser tests can never pass by not running."""
    if Path(CHROMIUM).exists():
        return
    message = f"Chromium is not installed at {CHROMIUM} (make setup installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def chromium():
    # One browser per test, not per module: a Playwright loop kept alive across tests broke the
    # serialized rollback of the next transactional test (reference data gone on PostgreSQL,
    # duplicate content types on SQLite).
    require_chromium()
    # Playwright's sync API keeps an event loop running in this thread; Django's ORM refuses to
    # run beside one unless told that this synchronous use is deliberate.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def reference_data(transactional_db):
    """The reference data the migrations load, put back if a flush took it.

    tests/conftest.py turns serialized rollback on for every transactional test, which restores
    it; this is a safety net so a browser test never starts without border points or countries.
    """
    from django.apps import apps

    from safar.core.models import Office
    from safar.core.reference_data import load_districts, load_reference
    from safar.helpdesk.categories import load_categories
    from safar.helpdesk.models import Category

    if not Office.objects.exists():
        load_reference(apps)
        load_districts(apps)
    # The contact categories (the sessions' and trainings' topics) were seen gone after an
    # earlier live-server test in the same file: a form's topics list came up empty.
    if not Category.objects.exists():
        load_categories(apps)
    from safar.outreach.models import Question
    from safar.outreach.questions import load_questions

    if not Question.objects.exists():  # the trainings' knowledge check, by topic
        load_questions(apps)


@pytest.fixture
def page_at(chromium, live_server, settings, reference_data):
    """Open pages at a viewport size: `page = page_at(**DESKTOP)`; English unless asked."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    contexts = []

    def open_page(width=DESKTOP["width"], height=DESKTOP["height"], locale="en"):
        context = chromium.new_context(
            viewport={"width": width, "height": height}, locale=locale, accept_downloads=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, base: str, username: str, password: str) -> None:
    """Log in with the keyboard: type the name, Tab, the password, Enter."""
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.rstrip("/") == base or "/two-factor/" in url)
    if "/two-factor/" in page.url:
        enrol_two_factor(page, base)


def enrol_two_factor(page, base: str) -> None:
    """An administrator's first sign-in: the authenticator app reads the key the page shows and
    gives the code typed back (tests/browser/test_two_factor.py tests the steps themselves)."""
    import base64

    from django_otp.oath import totp

    key = base64.b32decode("".join(page.get_by_test_id("totp-secret").inner_text().split()))
    page.locator("input[name=code]").fill(f"{totp(key):06d}")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/two-factor/recovery/*")
    page.locator("a.button.primary").click()
    page.wait_for_url(f"{base}/")


def screenshot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def focused_name(page) -> str | None:
    return page.evaluate("document.activeElement && document.activeElement.name")


# axe-core, vendored (tests/browser/vendor/axe.min.js, MPL-2.0, licence beside it): the browser
# tests then need no Node toolchain and no network, and the version is pinned in the repository.
AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_FAILING_IMPACTS = {"serious", "critical"}


def assert_accessible(page) -> None:
    """Run axe-core on the page with the WCAG 2.0/2.1/2.2 A and AA rules; fail on any serious or
    critical violation, listing each rule with the elements that break it.

    The script is evaluated from Playwright (not added as a <script> tag): the site's CSP allows
    no inline script, and evaluation runs outside the page's CSP."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " — " + n.failureSummary),
            }));
        }""",
        AXE_TAGS,
    )
    failing = [v for v in violations if v["impact"] in AXE_FAILING_IMPACTS]
    report = "\n".join(
        f"{v['impact']} {v['id']} ({v['help']}) on {page.url}:\n  " + "\n  ".join(v["nodes"])
        for v in failing
    )
    assert not failing, f"axe-core found {len(failing)} serious or critical violations:\n{report}"
