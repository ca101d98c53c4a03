"""The MSC's pages: logging a contact from the keyboard, the phone lookup, the contacts list."""

import datetime

import pytest
from django.urls import reverse

from safar.core.models import AuditEvent
from safar.helpdesk.models import Caller, Contact
from tests.conftest import make_user

NOW = datetime.datetime(2026, 11, 3, 6, 0, tzinfo=datetime.UTC)  # 11:00 in Dushanbe
FORM = {
    "msc": "MSC-DU",
    "channel": "phone",
    "received_at": "2026-11-03T10:15",
    "caller_phone": "+7 916 123-45-67",
    "caller_name": "Фирдавс Раҳимов",
    "caller_sex": "M",
    "caller_age_band": "25-34",
    "caller_region": "TJ-DU",
    "about": "self",
    "migrant_location": "RUS",
    "categories": ["documents/patent"],
    "outcome": "information",
    "duration_s": "300",
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_a_contact_typed_in_the_form_is_stored_and_the_form_opens_empty_for_the_next(
    client, consultant_du
):
    client.force_login(consultant_du)
    response = client.post(reverse("helpdesk:new"), FORM)
    assert response.status_code == 302
    contact = Contact.objects.get()
    # The empty form offers to open a case from the conversation just logged.
    assert response["Location"] == reverse("helpdesk:new") + f"?channel=phone&contact={contact.pk}"
    assert contact.caller.phone == "+79161234567"
    assert contact.received_at == datetime.datetime(2026, 11, 3, 5, 15, tzinfo=datetime.UTC)
    assert contact.created_by == consultant_du


def test_a_form_with_errors_keeps_what_was_typed_and_stores_nothing(client, consultant_du):
    client.force_login(consultant_du)
    response = client.post(
        reverse("helpdesk:new"), {**FORM, "caller_phone": "+7 916", "migrant_location": "QQQ"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_caller_phone-errors"' in html
    assert 'id="id_migrant_location-errors"' in html
    assert "Фирдавс Раҳимов" in html
    assert 'value="documents/patent" selected' in html
    assert Contact.objects.count() == Caller.objects.count() == 0


@pytest.mark.parametrize("call_type", ["silent", "hang_up", "prank", "test", "wrong_number"])
def test_a_non_data_call_is_one_button_and_counted_apart(client, consultant_du, call_type):
    client.force_login(consultant_du)
    # The quick buttons send the form as it is: whatever was typed of a caller is not kept.
    response = client.post(reverse("helpdesk:new"), {**FORM, "quick": call_type})
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.call_type, contact.caller) == (call_type, None)
    page = client.get(reverse("helpdesk:contacts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "0 conversations; 1 calls without a conversation" in " ".join(page.split())


def test_each_non_data_call_has_its_own_access_key(client, consultant_du):
    client.force_login(consultant_du)
    html = client.get(reverse("helpdesk:new")).content.decode()
    for key in "12345":
        assert f'accesskey="{key}"' in html


def test_the_lookup_shows_the_callers_earlier_contacts_at_the_users_msc_only(
    client, consultant_du, consultant_kh
):
    client.force_login(consultant_du)
    client.post(reverse("helpdesk:new"), FORM)
    answer = client.post(reverse("helpdesk:lookup"), {"phone": "+79161234567"}).json()
    assert answer["phone"] == "+79161234567"
    assert [c["name"] for c in answer["callers"]] == ["Фирдавс Раҳимов"]
    assert len(answer["contacts"]) == 1
    client.force_login(consultant_kh)
    answer = client.post(reverse("helpdesk:lookup"), {"phone": "+7 916 123 45 67"}).json()
    assert answer["callers"] == answer["contacts"] == []
    # Each lookup is audited, without the number.
    events = AuditEvent.objects.filter(object_type="helpdesk.caller")
    assert events.count() == 2
    assert all("916" not in str(event.query) for event in events)


def test_a_half_typed_number_finds_nothing_and_is_not_an_error(client, consultant_du):
    client.force_login(consultant_du)
    answer = client.post(reverse("helpdesk:lookup"), {"phone": "93 12"})
    assert answer.status_code == 200
    assert answer.json()["phone"] is None


def test_a_consultant_of_one_msc_does_not_see_another_mscs_contacts_on_the_list(
    client, consultant_du, consultant_kh
):
    client.force_login(consultant_du)
    client.post(reverse("helpdesk:new"), FORM)
    assert "Фирдавс Раҳимов" in client.get(reverse("helpdesk:contacts")).content.decode()
    client.force_login(consultant_kh)
    page = client.get(reverse("helpdesk:contacts"), {"msc": "MSC-DU"}).content.decode()
    assert "Фирдавс Раҳимов" not in page


def test_a_consultant_cannot_log_for_another_msc_through_the_form(client, consultant_kh):
    client.force_login(consultant_kh)
    response = client.post(reverse("helpdesk:new"), FORM)  # FORM names MSC-DU
    assert response.status_code == 400
    assert Contact.objects.count() == 0


def test_the_coordinator_reads_the_list_but_has_no_form(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("helpdesk:contacts")).status_code == 200
    assert client.get(reverse("helpdesk:new")).status_code == 403


def test_the_menu_offers_the_helpdesk_to_msc_staff_only(client, consultant_du, db):
    client.force_login(consultant_du)
    assert reverse("helpdesk:new") in client.get(reverse("home")).content.decode()
    client.force_login(make_user("operator-du", "ICC-DU", "operator"))
    assert reverse("helpdesk:contacts") not in client.get(reverse("home")).content.decode()


def test_the_form_page_loads_its_script_from_a_file(client, consultant_du):
    client.force_login(consultant_du)
    html = client.get(reverse("helpdesk:new")).content.decode()
    assert "helpdesk/contact-form.js" in html
    assert "<script>" not in html


def test_a_time_left_empty_is_the_moment_the_contact_is_saved(client, consultant_du):
    client.force_login(consultant_du)
    client.post(
        reverse("helpdesk:new"),
        {"msc": "MSC-DU", "channel": "phone", "received_at": "", "quick": "silent"},
    )
    assert Contact.objects.get().received_at == NOW


@pytest.mark.parametrize(
    ("language", "title"), [("tg", "Сабти муроҷиат"), ("ru", "Записать обращение")]
)
def test_the_form_speaks_tajik_by_default_and_russian_when_asked(
    client, consultant_du, language, title
):
    client.force_login(consultant_du)
    html = client.get(reverse("helpdesk:new"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<h1>{title}</h1>" in html


def test_enter_in_a_field_saves_the_conversation_not_a_quick_call(client, consultant_du):
    # A browser submits a form on Enter with its first submit button: that must be the save.
    client.force_login(consultant_du)
    html = client.get(reverse("helpdesk:new")).content.decode()
    assert html.index('type="submit" class="primary"') < html.index('name="quick"')


def test_the_home_page_counts_todays_contacts_of_the_users_msc(
    client, consultant_du, consultant_kh
):
    client.force_login(consultant_du)
    client.post(reverse("helpdesk:new"), FORM)
    client.post(reverse("helpdesk:new"), {**FORM, "quick": "prank"})
    home = " ".join(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode().split())
    assert "Today: 1 conversations, 1 calls without a conversation." in home
    client.force_login(consultant_kh)
    home = " ".join(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode().split())
    assert "Today: 0 conversations, 0 calls without a conversation." in home


def test_a_nul_character_in_the_list_filter_or_the_form_is_no_server_error(client, consultant_du):
    client.force_login(consultant_du)
    assert client.get(reverse("helpdesk:contacts"), {"msc": "MSC\x00"}).status_code == 200
    response = client.post(reverse("helpdesk:new"), {**FORM, "caller_name": "x\x00"})
    assert response.status_code == 400
    assert client.post(reverse("helpdesk:lookup"), {"phone": "93\x00"}).status_code == 200
