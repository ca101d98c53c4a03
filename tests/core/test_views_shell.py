"""The site shell: a home page per role, navigation by role, languages, error pages, admin."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

from safar.core.models import AuditEvent, Country, Role


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher takes about a second per user on this machine; these tests do not
    # test hashing (tests/core/test_auth.py does, with the real hasher).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def nav_keys(response) -> set[str]:
    return {link["key"] for link in response.context["safar_nav"]}


def test_operator_home_offers_entry_search_and_recent_cards(client, operator_du):
    client.force_login(operator_du)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert {"home", "enter", "search"} <= nav_keys(response)
    assert not {"reports", "admin"} & nav_keys(response)
    assert reverse("crossings:enter") in response.content.decode()
    assert "recent" in response.context


def test_analyst_home_offers_reports_and_search_but_no_entry(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("home"))
    assert "enter" not in nav_keys(response)
    assert "search" in nav_keys(response)
    assert "recent" not in response.context


def test_administrator_home_links_the_administration(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("home"))
    assert {"home", "enter", "search", "admin"} <= nav_keys(response)
    assert reverse("admin:core_auditevent_changelist") in response.content.decode()


def test_user_without_a_role_sees_only_home_and_is_told_to_ask_for_one(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert nav_keys(response) == {"home"}
    assert "No role yet" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "label"),
    [("tg", "Ворид кардани корт"), ("ru", "Ввести карту"), ("en", "Enter a card")],
)
def test_the_interface_speaks_the_chosen_language(client, operator_du, language, label):
    client.force_login(operator_du)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert label in html


def test_tajik_is_the_default_language(client, operator_du):
    client.force_login(operator_du)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="")
    assert '<html lang="tg">' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("tg", "5 март 2024"), ("ru", "5 марта 2024 г."), ("en", "5 March 2024")],
)
def test_dates_are_written_the_local_way(language, expected):
    from django.utils.formats import date_format

    with translation.override(language):
        assert date_format(datetime.date(2024, 3, 5), "DATE_FORMAT") == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("tg", "1\xa0234\xa0567"), ("ru", "1\xa0234\xa0567"), ("en", "1,234,567")],
)
def test_numbers_are_grouped_the_local_way(language, expected):
    from django.utils.formats import number_format

    with translation.override(language):
        assert number_format(1234567, force_grouping=True) == expected


@pytest.mark.parametrize(
    ("language", "title"),
    [("tg", "Саҳифа ёфт нашуд"), ("ru", "Страница не найдена"), ("en", "Page not found")],
)
def test_not_found_page_in_three_languages(client, operator_du, language, title):
    client.force_login(operator_du)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert title in response.content.decode()


@pytest.mark.parametrize(
    ("language", "title"),
    [("tg", "Дастрасӣ манъ аст"), ("ru", "Доступ запрещён"), ("en", "Access denied")],
)
def test_forbidden_page_in_three_languages(client, outsider, language, title):
    client.force_login(outsider)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(reverse("crossings:search"))
    assert response.status_code == 403
    assert title in response.content.decode()


@pytest.mark.parametrize(
    ("language", "title"),
    [("tg", "Хатои сервер"), ("ru", "Ошибка сервера"), ("en", "Server error")],
)
def test_server_error_page_in_three_languages(language, title):
    request = RequestFactory().get("/")
    with translation.override(language):
        response = defaults.server_error(request)
    assert response.status_code == 500
    assert title in response.content.decode()


# -- administration -----------------------------------------------------------------------------


@pytest.fixture
def staff_administrator(administrator):
    administrator.is_staff = True
    administrator.save()
    return administrator


def test_administrator_group_may_edit_reference_data_in_the_admin(client, staff_administrator):
    client.force_login(staff_administrator)
    url = reverse("admin:core_country_change", args=["RUS"])
    assert client.get(url).status_code == 200
    country = Country.objects.get(code="RUS")
    data = {
        "code": "RUS",
        "alpha2": "RU",
        "name_tg": country.name_tg,
        "name_ru": country.name_ru,
        "name_en": "Russia",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert Country.objects.get(code="RUS").name_en == "Russia"


def test_audit_log_is_readable_but_not_editable_by_administrators(
    client, staff_administrator, analyst
):
    event = AuditEvent.record(
        user=analyst,
        action=AuditEvent.Action.SEARCH,
        object_type="crossings.crossing",
        query={"q": "x"},
    )
    client.force_login(staff_administrator)
    changelist = reverse("admin:core_auditevent_changelist")
    assert (
        client.get(
            changelist, {"user__id__exact": analyst.pk, "action__exact": "search"}
        ).status_code
        == 200
    )
    change = reverse("admin:core_auditevent_change", args=[event.pk])
    assert client.get(change).status_code == 200  # view only
    client.post(change, {"action": "delete"})
    assert (
        client.post(
            reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk, action="search").exists()


def test_giving_the_administrator_role_in_the_admin_makes_the_user_staff(
    client, staff_administrator, operator_du
):
    client.force_login(staff_administrator)
    url = reverse("admin:core_user_change", args=[operator_du.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "is_superuser" not in page.context["adminform"].form.fields
    data = {
        "username": operator_du.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [Group.objects.get(name=Role.ADMINISTRATOR).pk],
        "office": operator_du.office_id,
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    operator_du.refresh_from_db()
    assert operator_du.is_staff and not operator_du.is_superuser


def test_analysts_do_not_get_into_the_admin(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("admin:core_country_changelist"))
    assert response.status_code == 403  # access denied, not a second login page


@pytest.mark.parametrize("language", ["tg", "ru"])
def test_audit_tables_name_what_an_event_is_about_in_the_pages_language(
    client, staff_administrator, language
):
    from safar.crossings.models import Crossing

    AuditEvent.record(user=staff_administrator, action="view", object_type="crossings.crossing")
    AuditEvent.record(user=staff_administrator, action="export", object_type="report")
    client.force_login(staff_administrator)
    with translation.override(language):
        crossing, report = str(Crossing._meta.verbose_name), str(_("report"))
    pages = [
        client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=language),
        client.get(
            reverse("admin:core_auditevent_changelist"),
            {"object_type": "crossings.crossing"},
            HTTP_ACCEPT_LANGUAGE=language,
        ),
    ]
    for page in pages:
        html = page.content.decode()
        assert crossing in html and ">crossings.crossing<" not in html
    assert report in pages[0].content.decode()
    assert "crossings.crossing" not in pages[0].content.decode()
    assert list(pages[1].context["cl"].result_list.values_list("object_type", flat=True)) == [
        "crossings.crossing"
    ]


def test_an_unknown_object_type_is_shown_as_stored():
    assert AuditEvent.object_type_label("legacy.thing") == "legacy.thing"
    assert AuditEvent.object_type_label("") == ""
