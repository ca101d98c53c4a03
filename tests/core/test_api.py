"""The one API layer: one error shape for every 4xx, strict JSON, tokens that open the API only,
expire and are named in the audit trail, the OpenAPI document and the staff docs page."""

import datetime as dt
import hashlib
import json

import pytest
import schemathesis
from django.test import Client

from safar.core.models import ApiToken, AuditEvent
from safar.crossings.models import Crossing
from safar.crossings.services import create_crossing

pytestmark = pytest.mark.django_db
YEAR = {"from": "2024-01-01", "to": "2024-12-31"}
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def offices_and_station(db):
    """Station DU-1 at the Dushanbe centre, and its raw upload token."""
    from safar.stations.services import register_station

    return register_station(name="DU-1", centre_code="ICC-DU")


def token_header(user) -> dict:
    _token, raw = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Token {raw}"}


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    error = body["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    assert all(
        isinstance(m, list) and all(isinstance(s, str) for s in m) for m in error["fields"].values()
    )
    if code:
        assert error["code"] == code
    return error


def post_json(client, url, body: bytes | str, **extra):
    return client.post(url, body, content_type="application/json", **extra)


# --- one error shape ---------------------------------------------------------------------------


def test_no_credentials_is_a_401_in_the_error_shape_with_the_token_challenge(client):
    response = client.get("/api/reports/R01", YEAR)
    assert_error_shape(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_an_unknown_token_is_a_401_in_the_error_shape(client):
    response = client.get("/api/reports", HTTP_AUTHORIZATION="Token not-a-token")
    assert_error_shape(response, 401, "invalid_token")


def test_a_user_without_the_role_gets_a_403_in_the_error_shape(client, operator_du):
    assert_error_shape(client.get("/api/reports", **token_header(operator_du)), 403, "forbidden")


def test_a_bad_parameter_is_a_400_naming_the_field(client, analyst):
    response = client.get(
        "/api/reports/R01", {"from": "2024-13-01", "to": "2024-12-31"}, **token_header(analyst)
    )
    assert list(assert_error_shape(response, 400, "invalid")["fields"]) == ["from"]


def test_a_missing_required_parameter_is_a_400_naming_it(client, analyst):
    response = client.get("/api/reports/R01", {"to": "2024-12-31"}, **token_header(analyst))
    assert list(assert_error_shape(response, 400, "invalid")["fields"]) == ["from"]


def test_an_unknown_report_is_a_404_in_the_error_shape(client, analyst):
    assert_error_shape(
        client.get("/api/reports/R99", YEAR, **token_header(analyst)), 404, "not_found"
    )


def test_an_unknown_path_under_the_api_is_a_json_404_not_a_page(client, analyst):
    for path in ["/api/", "/api/nothing/here", "/api/reports/R01/extra"]:
        assert_error_shape(client.get(path, **token_header(analyst)), 404, "not_found")


def test_a_wrong_method_is_a_405_in_the_error_shape_with_allow(client, analyst):
    response = client.post("/api/reports", **token_header(analyst))
    assert_error_shape(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
    assert_error_shape(client.get("/api/bancheck"), 405, "method_not_allowed")


def test_a_bancheck_body_over_the_limit_is_a_413(client):
    response = post_json(client, "/api/bancheck", json.dumps({"stays": [], "x": "a" * 70_000}))
    assert_error_shape(response, 413, "too_large")


def test_a_bancheck_over_the_rate_limit_is_a_429_with_retry_after(client):
    for _ in range(30):
        post_json(client, "/api/bancheck", "{}", REMOTE_ADDR="10.1.1.1")
    response = post_json(client, "/api/bancheck", "{}", REMOTE_ADDR="10.1.1.1")
    assert_error_shape(response, 429, "throttled")
    assert response["Retry-After"] == "60"


def test_a_bancheck_with_wrong_fields_names_them_in_the_shape_and_keeps_the_problems(client):
    response = post_json(client, "/api/bancheck", json.dumps({"as_of": "2026-13-01", "colour": 1}))
    error = assert_error_shape(response, 400, "invalid")
    assert set(error["fields"]) == {"as_of", "colour"}
    assert {p["field"] for p in response.json()["problems"]} == {"as_of", "colour"}


def test_a_station_upload_refusal_keeps_the_keys_agents_of_version_1_read(
    client, offices_and_station
):
    _station, token = offices_and_station
    response = client.post(
        "/api/stations/upload",
        b"not a scan",
        content_type="application/octet-stream",
        headers={
            "Authorization": f"Station {token}",
            "X-Safar-Filename": "notes.txt",
            "X-Safar-SHA256": hashlib.sha256(b"not a scan").hexdigest(),
        },
    )
    error = assert_error_shape(response, 415)
    body = response.json()
    assert body["refused"] is True and body["code"] == error["code"] == "wrong_type"


def test_a_station_request_without_a_station_token_is_a_401_with_its_challenge(client):
    response = client.post("/api/stations/hello", "{}", content_type="application/json")
    assert_error_shape(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == "Station"


# --- strict JSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"as_of": ' + "1" * 5000 + "}",
        '{"as_of": 1e400}',
        '{"as_of": -1e400}',
        '{"as_of": NaN}',
        '{"as_of": Infinity}',
        '{"stays": [{"entry": "2024-01-01", "exit": ' + "9" * 30 + "}]}",
        "{not json",
        b"\xff\xfe{}",
    ],
    ids=["5000-digits", "1e400", "-1e400", "NaN", "Infinity", "30-digits", "broken", "not-utf8"],
)
def test_a_number_no_api_can_use_or_broken_json_is_a_400_not_a_500(client, body):
    assert_error_shape(post_json(client, "/api/bancheck", body), 400, "invalid_json")


def test_a_huge_queue_number_from_a_station_is_a_400_naming_the_field(client, offices_and_station):
    _station, token = offices_and_station
    for body in ['{"queued": ' + "7" * 5000 + "}", '{"queued": 1e400}', '{"queued": NaN}']:
        response = client.post(
            "/api/stations/hello",
            body,
            content_type="application/json",
            headers={"Authorization": f"Station {token}"},
        )
        assert list(assert_error_shape(response, 400)["fields"]) == ["queued"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
@pytest.mark.parametrize("code", ["R01", "R05", "R08", "R12"])
def test_an_edge_date_on_a_report_is_a_400_naming_the_field(client, analyst, code, day):
    response = client.get(f"/api/reports/{code}", {"from": day, "to": day}, **token_header(analyst))
    assert set(assert_error_shape(response, 400, "invalid")["fields"]) == {"from", "to"}


# --- the URLs of today keep working ---------------------------------------------------------------


def test_the_trailing_slash_variants_answer_the_same_bodies(client, analyst):
    auth = token_header(analyst)
    assert client.get("/api/reports/", **auth).json() == client.get("/api/reports", **auth).json()
    assert (
        client.get("/api/reports/R01/", YEAR, **auth).json()
        == client.get("/api/reports/R01", YEAR, **auth).json()
    )


# --- tokens open the API, and nothing else ------------------------------------------------------


def test_a_token_does_not_open_an_html_page(client, analyst):
    response = client.get("/reports/", **token_header(analyst))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_token_cannot_edit_a_crossing_through_the_html_form(operator_du):
    from tests.crossings.test_views import CARD, service_data

    crossing = create_crossing(user=operator_du, data=service_data())
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        f"/crossings/{crossing.pk}/edit/",
        {**CARD, "card_number": "D1", "crossed_on": "2024-03-01", "purpose": "study"},
        **token_header(operator_du),
    )
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or response["Location"].startswith("/login/")
    assert Crossing.objects.get(pk=crossing.pk).purpose_id == "work"
    assert not AuditEvent.objects.filter(action="update", object_id=str(crossing.pk)).exists()


def test_an_administrators_token_does_not_open_user_administration(client, administrator):
    administrator.is_superuser = administrator.is_staff = True
    administrator.save()
    response = client.get("/admin/core/user/", **token_header(administrator))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_token_expires_after_the_configured_days(client, analyst, settings, time_machine):
    settings.SAFAR_API_TOKEN_DAYS = 30
    time_machine.move_to(NOW, tick=False)
    token, raw = ApiToken.issue(analyst)
    assert token.expires_at == NOW + dt.timedelta(days=30)
    auth = {"HTTP_AUTHORIZATION": f"Token {raw}"}
    time_machine.move_to(NOW + dt.timedelta(days=29, hours=23), tick=False)
    assert client.get("/api/reports", **auth).status_code == 200
    time_machine.move_to(NOW + dt.timedelta(days=30), tick=False)
    assert_error_shape(client.get("/api/reports", **auth), 401, "invalid_token")


def test_a_token_lives_ninety_days_by_default(analyst, time_machine):
    time_machine.move_to(NOW, tick=False)
    token, _raw = ApiToken.issue(analyst)
    assert token.expires_at == NOW + dt.timedelta(days=90)


def test_the_database_refuses_a_token_that_expires_before_it_was_made(analyst):
    from django.db import IntegrityError

    token, _raw = ApiToken.issue(analyst)
    with pytest.raises(IntegrityError):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at)


