"""The crossing registry pages. The world: operators at the Dushanbe (DYU, KRM) and Sughd
(LBD, FTH) centres, an analyst, an administrator and a user without a role; three cards."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from safar.core.models import AuditEvent
from safar.crossings.models import Crossing
from safar.crossings.services import create_crossing, update_crossing


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher takes about a second per user on this machine; these tests do not
    # test hashing (tests/core/test_auth.py does, with the real hasher).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


CARD = {
    "card_number": "A0000001",
    "direction": "exit",
    "crossed_on": "2024-03-05",
    "border_point": "DYU",
    "surname": "Раҳимов",
    "given_names": "Фаррух",
    "sex": "M",
    "birth_date": "14.07.1990",
    "citizenship": "TJK",
    "passport_number": "400123456",
    "purpose": "work",
    "country": "RUS",
    "region": "TJ-DU",
    "district": "",
}


def service_data(**overrides):
    data = {
        "card_number": "D1",
        "direction": "exit",
        "crossed_on": datetime.date(2024, 3, 1),
        "border_point": "DYU",
        "citizenship": "TJK",
        "passport_number": "400111222",
        "birth_date": datetime.date(1988, 1, 2),
        "sex": "M",
        "surname": "ИВАНОВ",
        "given_names": "ИВАН",
        "purpose": "work",
        "country": "RUS",
        "region": "TJ-DU",
        "district": None,
        "source": "form",
    }
    return {**data, **overrides}


@pytest.fixture
def dushanbe_card(operator_du):
    return create_crossing(user=operator_du, data=service_data())


@pytest.fixture
def dushanbe_return(operator_du, dushanbe_card):
    return create_crossing(
        user=operator_du,
        data=service_data(
            card_number="D2",
            direction="entry",
            crossed_on=datetime.date(2024, 6, 1),
            border_point="KRM",
        ),
    )


@pytest.fixture
def sughd_card(operator_su, dushanbe_card):
    """The same traveller leaving again through Khujand: another centre's card."""
    return create_crossing(
        user=operator_su,
        data=service_data(
            card_number="S1", crossed_on=datetime.date(2024, 8, 1), border_point="LBD"
        ),
    )


def post_card(client, **overrides):
    extra = {k: v for k, v in overrides.items() if k.startswith("HTTP_")}
    data = {k: v for k, v in overrides.items() if not k.startswith("HTTP_")}
    return client.post(reverse("crossings:enter"), {**CARD, **data}, **extra)


# -- entry ------------------------------------------------------------------------------------


def test_operator_enters_a_card_with_typed_codes_and_a_dotted_date(client, operator_du):
    client.force_login(operator_du)
    response = post_card(client, save="1")
    crossing = Crossing.objects.get(card_number="A0000001")
    assert response.status_code == 302
    assert response["Location"] == reverse("crossings:detail", args=[crossing.pk])
    assert crossing.traveller.birth_date == datetime.date(1990, 7, 14)
    assert crossing.border_point_id == "DYU" and crossing.source == "form"
    assert crossing.surname == "РАҲИМОВ"
    assert AuditEvent.objects.filter(
        action="create", object_id=str(crossing.pk), user=operator_du
    ).exists()


def test_codes_are_accepted_in_any_case_and_dates_as_eight_digits(client, operator_du):
    client.force_login(operator_du)
    post_card(
        client,
        border_point="dyu",
        country="rus",
        purpose="WORK",
        region="tj-du",
        crossed_on="05032024",
        save="1",
    )
    crossing = Crossing.objects.get(card_number="A0000001")
    assert (crossing.crossed_on, crossing.country_id, crossing.purpose_id) == (
        datetime.date(2024, 3, 5),
        "RUS",
        "work",
    )


def test_save_and_next_keeps_the_border_point_date_and_direction(client, operator_du):
    client.force_login(operator_du)
    response = post_card(client, save_next="1")
    assert response.status_code == 302
    page = client.get(response["Location"])
    form = page.context["form"]
    assert form.initial == {"direction": "exit", "crossed_on": "2024-03-05", "border_point": "DYU"}
    html = page.content.decode()
    assert 'value="DYU"' in html and 'value="2024-03-05"' in html
    assert 'name="card_number"' in html and "autofocus" in html


