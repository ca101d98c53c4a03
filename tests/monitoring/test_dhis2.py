"""The DHIS2 export (dataValueSets JSON and ADX, field by field; the ADX against the XSD written
from the ADX profile) and the push client against a local server answering as DHIS2's Web API
documents it (2.38+ wrapper, 409 on conflicts, completeDataSetRegistrations)."""

from __future__ import annotations

import base64
import datetime
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

import safar.monitoring
from safar.monitoring.dhis2 import (
    Dhis2Client,
    Dhis2Error,
    as_adx,
    as_json_payload,
    build_sets,
    push,
    read_summary,
)
from safar.monitoring.figures import Month
from safar.monitoring.models import Dhis2DataSet, Dhis2Indicator, Dhis2OrgUnit, Dhis2SendLog
from safar.monitoring.services import advance, figures_of, report_for, save_typed

pytestmark = pytest.mark.django_db
NOVEMBER = Month(2026, 11)
XSD = Path(safar.monitoring.__file__).parent / "data" / "adx.xsd"


def code_of(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper() or "TOTAL"


@pytest.fixture
def accepted(november, supervisor_du, coordinator, time_machine):
    """November at Dushanbe submitted on December 2nd and accepted on December 3rd, every
    figure mapped to a data element named for its table and column, the row's key as the
    category option combo."""
    time_machine.move_to(datetime.datetime(2026, 12, 2, 9, tzinfo=datetime.UTC))
    report = report_for(november["du"], NOVEMBER)
    save_typed(report, {"radio_listeners": "12000"}, supervisor_du)
    advance(report, "submit", supervisor_du)
    time_machine.move_to(datetime.datetime(2026, 12, 3, 20, tzinfo=datetime.UTC))  # Dec 4th local
    advance(report, "accept", coordinator)
    data_set = Dhis2DataSet.objects.create(code="MSC_MONTHLY", name="MSC monthly report")
    Dhis2OrgUnit.objects.create(msc=november["du"], code="OU_MSC_DU")
    version = report.latest_version()
    for table, row, column in figures_of(version.tables, version.typed):
        Dhis2Indicator.objects.create(
            data_set=data_set,
            table=table,
            row=row,
            column=column,
            data_element=f"{table}_{column}".upper(),
            category_option_combo=code_of(row),
        )
    return report


def test_the_json_payload_field_by_field(accepted):
    (one,) = build_sets(NOVEMBER)
    payload = as_json_payload([one])
    assert {k: v for k, v in payload.items() if k != "dataValues"} == {
        "dataSet": "MSC_MONTHLY",
        "period": "202611",
        "orgUnit": "OU_MSC_DU",
        "completeDate": "2026-12-04",  # accepted at 01:00 on December 4th, Dushanbe time
        "idScheme": "code",
    }
    values = payload["dataValues"]
    assert {"dataElement": "M02_CONTACTS", "categoryOptionCombo": "PRANK", "value": "1"} in values
    assert {"dataElement": "M02_CONTACTS", "categoryOptionCombo": "SILENT", "value": "2"} in values
    assert {
        "dataElement": "M01_CONTACTS",
        "categoryOptionCombo": "WALK_IN_U",
        "value": "1",
    } in values
    assert {"dataElement": "M08_CLOSED", "categoryOptionCombo": "FAMILY", "value": "1"} in values
    assert {"dataElement": "M08_OPENED", "categoryOptionCombo": "FAMILY", "value": "0"} in values
    assert {"dataElement": "M12_OPEN_CASES", "categoryOptionCombo": "TOTAL", "value": "3"} in values
    assert {
        "dataElement": "TYPED_VALUE",
        "categoryOptionCombo": "RADIO_LISTENERS",
        "value": "12000",
    } in values
    assert all(set(v) == {"dataElement", "categoryOptionCombo", "value"} for v in values)
    assert len(values) == 33


def test_the_adx_field_by_field_and_valid_against_the_schema(accepted):
    sets = build_sets(NOVEMBER)
    body = as_adx(sets, exported=datetime.datetime(2026, 12, 5, 8, tzinfo=datetime.UTC))
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.fromstring(body)
    schema.assertValid(document)
    ns = {"adx": "urn:ihe:qrph:adx:2015"}
    assert document.get("exported") == "2026-12-05T08:00:00+00:00"
    (group,) = document.findall("adx:group", ns)
    assert dict(group.attrib) == {
        "orgUnit": "OU_MSC_DU",
        "period": "2026-11-01/P1M",
        "dataSet": "MSC_MONTHLY",
        "completeDate": "2026-12-04",
    }
    values = [dict(v.attrib) for v in group.findall("adx:dataValue", ns)]
    assert {"dataElement": "M07_CALLERS", "categoryOptionCombo": "M", "value": "2"} in values
    assert len(values) == 33


def test_the_schema_refuses_a_wrong_adx():
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    wrong = (
        b'<adx xmlns="urn:ihe:qrph:adx:2015" exported="2026-12-05T08:00:00Z">'
        b'<group orgUnit="OU" period="202611"><dataValue dataElement="DE" value="x"/></group></adx>'
    )
    assert not schema.validate(etree.fromstring(wrong))


def test_an_unmapped_figure_is_an_error_naming_it(accepted):
    Dhis2Indicator.objects.filter(table="M03", row="entry_ban/check").delete()
    Dhis2OrgUnit.objects.all().delete()
    with pytest.raises(Dhis2Error) as refused:
        build_sets(NOVEMBER)
    message = str(refused.value)
    assert "MSC-DU: M03 row 'entry_ban/check' column 'contacts' is not mapped" in message
    assert "MSC-DU: no DHIS2 org unit mapped" in message


def test_only_accepted_reports_are_exported(accepted, coordinator, tmp_path):
    advance(accepted, "reopen", coordinator, "correction")
    with pytest.raises(CommandError, match="no accepted monthly report for 2026-11"):
        call_command("dhis2", "export", "--month", "2026-11", "--out", str(tmp_path / "x.json"))


def test_the_export_command_writes_both_formats(accepted, tmp_path):
    call_command(
        "dhis2",
        "export",
        "--month",
        "2026-11",
        "--msc",
        "MSC-DU",
        "--out",
        str(tmp_path / "nov.json"),
    )
    assert json.loads((tmp_path / "nov.json").read_text())["period"] == "202611"
    call_command(
        "dhis2",
        "export",
        "--month",
        "2026-11",
        "--format",
        "adx",
        "--out",
        str(tmp_path / "nov.xml"),
    )
    assert b"2026-11-01/P1M" in (tmp_path / "nov.xml").read_bytes()
    with pytest.raises(CommandError, match="--month"):
        call_command("dhis2", "export", "--month", "nov", "--out", str(tmp_path / "x"))


# --- a DHIS2 server, as its Web API documents its answers --------------------------------------


class FakeDhis2:
    """Knows some data element codes; keeps what is imported (a second import updates). Answers
    as 2.38+ (the {"httpStatus", "response"} wrapper, 409 on conflicts) or as older versions
    (the bare import summary, 200)."""

    def __init__(self, known: set[str], *, wrapped: bool = True) -> None:
        self.known, self.wrapped = known, wrapped
        self.stored: dict[tuple, str] = {}
        self.requests: list[tuple[str, dict, dict]] = []
        self.completed: list[dict] = []

    def answer(self, path: str, query: dict, body: dict) -> tuple[int, dict]:
        self.requests.append((path, query, body))
        if path == "/api/completeDataSetRegistrations":
            self.completed += body["completeDataSetRegistrations"]
            return self.wrap(self.summary(imported=1), conflicted=False)
        dry = query.get("dryRun") == ["true"]
        imported = updated = ignored = 0
        conflicts = []
        for index, value in enumerate(body["dataValues"]):
            if value["dataElement"] not in self.known:
                ignored += 1
                conflicts.append(
                    {
                        "object": value["dataElement"],
                        "objects": {"dataElement": value["dataElement"]},
                        "value": "Data element not found or not accessible",
                        "errorCode": "E7610",
                        "property": "dataElement",
                        "indexes": [index],
                    }
                )
                continue
            key = (
                body["orgUnit"],
                body["period"],
                value["dataElement"],
                value.get("categoryOptionCombo"),
            )
            if key in self.stored:
                updated += 1
            else:
                imported += 1
            if not dry:
                self.stored[key] = value["value"]
        summary = self.summary(imported, updated, ignored, conflicts)
        return self.wrap(summary, conflicted=bool(conflicts))

    @staticmethod
    def summary(imported=0, updated=0, ignored=0, conflicts=()):
        return {
            "responseType": "ImportSummary",
            "status": "WARNING" if conflicts else "SUCCESS",
            "description": "Import process completed successfully",
            "importCount": {
                "imported": imported,
                "updated": updated,
                "ignored": ignored,
                "deleted": 0,
            },
            "conflicts": list(conflicts),
            "dataSetComplete": "false",
        }

    def wrap(self, summary: dict, *, conflicted: bool) -> tuple[int, dict]:
        if not self.wrapped:
            return 200, summary
        if conflicted:
            return 409, {
                "httpStatus": "Conflict",
                "httpStatusCode": 409,
                "status": "WARNING",
                "message": "One more conflicts encountered, please check import summary.",
                "response": summary,
            }
        return 200, {
            "httpStatus": "OK",
            "httpStatusCode": 200,
            "status": "OK",
            "message": "Import was successful.",
            "response": summary,
        }


@pytest.fixture
def server():
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            expected = "Basic " + base64.b64encode(b"admin:district").decode()
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.end_headers()
                return
            url = urlparse(self.path)
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length))
            status, answer = state["dhis2"].answer(url.path, parse_qs(url.query), body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield state
    httpd.shutdown()
    httpd.server_close()


def client_for(server) -> Dhis2Client:
    return Dhis2Client(server["url"], username="admin", password="district")


def every_element(sets) -> set[str]:
    return {value.data_element for one in sets for value in one.values}


def test_push_dry_run_then_import_then_complete(accepted, server):
    sets = build_sets(NOVEMBER)
    server["dhis2"] = dhis2 = FakeDhis2(every_element(sets))
    logs = push(sets, client_for(server), dry_run=False)
    paths = [(path, query.get("dryRun", [""])[0]) for path, query, _ in dhis2.requests]
    assert paths == [
        ("/api/dataValueSets", "true"),
        ("/api/dataValueSets", "false"),
        ("/api/completeDataSetRegistrations", ""),
    ]
    assert dhis2.requests[0][1]["idScheme"] == ["code"]
    assert dhis2.completed == [
        {
            "dataSet": "MSC_MONTHLY",
            "period": "202611",
            "organisationUnit": "OU_MSC_DU",
            "completed": True,
        }
    ]
    assert len(dhis2.stored) == 33
    assert [
        (log.dry_run, log.status, log.imported, log.updated, log.completed) for log in logs
    ] == [
        (True, "SUCCESS", 33, 0, False),
        (False, "SUCCESS", 33, 0, True),
    ]
    # Sent again: DHIS2 updates what it has.
    logs = push(sets, client_for(server), dry_run=False)
    assert (logs[1].imported, logs[1].updated) == (0, 33)
    assert Dhis2SendLog.objects.count() == 4


def test_a_dry_run_sends_nothing(accepted, server):
    sets = build_sets(NOVEMBER)
    server["dhis2"] = dhis2 = FakeDhis2(every_element(sets))
    (log,) = push(sets, client_for(server), dry_run=True)
    assert log.dry_run and log.imported == 33 and not dhis2.stored and not dhis2.completed


@pytest.mark.parametrize("wrapped", [True, False])
def test_conflicts_stop_before_anything_is_imported(accepted, server, wrapped):
    sets = build_sets(NOVEMBER)
    server["dhis2"] = dhis2 = FakeDhis2(every_element(sets) - {"M03_CONTACTS"}, wrapped=wrapped)
    with pytest.raises(Dhis2Error, match="the dry run found 3 conflicts"):
        push(sets, client_for(server), dry_run=False)
    assert not dhis2.stored and len(dhis2.requests) == 1
    log = Dhis2SendLog.objects.get()
    assert (log.http_status, log.status, log.ignored) == (409 if wrapped else 200, "WARNING", 3)
    assert log.conflicts[0]["object"] == "M03_CONTACTS"


def test_wrong_credentials_and_no_server(accepted, server):
    sets = build_sets(NOVEMBER)
    server["dhis2"] = FakeDhis2(every_element(sets))
    with pytest.raises(Dhis2Error, match="refused the credentials"):
        push(sets, Dhis2Client(server["url"], username="admin", password="x"), dry_run=True)
    with pytest.raises(Dhis2Error, match="cannot reach"):
        push(sets, Dhis2Client("http://127.0.0.1:9"), dry_run=True)


def test_the_push_command(accepted, server, monkeypatch, capsys):
    server["dhis2"] = FakeDhis2(every_element(build_sets(NOVEMBER)))
    monkeypatch.setenv("DHIS2_USERNAME", "admin")
    monkeypatch.setenv("DHIS2_PASSWORD", "district")
    call_command("dhis2", "push", "--month", "2026-11", "--url", server["url"] + "/")
    out = capsys.readouterr().out
    assert "OU_MSC_DU dry run: SUCCESS — imported 33" in out
    assert (
        "OU_MSC_DU import: SUCCESS — imported 33, updated 0, ignored 0, conflicts 0, "
        "data set marked complete" in out
    )


def test_the_summary_is_read_wrapped_or_bare():
    bare = FakeDhis2.summary(imported=2, ignored=1)
    assert read_summary(200, bare) == read_summary(200, {"httpStatus": "OK", "response": bare})
    with pytest.raises(Dhis2Error):
        read_summary(500, "oops")


def test_several_mscs_in_one_file_name_their_org_unit_per_value(
    accepted, november, supervisor_kh, coordinator
):
    report = report_for(november["kh"], NOVEMBER)
    advance(report, "submit", supervisor_kh)
    advance(report, "accept", coordinator)
    Dhis2OrgUnit.objects.create(msc=november["kh"], code="OU_MSC_KH")
    with pytest.raises(Dhis2Error, match="MSC-KH: M07 row 'F' column 'callers' is not mapped"):
        build_sets(NOVEMBER)
    Dhis2Indicator.objects.create(
        data_set=Dhis2DataSet.objects.get(),
        table="M07",
        row="F",
        column="callers",
        data_element="M07_CALLERS",
        category_option_combo="F",
    )
    sets = build_sets(NOVEMBER)
    assert [one.msc for one in sets] == ["MSC-DU", "MSC-KH"]
    payload = as_json_payload(sets)
    assert "orgUnit" not in payload and payload["period"] == "202611"
    kh = [v for v in payload["dataValues"] if v["orgUnit"] == "OU_MSC_KH"]
    assert {
        "dataElement": "M07_CALLERS",
        "categoryOptionCombo": "F",
        "orgUnit": "OU_MSC_KH",
        "period": "202611",
        "value": "1",
    } in kh
    assert len(payload["dataValues"]) == 33 + len(kh)
    assert build_sets(NOVEMBER, msc_codes=["MSC-KH"])[0].org_unit == "OU_MSC_KH"
