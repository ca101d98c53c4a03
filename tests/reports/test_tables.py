"""Reports an analyst can work with: tables with totals, cross tables, names sorted by the
reader's alphabet, the year-earlier comparison, R11's one date, empty results, charts and PDFs."""

import io
import re
import subprocess
from datetime import date

import pytest
from django.utils import translation
from openpyxl import load_workbook

from safar.reports import exports
from safar.reports.charts import MEANING_COLOURS, build_chart, fit, render_svg, text_width
from safar.reports.columns import Display
from safar.reports.standard import r01, r02
from safar.reports.tables import collation_key, year_earlier

from .world import cross

pytestmark = pytest.mark.django_db

YEAR = {"from": "2024-01-01", "to": "2024-12-31"}


def test_tajik_names_sort_in_the_tajik_alphabet_not_in_unicode_order():
    names = ["Федератсияи Россия", "Олмон", "Қирғизистон", "Қазоқистон", "Кения"]
    assert sorted(names, key=lambda n: collation_key(n, "tg")) == [
        "Кения",
        "Қазоқистон",
        "Қирғизистон",
        "Олмон",
        "Федератсияи Россия",
    ]


def test_russian_yo_sorts_right_after_ye_and_a_space_before_letters():
    names = ["Жук", "Ёлка", "Ель", "Южный Судан", "Южная Корея", "Юг"]
    assert sorted(names, key=lambda n: collation_key(n, "ru")) == [
        "Ель",
        "Ёлка",
        "Жук",
        "Юг",
        "Южная Корея",
        "Южный Судан",
    ]


@pytest.fixture
def four_countries(db):
    for who, country in (("P1", "RUS"), ("P2", "KGZ"), ("P3", "DEU"), ("P4", "KAZ")):
        cross("exit", "2024-03-01", who=who, country=country)


@pytest.mark.parametrize(
    "language, expected",
    [
        ("tg", ["Қазоқистон", "Қирғизистон", "Олмон", "Федератсияи Россия"]),
        ("ru", ["Германия", "Казахстан", "Киргизия", "Российская Федерация"]),
        ("en", ["Germany", "Kazakhstan", "Kyrgyzstan", "Russian Federation"]),
    ],
)
def test_the_page_lists_countries_by_name_in_the_active_language(
    client, analyst, four_countries, language, expected
):
    client.force_login(analyst)
    response = client.get("/reports/R03/", YEAR, HTTP_ACCEPT_LANGUAGE=language)
    assert [row[0] for row in response.context["grid"].rows] == expected
    # JSON and CSV keep codes in code order, for machines.
    csv = client.get("/reports/R03/download.csv", YEAR).content.decode()
    assert csv.splitlines()[1:] == ["DEU,1", "KAZ,1", "KGZ,1", "RUS,1"]


@pytest.fixture
def returns(db):
    cross("exit", "2024-01-01", who="A", country="RUS")
    cross("entry", "2024-01-20", who="A", country="RUS")  # 19 days: 0-30
    cross("exit", "2024-02-01", who="B", country="RUS")  # not returned
    cross("exit", "2024-03-01", who="C", country="KAZ")
    cross("entry", "2024-05-15", who="C", country="KAZ")  # 75 days: 31-90


def test_r09_is_a_country_by_band_table_with_row_column_and_grand_totals(client, analyst, returns):
    client.force_login(analyst)
    grid = client.get("/reports/R09/", YEAR, HTTP_ACCEPT_LANGUAGE="en").context["grid"]
    assert grid.header == ["Country", "0-30", "31-90", "not returned", "Total"]
    assert grid.rows == [
        ["Kazakhstan", 0, 1, 0, 1],
        ["Russian Federation", 1, 0, 1, 2],
    ]
    assert grid.totals == ["Total", 1, 1, 1, 3]


def test_r09_keeps_the_long_form_in_csv_and_json(client, analyst, returns):
    client.force_login(analyst)
    csv = client.get("/reports/R09/download.csv", YEAR).content.decode()
    assert csv.splitlines() == [
        "country,band,exits",
        "KAZ,31-90,1",
        "RUS,0-30,1",
        "RUS,not_returned,1",
    ]
    data = client.get("/api/reports/R09", YEAR).json()
    assert data["columns"] == ["country", "band", "exits"]
    assert len(data["rows"]) == 3


def test_the_xlsx_of_r09_is_the_cross_table_with_its_totals(client, analyst, returns):
    client.force_login(analyst)
    body = client.get("/reports/R09/download.xlsx", YEAR, HTTP_ACCEPT_LANGUAGE="en").content
    rows = [list(r) for r in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)]
    assert rows[4] == ["Country", "0-30", "31-90", "not returned", "Total"]
    assert rows[7] == ["Total", 1, 1, 1, 3]
    assert rows[9][0].startswith("Compared with the same period a year earlier")


@pytest.mark.parametrize("code", [f"R{i:02d}" for i in range(1, 13)])
def test_every_report_page_has_a_totals_row(client, administrator, returns, code):
    client.force_login(administrator)
    page = client.get(f"/reports/{code}/", YEAR, HTTP_ACCEPT_LANGUAGE="en")
    grid = page.context["grid"]
    if grid.rows:
        assert grid.totals[0] == "Total"
        assert '<tr class="totals">' in page.content.decode()


