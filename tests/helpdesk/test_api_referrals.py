"""The services and referrals API: a case's services and referrals posted by its MSC, the
referrals listed to the partner organisation with only what they share, and the answers."""

import datetime
import json

import pytest

from safar.core.models import AuditEvent, Office
from safar.helpdesk.models import CasePerson, Referral, Service
from safar.helpdesk.workflow import send_referral

NOW = datetime.datetime(2026, 11, 20, 6, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def migrant(case_du):
    return CasePerson.objects.create(
        case=case_du, relation="migrant", name="Нигора Каримова", phone="+992931234567"
    )


@pytest.fixture
def referral_iom(case_du, migrant, consultant_du):
    return send_referral(
        case_du,
        partner=Office.objects.get(code="IOM-MOW"),
        reason="Recover the wages",
        shared=["contact"],
        consent=True,
        user=consultant_du,
    )


def test_a_service_is_recorded(client, consultant_du, case_du, migrant):
    client.force_login(consultant_du)
    response = post(
        client,
        f"/api/helpdesk/cases/{case_du.pk}/services",
        {"kind": "legal", "given_on": "2026-11-20", "person": migrant.pk, "notes": "Contract"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "legal" and body["person"] == migrant.pk
    assert body["case"] == case_du.number and body["notes"] == "Contract"


def test_a_bad_service_is_a_400_by_field_and_writes_nothing(client, consultant_du, case_du):
    client.force_login(consultant_du)
    before = AuditEvent.objects.count()
    response = post(
        client,
        f"/api/helpdesk/cases/{case_du.pk}/services",
        {"kind": "legal", "given_on": "2026-12-01", "person": 999},
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"given_on", "person"}
    response = post(
        client, f"/api/helpdesk/cases/{case_du.pk}/services", {"kind": "x", "given_on": "no"}
    )
    assert response.status_code == 400
    assert {"kind", "given_on"} <= set(response.json()["error"]["fields"])
    assert not Service.objects.exists() and AuditEvent.objects.count() == before


def test_another_centres_case_is_a_404(client, consultant_kh, case_du):
    client.force_login(consultant_kh)
    response = post(
        client,
        f"/api/helpdesk/cases/{case_du.pk}/services",
        {"kind": "legal", "given_on": "2026-11-20"},
    )
    assert response.status_code == 404


def test_a_referral_without_consent_is_refused_to_a_consultant_by_field(
    client, consultant_du, supervisor_du, case_du
):
    url = f"/api/helpdesk/cases/{case_du.pk}/referrals"
    body = {"partner": "IOM-MOW", "reason": "Wages", "shared": ["summary"], "consent": False}
    client.force_login(consultant_du)
    response = post(client, url, body)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["consent"]
    response = post(client, url, {**body, "partner": "MSC-KH"})
    assert list(response.json()["error"]["fields"]) == ["partner"]
    assert not Referral.objects.exists()
    client.force_login(supervisor_du)
    response = post(client, url, {**body, "consent_note": "The client is in detention"})
    assert response.status_code == 201, response.content
    assert response.json()["consent"] == "overridden"


def test_the_partner_lists_its_referrals_with_only_what_they_share(
    client, partner_iom, partner_flac, referral_iom
):
    client.force_login(partner_iom)
    response = client.get("/api/helpdesk/referrals")
    assert response.status_code == 200
    (found,) = response.json()["referrals"]
    assert found["client"]["contact"] == {"name": "Нигора Каримова", "phone": "+992931234567"}
    assert "summary" not in found["client"] and "identity" not in found["client"]
    assert found["consent_note"] is None
    assert client.get("/api/helpdesk/referrals?status=done").json()["count"] == 0
    client.force_login(partner_flac)
    assert client.get("/api/helpdesk/referrals").json()["count"] == 0
    response = post(
        client, f"/api/helpdesk/referrals/{referral_iom.pk}/answer", {"action": "accept"}
    )
    assert response.status_code == 404


def test_the_partner_answers_and_may_not_revoke(client, partner_iom, consultant_du, referral_iom):
    url = f"/api/helpdesk/referrals/{referral_iom.pk}/answer"
    client.force_login(partner_iom)
    response = post(client, url, {"action": "reject"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["text"]
    assert post(client, url, {"action": "revoke"}).status_code == 403
    response = post(client, url, {"action": "accept"})
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    client.force_login(consultant_du)
    response = post(client, url, {"action": "revoke", "text": "The client withdrew"})
    assert response.status_code == 200
    client.force_login(partner_iom)
    (found,) = client.get("/api/helpdesk/referrals").json()["referrals"]
    assert found["status"] == "revoked" and "contact" not in found["client"]
    assert found["reason"] is None


def test_the_referrals_api_is_closed_to_border_roles(client, operator_du):
    client.force_login(operator_du)
    assert client.get("/api/helpdesk/referrals").status_code == 403
