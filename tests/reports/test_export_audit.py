"""An export's audit event is written after the report was read and sent, never inside the read:
reports answer while an import holds the database's write lock."""

import logging

import pytest
from django.core.signals import request_finished
from django.db import OperationalError, close_old_connections, connection
from django.test import RequestFactory

from safar.core.models import AuditEvent
from safar.reports import api, views

from .world import cross

pytestmark = pytest.mark.django_db
YEAR = {"from": "2024-01-01", "to": "2024-12-31"}


@pytest.fixture
def crossings(db):
    cross("exit", "2024-02-01", country="RUS")


class Statements:
    """The SQL statements run on the default connection while it is active."""

    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.seen.append(sql)
        return execute(sql, params, many, context)

    def writes(self) -> list[str]:
        return [
            s for s in self.seen if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        ]


def close(response) -> None:
    """Close the response as the WSGI server does after its last byte (keeping the test's
    database connection, as Django's test client does)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def get(analyst, path):
    request = RequestFactory().get(path, YEAR)
    request.user = analyst
    return request


@pytest.mark.parametrize(
    ("call", "via"),
    [
        (lambda request: views.download(request, code="R01", fmt="csv"), "web"),
        (lambda request: api.report_data(request, code="R01"), "api"),
    ],
)
def test_a_report_export_writes_nothing_until_its_answer_has_been_sent(
    analyst, crossings, call, via
):
    statements = Statements()
    with connection.execute_wrapper(statements):
        response = call(get(analyst, "/reports/R01/"))
    assert response.status_code == 200 and statements.writes() == []
    assert not AuditEvent.objects.filter(action="export").exists()
    # The server closes the response after its last byte: then the event is written.
    close(response)
    event = AuditEvent.objects.get(action="export")
    assert (event.user, event.object_id, event.query["via"]) == (analyst, "R01", via)


def test_an_export_whose_audit_cannot_be_written_is_still_answered_and_logged(
    analyst, crossings, caplog
):
    def locked(execute, sql, params, many, context):
        if "core_auditevent" in sql and sql.lstrip().upper().startswith("INSERT"):
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    response = views.download(get(analyst, "/reports/R01/"), code="R01", fmt="csv")
    assert response.status_code == 200 and response.content.startswith(b"border_point")
    with connection.execute_wrapper(locked), caplog.at_level(logging.ERROR):
        close(response)
    assert not AuditEvent.objects.filter(action="export").exists()
    assert "export audit event not written" in caplog.text and "R01" in caplog.text
