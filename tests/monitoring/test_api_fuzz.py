"""Schemathesis against GET /api/helpdesk/reports/{code}, in process, as the coordinator with an
API token: no 5xx and every answer as the OpenAPI document says."""

import datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from safar.core.models import ApiToken
from safar.wsgi import application
from tests.conftest import make_user
from tests.helpdesk.test_api_fuzz import keep_the_test_connection  # noqa: F401 (autouse)

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
tables = schema.include(path="/api/helpdesk/reports/{code}")


@pytest.fixture
def token(db, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 3, 6, tzinfo=datetime.UTC), tick=True)
    _token, raw = ApiToken.issue(make_user("coordinator", "MS", "coordinator"))
    return raw


@pytest.mark.django_db
@tables.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_tables_api_answers_as_documented(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    assert response.status_code < 500, response.text
    case.validate_response(response)
