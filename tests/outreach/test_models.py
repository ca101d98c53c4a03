"""The figures outreach computes: the hotline calls a radio or TV programme brought (read from
the contacts by Dushanbe date), the sessions by kind (the monthly report's M11), and a
training's average knowledge gain per topic, on the page and in CSV."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from safar.core.models import Office
from safar.helpdesk.models import Caller, Category, Contact
from safar.outreach.models import Question, Score, Session, Trainee, Training

pytestmark = pytest.mark.django_db

DUSHANBE = datetime.timezone(datetime.timedelta(hours=5))


def office(code):
    return Office.objects.get(code=code)


def contact(msc, local, call_type="data"):
    """A contact received at `local` (a naive Dushanbe time)."""
    msc = office(msc)
    caller = None
    if call_type == "data":
        caller, _ = Caller.objects.get_or_create(msc=msc, phone="+992931234567")
    return Contact.objects.create(
        msc=msc,
        received_at=local.replace(tzinfo=DUSHANBE),
        channel="phone",
        call_type=call_type,
        caller=caller,
    )


def session(org="MSC-KU", held_on=datetime.date(2026, 11, 10), kind="radio", **fields):
    return Session.objects.create(org=office(org), held_on=held_on, kind=kind, **fields)


def test_a_radio_programmes_calls_are_the_contacts_of_its_day_and_the_next_in_dushanbe():
    at = datetime.datetime
    contact("MSC-KU", at(2026, 11, 9, 23, 30))  # the evening before: not counted
    contact("MSC-KU", at(2026, 11, 10, 0, 10))  # 9 November in UTC, the 10th in Dushanbe
    contact("MSC-KU", at(2026, 11, 10, 20, 0))
    contact("MSC-KU", at(2026, 11, 10, 20, 5), "silent")
    contact("MSC-KU", at(2026, 11, 11, 9, 0), "hang_up")
    contact("MSC-KU", at(2026, 11, 11, 23, 50))  # the next day's last minutes
    contact("MSC-KU", at(2026, 11, 12, 0, 5))  # the 11th in UTC, two days later in Dushanbe
    contact("MSC-DU", at(2026, 11, 10, 12, 0))  # another MSC's hotline
    radio = session(programme="Пеш аз сафар бидон!")

    with timezone.override("UTC"):  # whatever the active time zone
        calls = radio.hotline_calls()
    assert (calls.day.on, calls.day.data, calls.day.non_data) == (
        datetime.date(2026, 11, 10),
        2,
        1,
    )
    assert (calls.next_day.on, calls.next_day.data, calls.next_day.non_data) == (
        datetime.date(2026, 11, 11),
        1,
        1,
    )
    assert calls.total == 5


def test_a_migration_service_tv_programme_counts_every_mscs_calls_and_others_none():
    contact("MSC-KU", datetime.datetime(2026, 11, 10, 12, 0))
    contact("MSC-DU", datetime.datetime(2026, 11, 11, 12, 0))
    assert session(org="MS", kind="tv").hotline_calls().total == 2
    assert session(kind="info_session").hotline_calls() is None


def test_sessions_by_kind_count_sessions_and_people_by_sex_for_the_monthly_report():
    session(kind="info_session", participants_f=40, participants_m=60)
    session(kind="info_session", participants_f=5, participants_m=7)
    session(kind="radio")
    session(kind="school", held_on=datetime.date(2026, 12, 1), participants_f=30)  # December
    november = Session.objects.held_between(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    assert november.by_kind() == [
        {"kind": "info_session", "sessions": 2, "participants_f": 45, "participants_m": 67},
        {"kind": "radio", "sessions": 1, "participants_f": 0, "participants_m": 0},
    ]


def test_the_question_bank_has_questions_in_three_languages_with_one_right_answer_each():
    questions = Question.objects.prefetch_related("choices")
    assert {q.topic_id for q in questions} >= {"entry_ban", "documents", "trafficking"}
    for question in questions:
        assert question.text_tg and question.text_ru and question.text_en
        assert [c.correct for c in question.choices.all()].count(True) == 1


@pytest.fixture
def training(db):
    found = Training.objects.create(
        org=office("MSC-KH"),
        title="Training",
        starts_on=datetime.date(2026, 11, 2),
        ends_on=datetime.date(2026, 11, 3),
    )
    found.topics.set(["entry_ban", "trafficking"])
    # (sex, entry_ban before/after of 4, trafficking before/after of 2)
    for n, (sex, ban, traf) in enumerate(
        [("F", (1, 4), (0, 2)), ("M", (2, 3), (1, 1)), ("F", (0, 2), None)]
    ):
        trainee = Trainee.objects.create(
            training=found, name=f"T{n}", organisation="Jamoat", sex=sex
        )
        Score.objects.create(
            trainee=trainee, topic_id="entry_ban", questions=4, before=ban[0], after=ban[1]
        )
        if traf:
            Score.objects.create(
                trainee=trainee, topic_id="trafficking", questions=2, before=traf[0], after=traf[1]
            )
    return found


def test_the_average_gain_per_topic_on_known_scores(training):
    gains = {g.topic: g for g in training.gains()}
    # entry_ban: before 25 %, 50 %, 0 % → 25 %; after 100 %, 75 %, 50 % → 75 %.
    ban = gains["entry_ban"]
    assert (ban.trainees, ban.before_pct, ban.after_pct, ban.gain_pct) == (3, 25.0, 75.0, 50.0)
    # trafficking: before 0 %, 50 % → 25 %; after 100 %, 50 % → 75 %.
    traf = gains["trafficking"]
    assert (traf.trainees, traf.before_pct, traf.after_pct, traf.gain_pct) == (2, 25.0, 75.0, 50.0)
    assert gains["entry_ban"].name == Category.objects.get(code="entry_ban").name


def test_the_gains_are_shown_and_exported_as_csv(client, training, time_machine):
    from tests.conftest import make_user

    time_machine.move_to(datetime.datetime(2026, 11, 22, 6, tzinfo=datetime.UTC), tick=False)
    client.force_login(make_user("consultant-kh", "MSC-KH", "consultant"))
    page = client.get(f"/outreach/trainings/{training.pk}/")
    assert page.status_code == 200
    assert "75.0" in page.content.decode() or "75,0" in page.content.decode()
    response = client.get(f"/outreach/trainings/{training.pk}/gains.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["topic", "name", "trainees", "before_pct", "after_pct", "gain_pct"]
    assert [r[0] for r in rows[1:]] == ["entry_ban", "trafficking"]
    assert rows[1][2:] == ["3", "25.0", "75.0", "50.0"]
    # Another MSC's consultant finds no such training.
    client.force_login(make_user("consultant-du", "MSC-DU", "consultant"))
    assert client.get(f"/outreach/trainings/{training.pk}/").status_code == 404
    assert client.get(f"/outreach/trainings/{training.pk}/gains.csv").status_code == 404
