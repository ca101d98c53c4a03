"""The contacts API: POST logs a contact (or nothing, with every bad field named), GET lists
the contacts the caller's rights reach."""

import datetime
import json

import pytest

from safar.core.models import AuditEvent
from safar.helpdesk.models import Caller, Contact
from tests.conftest import make_user

URL = "/api/helpdesk/contacts"
NOW = datetime.datetime(2026, 11, 3, 6, 0, tzinfo=datetime.UTC)  # 11:00 in Dushanbe

DATA_CALL = {
    "msc": "MSC-DU",
    "received_at": "2026-11-03T10:15:00+05:00",
    "channel": "phone",
    "call_type": "data",
    "caller": {
        "phone": "93 123 4567",
        "name": "Нигора Каримова",
        "sex": "F",
        "age_band": "25-34",
        "region": "TJ-DU",
        "district": "Сино",
    },
    "about": "family_member",
    "migrant_location": "RUS",
    "categories": ["entry_ban/check", "work/wages_unpaid"],
    "outcome": "information",
    "duration_s": 420,
    "notes": "Husband in Moscow, wages unpaid for two months.",
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def post(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def stored():
    return (Contact.objects.count(), Caller.objects.count(), AuditEvent.objects.count())


def test_a_data_call_is_stored_with_the_callers_profile_and_number_in_e164(client, consultant_du):
    client.force_login(consultant_du)
    response = post(client, DATA_CALL)
    assert response.status_code == 201, response.content
    body = response.json()
    contact = Contact.objects.get(pk=body["id"])
    assert contact.caller.phone == "+992931234567"
    assert sorted(c.code for c in contact.categories.all()) == [
        "entry_ban/check",
        "work/wages_unpaid",
    ]
    assert body["caller_profile"]["phone"] == "+992931234567"
    assert body["caller_profile"]["name"] == "Нигора Каримова"
    assert body["earlier_contacts"] == []
    # The audit trail names the record, not the caller.
    event = AuditEvent.objects.get(object_type="helpdesk.contact", object_id=str(contact.pk))
    assert "+992931234567" not in json.dumps(event.changes) + json.dumps(event.query)


def test_a_second_call_from_the_number_finds_the_profile_and_the_earlier_contact(
    client, consultant_du
):
    client.force_login(consultant_du)
    first = post(client, DATA_CALL).json()
    again = post(client, {**DATA_CALL, "caller": {"phone": "+992-93-123-45-67"}}).json()
    assert again["caller_profile"]["id"] == first["caller_profile"]["id"]
    assert again["caller_profile"]["name"] == "Нигора Каримова"  # kept: not given this time
    assert [c["id"] for c in again["earlier_contacts"]] == [first["id"]]
    assert Caller.objects.count() == 1


def test_a_body_with_errors_is_a_400_naming_every_bad_field_and_stores_nothing(
    client, consultant_du
):
    client.force_login(consultant_du)
    before = stored()
    bad = {
        **DATA_CALL,
        "caller": {**DATA_CALL["caller"], "phone": "12345", "region": "TJ-XX"},
        "migrant_location": "XYZ",
        "categories": ["entry_ban/check", "work/nonsense"],
    }
    response = post(client, bad)
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"caller.phone", "caller.region", "migrant_location", "categories"}
    assert stored() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"call_type": "chat"}, "call_type"),
        ({"duration_s": -5}, "duration_s"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"caller": {"sex": "X"}}, "caller.sex"),
    ],
)
def test_a_value_outside_the_documented_ones_is_a_400_on_its_field(
    client, consultant_du, change, field
):
    client.force_login(consultant_du)
    before = stored()
    response = post(client, {**DATA_CALL, **change})
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert stored() == before


def test_a_time_in_the_future_is_refused(client, consultant_du):
    client.force_login(consultant_du)
    response = post(client, {**DATA_CALL, "received_at": "2026-11-04T10:15:00+05:00"})
    assert response.status_code == 400
    assert "received_at" in response.json()["error"]["fields"]


def test_a_conversation_without_a_caller_is_refused(client, consultant_du):
    client.force_login(consultant_du)
    body = {k: v for k, v in DATA_CALL.items() if k != "caller"}
    response = post(client, body)
    assert response.status_code == 400
    assert "caller" in response.json()["error"]["fields"]
    assert Contact.objects.count() == 0


@pytest.mark.parametrize("call_type", ["silent", "hang_up", "prank", "test", "wrong_number"])
def test_a_non_data_call_needs_only_the_centre_time_channel_and_type(
    client, consultant_du, call_type
):
    client.force_login(consultant_du)
    body = {
        "msc": "MSC-DU",
        "received_at": "2026-11-03T10:15:00+05:00",
        "channel": "phone",
        "call_type": call_type,
    }
    response = post(client, body)
    assert response.status_code == 201, response.content
    assert response.json()["caller_profile"] is None
    assert Contact.objects.non_data_calls().count() == 1
    assert Contact.objects.data_calls().count() == 0


def test_a_consultant_cannot_log_a_contact_for_another_msc(client, consultant_kh):
    client.force_login(consultant_kh)
    response = post(client, DATA_CALL)
    assert response.status_code == 400
    assert "msc" in response.json()["error"]["fields"]
    assert Contact.objects.count() == 0


