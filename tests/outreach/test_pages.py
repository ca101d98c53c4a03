"""The session form without a script (as a phone that blocks scripts sends it), the sessions
list, and the demo data."""

import datetime
import io

import pytest

from safar.outreach.models import Session, Training

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 12, 6, 0, tzinfo=datetime.UTC)
FORM = {
    "org": "MSC-KU",
    "held_on": "2026-11-10",
    "kind": "info_session",
    "district": "KT-KUL",
    "jamoat": "Зарбдор",
    "topics": ["entry_ban/explain", "documents/patent"],
    "partners": ["IOM-TJ"],
    "participants_F": "40",
    "participants_M": "60",
    "materials_booklet": "100",
    "materials_flyer": "",
    "notes": "",
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_the_form_saves_and_the_next_page_tells_the_draft_script_to_forget(client, consultant_ku):
    client.force_login(consultant_ku)
    page = client.get("/outreach/new/")
    assert page.status_code == 200
    assert 'data-restore="yes"' in page.content.decode()
    response = client.post("/outreach/new/", FORM)
    session = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/outreach/new/?saved={session.pk}"
    assert (session.participants_f, session.participants_m, session.booklets) == (40, 60, 100)
    assert sorted(t.code for t in session.topics.all()) == ["documents/patent", "entry_ban/explain"]
    after = client.get(response["Location"]).content.decode()
    assert f'data-saved="{session.pk}"' in after


def test_a_form_with_errors_comes_back_with_what_was_typed_and_nothing_saved(client, consultant_ku):
    client.force_login(consultant_ku)
    bad = {**FORM, "participants_F": "1000000", "held_on": "2026-11-31", "jamoat": "Навобод"}
    response = client.post("/outreach/new/", bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_participants_F-errors"' in html
    assert 'id="id_held_on-errors"' in html
    assert 'value="Навобод"' in html
    assert 'value="entry_ban/explain" selected' in html
    assert 'data-restore="no"' in html  # the server's values, not an older draft
    assert Session.objects.count() == 0


def test_the_session_form_is_light(client, consultant_ku):
    """A page for a phone on a weak connection: the HTML, its own script and style sheet."""
    from django.contrib.staticfiles import finders

    client.force_login(consultant_ku)
    html = client.get("/outreach/new/").content
    script = finders.find("outreach/draft.js")
    style = finders.find("outreach/outreach.css")
    own = len(html) + sum(len(open(p, "rb").read()) for p in (script, style))
    assert own < 60_000, own


def test_the_coordinator_reads_but_records_nothing(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/outreach/").status_code == 200
    assert client.get("/outreach/new/").status_code == 403


def test_the_demo_loads_sessions_a_radio_wave_and_a_training(db):
    from safar.core.demo import load_demo

    load_demo(io.StringIO())
    assert {s.org.code for s in Session.objects.all()} == {
        "MSC-DU",
        "MSC-KH",
        "MSC-KU",
        "MSC-BO",
        "MS",
    }
    radio = Session.objects.get(kind="radio")
    assert radio.org.code == "MSC-KU"
    assert radio.hotline_calls().total > 40
    training = Training.objects.get()
    assert training.trainees.count() == 10
    assert all(g.gain_pct >= 0 for g in training.gains())
    load_demo(io.StringIO())  # again: nothing doubled
    assert Session.objects.filter(kind="radio").count() == 1


def test_a_training_is_recorded_then_its_trainees_added_with_their_scores(client, consultant_ku):
    client.force_login(consultant_ku)
    assert client.get("/outreach/trainings/new/").status_code == 200
    response = client.post(
        "/outreach/trainings/new/",
        {
            "org": "MSC-KU",
            "title": "Семинар",
            "starts_on": "2026-11-09",
            "ends_on": "",
            "topics": ["entry_ban", "trafficking"],
        },
    )
    training = Training.objects.get()
    assert response["Location"] == f"/outreach/trainings/{training.pk}/"
    assert training.ends_on == training.starts_on  # one day
    url = f"/outreach/trainings/{training.pk}/trainee/"
    trainee = {
        "name": "Саодат Раҷабова",
        "organisation": "Ҷамоати Зарбдор",
        "position": "раис",
        "sex": "F",
        "scores.entry_ban.before": "1",
        "scores.entry_ban.after": "2",
        "scores.trafficking.before": "",  # not checked on this topic
        "scores.trafficking.after": "",
    }
    assert client.post(url, trainee).status_code == 302
    bad = {**trainee, "sex": "", "scores.entry_ban.after": "3"}  # 3 right of 2 questions
    response = client.post(url, bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_sex-errors"' in html
    assert 'id="id_scores.entry_ban.after-errors"' in html
    added = training.trainees.get()
    assert [(s.topic_id, s.before, s.after, s.questions) for s in added.scores.all()] == [
        ("entry_ban", 1, 2, 2)
    ]
    gains = {g.topic: g.gain_pct for g in training.gains()}
    assert gains == {"entry_ban": 50.0}


def test_only_the_trainings_organisation_adds_trainees(client, consultant_du, consultant_ku):
    client.force_login(consultant_ku)
    client.post(
        "/outreach/trainings/new/",
        {"org": "MSC-KU", "title": "Семинар", "starts_on": "2026-11-09", "topics": ["work"]},
    )
    training = Training.objects.get()
    client.force_login(consultant_du)
    response = client.post(
        f"/outreach/trainings/{training.pk}/trainee/",
        {"name": "X", "organisation": "Y", "sex": "M"},
    )
    assert response.status_code == 404
    assert training.trainees.count() == 0


def test_the_sessions_page_shows_a_month_counted_by_kind(client, consultant_ku):
    client.force_login(consultant_ku)
    for held_on, people in (("2026-10-31", "7"), ("2026-11-01", "40"), ("2026-11-10", "2")):
        client.post("/outreach/new/", {**FORM, "held_on": held_on, "participants_F": people})
    page = client.get("/outreach/", {"month": "2026-11"}, HTTP_ACCEPT_LANGUAGE="en")
    by_kind = page.context["by_kind"]
    assert [(r["kind"], r["sessions"], r["participants_f"]) for r in by_kind] == [
        ("info_session", 2, 42)
    ]
    assert len(page.context["sessions"]) == 2
    october = client.get("/outreach/", {"month": "2026-10"}).context["by_kind"]
    assert october[0]["sessions"] == 1
    bad = client.get("/outreach/", {"month": "2026-13"})
    assert bad.context["error"] and bad.context["month"] == "2026-11"  # the latest instead


def test_without_a_month_the_page_opens_on_the_latest_sessions_month(
    client, consultant_ku, time_machine
):
    client.force_login(consultant_ku)
    client.post("/outreach/new/", FORM)  # 10 November
    time_machine.move_to(datetime.datetime(2026, 12, 1, 6, tzinfo=datetime.UTC), tick=False)
    client.force_login(consultant_ku)  # the earlier sign-in has expired since
    page = client.get("/outreach/")
    assert (page.context["month"], page.context["previous"], page.context["next"]) == (
        "2026-11",
        "2026-10",
        "2026-12",
    )
    assert len(page.context["sessions"]) == 1


def test_the_home_page_offers_recording_to_msc_staff_and_reading_to_the_coordinator(
    client, consultant_ku, coordinator, operator_du
):
    client.force_login(consultant_ku)
    home = client.get("/").content.decode()
    assert "/outreach/new/" in home and "/outreach/trainings/" in home
    client.force_login(coordinator)
    home = client.get("/").content.decode()
    assert "/outreach/new/" not in home and "/outreach/trainings/" in home
    client.force_login(operator_du)
    assert "/outreach/" not in client.get("/").content.decode()


def test_a_sessions_page_shows_all_that_was_recorded_and_only_to_those_who_see_it(
    client, consultant_ku, consultant_du, coordinator
):
    client.force_login(consultant_ku)
    saved = client.post("/outreach/new/", {**FORM, "notes": "Дар мактаби №3"})["Location"]
    session = Session.objects.get()
    # The page after saving links to the session, which the list links to as well.
    assert f'href="/outreach/{session.pk}/"' in client.get(saved).content.decode()
    listed = client.get("/outreach/?month=2026-11").content.decode()
    assert f'href="/outreach/{session.pk}/"' in listed
    page = client.get(f"/outreach/{session.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    partner = session.partners.get().name_en
    for shown in ("Information session", "Зарбдор", partner, "Booklets", "Дар мактаби №3"):
        assert shown in html
    assert "<dt>Women</dt><dd>40</dd>" in html and "<dt>Men</dt><dd>60</dd>" in html
    assert "Hotline calls" not in html  # not a radio or TV programme
    assert client.get("/outreach/new/?saved=x").status_code == 200  # no link to a non-number
    client.force_login(coordinator)
    assert client.get(f"/outreach/{session.pk}/").status_code == 200
    client.force_login(consultant_du)  # another MSC's session: as if it did not exist
    assert client.get(f"/outreach/{session.pk}/").status_code == 404
