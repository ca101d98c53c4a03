"""The report pages: who may see them, the filter form, chart, table and downloads."""

from datetime import date

import pytest
from openpyxl import load_workbook

from safar.core.models import AuditEvent

from .world import cross

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    cross("exit", "2024-02-01", country="RUS")
    cross("exit", "2024-03-01", who="P2", country="KAZ", sex="F")
    cross("exit", f"{date.today().year}-01-01", who="P3", country="TUR")


def test_the_index_lists_the_twelve_reports_for_an_analyst(client, analyst):
    client.force_login(analyst)
    page = client.get("/reports/").content.decode()
    for code in ("R01", "R06", "R12"):
        assert f"/reports/{code}/" in page


@pytest.mark.parametrize("fixture", ["operator_du", "outsider"])
def test_operators_and_users_without_role_may_not_open_reports(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/R01/").status_code == 403
    assert client.get("/reports/R01/download.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/reports/R01/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_without_a_period_the_page_shows_the_current_year(client, analyst, world):
    client.force_login(analyst)
    response = client.get("/reports/R03/")
    assert response.status_code == 200
    assert response.context["form"].period == (
        date(date.today().year, 1, 1),
        date(date.today().year, 12, 31),
    )
    assert response.context["result"].rows == [["TUR", 1]]


def test_the_page_shows_chart_names_and_download_links_keeping_filters(client, analyst, world):
    client.force_login(analyst)
    response = client.get(
        "/reports/R03/",
        {"from": "2024-01-01", "to": "2024-12-31", "sex": "F", "language": "en"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = response.content.decode()
    assert "<svg" in page
    assert response.context["result"].rows == [["KAZ", 1]]
    assert "/reports/R03/download.xlsx?from=2024-01-01&amp;to=2024-12-31&amp;sex=F" in page


def test_form_errors_are_shown_next_to_the_fields(client, analyst):
    client.force_login(analyst)
    response = client.get("/reports/R03/", {"from": "2024-12-31", "to": "2024-01-01"})
    form = response.context["form"]
    assert "to" in form.errors and "result" not in response.context
    assert 'class="errorlist' in response.content.decode()


def test_downloads_are_files_and_are_audited(client, analyst, world):
    client.force_login(analyst)
    query = {"from": "2024-01-01", "to": "2024-12-31"}
    csv = client.get("/reports/R03/download.csv", query)
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode() == "country,exits\nKAZ,1\nRUS,1\n"
    xlsx = client.get("/reports/R03/download.xlsx", query)
    assert 'filename="R03_20240101-20241231.xlsx"' in xlsx["Content-Disposition"]
    import io

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [sheet["B6"].value, sheet["B7"].value] == [1, 1]
    pdf = client.get("/reports/R03/download.pdf", query)
    assert pdf.content.startswith(b"%PDF")
    formats = sorted(
        e.query["format"]
        for e in AuditEvent.objects.filter(action="export", object_id="R03", user=analyst)
    )
    assert formats == ["csv", "pdf", "xlsx"]


def test_a_bad_download_request_is_refused_without_an_audit(client, analyst):
    client.force_login(analyst)
    response = client.get("/reports/R03/download.csv", {"from": "2024-13-01", "to": "2024-12-31"})
    assert response.status_code == 400
    assert client.get("/reports/R03/download.doc").status_code == 404
    assert client.get("/reports/R99/").status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("code", [f"R{i:02d}" for i in range(1, 13)])
def test_every_report_page_renders(client, administrator, world, code):
    client.force_login(administrator)
    response = client.get(f"/reports/{code}/", {"from": "2024-01-01", "to": "2024-12-31"})
    assert response.status_code == 200
    assert code in response.content.decode()
