"""Report periods are bounded (1991 … the end of this year), refused fast and clearly on the page,
the API and the CLI; the chart is drawn in time proportional to its bars."""

import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safar.reports.charts import Chart, render_svg
from safar.reports.forms import ReportForm
from safar.reports.standard import get_report

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def errors_of(period: dict) -> dict:
    form = ReportForm(get_report("R02"), period)
    form.is_valid()
    return form.errors


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ({"from": "1000-01-01", "to": "2999-12-31"}, "from"),
        ({"from": "0001-01-01", "to": "2024-12-31"}, "from"),
        ({"from": "1990-12-31", "to": "2024-12-31"}, "from"),
        ({"from": "2024-01-01", "to": "9999-12-31"}, "to"),
        ({"from": "2024-01-01", "to": "2027-01-01"}, "to"),
    ],
)
def test_a_period_outside_1991_to_the_end_of_this_year_is_refused_on_its_field(period, field):
    errors = errors_of(period)
    assert field in errors
    assert "1991-01-01" in errors[field][0] and "2026-12-31" in errors[field][0]


def test_the_whole_range_and_this_calendar_year_are_accepted():
    assert not errors_of({"from": "1991-01-01", "to": "2026-12-31"})


@pytest.mark.parametrize(
    "text", ["2026-W01-1", "20261201", "2026-335", "2026-12-01T00:00", "2026-1-1"]
)
def test_week_ordinal_and_compact_dates_are_refused(text):
    assert "from" in errors_of({"from": text, "to": "2026-12-31"})


def test_the_earliest_crossing_setting_moves_the_lower_bound(settings):
    settings.SAFAR_EARLIEST_CROSSING = datetime(2000, 1, 1).date()
    assert "from" in errors_of({"from": "1999-12-31", "to": "2026-12-31"})


def test_the_api_refuses_a_thousand_year_period_at_once_with_json(client, analyst):
    client.force_login(analyst)
    started = time.perf_counter()
    response = client.get("/api/reports/R02", {"from": "1000-01-01", "to": "2999-12-31"})
    # It took a gunicorn worker 120 s before; refused by the form, it is the cost of a request.
    assert time.perf_counter() - started < 10
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert set(response.json()["error"]["fields"]) == {"from", "to"}


@pytest.mark.parametrize("edge", ["0001-01-01", "9999-12-31"])
def test_edge_dates_on_the_api_are_a_400_naming_the_field(client, analyst, edge):
    client.force_login(analyst)
    response = client.get("/api/reports/R01", {"from": edge, "to": edge})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"from", "to"}


def test_edge_dates_on_the_page_are_errors_on_the_form(client, analyst):
    client.force_login(analyst)
    response = client.get("/reports/R02/", {"from": "0001-01-01", "to": "9999-12-31"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"from", "to"}


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--from", "0001-01-01", "--to", "2024-12-31"], "--from"),
        (["--from", "2024-01-01", "--to", "9999-12-31"], "--to"),
        (["--from", "2026-W01-1", "--to", "2026-12-31"], "--from"),
    ],
)
def test_the_cli_names_the_option_of_an_edge_date(args, option):
    with pytest.raises(CommandError, match=f"^{option}: "):
        call_command("report", "R02", *args)


def test_the_cli_prints_one_line_and_no_traceback_for_an_edge_date(tmp_path):
    # A separate process, as a person runs it (its own empty database: the form refuses first).
    result = subprocess.run(
        [sys.executable, "-m", "safar.cli", "report", "R01"]
        + ["--from", "0001-01-01", "--to", "9999-12-31"],
        capture_output=True,
        text=True,
        env={"SAFAR_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--from" in lines[0] and "--to" in lines[0]


class CountedRows(list):
    """The chart's values, counting how often the whole table is walked."""

    walks = 0

    def __iter__(self):
        CountedRows.walks += 1
        return super().__iter__()


@pytest.mark.parametrize("columns", [True, False])
def test_drawing_a_chart_walks_its_values_a_fixed_number_of_times(columns):
    for bars in (2_000, 20_000):
        CountedRows.walks = 0
        values = CountedRows([[n % 97 + 1] for n in range(bars)])
        svg = render_svg(Chart([f"m{n}" for n in range(bars)], ["count"], values, columns))
        assert svg.count("<rect") == bars
        assert CountedRows.walks <= 3, (bars, CountedRows.walks)
