"""Schemathesis against the sessions and trainings endpoints, in process, as a consultant with
an API token: no 5xx and every answer as the OpenAPI document says."""

import datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from safar.core.models import ApiToken
from safar.wsgi import application
from tests.conftest import make_user

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
outreach = schema.include(path_regex="^/api/outreach/")


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Called as a WSGI app, each request's end would close the test's database connection (on
    PostgreSQL the next query then fails); Django's own test client disconnects this the same
    way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 3, 6, tzinfo=datetime.UTC), tick=True)
    consultant = make_user("consultant-ku", "MSC-KU", "consultant")
    _token, raw = ApiToken.issue(consultant)
    return raw


@pytest.mark.django_db
@outreach.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_outreach_api_answers_as_documented(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    assert response.status_code < 500, response.text
    # The token is ours, not generated: the check that generated auth is refused does not apply
    # (tests/core/test_api.py tests refusals).
    case.validate_response(
        response,
        excluded_checks=[
            schemathesis.checks.positive_data_acceptance,
            schemathesis.checks.ignored_auth,
        ],
    )
