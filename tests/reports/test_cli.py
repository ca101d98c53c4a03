"""`safar report`: each format, the files opened as a reader would, and errors naming options."""

import io
import json
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from safar.core.models import AuditEvent

from .world import cross

pytestmark = pytest.mark.django_db
PERIOD = ["--from", "2024-01-01", "--to", "2024-12-31"]


@pytest.fixture
def world(db):
    cross("exit", "2024-02-01", country="RUS", region="TJ-SU")
    cross("exit", "2024-03-01", who="P2", country="KAZ", region=None, sex="F")
    cross("exit", "2024-03-02", who="P3", country="RUS", border_point="FTH")


def run(*args) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_json_is_the_documented_document(world):
    assert json.loads(run("R03", *PERIOD)) == {
        "report": "R03",
        "from": "2024-01-01",
        "to": "2024-12-31",
        "columns": ["country", "exits"],
        "rows": [["KAZ", 1], ["RUS", 2]],
    }
    assert AuditEvent.objects.get(action="export").query["via"] == "cli"


def test_csv_keeps_codes_and_filters_apply(world):
    assert run("R06", *PERIOD, "--format", "csv") == "region,exits\nTJ-DU,1\nTJ-SU,1\n,1\n"
    assert run("R06", *PERIOD, "--format", "csv", "--border-point", "fth") == (
        "region,exits\nTJ-DU,1\n"
    )
    assert run("r03", *PERIOD, "--format", "csv", "--sex", "F") == "country,exits\nKAZ,1\n"


def test_xlsx_has_title_period_header_names_and_numbers(world, tmp_path):
    out = tmp_path / "r03.xlsx"
    run("R03", *PERIOD, "--format", "xlsx", "--out", str(out), "--language", "en")
    sheet = load_workbook(out).active
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["R03. Citizens' exits by destination"]
    assert "2024" in values[1][0]
    assert values[4] == ["Country", "Exits"]
    assert values[5:8] == [["Kazakhstan", 1], ["Russian Federation", 2], ["Total", 3]]
    assert sheet.freeze_panes == "A6"


def test_xlsx_in_russian_names_countries_in_russian(world, tmp_path):
    out = tmp_path / "r03.xlsx"
    run("R03", *PERIOD, "--format", "xlsx", "--out", str(out), "--language", "ru")
    sheet = load_workbook(out).active
    assert sheet["A5"].value == "Страна"
    assert sheet["A7"].value == "Российская Федерация" and sheet["B7"].value == 2


def test_pdf_has_cyrillic_title_table_and_chart(world, tmp_path):
    out = tmp_path / "r03.pdf"
    run("R03", *PERIOD, "--format", "pdf", "--out", str(out), "--language", "tg")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "R03." in text
    assert "Қазоқистон" in text
    assert "Федератсияи Россия" in text


def test_binary_formats_need_out(world):
    with pytest.raises(CommandError, match="--out"):
        run("R01", *PERIOD, "--format", "pdf")


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--from", "2024-02-30", "--to", "2024-12-31"], "--from"),
        (["--from", "2024-12-31", "--to", "2024-01-01"], "--to"),
        ([*PERIOD, "--sex", "Q"], "--sex"),
        ([*PERIOD, "--country", "ZZZ"], "--country"),
        ([*PERIOD, "--border-point", "XYZ"], "--border-point"),
    ],
)
def test_bad_options_are_named(world, args, option):
    with pytest.raises(CommandError, match=option):
        run("R04" if "--country" in args else "R03", *args)
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_filter_the_report_does_not_offer_is_named(world):
    with pytest.raises(CommandError, match="--sex"):
        run("R07", *PERIOD, "--sex", "F")


def test_an_unknown_report_is_named(world):
    with pytest.raises(CommandError, match="R99"):
        run("R99", *PERIOD)


def test_r11_needs_only_to_and_the_other_reports_name_a_missing_from(world):
    data = json.loads(run("R11", "--to", "2024-12-31"))
    assert (data["from"], data["to"]) == ("2024-12-31", "2024-12-31")
    assert sum(row[-1] for row in data["rows"]) == 3
    with pytest.raises(CommandError, match="--from: "):
        run("R03", "--to", "2024-12-31")
