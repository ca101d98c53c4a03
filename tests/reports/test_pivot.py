"""The pivot: rows and columns among the cells' dimensions, totals, downloads, saved views."""

import io
from datetime import date

import pypdfium2
import pytest
from django.db import IntegrityError
from openpyxl import load_workbook

from safar.core.models import AuditEvent, Role
from safar.reports.models import PivotView
from safar.reports.pivot import (
    compared_result,
    comparison_refused,
    run_pivot,
    run_pivot_compared,
)
from safar.reports.standard import r04
from tests.conftest import make_user

from .world import cross

pytestmark = pytest.mark.django_db

YEAR = (date(2024, 1, 1), date(2024, 12, 31))
QUERY = {"from": "2024-01-01", "to": "2024-12-31"}


@pytest.fixture
def world(db):
    cross("exit", "2024-01-05", who="A", border_point="DYU", purpose="work", sex="M")
    cross("entry", "2024-03-05", who="A", border_point="LBD", sex="M")
    cross("exit", "2024-03-06", who="B", border_point="DYU", purpose="study", sex="F")
    cross("exit", "2024-03-07", who="C", citizenship="UZB", border_point="DYU", sex="F")
    cross("exit", "2023-12-31", who="D", border_point="DYU")  # outside the period


def test_border_points_by_direction_count_every_crossing_in_the_period(world):
    result = run_pivot("crossings", "border_point", "direction", *YEAR)
    assert result.rows == [["DYU", "exit", 3], ["LBD", "entry", 1]]


def test_months_come_from_month_and_day_cells_never_year_cells(world):
    result = run_pivot("crossings", "month", None, date(2024, 1, 5), date(2024, 12, 31))
    assert result.rows == [["2024-01", 1], ["2024-03", 3]]


def test_citizens_exits_by_purpose_and_sex_equal_report_r04(world):
    pivot = run_pivot("exits", "purpose", "sex", *YEAR)
    assert pivot.rows == r04.run(*YEAR).rows


def test_a_filter_narrows_the_pivot(world):
    result = run_pivot("crossings", "direction", None, *YEAR, sex="F")
    assert result.rows == [["exit", 2]]


def test_the_page_shows_the_cross_table_with_totals(client, analyst, world):
    client.force_login(analyst)
    query = {**QUERY, "measure": "crossings", "rows": "border_point", "columns": "direction"}
    page = client.get("/reports/pivot/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    grid = page.context["grid"]
    assert grid.header[-1] == "Total" and grid.totals[-1] == 4
    assert "<svg" in page.content.decode()


def test_without_parameters_the_pivot_shows_border_points_by_direction_this_year(
    client, analyst, time_machine
):
    time_machine.move_to("2024-06-30 12:00")
    cross("exit", "2024-03-06", who="B")
    client.force_login(analyst)
    page = client.get("/reports/pivot/")
    assert page.context["form"].choice == ("crossings", "border_point", "direction")
    assert page.context["form"].period == YEAR
    assert page.context["grid"].totals[-1] == 1


@pytest.mark.parametrize(
    "choice, field, words",
    [
        ({"measure": "exits", "rows": "direction"}, "rows", "is not counted for"),
        ({"measure": "crossings", "rows": "purpose"}, "rows", "is not counted for"),
        ({"measure": "exits", "rows": "purpose", "columns": "age_group"}, "columns", "separately"),
        ({"measure": "exits", "rows": "sex", "columns": "sex"}, "columns", "other than"),
    ],
)
def test_a_choice_the_cells_cannot_answer_is_named_next_to_its_field(
    client, analyst, choice, field, words
):
    client.force_login(analyst)
    page = client.get("/reports/pivot/", {**QUERY, **choice}, HTTP_ACCEPT_LANGUAGE="en")
    errors = page.context["form"].errors
    assert words in " ".join(errors[field]) and "result" not in page.context


def test_the_csv_is_the_long_form_with_codes_and_downloads_are_audited(client, analyst, world):
    client.force_login(analyst)
    query = {**QUERY, "measure": "exits", "rows": "purpose", "columns": "sex"}
    csv = client.get("/reports/pivot/download.csv", query)
    assert csv.content.decode().splitlines() == ["purpose,sex,exits", "work,M,1", "study,F,1"]
    xlsx = client.get("/reports/pivot/download.xlsx", query, HTTP_ACCEPT_LANGUAGE="en")
    rows = [
        list(r) for r in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)
    ]
    assert rows[-1][0] == "Total" and rows[-1][-1] == 2
    assert client.get("/reports/pivot/download.pdf", query).content.startswith(b"%PDF")
    events = AuditEvent.objects.filter(action="export", object_id="pivot", user=analyst)
    assert sorted(e.query["format"] for e in events) == ["csv", "pdf", "xlsx"]
    assert client.get("/reports/pivot/download.doc", query).status_code == 404