def test_the_form_lists_fields_in_the_card_order_with_datalist_suggestions(client, operator_du):
    client.force_login(operator_du)
    with translation.override("en"):
        html = client.get(reverse("crossings:enter"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    order = [
        "card_number",
        "direction",
        "crossed_on",
        "border_point",
        "surname",
        "given_names",
        "sex",
        "birth_date",
        "citizenship",
        "passport_number",
        "purpose",
        "country",
        "region",
        "district",
    ]
    positions = [html.index(f'name="{name}"') for name in order]
    assert positions == sorted(positions)
    assert 'list="codes-border_point"' in html
    # An operator is offered the points of their own centre only.
    assert '<option value="DYU">' in html and '<option value="LBD">' not in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"birth_date": "2024-03-05"}, "birth_date", "before the date of crossing"),
        ({"citizenship": "RUS"}, "region", "only for citizens"),
        ({"district": "NOPE"}, "district", "Unknown code"),
        ({"border_point": "LBD"}, "border_point", "border points of your centre"),
        ({"border_point": "XXX"}, "border_point", "Unknown code"),
        ({"crossed_on": "31.02.2024"}, "crossed_on", "Enter a valid date"),
        ({"crossed_on": "2099-01-01"}, "crossed_on", "future"),
        ({"card_number": ""}, "card_number", "required"),
    ],
)
def test_a_wrong_value_is_reported_next_to_its_field_and_nothing_is_stored(
    client, operator_du, overrides, field, message
):
    client.force_login(operator_du)
    response = client.post(
        reverse("crossings:enter"), {**CARD, **overrides}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert not Crossing.objects.exists()
    # The message is rendered inside the field's own block.
    html = response.content.decode()
    block = html[html.index(f'class="field field-{field}') :]
    block = block[
        : block.index('class="field field-', 10) if 'class="field field-' in block[10:] else None
    ]
    assert "field-errors" in block


def test_a_district_of_another_region_is_refused(client, operator_du):
    from safar.core.models import District

    sughd_district = District.objects.filter(region="TJ-SU").first()
    client.force_login(operator_du)
    response = post_card(
        client, region="TJ-DU", district=sughd_district.pk, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "is not in region" in " ".join(response.context["form"].errors["district"])


def test_a_district_alone_brings_its_region(client, operator_du):
    from safar.core.models import District

    district = District.objects.filter(region="TJ-SU").first()
    client.force_login(operator_du)
    post_card(client, region="", district=district.pk, save="1")
    crossing = Crossing.objects.get(card_number="A0000001")
    assert (crossing.region_id, crossing.district_id) == ("TJ-SU", district.pk)


def test_a_duplicate_card_number_names_the_record_of_the_operators_own_centre(
    client, operator_du, dushanbe_card
):
    client.force_login(operator_du)
    response = post_card(client, card_number="d-1", HTTP_ACCEPT_LANGUAGE="en")
    message = " ".join(response.context["form"].errors["card_number"])
    assert f"#{dushanbe_card.pk}" in message and "DYU" in message
    assert "ИВАНОВ" not in message


def test_the_duplicate_message_links_to_the_card_that_holds_the_number(
    client, operator_du, dushanbe_card
):
    client.force_login(operator_du)
    response = post_card(client, card_number="d-1", HTTP_ACCEPT_LANGUAGE="en")
    link = reverse("crossings:detail", args=[dushanbe_card.pk])
    assert f'class="duplicate-of" href="{link}"' in response.content.decode()


def test_another_centres_duplicate_is_not_linked(client, operator_du, sughd_card):
    client.force_login(operator_du)
    response = post_card(client, card_number="s1", HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["form"].errors["card_number"]
    assert 'class="duplicate-of"' not in response.content.decode()


def test_another_centres_card_number_is_taken_without_revealing_its_date_or_border_point(
    client, operator_du, sughd_card
):
    client.force_login(operator_du)
    response = post_card(client, card_number="s1", HTTP_ACCEPT_LANGUAGE="en")
    message = " ".join(response.context["form"].errors["card_number"])
    assert "S1" in message and "already recorded" in message
    assert f"#{sughd_card.pk}" not in message and "LBD" not in message
    assert "2024" not in message and "01.08" not in message and "ИВАНОВ" not in message
    assert Crossing.objects.filter(card_number="S1").count() == 1


def test_analyst_may_not_enter_cards(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("crossings:enter")).status_code == 403
    assert post_card(client).status_code == 403
    assert not Crossing.objects.exists()


# -- who sees what ------------------------------------------------------------------------------


def test_operator_cannot_see_other_centres_card(client, operator_du, sughd_card):
    client.force_login(operator_du)
    assert client.get(reverse("crossings:detail", args=[sughd_card.pk])).status_code == 404
    assert client.get(reverse("crossings:edit", args=[sughd_card.pk])).status_code == 404


def test_operator_cannot_edit_other_centres_card(client, operator_du, sughd_card):
    client.force_login(operator_du)
    response = client.post(
        reverse("crossings:edit", args=[sughd_card.pk]),
        {**CARD, "card_number": "S1", "border_point": "DYU"},
    )
    assert response.status_code == 404
    sughd_card.refresh_from_db()
    assert sughd_card.border_point_id == "LBD"


def test_operator_search_finds_only_own_centres_cards(
    client, operator_du, dushanbe_card, sughd_card
):
    client.force_login(operator_du)
    response = search(client, "400111222")
    assert [c.card_number for c in response.context["page"]] == ["D1"]
    assert search(client, "S1").context["page"].paginator.count == 0


def test_analyst_searches_every_centre_but_may_not_correct(
    client, analyst, dushanbe_card, sughd_card
):
    client.force_login(analyst)
    response = search(client, "400111222")
    assert [c.card_number for c in response.context["page"]] == ["S1", "D1"]
    assert client.get(reverse("crossings:detail", args=[sughd_card.pk])).status_code == 200
    assert client.get(reverse("crossings:edit", args=[sughd_card.pk])).status_code == 403


def test_user_without_a_role_is_refused_everywhere(client, outsider, dushanbe_card):
    client.force_login(outsider)
    for url in (
        reverse("crossings:search"),
        reverse("crossings:enter"),
        reverse("crossings:detail", args=[dushanbe_card.pk]),
        reverse("crossings:edit", args=[dushanbe_card.pk]),
        reverse("crossings:delete", args=[dushanbe_card.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitor_is_sent_to_login_from_a_record(client, dushanbe_card):
    response = client.get(reverse("crossings:detail", args=[dushanbe_card.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_operator_without_an_office_sees_no_cards(client, dushanbe_card):
    from tests.conftest import make_user

    client.force_login(make_user("drifter", None, "operator"))
    assert search(client, "D1").context["page"].paginator.count == 0
    assert client.get(reverse("crossings:detail", args=[dushanbe_card.pk])).status_code == 404


# -- search ---------------------------------------------------------------------------------------


def search(client, query: str):
    """Search as the page does: post the query, follow to the results page."""
    return client.post(reverse("crossings:search"), {"q": query}, follow=True)


@pytest.mark.parametrize("query", ["иванов", "Иванов", "ИВАН иванов", "D1", "d1", "400 111 222"])
def test_search_by_name_in_any_case_card_or_passport_number(client, analyst, dushanbe_card, query):
    client.force_login(analyst)
    page = search(client, query).context["page"]
    assert [c.card_number for c in page] == ["D1"]


def test_search_by_latin_name_ignores_case(client, analyst, operator_du):
    create_crossing(
        user=operator_du,
        data=service_data(
            card_number="L1",
            citizenship="DEU",
            region=None,
            surname="Müller",
            given_names="Anna",
            sex="F",
            passport_number="C01X00T47",
        ),
    )
    client.force_login(analyst)
    page = search(client, "MÜLLER anna").context["page"]
    assert [c.card_number for c in page] == ["L1"]


def test_search_results_are_paginated(client, analyst, operator_du):
    for number in range(30):
        create_crossing(
            user=operator_du,
            data=service_data(card_number=f"P{number:03}", passport_number=f"9000{number:03}"),
        )
    client.force_login(analyst)
    first = search(client, "иванов")
    assert first.context["page"].paginator.count == 30
    assert len(first.context["page"].object_list) == 25
    second = client.get(first.redirect_chain[-1][0] + "&page=2")
    assert len(second.context["page"].object_list) == 5


def test_every_search_for_a_person_is_recorded_with_who_and_what(
    client, operator_du, dushanbe_card
):
    client.force_login(operator_du)
    search(client, "400111222")
    search(client, "Иванов")
    events = AuditEvent.objects.filter(action="search", user=operator_du).order_by("id")
    assert [e.query for e in events] == [{"q": "400111222"}, {"q": "Иванов"}]


def test_an_empty_search_records_nothing(client, operator_du):
    client.force_login(operator_du)
    client.get(reverse("crossings:search"))
    assert not AuditEvent.objects.filter(action="search").exists()


def test_a_search_keeps_the_passport_number_and_the_name_out_of_every_url(
    client, analyst, dushanbe_card
):
    client.force_login(analyst)
    for query in ("400111222", "Иванов"):
        response = search(client, query)
        assert [c.card_number for c in response.context["page"]] == ["D1"]
        urls = [url for url, _status in response.redirect_chain]
        urls += re.findall(r'(?:href|action|value)="([^"]*[/?][^"]*)"', response.content.decode())
        assert urls and not [url for url in urls if query in url or "400" in url]


def test_a_search_by_get_shows_the_empty_form_and_records_nothing(client, analyst, dushanbe_card):
    client.force_login(analyst)
    response = client.get(reverse("crossings:search"), {"q": "400111222"})
    assert response.status_code == 200 and response.context["page"] is None
    assert not AuditEvent.objects.filter(action="search").exists()


def test_the_results_page_can_be_opened_again_and_searched_anew(client, analyst, dushanbe_card):
    client.force_login(analyst)
    results_url = search(client, "400111222").redirect_chain[-1][0]
    search(client, "nobody-by-this-name")
    # Back to the first results (the back button) shows them again, without a second audit entry.
    again = client.get(results_url)
    assert [c.card_number for c in again.context["page"]] == ["D1"]
    assert again.context["form"]["q"].value() == "400111222"
    assert AuditEvent.objects.filter(action="search").count() == 2


def test_another_users_results_address_shows_nothing(client, analyst, operator_du, dushanbe_card):
    client.force_login(analyst)
    results_url = search(client, "400111222").redirect_chain[-1][0]
    client.force_login(operator_du)
    response = client.get(results_url)
    assert response.context["page"] is None
    assert "400111222" not in response.content.decode()


# -- record, history, correction, deletion ----------------------------------------------------------


def test_viewing_a_record_is_recorded(client, operator_du, dushanbe_card):
    client.force_login(operator_du)
    client.get(reverse("crossings:detail", args=[dushanbe_card.pk]))
    assert (
        AuditEvent.objects.filter(
            action="view", user=operator_du, object_id=str(dushanbe_card.pk)
        ).count()
        == 1
    )


def test_detail_lists_the_travellers_other_visible_crossings(
    client, operator_du, dushanbe_card, dushanbe_return, sughd_card
):
    client.force_login(operator_du)
    response = client.get(reverse("crossings:detail", args=[dushanbe_card.pk]))
    assert [c.card_number for c in response.context["others"]] == ["D2"]


def test_history_shows_who_changed_what_from_old_to_new(
    client, operator_du, administrator, dushanbe_card
):
    update_crossing(user=administrator, crossing=dushanbe_card, data={"country": "KAZ"})
    client.force_login(operator_du)
    response = client.get(
        reverse("crossings:detail", args=[dushanbe_card.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    history = response.context["history"]
    assert [item["event"].action for item in history] == ["create", "update"]
    assert history[1]["event"].user == administrator
    assert [(str(c["label"]), c["old"], c["new"]) for c in history[1]["changes"]] == [
        ("country", "Russian Federation", "Kazakhstan")
    ]
    html = response.content.decode()
    assert "Russian Federation" in html and "Kazakhstan" in html and administrator.username in html


def test_history_names_the_country_and_border_point_in_the_pages_language_as_the_card_does(
    client, operator_du, administrator, dushanbe_card
):
    update_crossing(
        user=administrator, crossing=dushanbe_card, data={"country": "KAZ", "border_point": "KRM"}
    )
    client.force_login(operator_du)
    response = client.get(
        reverse("crossings:detail", args=[dushanbe_card.pk]), HTTP_ACCEPT_LANGUAGE="tg"
    )
    border_point, country = response.context["history"][1]["changes"]  # sorted by field
    assert (country["old"], country["new"]) == ("Федератсияи Россия", "Қазоқистон")
    assert border_point["old"] != "DYU" and border_point["new"] != "KRM"
    assert "Қазоқистон" in response.content.decode()


def test_operator_corrects_a_card_and_the_change_is_audited(client, operator_du, dushanbe_card):
    client.force_login(operator_du)
    page = client.get(reverse("crossings:edit", args=[dushanbe_card.pk]))
    assert page.context["form"].initial["passport_number"] == "400111222"
    data = {
        **CARD,
        "card_number": "D1",
        "crossed_on": "2024-03-01",
        "birth_date": "1988-01-02",
        "passport_number": "400111222",
        "surname": "ИВАНОВ",
        "given_names": "ИВАН",
        "purpose": "study",
    }
    response = client.post(reverse("crossings:edit", args=[dushanbe_card.pk]), data)
    assert response.status_code == 302
    dushanbe_card.refresh_from_db()
    assert dushanbe_card.purpose_id == "study"
    event = AuditEvent.objects.get(action="update", object_id=str(dushanbe_card.pk))
    assert event.user == operator_du and event.changes["purpose"] == ["work", "study"]


def test_a_correction_keeps_the_same_validation(client, operator_du, dushanbe_card):
    client.force_login(operator_du)
    data = {**CARD, "card_number": "D1", "birth_date": "2030-01-01"}
    response = client.post(reverse("crossings:edit", args=[dushanbe_card.pk]), data)
    assert response.status_code == 200 and "birth_date" in response.context["form"].errors


def test_only_administrators_delete_and_only_after_confirming(
    client, operator_du, administrator, dushanbe_card
):
    client.force_login(operator_du)
    assert client.post(reverse("crossings:delete", args=[dushanbe_card.pk])).status_code == 403
    client.force_login(administrator)
    confirm = client.get(reverse("crossings:delete", args=[dushanbe_card.pk]))
    assert confirm.status_code == 200 and Crossing.objects.filter(pk=dushanbe_card.pk).exists()
    response = client.post(reverse("crossings:delete", args=[dushanbe_card.pk]))
    assert response.status_code == 302
    assert not Crossing.objects.filter(pk=dushanbe_card.pk).exists()
    assert AuditEvent.objects.filter(
        action="delete", user=administrator, object_id=str(dushanbe_card.pk)
    ).exists()


@pytest.mark.parametrize(
    ("language", "label", "date"),
    [
        ("tg", "Санаи убур", "1 март 2024"),
        ("ru", "Дата пересечения", "1 марта 2024 г."),
        ("en", "Date of crossing", "1 March 2024"),
    ],
)
def test_the_record_page_speaks_the_chosen_language(
    client, analyst, dushanbe_card, language, label, date
):
    client.force_login(analyst)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    html = client.get(reverse("crossings:detail", args=[dushanbe_card.pk])).content.decode()
    assert label.lower() in html.lower()
    assert date in html


# -- two operators correcting one card ------------------------------------------------------------


def as_shown(client, crossing) -> dict:
    """What the correction page's form posts back when nothing is touched."""
    form = client.get(reverse("crossings:edit", args=[crossing.pk])).context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def test_saving_an_unchanged_correction_records_no_change(client, operator_du):
    # Stored as an import would write it: names not in capitals, which the form writes.
    crossing = create_crossing(
        user=operator_du, data=service_data(surname="Ivanov", given_names="Ivan  Petrovich")
    )
    before = Crossing.objects.get(pk=crossing.pk)
    client.force_login(operator_du)
    response = client.post(
        reverse("crossings:edit", args=[crossing.pk]), as_shown(client, crossing)
    )
    assert response.status_code == 302
    after = Crossing.objects.get(pk=crossing.pk)
    assert not AuditEvent.objects.filter(action="update").exists()
    assert (after.updated_at, after.version, after.surname) == (before.updated_at, 1, "Ivanov")


def test_a_correction_started_before_another_is_refused_showing_what_changed_meanwhile(
    client, operator_du, administrator, dushanbe_card
):
    client.force_login(operator_du)
    opened = as_shown(client, dushanbe_card)
    assert opened["version"] == 1
    update_crossing(user=administrator, crossing=dushanbe_card, data={"country": "KAZ"})
    response = client.post(
        reverse("crossings:edit", args=[dushanbe_card.pk]),
        {**opened, "purpose": "study"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "nothing was saved" in " ".join(response.context["form"].non_field_errors())
    assert [(c["old"], c["new"]) for c in response.context["changed_meanwhile"]] == [
        ("Russian Federation", "Kazakhstan")
    ]
    assert "Kazakhstan" in response.content.decode()
    stored = Crossing.objects.get(pk=dushanbe_card.pk)
    assert (stored.purpose_id, stored.country_id, stored.version) == ("work", "KAZ", 2)
    # Opened again, the correction goes through.
    again = as_shown(client, dushanbe_card)
    response = client.post(
        reverse("crossings:edit", args=[dushanbe_card.pk]), {**again, "purpose": "study"}
    )
    assert response.status_code == 302
    assert Crossing.objects.get(pk=dushanbe_card.pk).purpose_id == "study"


def test_the_form_stores_a_typed_card_number_in_its_one_spelling_and_refuses_dashes_only(
    client, operator_du
):
    client.force_login(operator_du)
    response = post_card(client, card_number="---", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "letter or digit" in " ".join(response.context["form"].errors["card_number"])
    assert post_card(client, card_number="im-000 0001", save="1").status_code == 302
    assert list(Crossing.objects.values_list("card_number", flat=True)) == ["IM0000001"]


def test_a_machine_read_cards_page_links_to_its_scan_for_those_who_may_see_scans(
    client, operator_du, analyst, dushanbe_card
):
    from safar.core.models import Office
    from tests.capture.world import make_scan

    scan = make_scan(Office.objects.get(code="ICC-DU"))
    scan.crossing = dushanbe_card
    scan.save()
    page_link = reverse("capture:page", args=[scan.pk])
    detail = reverse("crossings:detail", args=[dushanbe_card.pk])
    client.force_login(operator_du)
    assert page_link in client.get(detail).content.decode()
    client.force_login(analyst)  # analysts read the registry, not the scans
    assert page_link not in client.get(detail).content.decode()


def test_a_typed_cards_page_has_no_scan_link(client, operator_du, dushanbe_card):
    client.force_login(operator_du)
    page = client.get(reverse("crossings:detail", args=[dushanbe_card.pk])).content.decode()
    assert "/capture/scans/" not in page


def test_after_an_error_the_focus_goes_to_the_first_wrong_field(client, operator_du):
    client.force_login(operator_du)
    response = post_card(client, birth_date="31.02.1990", country="XXX", save="1")
    form = response.context["form"]
    assert {"birth_date", "country"} <= set(form.errors)
    focused = [name for name, field in form.fields.items() if field.widget.attrs.get("autofocus")]
    first_wrong = next(name for name in form.fields if name in form.errors)
    assert focused == [first_wrong]
    page = response.content.decode()
    assert "autofocus" in page.split(f'name="{first_wrong}"')[1].split(">")[0]
    assert "autofocus" not in page.split('name="card_number"')[1].split(">")[0]
