"""The sessions API: POST records a session (or nothing, with every bad field named in the
core error shape), GET lists the sessions the user's organisation may see."""

import datetime
import json

import pytest

from safar.core.models import AuditEvent
from safar.outreach.models import Session, Trainee, Training

URL = "/api/outreach/sessions"
NOW = datetime.datetime(2026, 11, 12, 6, 0, tzinfo=datetime.UTC)  # 11:00 in Dushanbe

SESSION = {
    "org": "MSC-KU",
    "held_on": "2026-11-10",
    "kind": "info_session",
    "district": "KT-KUL",
    "jamoat": "Зарбдор",
    "topics": ["entry_ban/explain"],
    "participants": {"F": 40, "M": 60},
    "materials": {"booklet": 100, "flyer": 50},
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def post(client, body, url=URL):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def stored():
    return (Session.objects.count(), AuditEvent.objects.count())


def test_a_session_is_recorded_as_sent(client, consultant_ku):
    client.force_login(consultant_ku)
    response = post(client, {**SESSION, "partners": ["IOM-TJ"]})
    assert response.status_code == 201, response.content
    body = response.json()
    session = Session.objects.get(pk=body["id"])
    assert (session.org.code, session.held_on, session.kind) == (
        "MSC-KU",
        datetime.date(2026, 11, 10),
        "info_session",
    )
    assert (session.participants_f, session.participants_m) == (40, 60)
    assert (session.booklets, session.flyers, session.posters) == (100, 50, 0)
    assert [t.code for t in session.topics.all()] == ["entry_ban/explain"]
    assert body["materials"] == {"booklet": 100, "flyer": 50}
    assert body["partners"] == ["IOM-TJ"]
    assert body["participants"] == {"F": 40, "M": 60}
    assert body["hotline_calls"] is None  # not a broadcast
    assert AuditEvent.objects.filter(object_type="outreach.session", action="create").count() == 1


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"org": "MSC-DU"}, {"org"}),  # another MSC's
        ({"held_on": "2026-11-13"}, {"held_on"}),  # tomorrow in Dushanbe
        ({"held_on": "1926-11-10"}, {"held_on"}),
        ({"held_on": "2026-W45-1"}, {"held_on"}),
        ({"held_on": "2026-02-30"}, {"held_on"}),
        ({"kind": "concert"}, {"kind"}),
        ({"district": "XX-NOPE"}, {"district"}),
        ({"topics": ["entry_ban/explain", "nope/none"]}, {"topics"}),
        ({"partners": ["NOPE"]}, {"partners"}),
        ({"participants": {"F": 100_001, "M": 60}}, {"participants.F"}),
        ({"participants": {"F": -1, "M": 60}}, {"participants.F"}),
        ({"participants": {"F": 1, "M": 1, "X": 3}}, {"participants.X"}),
        ({"materials": {"booklets": 3}}, {"materials.booklets"}),
        ({"programme": "Subhi Kulob"}, {"programme"}),  # only for radio and TV
        ({"org": "MSC-DU", "kind": "concert", "held_on": "2030-01-01"}, {"org", "kind", "held_on"}),
    ],
)
def test_bad_input_names_each_field_and_writes_nothing(client, consultant_ku, change, fields):
    client.force_login(consultant_ku)
    before = stored()
    response = post(client, {**SESSION, **change})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == fields, error
    assert stored() == before


def test_a_body_that_is_not_json_is_a_400_in_the_shape(client, consultant_ku):
    client.force_login(consultant_ku)
    response = client.post(URL, data="{", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert Session.objects.count() == 0


def test_each_msc_sees_only_its_own_sessions_and_the_coordinator_all(
    client, consultant_ku, consultant_du, coordinator
):
    client.force_login(consultant_ku)
    assert post(client, SESSION).status_code == 201
    client.force_login(consultant_du)
    assert post(client, {**SESSION, "org": "MSC-DU", "district": "DU-SIN"}).status_code == 201

    assert [s["org"] for s in client.get(URL).json()["sessions"]] == ["MSC-DU"]
    refused = client.get(URL, {"org": "MSC-KU"})
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"org"}

    client.force_login(consultant_ku)
    assert [s["org"] for s in client.get(URL).json()["sessions"]] == ["MSC-KU"]

    client.force_login(coordinator)
    assert sorted(s["org"] for s in client.get(URL).json()["sessions"]) == ["MSC-DU", "MSC-KU"]
    assert [s["org"] for s in client.get(URL, {"org": "MSC-KU"}).json()["sessions"]] == ["MSC-KU"]
    # The coordinator reads; recording is the MSCs'.
    assert post(client, {**SESSION, "org": "MS"}).status_code == 403


