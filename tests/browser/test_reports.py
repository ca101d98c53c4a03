"""The issue's browser test: an analyst logs in, opens a report, filters it, downloads the XLSX
and the workbook holds the filtered rows. The world: three crossings in 2024 and one in 2023,
entered through the crossing services so the report cells are maintained as in production."""

import datetime

import openpyxl
import pytest

from safar.crossings.services import create_crossing
from tests.browser.conftest import DESKTOP, PHONE, log_in, screenshot
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
    header_at = next(i for i, row in enumerate(rows) if row and row[-1] == "Crossings")
    data = [row for row in rows[header_at + 1 :] if any(cell is not None for cell in row)]
    assert [row[-1] for row in data] == [2, 1]
    assert "Dushanbe" in str(data[0][0]) and "Khujand" in str(data[1][0])
    assert [str(row[1]).lower() for row in data] == ["exit", "entry"]
    assert "2024" in str(rows[1][0])  # the period is written above the table

    phone = page_at(**PHONE)
    log_in(phone, base, world.username, PASSWORD)
    phone.goto(f"{base}/reports/R01/?from=2024-01-01&to=2024-12-31")
    screenshot(phone, "report-R01-phone")
