"""The reports API: session or token, the same JSON as the CLI, errors that name the fields."""

import pytest
from django.core.management import call_command

from safar.core.models import ApiToken, AuditEvent

from .world import cross

pytestmark = pytest.mark.django_db
URL = "/api/reports/R01"
YEAR = {"from": "2024-01-01", "to": "2024-12-31"}


@pytest.fixture
def crossings(db):
    cross("exit", "2024-01-01")
    cross("entry", "2024-12-31", border_point="KRM", sex="F")


def test_analyst_with_a_session_gets_the_json(client, analyst, crossings):
    client.force_login(analyst)
    response = client.get(URL, YEAR)
    assert response.status_code == 200
    assert response.json() == {
        "report": "R01",
        "from": "2024-01-01",
        "to": "2024-12-31",
        "columns": ["border_point", "direction", "crossings"],
        "rows": [["DYU", "exit", 1], ["KRM", "entry", 1]],
    }
    event = AuditEvent.objects.get(action="export")
    assert (event.user, event.object_id, event.query["format"], event.query["via"]) == (
        analyst,
        "R01",
        "json",
        "api",
    )


def test_a_token_from_the_command_works_without_a_session(client, analyst, crossings, capsys):
    call_command("api-token", "analyst")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert ApiToken.objects.get(user=analyst).key_hash != raw  # only the hash is stored
    response = client.get(URL, {**YEAR, "sex": "f"}, HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 200
    assert response.json()["rows"] == [["KRM", "entry", 1]]


def test_a_revoked_token_is_refused(client, analyst, capsys):
    call_command("api-token", "analyst")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    call_command("api-token", "analyst", "--revoke", raw[:6])
    response = client.get(URL, YEAR, HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 401


def test_without_session_or_token_the_api_answers_401(client):
    response = client.get(URL, YEAR)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("fixture", ["operator_du", "outsider"])
def test_an_operator_or_a_user_without_role_gets_403(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(URL, YEAR).status_code == 403
    assert client.get("/api/reports").status_code == 403


def test_an_operators_token_gets_403_too(client, operator_du):
    _token, raw = ApiToken.issue(operator_du)
    assert client.get(URL, YEAR, HTTP_AUTHORIZATION=f"Token {raw}").status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"to": "2024-12-31"}, "from"),
        ({"from": "2024-13-01", "to": "2024-12-31"}, "from"),
        ({"from": "01.01.2024", "to": "2024-12-31"}, "from"),
        ({"from": "2024-12-31", "to": "2024-01-01"}, "to"),
        ({**YEAR, "sex": "X"}, "sex"),
        ({**YEAR, "country": "RUS"}, "country"),  # R01 has no country filter
    ],
)
def test_bad_parameters_give_400_naming_the_field(client, administrator, query, field):
    client.force_login(administrator)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert not AuditEvent.objects.filter(action="export").exists()


def test_an_unknown_border_point_is_named(client, analyst):
    client.force_login(analyst)
    response = client.get("/api/reports/R03", {**YEAR, "border_point": "XXX"})
    assert response.status_code == 400
    assert "XXX" in response.json()["error"]["fields"]["border_point"][0]


def test_an_unknown_report_is_404(client, analyst):
    client.force_login(analyst)
    assert client.get("/api/reports/R13", YEAR).status_code == 404


def test_the_list_names_all_twelve_reports_with_their_filters(client, analyst):
    client.force_login(analyst)
    reports = client.get("/api/reports").json()["reports"]
    assert [r["code"] for r in reports] == [f"R{i:02d}" for i in range(1, 13)]
    r07 = reports[6]
    assert r07["columns"] == ["country", "region", "sex", "exits"]
    assert r07["filters"] == ["from", "to", "border_point"]


def test_api_token_lists_and_refuses_unknown_users(analyst, capsys):
    from django.core.management.base import CommandError

    call_command("api-token", "analyst")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    call_command("api-token", "analyst", "--list")
    listing = capsys.readouterr().out
    assert raw[:8] in listing and "active" in listing and raw not in listing
    with pytest.raises(CommandError, match="USERNAME"):
        call_command("api-token", "nobody")
    with pytest.raises(CommandError, match="--revoke"):
        call_command("api-token", "analyst", "--revoke", "zzzzzzzz")