def test_the_totals_are_compared_with_the_same_period_a_year_earlier(client, analyst):
    cross("exit", "2023-06-01", who="A")
    cross("exit", "2024-06-01", who="B")
    cross("exit", "2024-07-01", who="C")
    client.force_login(analyst)
    page = client.get("/reports/R03/", YEAR, HTTP_ACCEPT_LANGUAGE="en")
    [change] = page.context["changes"]
    assert (change.label, change.now, change.before, change.percent) == ("Exits", 2, 1, 100.0)
    assert page.context["compare_title"].endswith("(2023-01-01 – 2023-12-31)")
    assert "(+100.0 %)" in page.content.decode()
    # The XLSX and the PDF carry the comparison under their table too.
    body = client.get("/reports/R03/download.xlsx", YEAR, HTTP_ACCEPT_LANGUAGE="en").content
    cells = [r[0] for r in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)]
    assert "Exits: 2 · a year earlier 1 (+100.0 %)" in cells
    pdf = client.get("/reports/R03/download.pdf", YEAR, HTTP_ACCEPT_LANGUAGE="en").content
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "a year earlier 1 (+100.0 %)" in text


def test_a_year_earlier_than_29_february_is_28_february():
    assert year_earlier(date(2024, 2, 29)) == date(2023, 2, 28)


def test_r11_asks_only_for_the_as_of_date(client, analyst, time_machine):
    time_machine.move_to("2024-06-30 12:00")
    cross("exit", "2024-06-01", who="A")
    client.force_login(analyst)
    page = client.get("/reports/R11/", HTTP_ACCEPT_LANGUAGE="en")
    form = page.context["form"]
    assert [f.name for f in form.visible_fields()][0] == "to"
    assert form["to"].label == "As of"
    assert form.period == (date(2024, 6, 30), date(2024, 6, 30))
    assert page.context["grid"].rows == [["Russian Federation", 1, 1]]
    assert "Compared with the same day a year earlier" in page.content.decode()
    page = client.get("/reports/R11/", {"to": "2024-06-15"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["grid"].totals[-1] == 1
    assert 'type="date"' in page.content.decode() and 'name="from"' in page.content.decode()


def test_an_empty_result_says_what_was_asked_and_that_nothing_matched(client, analyst):
    client.force_login(analyst)
    page = client.get(
        "/reports/R03/", {**YEAR, "sex": "F"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    message = re.search(r'<p class="card empty">(.*?)</p>', page, re.S).group(1)
    assert "Nothing matched R03." in message
    assert "2024" in message and "Sex: female" in message


def test_entries_and_exits_keep_their_colours_in_every_report(db):
    cross("exit", "2024-03-01", who="A")
    cross("entry", "2024-04-01", who="A")
    display = Display()
    by_direction = build_chart(r01.CHART, r01.run(date(2024, 1, 1), date(2024, 12, 31)), display)
    by_column = build_chart(r02.CHART, r02.run(date(2024, 1, 1), date(2024, 12, 31)), display)
    direction = dict(zip(by_direction.keys, by_direction.colours, strict=True))
    column = dict(zip(by_column.keys, by_column.colours, strict=True))
    assert direction["exit"] == column["exits"] == MEANING_COLOURS["exit"]
    assert direction["entry"] == column["entries"] == MEANING_COLOURS["entry"]
    assert direction["exit"] != direction["entry"]


def test_a_long_label_is_shortened_to_its_room_with_the_full_name_on_hover(db):
    name = "Ҷазираҳои Хурди Дурдасти Иёлоти Муттаҳида дар Уқёнуси Ором"
    short = fit(name, 200, 12)
    assert short.endswith("…") and text_width(short, 12) <= 200
    from safar.reports.charts import Chart

    svg = render_svg(Chart([name, "Олмон"], ["x"], [[5], [3]]), title="R03", summary="2024")
    assert f"<title>{name}</title>" in svg
    assert "<title>R03</title><desc>2024</desc>" in svg


def test_the_pdf_names_period_filters_who_when_and_pages_and_wraps_long_names(
    client, analyst, time_machine
):
    time_machine.move_to("2024-12-31 09:30")
    cross("exit", "2024-03-01", who="A", country="COD")
    cross("exit", "2024-03-01", who="B", country="RUS")
    client.force_login(analyst)
    body = client.get("/reports/R03/download.pdf", YEAR, HTTP_ACCEPT_LANGUAGE="en").content
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True
    ).stdout.decode()
    assert "R03." in text and "Period:" in text and "Filters: none" in text
    assert "Generated" in text and "by analyst" in text and "2024" in text
    assert "Page 1 of 1" in text
    words = " ".join(text.split())
    assert "Congo, The Democratic Republic of the" in words
    assert "Total" in text


def test_the_generated_line_names_the_user_and_the_time(analyst, time_machine):
    time_machine.move_to("2024-12-31 09:30Z")
    with translation.override("en"):
        line = exports.generated_line(analyst)
    assert "by analyst" in line and "2024" in line


def test_the_month_chart_has_a_value_axis_and_month_labels_that_never_overlap():
    from safar.reports.charts import Chart

    months = [f"{2018 + i // 12}-{i % 12 + 1:02d}" for i in range(90)]
    svg = str(
        render_svg(
            Chart(months, ["exits"], [[i + 1] for i in range(90)], columns=True, keys=["exits"])
        )
    )
    ticks = re.findall(r'text-anchor="end">([\d,\s]+)</text>', svg)
    assert ticks == ["0", "45", "90"]
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle">', svg)]
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    assert len(xs) > 5 and min(gaps) >= text_width("2018-01", 11)


def test_colours_without_a_meaning_never_borrow_one():
    from safar.reports.charts import OTHER_COLOURS, colours_for

    assert not set(OTHER_COLOURS) & set(MEANING_COLOURS.values())
    assert colours_for(["0-30", "exit", "31-90"]) == [
        OTHER_COLOURS[0],
        MEANING_COLOURS["exit"],
        OTHER_COLOURS[1],
    ]
