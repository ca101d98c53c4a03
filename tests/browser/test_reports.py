"""The issue's browser test: an analyst logs in, opens a report, filters it, downloads the XLSX
and the workbook holds the filtered rows. The world: three crossings in 2024 and one in 2023,
entered through the crossing services so the report cells are maintained as in production."""

import datetime

import openpyxl
import pytest

from safar.crossings.services import create_crossing
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, log_in, screenshot
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Safar-2026"


def card(number, direction, day, point, sex, passport):
    return {
        "card_number": number,
        "direction": direction,
        "crossed_on": day,
        "border_point": point,
        "citizenship": "TJK",
        "passport_number": passport,
        "birth_date": datetime.date(1990, 1, 1),
        "sex": sex,
        "surname": "",
        "given_names": "",
        "purpose": "work",
        "country": "RUS",
        "region": "TJ-DU",
        "district": None,
        "source": "import",
    }


@pytest.fixture
def world(page_at):
    clerk = make_user("op-du", "ICC-DU", "operator", password=PASSWORD)
    for data in (
        card("R1", "exit", datetime.date(2024, 2, 1), "DYU", "M", "100"),
        card("R2", "exit", datetime.date(2024, 5, 1), "DYU", "M", "200"),
        card("R3", "exit", datetime.date(2024, 5, 2), "DYU", "F", "300"),
        card("R4", "entry", datetime.date(2024, 9, 9), "LBD", "M", "100"),
        card("R0", "exit", datetime.date(2023, 12, 31), "DYU", "M", "400"),
    ):
        create_crossing(user=clerk, data=data)
    return make_user("analyst-1", "DIR", "analyst", password=PASSWORD)


def test_analyst_filters_a_report_and_downloads_it_as_xlsx(page_at, live_server, world, tmp_path):
    page, base = page_at(**DESKTOP), live_server.url
    log_in(page, base, world.username, PASSWORD)
    screenshot(page, "home-analyst-desktop")
    page.click("a[href='/reports/R01/']")
    page.wait_for_url("**/reports/R01/")

    page.fill("input[name=from]", "2024-01-01")
    page.fill("input[name=to]", "2024-12-31")
    page.select_option("select[name=sex]", "M")
    page.click("form.report-filters button[type=submit]")
    page.wait_for_url("**/reports/R01/?*sex=M*")
    body_rows = page.locator("table.report-table tbody tr")
    assert body_rows.count() == 2  # DYU exits (2 men) and LBD entries (1 man)
    screenshot(page, "report-R01-desktop")

    with page.expect_download() as download_info:
        page.click("a.button:text-is('XLSX')")
    path = tmp_path / "r01.xlsx"
    download_info.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    # Border points × direction, with a total per border point, per direction and overall.
    header_at = next(i for i, row in enumerate(rows) if row and row[0] == "Border point")
    assert [str(v).lower() for v in rows[header_at][1:]] == ["entry", "exit", "total"]
    dyu, lbd, totals = rows[header_at + 1 : header_at + 4]
    assert "Dushanbe" in str(dyu[0]) and dyu[1:] == [0, 2, 2]  # DYU exits (2 men)
    assert "Khujand" in str(lbd[0]) and lbd[1:] == [1, 0, 1]  # LBD entries (1 man)
    assert totals == ["Total", 1, 2, 3]
    assert "2024" in str(rows[1][0])  # the period is written above the table

    phone = page_at(**PHONE)
    log_in(phone, base, world.username, PASSWORD)
    phone.goto(f"{base}/reports/R01/?from=2024-01-01&to=2024-12-31")
    screenshot(phone, "report-R01-phone")


# Every text of every chart inside its SVG's box (what only a browser can measure: the font's
# real widths). Returns the texts that stick out.
OVERFLOWING_TEXTS = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg.report-chart')) {
    const box = svg.viewBox.baseVal;
    for (const text of svg.querySelectorAll('text')) {
      const b = text.getBBox();
      if (b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5
          || b.y + b.height > box.y + box.height + 0.5) out.push(text.textContent);
    }
  }
  return out;
}"""


@pytest.fixture
def long_names(page_at):
    clerk = make_user("op-du", "ICC-DU", "operator", password=PASSWORD)
    countries = ("COD", "ARE", "GBR", "UMI", "RUS", "KAZ")
    for i, country in enumerate(countries):
        for k in range(i + 1):
            data = card(f"L{i}{k}", "exit", datetime.date(2024, 3, 1 + k), "DYU", "F", f"9{i}{k}")
            create_crossing(user=clerk, data={**data, "country": country})
    create_crossing(
        user=clerk, data=card("L99", "entry", datetime.date(2024, 6, 1), "LBD", "M", "900")
    )
    return make_user("analyst-1", "DIR", "analyst", password=PASSWORD)


@pytest.mark.parametrize("locale", ["tg", "ru", "en"])
def test_chart_labels_stay_inside_the_chart_in_every_language_and_size(
    page_at, live_server, long_names, locale
):
    base = live_server.url
    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = page_at(**size, locale=locale)
        log_in(page, base, long_names.username, PASSWORD)
        for label, path in (
            ("R03", "/reports/R03/?from=2024-01-01&to=2024-12-31"),
            ("R02", "/reports/R02/?from=2024-01-01&to=2024-12-31"),
            ("R09", "/reports/R09/?from=2024-01-01&to=2024-12-31"),
            (
                "pivot",
                "/reports/pivot/?measure=exits&rows=country&columns=sex"
                "&from=2024-01-01&to=2024-12-31",
            ),
        ):
            page.goto(f"{base}{path}")
            assert page.locator("svg.report-chart").count() == 1, path
            assert page.evaluate(OVERFLOWING_TEXTS) == [], (label, locale, name)
            # The full name of a shortened label is on hover (its <title>) and in the table.
            screenshot(page, f"chart-{label}-{locale}-{name}")
        assert page.locator("table.report-table tfoot tr.totals").count() == 1


@pytest.mark.parametrize("locale", ["tg", "ru", "en"])
def test_the_pivot_compared_with_a_year_earlier_reads_in_every_language(
    page_at, live_server, world, locale
):
    """2024 against 2023: each count has the year before, the change and the per cent beside it
    under its name (a two-row header); the page passes axe in each language."""
    page, base = page_at(**DESKTOP, locale=locale), live_server.url
    log_in(page, base, world.username, PASSWORD)
    page.goto(
        f"{base}/reports/pivot/?measure=crossings&rows=border_point&columns=direction"
        "&from=2024-01-01&to=2024-12-31&compare=on"
    )
    table = page.locator("table.report-table")
    assert table.locator("thead tr").count() == 2
    assert table.locator("thead th[colspan='4']").count() == 3  # entry, exit, total
    # The grand total: 4 crossings in 2024, 1 in 2023, +3, +300.0 % (the language's decimal mark).
    totals = [t.strip() for t in table.locator("tfoot td").all_inner_texts()]
    assert totals[-4:-1] == ["4", "1", "+3"] and totals[-1].startswith("+300")
    assert_accessible(page)
    screenshot(page, f"pivot-compared-{locale}")