def test_an_analyst_saves_a_view_and_reopens_it_by_its_link(client, analyst, world):
    client.force_login(analyst)
    query = {
        **QUERY,
        "measure": "exits",
        "rows": "purpose",
        "columns": "sex",
        "border_point": "DYU",
    }
    response = client.post("/reports/pivot/", {**query, "action": "save", "name": "Work by sex"})
    assert response.status_code == 302
    view = PivotView.objects.get(owner=analyst)
    assert (view.name, view.rows, view.columns, view.filters) == (
        "Work by sex",
        "purpose",
        "sex",
        {"border_point": "DYU"},
    )
    page = client.get("/reports/pivot/")
    assert view.query_string in page.content.decode().replace("&amp;", "&")
    reopened = client.get(f"/reports/pivot/?{view.query_string}")
    assert reopened.context["form"].choice == ("exits", "purpose", "sex")
    # Saving under the same name replaces the view.
    client.post(
        "/reports/pivot/", {**query, "columns": "", "action": "save", "name": "Work by sex"}
    )
    assert PivotView.objects.get(owner=analyst).columns == ""


def test_saved_views_belong_to_their_owner(client, analyst, world):
    other = make_user("analyst-2", "DIR", Role.ANALYST)
    theirs = PivotView.objects.create(
        owner=other,
        name="Theirs",
        measure="crossings",
        rows="sex",
        date_from=YEAR[0],
        date_to=YEAR[1],
    )
    client.force_login(analyst)
    assert "Theirs" not in client.get("/reports/pivot/").content.decode()
    response = client.post("/reports/pivot/", {"action": "delete", "view": theirs.pk})
    assert response.status_code == 404
    assert PivotView.objects.filter(pk=theirs.pk).exists()


def test_an_unnamed_save_is_refused_and_saves_nothing(client, analyst, world):
    client.force_login(analyst)
    response = client.post(
        "/reports/pivot/",
        {**QUERY, "measure": "crossings", "rows": "sex", "action": "save", "name": " "},
    )
    assert response.status_code == 400 and not PivotView.objects.exists()


def test_the_database_refuses_a_view_with_the_same_rows_and_columns(analyst):
    with pytest.raises(IntegrityError):
        PivotView.objects.create(
            owner=analyst,
            name="x",
            measure="crossings",
            rows="sex",
            columns="sex",
            date_from=YEAR[0],
            date_to=YEAR[1],
        )


