"""Writing one card: traveller identity, audit with old and new values, nothing half-done."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from safar.core.models import AuditEvent
from safar.crossings.aggregates import compare_with_rebuild
from safar.crossings.models import Cell, Crossing, Traveller
from safar.crossings.services import create_crossing, delete_crossing, update_crossing


def card(number="C0001", **values):
    data = {
        "card_number": number,
        "direction": "exit",
        "crossed_on": date(2025, 4, 1),
        "border_point": "DYU",
        "citizenship": "TJK",
        "passport_number": "400123456",
        "birth_date": date(1992, 5, 5),
        "sex": "M",
        "surname": "Safarov",
        "given_names": "Umed",
        "purpose": "work",
        "country": "RUS",
        "region": "TJ-KT",
        "district": None,
        "source": "form",
    }
    data.update(values)
    return data


@pytest.mark.django_db
def test_creating_a_card_records_who_and_every_value(operator_du):
    crossing = create_crossing(user=operator_du, data=card())
    event = AuditEvent.objects.get(action="create")
    assert event.user == operator_du
    assert event.object_id == str(crossing.pk)
    assert event.changes["crossed_on"] == [None, "2025-04-01"]
    assert event.changes["passport_number"] == [None, "400123456"]
    assert crossing.created_by == operator_du and crossing.source == "form"


@pytest.mark.django_db
def test_the_same_passport_and_birth_date_is_the_same_traveller(operator_du):
    first = create_crossing(user=operator_du, data=card("C1"))
    again = create_crossing(
        user=operator_du, data=card("C2", passport_number=" 400 123456 ", direction="entry")
    )
    other = create_crossing(user=operator_du, data=card("C3", birth_date=date(1993, 5, 5)))
    assert again.traveller == first.traveller
    assert other.traveller != first.traveller
    assert Traveller.objects.count() == 2


@pytest.mark.django_db
def test_a_correction_records_old_and_new_values_of_changed_fields_only(operator_du):
    crossing = create_crossing(user=operator_du, data=card())
    update_crossing(
        user=operator_du, crossing=crossing, data={"crossed_on": date(2025, 4, 2), "country": "KAZ"}
    )
    event = AuditEvent.objects.get(action="update")
    assert event.changes == {"crossed_on": ["2025-04-01", "2025-04-02"], "country": ["RUS", "KAZ"]}
    update_crossing(user=operator_du, crossing=crossing, data={"country": "KAZ"})
    assert AuditEvent.objects.filter(action="update").count() == 1


@pytest.mark.django_db
def test_correcting_the_identity_moves_the_card_and_drops_the_empty_traveller(operator_du):
    crossing = create_crossing(user=operator_du, data=card())
    old_traveller = crossing.traveller_id
    moved = update_crossing(
        user=operator_du, crossing=crossing, data={"passport_number": "400999999"}
    )
    assert moved.traveller.passport_number == "400999999"
    assert not Traveller.objects.filter(pk=old_traveller).exists()
    assert compare_with_rebuild() == []


@pytest.mark.django_db
def test_deleting_keeps_every_old_value_in_the_audit_trail(operator_du):
    crossing = create_crossing(user=operator_du, data=card())
    pk = crossing.pk
    delete_crossing(user=operator_du, crossing=crossing)
    event = AuditEvent.objects.get(action="delete")
    assert event.object_id == str(pk)
    assert event.changes["card_number"] == ["C0001", None]
    assert event.changes["surname"] == ["Safarov", None]
    assert not Crossing.objects.exists() and not Traveller.objects.exists()
    assert not Cell.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [{"border_point": "XXX"}, {"sex": "X"}, {"country": "ZZZ"}, {"passport_number": "P" * 30}],
)
def test_an_invalid_card_stores_nothing(operator_du, bad):
    with pytest.raises(ValidationError):
        create_crossing(user=operator_du, data=card(**bad))
    assert not Crossing.objects.exists()
    assert not Traveller.objects.exists()
    assert not Cell.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


@pytest.mark.django_db
def test_a_card_number_is_stored_once(operator_du):
    create_crossing(user=operator_du, data=card("C7"))
    with pytest.raises(ValidationError) as refused:
        create_crossing(user=operator_du, data=card("C7", direction="entry"))
    assert "card_number" in refused.value.message_dict
    assert Crossing.objects.count() == 1
    assert compare_with_rebuild() == []


@pytest.mark.django_db
def test_the_neighbours_are_found_in_date_then_recording_order(operator_du):
    a = create_crossing(user=operator_du, data=card("A", crossed_on=date(2025, 1, 1)))
    c = create_crossing(
        user=operator_du, data=card("C", direction="entry", crossed_on=date(2025, 1, 9))
    )
    b = create_crossing(
        user=operator_du, data=card("B", direction="entry", crossed_on=date(2025, 1, 9))
    )
    assert a.previous_crossing() is None and a.next_crossing() == c
    assert c.next_crossing() == b and b.previous_crossing() == c and b.next_crossing() is None


@pytest.mark.django_db
def test_a_correction_based_on_an_older_version_is_refused_with_the_changes_since(operator_du):
    from safar.crossings.services import StaleCrossing

    crossing = create_crossing(user=operator_du, data=card())
    update_crossing(user=operator_du, crossing=crossing, data={"country": "KAZ"}, based_on=1)
    update_crossing(user=operator_du, crossing=crossing, data={"sex": "F"}, based_on=2)
    with pytest.raises(StaleCrossing) as stale:
        update_crossing(user=operator_du, crossing=crossing, data={"purpose": "study"}, based_on=1)
    assert stale.value.version == 3
    assert stale.value.changes == {"country": ["RUS", "KAZ"], "sex": ["M", "F"]}
    assert Crossing.objects.get(pk=crossing.pk).purpose_id == "work"
    assert AuditEvent.objects.filter(action="update").count() == 2


@pytest.mark.django_db
def test_an_unchanged_correction_keeps_the_version_and_the_time_of_the_last_change(operator_du):
    crossing = create_crossing(user=operator_du, data=card())
    before = Crossing.objects.get(pk=crossing.pk)
    update_crossing(user=operator_du, crossing=crossing, data=card(surname=" SAFAROV "), based_on=1)
    after = Crossing.objects.get(pk=crossing.pk)
    assert (after.version, after.updated_at, after.surname) == (1, before.updated_at, "Safarov")
    assert not AuditEvent.objects.filter(action="update").exists()
