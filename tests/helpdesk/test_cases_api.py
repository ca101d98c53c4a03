"""The cases API: open a case, read it (sensitive details only with the permission), take
workflow steps, add people; bad input gets every field named and writes nothing."""

import datetime
import json
import typing

import pytest

from safar.core.models import AuditEvent
from safar.helpdesk import cases_api
from safar.helpdesk.models import Case, CaseEvent, CasePerson
from safar.helpdesk.workflow import CASE_ACTIONS

URL = "/api/helpdesk/cases"
NOW = datetime.datetime(2026, 11, 3, 6, 0, tzinfo=datetime.UTC)
CASE = {
    "case_type": "barred",
    "summary": "Barred from Russia until 2031; looking for work at home",
    "categories": ["return/domestic_jobs"],
    "assigned_to": "consultant-du",
    "person": {
        "relation": "migrant",
        "name": "Ҷамшед Назаров",
        "sex": "M",
        "birth_date": "1988-02-14",
        "phone": "+992 93 700 1122",
        "passport": "401 555 666",
        "location": "TJK",
    },
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def written():
    return (
        Case.objects.count(),
        CasePerson.objects.count(),
        CaseEvent.objects.count(),
        AuditEvent.objects.exclude(action__in=["view", "search"]).count(),
    )


def test_a_case_is_opened_read_moved_and_given_a_person(client, consultant_du):
    client.force_login(consultant_du)
    response = post(client, URL, CASE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["msc"] == "MSC-DU" and body["status"] == "open"
    assert body["people"][0]["phone"] == "+992937001122"
    assert body["people"][0]["passport"] == "401555666"
    assert "start_assessment" in body["actions"]
    url = f"{URL}/{body['id']}"
    assert client.get(url).json()["number"] == body["number"]
    moved = post(client, f"{url}/transitions", {"action": "start_assessment"})
    assert moved.status_code == 200 and moved.json()["status"] == "assessment"
    person = post(
        client, f"{url}/people", {"relation": "child", "name": "Сино", "school": "at_risk"}
    )
    assert person.status_code == 201 and person.json()["school"] == "at_risk"
    listed = client.get(URL, {"assigned_to": "me", "open_only": "true"}).json()
    assert [c["number"] for c in listed["cases"]] == [body["number"]]


def test_bad_input_names_every_field_and_writes_nothing(client, consultant_du):
    client.force_login(consultant_du)
    before = written()
    bad = {
        **CASE,
        "msc": "MSC-KH",
        "categories": ["work/nothing"],
        "assigned_to": "somebody",
        "person": {**CASE["person"], "phone": "+7 916", "school": "left", "location": "QQQ"},
    }
    response = post(client, URL, bad)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {
        "msc",
        "categories",
        "person.phone",
        "person.school",
        "person.location",
    }
    assert post(client, URL, {**CASE, "case_type": "holiday"}).status_code == 400
    assert post(client, URL, {**CASE, "person": {"relation": "migrant"}}).status_code == 400
    assert written() == before


def test_a_refused_step_is_a_400_on_its_field_and_writes_nothing(client, consultant_du, case_du):
    client.force_login(consultant_du)
    url = f"{URL}/{case_du.pk}/transitions"
    response = post(client, url, {"action": "approve_plan"})
    assert response.status_code == 400 and "action" in response.json()["error"]["fields"]
    response = post(client, url, {"action": "reopen"})
    assert response.status_code == 400
    assert post(client, url, {"action": "fly"}).status_code == 400
    response = post(client, f"{URL}/{case_du.pk}/people", {"relation": "parent", "name": ""})
    assert response.status_code == 400
    case_du.refresh_from_db()
    assert case_du.status == "open" and not case_du.events.exists()
    assert not case_du.people.exists()


def test_another_centres_case_is_404_and_the_coordinator_and_partners_get_403(
    client, consultant_kh, coordinator, partner_iom, case_du
):
    client.force_login(consultant_kh)
    assert client.get(f"{URL}/{case_du.pk}").status_code == 404
    assert post(client, f"{URL}/{case_du.pk}/transitions", {"action": "reopen"}).status_code == 404
    assert client.get(URL).json()["cases"] == []
    for user in (coordinator, partner_iom):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}/{case_du.pk}").status_code == 403
        assert post(client, URL, CASE).status_code == 403


def test_sensitive_details_are_null_without_the_permission(
    client, consultant_du, trainee_du, case_du
):
    case_du.trafficking = "Passport kept by the employer"
    case_du.save()
    client.force_login(trainee_du)
    assert client.get(f"{URL}/{case_du.pk}").json()["trafficking"] is None
    client.force_login(consultant_du)
    assert client.get(f"{URL}/{case_du.pk}").json()["trafficking"] == (
        "Passport kept by the employer"
    )


def test_the_documented_actions_are_the_workflows():
    assert typing.get_args(cases_api.Action) == CASE_ACTIONS


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"post", "get"} <= set(paths["/api/helpdesk/cases"])
    assert "get" in paths["/api/helpdesk/cases/{case_id}"]
    assert "post" in paths["/api/helpdesk/cases/{case_id}/transitions"]
    assert "post" in paths["/api/helpdesk/cases/{case_id}/people"]