def test_for_all_crossings_the_country_filter_is_named_citizenship(client, analyst):
    client.force_login(analyst)
    page = client.get("/reports/pivot/", {"measure": "crossings"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["form"]["country"].label == "Citizenship"
    page = client.get("/reports/pivot/", {"measure": "exits"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["form"]["country"].label == "Country"


def test_citizens_exits_open_at_countries_by_sex(client, analyst, world):
    client.force_login(analyst)
    page = client.get("/reports/pivot/", {**QUERY, "measure": "exits"})
    assert page.context["form"].choice == ("exits", "country", "sex")
    assert page.context["grid"].totals[-1] == 2


def test_an_unknown_measure_is_an_error_not_a_silent_default(client, analyst):
    client.force_login(analyst)
    page = client.get("/reports/pivot/", {"measure": "visas"})
    assert "measure" in page.context["form"].errors and "result" not in page.context


def test_deleting_a_view_that_is_not_a_number_is_a_clear_error(client, analyst):
    client.force_login(analyst)
    response = client.post(
        "/reports/pivot/", {"action": "delete", "view": "x1"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400 and b"Unknown saved view." in response.content
    assert client.post("/reports/pivot/", {"action": "rename"}).status_code == 400


def test_an_analyst_deletes_a_view_of_their_own(client, analyst):
    mine = PivotView.objects.create(
        owner=analyst,
        name="Mine",
        measure="crossings",
        rows="sex",
        date_from=YEAR[0],
        date_to=YEAR[1],
    )
    client.force_login(analyst)
    assert client.post("/reports/pivot/", {"action": "delete", "view": mine.pk}).status_code == 302
    assert not PivotView.objects.exists()


def test_the_analyst_home_links_the_pivot(client, analyst):
    client.force_login(analyst)
    assert 'href="/reports/pivot/"' in client.get("/").content.decode()


# --- the same period a year earlier ------------------------------------------------------------


@pytest.fixture
def two_years(world):
    """2024 (the world): DYU 3 exits, LBD 1 entry. 2023: DYU 1 exit (D, 31 December), 1 entry;
    LBD 1 exit."""
    cross("exit", "2023-05-01", who="E", border_point="LBD", purpose="study", sex="F")
    cross("entry", "2023-06-01", who="F", border_point="DYU")


COMPARED = {"measure": "crossings", "rows": "border_point", "columns": "direction"}


def test_the_pivot_and_a_year_earlier_hold_the_same_combinations(two_years):
    now, before = run_pivot_compared("crossings", "border_point", "direction", *YEAR)
    assert sorted(map(tuple, now.rows)) == [
        ("DYU", "entry", 0),
        ("DYU", "exit", 3),
        ("LBD", "entry", 1),
        ("LBD", "exit", 0),
    ]
    assert sorted(map(tuple, before.rows)) == [
        ("DYU", "entry", 1),
        ("DYU", "exit", 1),
        ("LBD", "entry", 0),
        ("LBD", "exit", 1),
    ]


def test_each_count_has_the_count_a_year_earlier_and_the_change_beside_it(
    client, analyst, two_years
):
    client.force_login(analyst)
    page = client.get(
        "/reports/pivot/", {**QUERY, **COMPARED, "compare": "on"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    grid = page.context["grid"]
    assert len(grid.header) == 1 + 3 * 4
    assert grid.kinds[:5] == ("label", "count", "earlier", "change", "percent")
    by_point = {row[0]: row[1:] for row in grid.rows}
    # entry: now, earlier, change, % · exit: … · total: …
    assert by_point["Dushanbe International Airport"] == [
        0,
        1,
        -1,
        -100.0,
        3,
        1,
        2,
        200.0,
        3,
        2,
        1,
        50.0,
    ]
    assert by_point["Khujand International Airport"] == [
        1,
        0,
        1,
        None,
        0,
        1,
        -1,
        -100.0,
        1,
        1,
        0,
        0.0,
    ]
    assert grid.totals[1:] == [1, 1, 0, 0.0, 3, 2, 1, 50.0, 4, 3, 1, 33.3]
    html = page.content.decode()
    assert "+200.0 %" in html and "-100.0 %" in html and "+1<" in html
    assert page.context["doc"].compare_title
    top, sub = page.context["header_groups"]
    assert [(label, span) for label, span, _rows in top] == [
        ("Border point", 1),
        ("entry", 4),
        ("exit", 4),
        ("Total", 4),
    ]
    assert [label for label, _kind in sub[:4]] == [
        "this period",
        "a year earlier",
        "change",
        "change, %",
    ]


def test_a_pivot_without_columns_is_compared_row_by_row(two_years):
    now, before = run_pivot_compared("crossings", "direction", None, *YEAR)
    assert compared_result(now, before).rows == [["entry", 1, 1, 0, 0.0], ["exit", 3, 2, 1, 50.0]]


def test_the_compared_csv_and_xlsx_have_the_extra_columns(client, analyst, two_years):
    client.force_login(analyst)
    query = {**QUERY, **COMPARED, "compare": "on"}
    lines = client.get("/reports/pivot/download.csv", query).content.decode().splitlines()
    assert lines[0] == "border_point,direction,crossings,year_earlier,change,change_percent"
    assert sorted(lines[1:]) == [
        "DYU,entry,0,1,-1,-100.0",
        "DYU,exit,3,1,2,200.0",
        "LBD,entry,1,0,1,",
        "LBD,exit,0,1,-1,-100.0",
    ]
    xlsx = client.get("/reports/pivot/download.xlsx", query, HTTP_ACCEPT_LANGUAGE="en")
    rows = [
        list(r) for r in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)
    ]
    header = next(r for r in rows if r[0] == "Border point")
    assert header[1:5] == ["entry", "entry: a year earlier", "entry: change", "entry: change, %"]
    assert rows[-1][0] == "Total" and rows[-1][-4:] == [4, 3, 1, 33.3]
    assert any(r[0] and str(r[0]).startswith("Compared with the same period") for r in rows)
    pdf = client.get("/reports/pivot/download.pdf", query, HTTP_ACCEPT_LANGUAGE="en")
    pages = pypdfium2.PdfDocument(pdf.content)
    text = " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pages)
    # The two-row header: each count's name over "this period", "a year earlier", "±", "%".
    assert "Compared with the same period a year earlier" in text
    assert "this period" in text and "±" in text and "+33.3 %" in text


def test_a_saved_view_keeps_the_comparison(client, analyst, two_years):
    client.force_login(analyst)
    query = {**QUERY, **COMPARED, "compare": "on"}
    client.post("/reports/pivot/", {**query, "action": "save", "name": "Year on year"})
    view = PivotView.objects.get(owner=analyst)
    assert view.compare is True and "compare=on" in view.query_string
    reopened = client.get(f"/reports/pivot/?{view.query_string}")
    assert reopened.context["form"].compared
    assert reopened.context["grid"].kinds


@pytest.mark.parametrize(
    "choice, words",
    [
        ({**QUERY, "measure": "crossings", "rows": "month"}, "with months as rows or columns"),
        (
            {"from": "2023-06-01", "to": "2024-06-01", "measure": "crossings", "rows": "sex"},
            "longer than a year",
        ),
    ],
)
def test_the_comparison_is_not_offered_for_months_or_more_than_a_year_and_says_why(
    client, analyst, two_years, choice, words
):
    client.force_login(analyst)
    page = client.get("/reports/pivot/", {**choice, "compare": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert not page.context["grid"].kinds and not page.context["form"].compared
    assert words in page.content.decode()


def test_exactly_one_year_may_be_compared(two_years):
    assert comparison_refused("sex", None, date(2023, 6, 1), date(2024, 5, 31)) is None
    assert comparison_refused("sex", None, date(2024, 2, 29), date(2025, 2, 28)) is None
