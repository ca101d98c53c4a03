"""Filling the stay calculator from a client's crossings in the registry: only with the client's
recorded consent and helpdesk.look_up_crossings, audited with its purpose, counts only kept."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from safar.core.models import AuditEvent
from safar.crossings import services
from safar.helpdesk.crossings_lookup import PURPOSE, look_up_crossings
from safar.helpdesk.models import CaseEvent, CasePerson
from safar.helpdesk.staycheck import trips_from_crossings
from tests.conftest import make_user

NOW = datetime.datetime(2026, 11, 22, 7, 0, tzinfo=datetime.UTC)
PASSPORT = "400100200"
BORN = datetime.date(1991, 4, 5)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def cross(operator, card, direction, day, country, *, passport=PASSPORT, born=BORN):
    return services.create_crossing(
        user=operator,
        data={
            "card_number": card,
            "direction": direction,
            "crossed_on": day,
            "border_point": "DYU",
            "citizenship": "TJK",
            "passport_number": passport,
            "birth_date": born,
            "sex": "M",
            "surname": "KARIMOV",
            "given_names": "ALI",
            "purpose": "work",
            "country": country,
            "region": "TJ-DU",
        },
    )


@pytest.fixture
def registry(db):
    """The client's crossings: to Russia and back (spring 2025), to Kazakhstan and back, and to
    Russia again on 1 June 2026 with no return yet; and one trip of another man whose passport
    has the same number."""
    operator = make_user("operator-du", "ICC-DU", "operator")
    d = datetime.date
    cross(operator, "AA0000001", "exit", d(2025, 3, 1), "RUS")
    cross(operator, "AA0000002", "entry", d(2025, 5, 20), "RUS")
    cross(operator, "AA0000003", "exit", d(2025, 7, 1), "KAZ")
    cross(operator, "AA0000004", "entry", d(2025, 7, 20), "KAZ")
    cross(operator, "AA0000005", "exit", d(2026, 6, 1), "RUS")
    other = d(1985, 1, 1)
    cross(operator, "AA0000006", "exit", d(2026, 1, 10), "RUS", born=other)
    cross(operator, "AA0000007", "entry", d(2026, 2, 10), "RUS", born=other)


@pytest.fixture
def migrant(case_du):
    return CasePerson.objects.create(
        case=case_du,
        relation=CasePerson.Relation.MIGRANT,
        name="Али Каримов",
        passport="4001 00200",
        birth_date=BORN,
    )


def url(case):
    return reverse("helpdesk:case-crossings", args=[case.pk])


def lookups():
    return AuditEvent.objects.filter(action="search", object_type="crossings.crossing")


def test_without_the_clients_consent_the_lookup_is_refused_and_the_registry_not_read(
    client, consultant_du, case_du, migrant, registry
):
    client.force_login(consultant_du)
    client.cookies["django_language"] = "en"
    response = client.post(url(case_du))
    assert response.status_code == 403
    assert "record their consent" in response.content.decode()
    case_du.refresh_from_db()
    assert case_du.crossings_consent_at is None
    assert not lookups().exists()
    assert not CaseEvent.objects.filter(case=case_du).exists()


def test_without_the_permission_the_lookup_is_refused_even_with_consent(
    client, consultant_du, case_du, migrant, registry
):
    Group.objects.get(name="consultant").permissions.remove(
        Permission.objects.get(codename="look_up_crossings")
    )
    client.force_login(consultant_du)
    assert client.post(url(case_du), {"consent": "yes"}).status_code == 403
    case_du.refresh_from_db()
    assert case_du.crossings_consent_at is None
    assert not lookups().exists()


def test_the_coordinator_and_another_msc_cannot_look_up(
    client, coordinator, consultant_kh, case_du, migrant, registry
):
    client.force_login(coordinator)
    assert client.post(url(case_du), {"consent": "yes"}).status_code == 403
    client.force_login(consultant_kh)
    assert client.post(url(case_du), {"consent": "yes"}).status_code == 404
    assert not lookups().exists()


def test_with_consent_the_clients_trips_to_russia_fill_the_calculator(
    client, consultant_du, case_du, migrant, registry
):
    client.force_login(consultant_du)
    client.cookies["django_language"] = "en"
    response = client.post(url(case_du), {"consent": "yes"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "5 crossings found in the registry." in html
    assert "2 trips to Russia." in html
    # Still in Russia since 1 June: 175 days, 85 beyond the 90 in a row.
    assert "85 days beyond the lawful stay" in html
    assert "not yet" in html
    case_du.refresh_from_db()
    assert case_du.crossings_consent_by == consultant_du
    assert case_du.crossings_consent_at == NOW
    events = list(CaseEvent.objects.filter(case=case_du).values_list("kind", "comment"))
    assert events == [
        (CaseEvent.Kind.CONSENT, ""),
        (CaseEvent.Kind.CROSSINGS, "crossings: 5; trips to Russia: 2"),
    ]
    event = lookups().get()
    assert event.user == consultant_du
    assert event.query == {
        "purpose": PURPOSE,
        "case": case_du.pk,
        "by": "passport and date of birth",
        "found": 5,
    }
    assert PASSPORT not in str(event.query)


def test_the_trips_are_each_exit_to_russia_and_the_entry_after_it(
    consultant_du, case_du, migrant, registry
):
    case_du.crossings_consent_at = NOW
    case_du.save()
    lookup = look_up_crossings(case=case_du, user=consultant_du, today=datetime.date(2026, 11, 22))
    assert lookup.trips == [
        {"entered": "2025-03-01", "left": "2025-05-20"},
        {"entered": "2026-06-01", "left": None},
    ]
    assert lookup.unpaired == 0
    outcome = lookup.outcome
    assert [(s.days, s.overstay_days) for s in outcome.result.stays] == [(81, 0), (175, 85)]
    assert outcome.verdict == "ban_on_leaving"
    # Leaving today brings the three-year ban.
    assert outcome.ban_until == datetime.date(2029, 11, 22)


def test_consent_is_recorded_once_and_a_second_lookup_needs_no_new_tick(
    client, consultant_du, case_du, migrant, registry
):
    client.force_login(consultant_du)
    client.post(url(case_du), {"consent": "yes"})
    assert client.post(url(case_du)).status_code == 200
    assert CaseEvent.objects.filter(case=case_du, kind=CaseEvent.Kind.CONSENT).count() == 1
    assert lookups().count() == 2


def test_a_passport_number_held_by_two_people_needs_the_date_of_birth(
    client, consultant_du, case_du, migrant, registry
):
    migrant.birth_date = None
    migrant.save()
    client.force_login(consultant_du)
    client.cookies["django_language"] = "en"
    response = client.post(url(case_du), {"consent": "yes"})
    assert response.status_code == 400
    assert "record the client&#x27;s date of birth" in response.content.decode()
    # The registry was read: the lookup is in the audit trail, but no trips are shown.
    assert lookups().get().query["by"] == "passport"
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.CROSSINGS).exists()


def test_a_case_without_a_migrants_passport_says_what_to_record(
    client, consultant_du, case_du, registry
):
    client.force_login(consultant_du)
    client.cookies["django_language"] = "en"
    response = client.post(url(case_du), {"consent": "yes"})
    assert response.status_code == 400
    assert "passport number in the case first" in response.content.decode()


def test_the_lookup_is_post_only(client, consultant_du, case_du):
    client.force_login(consultant_du)
    assert client.get(url(case_du)).status_code == 405


def test_an_exit_to_russia_without_a_return_before_the_next_exit_is_left_out():
    def row(direction, day, country):
        return SimpleNamespace(
            direction=direction, crossed_on=datetime.date.fromisoformat(day), country_id=country
        )

    trips, unpaired = trips_from_crossings(
        [
            row("exit", "2024-01-10", "RUS"),
            row("exit", "2024-05-01", "RUS"),  # the return from January's trip is missing
            row("entry", "2024-06-01", "RUS"),
            row("entry", "2024-07-01", "UZB"),  # an entry after no exit: nothing to pair
            row("exit", "2024-08-01", "TUR"),
            row("entry", "2024-08-15", "TUR"),
        ]
    )
    assert trips == [{"entered": "2024-05-01", "left": "2024-06-01"}]
    assert unpaired == 1
