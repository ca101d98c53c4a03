"""The helpdesk and the public guide: each category links the articles that answer it, and an
entry-ban contact keeps the stay calculator's answer for the trips the caller gave."""

import datetime
import json

import pytest
from django.urls import reverse

from safar.core.models import AuditEvent
from safar.helpdesk.models import BanCheckResult, Caller, Category, Contact

NOW = datetime.datetime(2026, 11, 3, 6, 0, tzinfo=datetime.UTC)  # 11:00 in Dushanbe
URL = "/api/helpdesk/contacts"
FORM = {
    "msc": "MSC-DU",
    "channel": "phone",
    "received_at": "2026-11-03T10:15",
    "caller_phone": "93 123 4567",
    "caller_name": "Шерзод Назаров",
    "about": "self",
    "migrant_location": "TJK",
    "categories": ["entry_ban/check"],
    "outcome": "information",
}
# 1 March to 15 July 2026 is 137 days in a row: 47 beyond the 90 allowed, which brings a
# three-year ban from the day of leaving (114-FZ art. 27(1)(12)).
TRIPS = {"trip_entered": ["2025-10-01", "2026-03-01"], "trip_left": ["2025-11-20", "2026-07-15"]}
API_CALL = {
    "msc": "MSC-DU",
    "received_at": "2026-11-03T10:15:00+05:00",
    "channel": "phone",
    "call_type": "data",
    "caller": {"phone": "93 123 4567"},
    "categories": ["entry_ban/check"],
    "ban_check": {
        "trips": [
            {"entered": "2025-10-01", "left": "2025-11-20"},
            {"entered": "2026-03-01", "left": "2026-07-15"},
        ]
    },
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def post_api(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def nothing_stored():
    return Contact.objects.count() == Caller.objects.count() == BanCheckResult.objects.count() == 0


# --- categories and the guide ------------------------------------------------------------------


def test_the_migration_links_categories_to_the_guide_articles_that_answer_them(db):
    def slugs(code):
        return {a.slug for a in Category.objects.get(code=code).articles.all()}

    assert {"entry-bans", "check-and-appeal-a-ban"} <= slugs("entry_ban/check")
    assert "check-and-appeal-a-ban" in slugs("entry_ban/appeal")
    assert slugs("documents/patent") == {"work-patent"}
    assert slugs("documents/registration") == {"registration"}
    assert slugs("other/other") == set()


def test_the_contact_form_links_each_categorys_articles_in_a_new_tab(client, consultant_du):
    client.force_login(consultant_du)
    html = client.get(reverse("helpdesk:new")).content.decode()
    # Hidden until a category is ticked (the page's script shows the ones that answer it).
    assert 'id="category-guide"' in html
    link = html[html.index('data-categories="documents/patent') :]
    link = link[: link.index("</li>")]
    assert 'href="/guide/work-patent/"' in link
    assert 'target="_blank" rel="noopener"' in link
    assert "hidden" in link


def test_the_links_are_in_the_users_language_and_shown_for_the_categories_ticked(
    client, consultant_du
):
    client.force_login(consultant_du)
    client.cookies["django_language"] = "ru"
    # A form coming back with an error shows the links of the categories ticked.
    response = client.post(
        reverse("helpdesk:new"), {**FORM, "categories": ["documents/patent"], "caller_phone": "1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    item = html[html.index('data-categories="documents/patent') :]
    item = item[: item.index("</li>")]
    assert " hidden" not in item
    assert "Трудовой патент" in item  # the Russian title of the work-patent article
    registration = html[html.index('data-categories="documents/registration') :]
    assert " hidden" in registration[: registration.index(">")]
    guide = html[html.index('id="category-guide"') :]
    assert " hidden" not in guide[: guide.index(">")]
    # A category the guide does not answer shows no empty list.
    response = client.post(
        reverse("helpdesk:new"), {**FORM, "categories": ["other/other"], "caller_phone": "1"}
    )
    html = response.content.decode()
    guide = html[html.index('id="category-guide"') :]
    assert " hidden" in guide[: guide.index(">")]


def test_an_administrator_links_articles_to_a_category(client, db):
    from safar.guidance.models import Article
    from tests.conftest import make_user

    admin = make_user("admin", "DIR", "administrator")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    category = Category.objects.get(code="other/other")
    article = Article.objects.get(slug="rights-and-help")
    url = "/admin/helpdesk/category/other%2Fother/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="articles"' in page.content.decode()
    response = client.post(
        url,
        {
            "name_tg": category.name_tg,
            "name_ru": category.name_ru,
            "name_en": category.name_en,
            "position": category.position,
            "active": "on",
            "articles": [article.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(category.articles.all()) == [article]


# --- the stay calculation kept with a contact: the web form --------------------------------


def test_an_entry_ban_contact_keeps_the_calculators_answer_for_the_callers_trips(
    client, consultant_du
):
    client.force_login(consultant_du)
    response = client.post(reverse("helpdesk:new"), {**FORM, **TRIPS})
    assert response.status_code == 302
    check = BanCheckResult.objects.get()
    assert check.contact == Contact.objects.get()
    assert check.as_of == datetime.date(2026, 11, 3)  # the day of the call
    assert check.trips == [
        {"entered": "2025-10-01", "left": "2025-11-20"},
        {"entered": "2026-03-01", "left": "2026-07-15"},
    ]
    # 8 May (180 days before 3 November) to 15 July.
    assert check.days_in_window == 69
    assert check.overstay_days == 47
    assert check.verdict == BanCheckResult.Verdict.BANNED
    assert check.ban_possible
    assert check.ban_until == datetime.date(2029, 7, 15)
    assert check.answer["bans"][0]["basis"] == "114-FZ art. 27(1)(12)"
    # The audit says a calculation was kept, never the dates.
    event = AuditEvent.objects.get(action="create", object_type="helpdesk.contact")
    assert event.changes["ban_check"] is True
    assert "2026" not in json.dumps(event.changes)


def test_the_answer_is_shown_in_the_contact_list_and_the_callers_history(client, consultant_du):
    client.force_login(consultant_du)
    client.cookies["django_language"] = "en"
    client.post(reverse("helpdesk:new"), {**FORM, **TRIPS})
    listing = client.get(reverse("helpdesk:contacts")).content.decode()
    assert "69 days in Russia in the 180 days to" in listing
    assert "47 days beyond the lawful stay" in listing
    assert "entry ban possible until" in listing
    history = client.post(reverse("helpdesk:lookup"), {"phone": "931234567"}).json()
    assert "47 days beyond the lawful stay" in history["contacts"][0]["ban_check"]


def test_trips_with_errors_come_back_on_their_row_and_nothing_is_stored(client, consultant_du):
    client.force_login(consultant_du)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("helpdesk:new"),
        # The first row left empty; the second left before it entered.
        {**FORM, "trip_entered": ["", "2026-03-01"], "trip_left": ["", "2026-02-01"]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_trip_left_1-errors"' in html
    assert "This date is before the start date." in html
    assert 'value="2026-03-01"' in html
    assert nothing_stored()


def test_a_trip_after_the_day_of_the_check_is_refused(client, consultant_du):
    client.force_login(consultant_du)
    response = client.post(
        reverse("helpdesk:new"),
        {**FORM, "trip_entered": ["2026-10-01"], "trip_left": ["2026-12-01"]},
    )
    assert response.status_code == 400
    assert 'id="id_trip_left_0-errors"' in response.content.decode()
    assert nothing_stored()


def test_trips_typed_for_a_contact_that_is_not_about_a_ban_are_not_kept(client, consultant_du):
    client.force_login(consultant_du)
    response = client.post(
        reverse("helpdesk:new"), {**FORM, **TRIPS, "categories": ["documents/patent"]}
    )
    assert response.status_code == 302
    assert Contact.objects.count() == 1
    assert BanCheckResult.objects.count() == 0


def test_the_calculate_button_answers_without_storing(client, consultant_du):
    client.force_login(consultant_du)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("helpdesk:ban-check"), TRIPS)
    assert response.status_code == 200
    body = response.json()
    assert "47 days beyond the lawful stay" in body["summary"]
    assert "Entry ban to Russia" in body["explanation"]
    bad = client.post(
        reverse("helpdesk:ban-check"), {"trip_entered": ["2026-13-01"], "trip_left": [""]}
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == ["Trip 1, entered Russia: Enter a real date."]
    assert nothing_stored()
    assert client.get(reverse("helpdesk:ban-check")).status_code == 405


def test_the_calculate_button_is_for_those_who_log_contacts(client, coordinator):
    client.force_login(coordinator)
    assert client.post(reverse("helpdesk:ban-check"), TRIPS).status_code == 403


# --- the stay calculation through the API ------------------------------------------------------


def test_the_api_keeps_a_ban_check_with_the_contact_and_lists_it(client, consultant_du):
    client.force_login(consultant_du)
    response = post_api(client, API_CALL)
    assert response.status_code == 201, response.content
    answer = response.json()["ban_check"]
    assert answer == {
        "as_of": "2026-11-03",
        "trips": API_CALL["ban_check"]["trips"],
        "days_in_last_180": 69,
        "overstay_days": 47,
        "verdict": "banned",
        "ban_possible": True,
        "ban_until": "2029-07-15",
    }
    listed = client.get(URL).json()["contacts"][0]
    assert listed["ban_check"] == answer


def test_a_stay_still_going_on_is_judged_on_the_day_given(client, consultant_du):
    client.force_login(consultant_du)
    body = {
        **API_CALL,
        "ban_check": {"trips": [{"entered": "2026-09-01", "left": None}], "as_of": "2026-11-01"},
    }
    answer = post_api(client, body).json()["ban_check"]
    # 1 September to 1 November: 62 days, within the 90 in a row.
    assert answer["days_in_last_180"] == 62
    assert answer["overstay_days"] == 0
    assert answer["verdict"] == "within_limit"
    assert answer["ban_possible"] is False
    assert answer["ban_until"] is None


@pytest.mark.parametrize(
    ("ban_check", "field"),
    [
        ({"trips": [{"entered": "2026-13-01"}]}, "ban_check.trips[0].entered"),
        ({"trips": [{"entered": "03.01.2026"}]}, "ban_check.trips[0].entered"),
        ({"trips": [{"entered": "2026-03-01", "left": "2026-02-01"}]}, "ban_check.trips[0].left"),
        (
            {"trips": [{"entered": "2026-01-01", "left": None}, {"entered": "2026-05-01"}]},
            "ban_check.trips[0].left",
        ),
        (
            {
                "trips": [
                    {"entered": "2026-01-01", "left": "2026-03-01"},
                    {"entered": "2026-02-01", "left": "2026-04-01"},
                ]
            },
            "ban_check.trips[1].entered",
        ),
        (
            {"trips": [{"entered": "1900-01-01", "left": "1900-02-01"}]},
            "ban_check.trips[0].entered",
        ),
        (
            {"trips": [{"entered": "2026-03-01"}], "as_of": "2026-02-01"},
            "ban_check.trips[0].entered",
        ),
        ({"trips": [{"entered": "2026-03-01"}], "as_of": "2031-01-01"}, "ban_check.as_of"),
        ({"trips": []}, "ban_check.trips"),
        ({"trips": [{"entered": "2026-01-01", "left": "2026-01-02"}] * 201}, "ban_check.trips"),
    ],
)
def test_bad_trips_get_field_errors_and_nothing_is_stored(client, consultant_du, ban_check, field):
    client.force_login(consultant_du)
    response = post_api(client, {**API_CALL, "ban_check": ban_check})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"], error
    assert nothing_stored()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_a_non_data_call_ignores_a_ban_check(client, consultant_du):
    client.force_login(consultant_du)
    body = {**API_CALL, "call_type": "silent"}
    assert post_api(client, body).status_code == 201
    assert BanCheckResult.objects.count() == 0


def test_the_openapi_document_describes_the_ban_check(client, consultant_du):
    schema = client.get("/api/openapi.json").json()
    ban_check = schema["components"]["schemas"]["BanCheckIn"]
    assert ban_check["properties"]["trips"]["maxItems"] == 200
