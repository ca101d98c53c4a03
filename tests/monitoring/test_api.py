"""GET /api/helpdesk/reports/{code}?msc=&month= and `safar msc-report`."""

import json

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db
URL = "/api/helpdesk/reports/"


def test_one_msc_month(client, november, supervisor_du):
    client.force_login(supervisor_du)
    response = client.get(URL + "M01", {"msc": "MSC-DU", "month": "2026-11"})
    assert response.status_code == 200
    assert response.json() == {
        "report": "M01",
        "msc": "MSC-DU",
        "month": "2026-11",
        "columns": ["channel", "sex", "contacts"],
        "rows": [["phone", "F", 1], ["phone", "M", 2], ["walk_in", "M", 1], ["walk_in", "U", 1]],
    }


def test_without_msc_every_msc_the_user_sees_summed(client, november, supervisor_du, coordinator):
    client.force_login(supervisor_du)  # sees Dushanbe only
    assert client.get(URL + "M01", {"month": "2026-11"}).json()["rows"][0] == ["phone", "F", 1]
    client.force_login(coordinator)  # sees every MSC
    body = client.get(URL + "M01", {"month": "2026-11"}).json()
    assert body["msc"] is None and body["rows"][0] == ["phone", "F", 2]


def test_errors_name_the_field(client, november, supervisor_du, supervisor_kh):
    client.force_login(supervisor_kh)
    response = client.get(URL + "M01", {"msc": "MSC-DU", "month": "2026-13"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"msc", "month"}
    assert client.get(URL + "M99", {"month": "2026-11"}).status_code == 404
    assert client.get(URL + "M01").status_code == 400


def test_who_may_read(client, november, db):
    from tests.conftest import make_user

    assert client.get(URL + "M01", {"month": "2026-11"}).status_code == 401
    client.force_login(make_user("analyst", "DIR", "analyst"))
    assert client.get(URL + "M01", {"month": "2026-11"}).status_code == 403


def test_cli_json_csv_and_files(november, capsys, tmp_path):
    call_command("msc-report", "M03", "--msc", "MSC-DU", "--month", "2026-11")
    body = json.loads(capsys.readouterr().out)
    assert body["rows"] == [
        ["documents/patent", 2],
        ["entry_ban/check", 2],
        ["work/wages_unpaid", 1],
    ]
    call_command("msc-report", "M02", "--month", "2026-11", "--format", "csv")
    assert capsys.readouterr().out == "call_type,contacts\nprank,1\nsilent,2\n"
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        out = tmp_path / f"m01.{fmt}"
        call_command(
            "msc-report",
            "M01",
            "--msc",
            "MSC-DU",
            "--month",
            "2026-11",
            "--format",
            fmt,
            "--out",
            str(out),
            "--language",
            "tg",
        )
        assert out.read_bytes().startswith(magic)
    call_command(
        "msc-report",
        "M12",
        "--month",
        "2026-11",
        "--format",
        "pdf",
        "--out",
        str(tmp_path / "m12.pdf"),
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["M01", "--month", "2026/11"], "--month: Give a month as YYYY-MM."),
        (["M13", "--month", "2026-11"], "report: No such report: M13."),
        (["M01", "--month", "2026-11", "--msc", "MSC-XX"], "--msc: No Migrant Support Centre"),
        (["M01", "--month", "2026-11", "--format", "pdf"], "--out: a PDF file cannot be printed"),
    ],
)
def test_cli_errors_are_clear(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("msc-report", *args, "--language", "en")