def test_a_user_without_an_outreach_role_is_refused(client, operator_du):
    client.force_login(operator_du)
    assert client.get(URL).status_code == 403
    assert post(client, SESSION).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 401


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/outreach/sessions"])
    assert {"get", "post"} <= set(paths["/api/outreach/trainings"])
    body = paths["/api/outreach/sessions"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]


TRAINING = {
    "org": "MSC-KU",
    "title": "Маслиҳатдиҳӣ дар бораи манъи вуруд",
    "starts_on": "2026-11-09",
    "ends_on": "2026-11-10",
    "topics": ["entry_ban", "documents"],
    "trainees": [
        {
            "name": "Саодат Раҷабова",
            "organisation": "Ҷамоати Зарбдор",
            "position": "раиси ҷамоат",
            "sex": "F",
            "scores": {
                "entry_ban": {"before": 0, "after": 2},
                "documents": {"before": 1, "after": 1},
            },
        },
        {
            "name": "Далер Сафаров",
            "organisation": "Хадамоти муҳоҷират",
            "sex": "M",
            "scores": {"entry_ban": {"before": 1, "after": 2}},
        },
    ],
}


def test_a_training_is_recorded_with_its_trainees_and_gains(client, consultant_ku):
    client.force_login(consultant_ku)
    response = post(client, TRAINING, url="/api/outreach/trainings")
    assert response.status_code == 201, response.content
    gains = {g["topic"]: g for g in response.json()["gains"]}
    # entry_ban: 2 questions; before 0/2 and 1/2 (25 %), after 2/2 and 2/2 (100 %).
    assert gains["entry_ban"] == {
        "topic": "entry_ban",
        "trainees": 2,
        "before_pct": 25.0,
        "after_pct": 100.0,
        "gain_pct": 75.0,
    }
    assert gains["documents"]["gain_pct"] == 0.0
    assert Trainee.objects.count() == 2


def test_a_training_with_a_bad_trainee_writes_nothing(client, consultant_ku):
    client.force_login(consultant_ku)
    bad = json.loads(json.dumps(TRAINING))
    bad["trainees"][1]["scores"] = {
        "entry_ban": {"before": 3, "after": 2},
        "work": {"before": 0, "after": 1},
    }
    bad["ends_on"] = "2026-11-08"
    response = post(client, bad, url="/api/outreach/trainings")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {
        "ends_on",
        "trainees[1].scores.entry_ban.before",  # 3 right out of 2 questions
        "trainees[1].scores.work",  # not a topic of this training
    }
    assert (Training.objects.count(), Trainee.objects.count()) == (0, 0)


def test_a_nul_character_in_a_list_of_codes_is_a_field_error_not_a_server_error(
    client, consultant_ku
):
    # PostgreSQL refuses NUL in text even in a lookup; the fuzzer found it in "partners".
    client.force_login(consultant_ku)
    before = stored()
    response = post(client, {**SESSION, "partners": ["\x00"], "topics": ["entry_ban/\x00"]})
    assert response.status_code == 400
    assert stored() == before
    assert {"partners", "topics"} <= set(response.json()["error"]["fields"])


def test_a_nul_character_in_the_list_query_is_a_field_error(client, consultant_ku):
    client.force_login(consultant_ku)
    response = client.get(URL, {"org": "\x00", "kind": "radio\x00"})
    assert response.status_code == 400
    assert {"org", "kind"} <= set(response.json()["error"]["fields"])