def test_a_report_read_with_a_token_names_the_user_and_the_token_in_the_audit(client, analyst):
    token, raw = ApiToken.issue(analyst)
    assert (
        client.get("/api/reports/R01", YEAR, HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
    )
    event = AuditEvent.objects.get(action="export")
    assert event.user == analyst
    assert (event.query["via"], event.query["token"]) == ("api", token.prefix)
    assert raw not in json.dumps(event.query)


def test_a_report_read_with_a_session_names_no_token(client, analyst):
    client.force_login(analyst)
    assert client.get("/api/reports/R01", YEAR).status_code == 200
    assert "token" not in AuditEvent.objects.get(action="export").query


def test_a_tokens_last_use_is_written_at_most_once_a_minute(client, analyst, time_machine):
    time_machine.move_to(NOW, tick=False)
    token, raw = ApiToken.issue(analyst)
    auth = {"HTTP_AUTHORIZATION": f"Token {raw}"}
    client.get("/api/reports", **auth)
    time_machine.move_to(NOW + dt.timedelta(seconds=59), tick=False)
    client.get("/api/reports", **auth)
    token.refresh_from_db()
    assert token.last_used_at == NOW
    time_machine.move_to(NOW + dt.timedelta(seconds=61), tick=False)
    client.get("/api/reports", **auth)
    token.refresh_from_db()
    assert token.last_used_at == NOW + dt.timedelta(seconds=61)


# --- the token administration -------------------------------------------------------------------


@pytest.fixture
def admin_client(client, administrator):
    administrator.is_staff = True
    administrator.save()
    client.force_login(administrator)
    return client


def test_the_admin_offers_no_way_to_add_a_token(admin_client):
    assert admin_client.get("/admin/core/apitoken/add/").status_code == 403
    page = admin_client.get("/admin/core/apitoken/").content.decode()
    assert "/admin/core/apitoken/add/" not in page


def test_revoking_in_the_admin_is_audited_and_final(admin_client, administrator, analyst):
    token, raw = ApiToken.issue(analyst)
    response = admin_client.post(
        "/admin/core/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    revoked_at = token.revoked_at
    assert revoked_at is not None
    event = AuditEvent.objects.get(action="update", object_type="core.apitoken")
    assert event.user == administrator and event.object_id == str(token.pk)
    # Revoking again changes nothing and records nothing; the change page cannot un-revoke.
    admin_client.post("/admin/core/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    admin_client.post(
        f"/admin/core/apitoken/{token.pk}/change/", {"revoked_at_0": "", "revoked_at_1": ""}
    )
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
    assert AuditEvent.objects.filter(action="update", object_type="core.apitoken").count() == 1
    assert Client().get("/api/reports", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401


# --- the document and its docs page ---------------------------------------------------------------


def test_the_openapi_document_is_valid_and_lists_every_endpoint(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/reports",
        "/api/reports/{code}",
        "/api/bancheck",
        "/api/stations/hello",
        "/api/stations/held/{sha256}",
        "/api/stations/upload",
        "/api/helpdesk/contacts",
        "/api/helpdesk/cases/{case_id}/services",
        "/api/helpdesk/cases/{case_id}/referrals",
        "/api/helpdesk/referrals",
        "/api/helpdesk/referrals/{referral_id}/answer",
        "/api/outreach/sessions",
        "/api/outreach/trainings",
        "/api/helpdesk/cases",
        "/api/helpdesk/cases/{case_id}",
        "/api/helpdesk/cases/{case_id}/transitions",
        "/api/helpdesk/cases/{case_id}/people",
        "/api/helpdesk/reports/{code}",
    }
    schema = schemathesis.openapi.from_dict(document)
    operations = list(schema.get_all_operations())
    assert len(operations) == 22
    assert all(result.ok() for result in operations), [
        str(r.err()) for r in operations if not r.ok()
    ]
    for path in document["paths"].values():
        for operation in path.values():
            assert {"401", "404"} <= set(operation["responses"]) or "bancheck" in str(operation)


def test_the_docs_page_is_for_signed_in_users_only(client, analyst, administrator):
    response = client.get("/api/docs")
    assert response.status_code == 302 and response.url.startswith("/login/")
    client.force_login(analyst)
    assert client.get("/api/docs").status_code == 200
    client.force_login(administrator)
    response = client.get("/api/docs")
    assert response.status_code == 200 and b"openapi.json" in response.content
    # Served from our own static files, so the Content-Security-Policy (self only) lets it run.
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn." not in page


# --- the web session on the API, and the stream ---------------------------------------------------


def test_a_session_must_carry_the_csrf_token_on_an_unsafe_method(rf, analyst):
    from django.middleware.csrf import get_token

    from safar.core.api import ApiError, SessionAuth

    request = rf.post("/api/anything")
    request.user = analyst
    with pytest.raises(ApiError) as refused:
        SessionAuth()(request)
    assert (refused.value.status_code, refused.value.code) == (403, "csrf_failed")

    token_source = rf.get("/")
    secret = get_token(token_source)
    request = rf.post("/api/anything", HTTP_X_CSRFTOKEN=secret)
    request.COOKIES["csrftoken"] = token_source.META["CSRF_COOKIE"]
    request.user = analyst
    assert SessionAuth()(request) == analyst


def test_a_session_without_a_login_is_not_asked_for_csrf(rf):
    from django.contrib.auth.models import AnonymousUser

    from safar.core.api import SessionAuth

    request = rf.post("/api/anything")
    request.user = AnonymousUser()
    assert SessionAuth()(request) is None


def test_an_upload_larger_than_djangos_in_memory_limit_is_streamed_and_stored(
    client, offices_and_station, settings
):
    import io
    import random

    from PIL import Image

    from safar.capture.models import Upload

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # reading request.body would now fail (413)
    noise = Image.frombytes("L", (400, 400), random.Random(7).randbytes(160_000))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    content = buffer.getvalue()
    assert len(content) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.post(
        "/api/stations/upload",
        content,
        content_type="application/octet-stream",
        headers={
            "Authorization": f"Station {offices_and_station[1]}",
            "X-Safar-Filename": "big.png",
            "X-Safar-SHA256": hashlib.sha256(content).hexdigest(),
        },
    )
    assert response.status_code == 201, response.content
    assert Upload.objects.get().sha256 == hashlib.sha256(content).hexdigest()


def test_a_session_that_owes_its_second_factor_opens_no_report(administrator):
    from django.test import Client as PlainClient

    unverified = PlainClient()
    unverified.force_login(administrator)  # Django's own: no second factor given
    response = unverified.get("/api/reports/R01", YEAR)
    assert_error_shape(response, 403, "two_factor_required")
    assert unverified.get("/api/docs").status_code == 302
    assert not AuditEvent.objects.filter(action="export").exists()
