"""WCAG 2.2 AA in Chromium: axe-core (tests/browser/vendor/axe.min.js) finds no serious or
critical violation on the main page of each role, the forms they use most, and the public guide.

The world: one user of each demo role, a scan waiting for review at the Dushanbe centre and the
guide's articles from the migrations."""

import datetime

import pytest

from safar.core.models import Office
from safar.crossings.services import create_crossing
from safar.guidance.models import Article, HelpContact
from tests.browser.conftest import DESKTOP, assert_accessible, log_in
from tests.browser.test_reports import card
from tests.capture.world import make_scan
from tests.conftest import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-Safar-2026"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path


def test_the_operator_s_home_card_form_and_scan_review_are_accessible(page_at, live_server, media):
    page, base = page_at(**DESKTOP), live_server.url
    make_user("op-du", "ICC-DU", "operator", password=PASSWORD)
    scan = make_scan(Office.objects.get(code="ICC-DU"), doubtful=("surname", "birth_date"))
    log_in(page, base, "op-du", PASSWORD)
    assert_accessible(page)
    for path in ("/crossings/new/", "/crossings/", "/capture/"):  # /capture/: the upload form
        page.goto(f"{base}{path}")
        assert_accessible(page)
    page.goto(f"{base}/capture/scans/{scan.pk}/")
    page.wait_for_load_state("networkidle")
    assert_accessible(page)


def test_the_analyst_s_home_and_a_report_with_its_chart_are_accessible(page_at, live_server):
    page, base = page_at(**DESKTOP), live_server.url
    clerk = make_user("op-du", "ICC-DU", "operator", password=PASSWORD)
    for number, day, sex in (("R1", 1, "M"), ("R2", 2, "F"), ("R3", 3, "M")):
        crossed_on = datetime.date(2024, day, 1)
        create_crossing(user=clerk, data=card(number, "exit", crossed_on, "DYU", sex, number))
    make_user("analyst-1", "DIR", "analyst", password=PASSWORD)
    page.goto(f"{base}/login/")
    assert_accessible(page)
    log_in(page, base, "analyst-1", PASSWORD)
    assert_accessible(page)
    page.goto(f"{base}/reports/R01/?from=2024-01-01&to=2024-12-31")
    assert page.locator("figure.report-chart-box").count() == 1
    assert_accessible(page)


def test_the_editor_s_home_and_article_list_are_accessible(page_at, live_server):
    page, base = page_at(**DESKTOP), live_server.url
    make_user("editor-1", None, "editor", password=PASSWORD)
    log_in(page, base, "editor-1", PASSWORD)
    assert_accessible(page)
    page.goto(f"{base}/guide/edit/")
    assert_accessible(page)
    page.goto(f"{base}/guide/edit/work-patent/")
    assert_accessible(page)


def test_the_administrator_s_home_and_admin_forms_with_inlines_are_accessible(page_at, live_server):
    page, base = page_at(**DESKTOP), live_server.url
    chief = make_user("chief", "DIR", "administrator", password=PASSWORD)
    chief.is_staff = chief.is_superuser = True  # as `safar load-demo` makes the administrator
    chief.save()
    log_in(page, base, "chief", PASSWORD)
    assert_accessible(page)
    article = Article.objects.order_by("pk").first()
    assert HelpContact.objects.exists()
    for path in (
        "/admin/",
        f"/admin/guidance/article/{article.pk}/change/",  # an inline form (its versions)
        "/admin/guidance/helpcontact/",  # a list with editable cells
        "/admin/core/user/add/",
    ):
        page.goto(f"{base}{path}")
        assert page.url == f"{base}{path}", "the admin sent the administrator elsewhere"
        assert_accessible(page)


def test_the_public_guide_an_article_and_the_calculator_with_errors_and_a_result_are_accessible(
    page_at, live_server
):
    page, base = page_at(**DESKTOP), live_server.url
    page.goto(f"{base}/guide/")
    assert_accessible(page)
    page.goto(f"{base}/guide/work-patent/")
    assert_accessible(page)
    page.goto(f"{base}/guide/calculator/")
    assert_accessible(page)
    page.fill("input[name=as_of]", "2026-11-22")
    page.fill("input[name=stays-0-entry]", "2025-01-10")
    page.fill("input[name=stays-0-exit]", "2025-01-01")  # a slip: exit before entry
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator(".errorlist").count() >= 1
    assert_accessible(page)  # the errors and the summary
    page.fill("input[name=stays-0-exit]", "2025-05-10")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator(".g-verdict").count() == 1
    assert_accessible(page)


def test_the_check_fails_on_an_input_without_a_label_and_names_it(page_at, live_server):
    # The check itself: a page it passes must be one axe-core really looked at.
    page = page_at(**DESKTOP)
    page.goto(f"{live_server.url}/guide/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', "
        '\'<input id="nameless" type="text">\')'
    )
    with pytest.raises(AssertionError, match=r"(?s)critical label .*#nameless"):
        assert_accessible(page)


def test_the_error_pages_text_is_readable(page_at, live_server):
    page = page_at(**DESKTOP)
    response = page.goto(f"{live_server.url}/guide/no-such-article/")
    assert response.status == 404
    assert_accessible(page)


CONTRAST = """([a, b]) => {
    const luminance = (rgb) => {
        const [r, g, b] = rgb.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map((v) => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
}"""


def focus_ring(page) -> tuple[str, str]:
    """The focused element's outline colour and the page background around it."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            if (style.outlineStyle === "none" || parseFloat(style.outlineWidth) < 2)
                return document.activeElement.outerHTML.slice(0, 80) + style.outline;
            return [style.outlineColor, getComputedStyle(document.body).backgroundColor];
        }"""
    )


def test_the_focus_ring_has_at_least_3_to_1_contrast_with_what_surrounds_it(page_at, live_server):
    page, base = page_at(**DESKTOP), live_server.url
    rings = []
    for path in ("/login/", "/guide/calculator/"):  # the staff pages' style and the guide's
        page.goto(f"{base}{path}")
        page.keyboard.press("Tab")  # the skip link, reached from the keyboard
        rings.append(focus_ring(page))
        page.locator("main input:not([type=hidden])").first.focus()
        rings.append(focus_ring(page))
    for ring in rings:
        assert isinstance(ring, list), f"no focus ring of 2 px or more: {ring}"
        outline, background = ring
        for behind in (background, "rgb(255, 255, 255)"):
            assert page.evaluate(CONTRAST, [outline, behind]) >= 3, (outline, behind)
