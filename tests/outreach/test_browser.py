"""The session form on a phone in Tajik with a connection that drops: what was typed survives a
failed send and a reload, and the saved page clears the draft."""

import datetime

import pytest

from safar.outreach.models import Session
from tests.browser.conftest import (  # noqa: F401  (fixtures used by name)
    PHONE,
    assert_accessible,
    chromium,
    log_in,
    page_at,
    reference_data,
    screenshot,
)
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Safar-2026"
NOW = datetime.datetime(2026, 11, 12, 6, 0, tzinfo=datetime.UTC)


def test_a_session_typed_offline_is_kept_and_sent_once_back_online(
    page_at,  # noqa: F811
    live_server,
    time_machine,
):
    time_machine.move_to(NOW, tick=True)
    consultant = make_user("consultant-ku", "MSC-KU", "consultant", password=PASSWORD)
    page, base = page_at(**PHONE, locale="tg"), live_server.url
    log_in(page, base, consultant.username, PASSWORD)
    page.goto(f"{base}/outreach/new/")
    assert page.locator("html").get_attribute("lang") == "tg"
    assert page.locator("h1").inner_text() == "Сабти чорабинӣ"
    assert_accessible(page)
    # Nothing wider than the phone: no sideways scrolling to reach a field.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.fill("#id_held_on", "2026-11-10")
    page.select_option("#id_kind", "info_session")
    page.select_option("#id_district", "KT-KUL")
    page.fill("#id_jamoat", "Зарбдор")
    page.fill("#id_participants_F", "40")
    page.fill("#id_participants_M", "60")
    page.fill("#id_materials_booklet", "100")
    page.select_option("#id_topics", ["entry_ban/explain", "documents/patent"])
    page.check("input[name=partners][value=IOM-TJ]")
    page.fill("#id_notes", "Дар мактаби №3")
    screenshot(page, "outreach-session-phone-tg")

    page.context.set_offline(True)
    page.click("button[type=submit].primary")
    status = page.locator("#draft-status")
    status.wait_for(state="visible")
    assert "Пайвастшавӣ нест" in status.inner_text()
    assert Session.objects.count() == 0

    page.context.set_offline(False)
    page.reload()
    assert page.input_value("#id_jamoat") == "Зарбдор"
    assert page.input_value("#id_held_on") == "2026-11-10"
    assert page.input_value("#id_participants_F") == "40"
    assert page.input_value("#id_participants_M") == "60"
    assert page.input_value("#id_materials_booklet") == "100"
    assert page.input_value("#id_district") == "KT-KUL"
    assert page.input_value("#id_notes") == "Дар мактаби №3"
    assert page.is_checked("input[name=partners][value=IOM-TJ]")
    selected = page.eval_on_selector(
        "#id_topics", "el => [...el.selectedOptions].map(o => o.value)"
    )
    assert sorted(selected) == ["documents/patent", "entry_ban/explain"]
    assert "қоралавҳае" in status.inner_text().lower()

    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/outreach/new/?saved=*")
    session = Session.objects.get()
    assert (session.jamoat, session.participants_f, session.participants_m) == ("Зарбдор", 40, 60)
    assert session.booklets == 100
    assert [p.code for p in session.partners.all()] == ["IOM-TJ"]
    assert page.evaluate("Object.keys(localStorage).filter(k => k.includes('outreach'))") == []
    assert_accessible(page)

    page.goto(f"{base}/outreach/new/")  # a fresh form: the saved draft is gone
    assert page.input_value("#id_jamoat") == ""
    assert Session.objects.count() == 1


def test_the_sessions_list_and_a_training_page_are_accessible_on_a_phone_in_russian(
    page_at,  # noqa: F811
    live_server,
    time_machine,
):
    from safar.core.models import Office
    from safar.helpdesk.models import Contact
    from safar.outreach.models import Score, Trainee, Training

    time_machine.move_to(NOW, tick=True)
    consultant = make_user("consultant-ku", "MSC-KU", "consultant", password=PASSWORD)
    kulob = Office.objects.get(code="MSC-KU")
    radio = Session.objects.create(
        org=kulob, held_on=datetime.date(2026, 11, 10), kind="radio", programme="Радиои Кӯлоб"
    )
    for hour in (4, 5, 30):  # 09:00 and 10:00 on the 10th, 11:00 on the 11th (Dushanbe)
        Contact.objects.create(
            msc=kulob,
            received_at=datetime.datetime(2026, 11, 10, tzinfo=datetime.UTC)
            + datetime.timedelta(hours=hour),
            channel="phone",
            call_type="silent",
        )
    training = Training.objects.create(
        org=kulob,
        title="Семинар",
        starts_on=datetime.date(2026, 11, 9),
        ends_on=datetime.date(2026, 11, 10),
    )
    training.topics.set(["entry_ban"])
    trainee = Trainee.objects.create(
        training=training, name="С. Р.", organisation="Ҷамоат", sex="F"
    )
    Score.objects.create(trainee=trainee, topic_id="entry_ban", questions=2, before=0, after=2)

    page, base = page_at(**PHONE, locale="ru"), live_server.url
    log_in(page, base, consultant.username, PASSWORD)
    page.goto(f"{base}/outreach/")
    row = page.locator("tr", has_text="Радиои Кӯлоб")
    assert row.locator("td").last.inner_text() == "2 + 1"  # read from the contacts
    assert_accessible(page)
    screenshot(page, "outreach-sessions-phone-ru")
    page.goto(f"{base}/outreach/trainings/{training.pk}/")
    assert "100,0" in page.locator("#gains-title + div").inner_text()
    assert_accessible(page)
    screenshot(page, "outreach-training-phone-ru")
    assert radio.hotline_calls().total == 3


def test_a_send_lost_on_the_way_leaves_the_draft_for_the_next_visit(
    page_at,  # noqa: F811
    live_server,
    time_machine,
):
    """The phone believes it is online but the connection drops as the form is sent (the
    browser shows its error page): opening the form again brings back what was typed."""
    time_machine.move_to(NOW, tick=True)
    consultant = make_user("consultant-ku", "MSC-KU", "consultant", password=PASSWORD)
    page, base = page_at(**PHONE, locale="tg"), live_server.url
    log_in(page, base, consultant.username, PASSWORD)
    page.goto(f"{base}/outreach/new/")
    page.fill("#id_jamoat", "Навобод")
    page.fill("#id_participants_M", "25")

    def drop_the_post(route):
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/outreach/new/", drop_the_post)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert Session.objects.count() == 0
    page.unroute("**/outreach/new/")

    page.goto(f"{base}/outreach/new/")
    assert page.input_value("#id_jamoat") == "Навобод"
    assert page.input_value("#id_participants_M") == "25"
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/outreach/new/?saved=*")
    assert Session.objects.get().participants_m == 25
