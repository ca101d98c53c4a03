"""Schemathesis against the cases endpoints, in process, as a consultant with an API token (and
a case of theirs, so that the paths with an id reach a case): no 5xx and every answer as the
OpenAPI document says."""

import datetime

import pytest
import schemathesis
from django.core.management.color import no_style
from django.db import connection
from hypothesis import HealthCheck, settings

from safar.core.models import ApiToken, Office
from safar.helpdesk.models import Case
from safar.wsgi import application
from tests.conftest import make_user
from tests.helpdesk.test_api_fuzz import keep_the_test_connection  # noqa: F401

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
case_endpoints = schema.include(path_regex=r"^/api/helpdesk/cases")


@pytest.fixture
def token(db, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 3, 6, tzinfo=datetime.UTC), tick=True)
    consultant = make_user("consultant-du", "MSC-DU", "consultant")
    for pk in (1, 2):
        Case.objects.get_or_create(
            pk=pk,
            defaults={
                "msc": Office.objects.get(code="MSC-DU"),
                "case_type": "migrant",
                "summary": "Wages unpaid",
                "assigned_to": consultant,
            },
        )
    # Explicit ids do not move PostgreSQL's sequence: the cases the API opens would take them.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Case]):
            cursor.execute(sql)
    _token, raw = ApiToken.issue(consultant)
    return raw


@pytest.mark.django_db
@case_endpoints.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_cases_api_answers_as_documented(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    assert response.status_code < 500, response.text
    case.validate_response(
        response,
        excluded_checks=[
            schemathesis.checks.positive_data_acceptance,
            schemathesis.checks.ignored_auth,
        ],
    )
