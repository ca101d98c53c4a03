"""Schemathesis against the contacts endpoints, in process, as a consultant with an API token:
no 5xx and every answer as the OpenAPI document says (scripts/api-fuzz.sh fuzzes as the demo
analyst, who gets 403 here)."""

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
contacts = schema.include(path="/api/helpdesk/contacts")


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
    consultant = make_user("consultant-du", "MSC-DU", "consultant")
    _token, raw = ApiToken.issue(consultant)
    return raw


@pytest.mark.django_db
@contacts.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_contacts_api_answers_as_documented(case, token):
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


case_work = schema.include(path_regex=r"^/api/helpdesk/(cases/\{case_id\}/|referrals)")


@pytest.fixture
def partner_token(db, time_machine):
    """A partner's token, and a referral to its organisation (ids generated mostly miss it:
    the 404s are answers as documented too)."""
    from safar.core.models import Office
    from safar.helpdesk.models import Case
    from safar.helpdesk.workflow import send_referral

    time_machine.move_to(datetime.datetime(2026, 11, 3, 6, tzinfo=datetime.UTC), tick=True)
    consultant = make_user("consultant-du", "MSC-DU", "consultant")
    partner = make_user("partner-iom", "IOM-MOW", "partner")
    case = Case.objects.create(
        msc=Office.objects.get(code="MSC-DU"), case_type="migrant", summary="Wages unpaid"
    )
    send_referral(
        case,
        partner=partner.office,
        reason="Recover the wages",
        shared=["contact"],
        consent=True,
        user=consultant,
    )
    return {"consultant": ApiToken.issue(consultant)[1], "partner": ApiToken.issue(partner)[1]}


@pytest.mark.django_db
@case_work.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_services_and_referrals_api_answers_as_documented(case, partner_token):
    for raw in partner_token.values():
        response = case.call(headers={"Authorization": f"Token {raw}"})
        assert response.status_code < 500, response.text
        case.validate_response(
            response,
            excluded_checks=[
                schemathesis.checks.positive_data_acceptance,
                schemathesis.checks.ignored_auth,
            ],
        )