def test_the_same_number_has_a_profile_at_each_msc_that_heard_it(
    client, consultant_du, consultant_kh
):
    client.force_login(consultant_du)
    post(client, DATA_CALL)
    client.force_login(consultant_kh)
    answer = post(
        client, {**DATA_CALL, "msc": "MSC-KH", "caller": {"phone": "+992931234567"}}
    ).json()
    # Khujand does not learn the name Dushanbe was given, nor Dushanbe's contact.
    assert answer["caller_profile"]["name"] == ""
    assert answer["earlier_contacts"] == []
    assert Caller.objects.filter(phone="+992931234567").count() == 2


def test_a_consultant_of_one_msc_does_not_see_another_mscs_contacts(
    client, consultant_du, consultant_kh
):
    client.force_login(consultant_du)
    post(client, DATA_CALL)
    client.force_login(consultant_kh)
    assert client.get(URL).json()["contacts"] == []
    assert client.get(URL, {"phone": "931234567"}).json()["contacts"] == []
    assert client.get(URL, {"msc": "MSC-DU"}).status_code == 400
    client.force_login(consultant_du)
    assert client.get(URL, {"phone": "931234567"}).json()["count"] == 1


def test_the_coordinator_sees_every_mscs_contacts_and_logs_none(
    client, consultant_du, consultant_kh, coordinator
):
    for user, msc in ((consultant_du, "MSC-DU"), (consultant_kh, "MSC-KH")):
        client.force_login(user)
        post(client, {**DATA_CALL, "msc": msc})
    client.force_login(coordinator)
    listed = client.get(URL, {"from": "2026-11-03", "to": "2026-11-03"}).json()
    assert sorted(c["msc"] for c in listed["contacts"]) == ["MSC-DU", "MSC-KH"]
    assert post(client, DATA_CALL).status_code == 403
    assert Contact.objects.count() == 2


def test_the_list_reads_are_audited_without_the_number(client, consultant_du):
    client.force_login(consultant_du)
    client.get(URL, {"phone": "931234567"})
    event = AuditEvent.objects.get(action="search", object_type="helpdesk.contact")
    assert event.query["phone"] is True
    assert "931234567" not in json.dumps(event.query)


def test_a_list_with_a_bad_date_or_number_is_a_400(client, consultant_du):
    client.force_login(consultant_du)
    answer = client.get(URL, {"from": "03.11.2026", "to": "2026-11-01", "phone": "x"})
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"from", "phone"}
    answer = client.get(URL, {"from": "2026-11-03", "to": "2026-11-01"})
    assert set(answer.json()["error"]["fields"]) == {"to"}


def test_a_border_operator_gets_403_from_the_helpdesk_api(client, db):
    operator = make_user("operator-du", "ICC-DU", "operator")
    client.force_login(operator)
    assert client.get(URL).status_code == 403
    assert post(client, DATA_CALL).status_code == 403
    assert Contact.objects.count() == 0


def test_the_openapi_document_describes_the_contacts_endpoints(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths[URL])


@pytest.mark.parametrize("caller", [{}, {"phone": "", "name": "  "}, [None, None]])
def test_a_conversation_with_a_caller_of_neither_number_nor_name_is_refused(
    client, consultant_du, caller
):
    client.force_login(consultant_du)
    before = stored()
    response = post(client, {**DATA_CALL, "caller": caller})
    assert response.status_code == 400
    assert "caller" in response.json()["error"]["fields"]
    assert stored() == before


@pytest.mark.parametrize(
    "change",
    [
        {"notes": "a\x00b"},
        {"caller": {"name": "Зарина\x00", "phone": "93 123 4567"}},
        {"msc": "MSC-DU\x00"},
        {"categories": ["work/\x00"]},
    ],
)
def test_a_nul_character_is_a_400_and_stores_nothing(client, consultant_du, change):
    # PostgreSQL cannot store NUL in text: it must be refused at the boundary, not be a 500.
    client.force_login(consultant_du)
    before = stored()
    response = post(client, {**DATA_CALL, **change})
    assert response.status_code == 400, response.content
    assert stored() == before


def test_a_nul_character_in_the_list_query_is_a_400(client, consultant_du):
    client.force_login(consultant_du)
    assert client.get(URL, {"msc": "MSC\x00"}).status_code == 400
    assert client.get(URL, {"phone": "93\x00"}).status_code == 400


def test_the_notes_are_sensitive_withheld_from_the_coordinator_and_read_by_the_consultant(
    client, consultant_du, coordinator
):
    client.force_login(consultant_du)
    assert post(client, DATA_CALL).status_code == 201
    query = {"from": "2026-11-03", "to": "2026-11-03"}
    (mine,) = client.get(URL, query).json()["contacts"]
    assert mine["notes"] == DATA_CALL["notes"]
    client.force_login(coordinator)
    (seen,) = client.get(URL, query).json()["contacts"]
    assert seen["notes"] is None and seen["categories"] == sorted(DATA_CALL["categories"])


def test_whoever_may_read_the_notes_signs_in_with_two_factors(consultant_du, coordinator):
    from safar.core.roles import requires_two_factor

    assert requires_two_factor(consultant_du)
    assert not requires_two_factor(coordinator)
