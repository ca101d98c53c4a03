"""Migration 0003: stored card numbers brought to their one spelling before the database checks
it; what cannot be repaired without a person stops the migration with the records named."""

import datetime
import importlib
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import connection

from safar.core.models import AuditEvent
from safar.crossings.models import Crossing
from safar.crossings.services import create_crossing

migration = importlib.import_module("safar.crossings.migrations.0003_normalise_card_numbers")


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC), tick=False)


@contextmanager
def card_number_check_off():
    """Rows as they were before 0004 (the test's transaction restores the check)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = 1")
            try:
                yield
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = 0")
        else:
            cursor.execute(
                "ALTER TABLE crossings_crossing DROP CONSTRAINT crossing_card_number_normalised"
            )
            yield


def stored_as(spellings: list[str]) -> list[int]:
    ids = []
    for i, spelling in enumerate(spellings):
        crossing = create_crossing(
            user=None,
            data={
                "card_number": f"TMP{i}",
                "direction": "exit",
                "crossed_on": datetime.date(2025, 4, 1),
                "border_point": "DYU",
                "citizenship": "TJK",
                "passport_number": f"40012345{i}",
                "birth_date": datetime.date(1992, 5, 5),
                "sex": "M",
                "purpose": "work",
                "country": "RUS",
            },
        )
        Crossing.objects.filter(pk=crossing.pk).update(card_number=spelling)
        ids.append(crossing.pk)
    return ids


@pytest.mark.django_db
def test_the_migration_stores_each_card_number_in_its_one_spelling_and_audits_the_rewrite():
    with card_number_check_off():
        first, second, third = stored_as(["im0000001", "IM-0000002", "IM0000003"])
        migration.normalise_card_numbers(apps, None)
    numbers = dict(Crossing.objects.values_list("pk", "card_number"))
    assert numbers == {first: "IM0000001", second: "IM0000002", third: "IM0000003"}
    rewrites = AuditEvent.objects.filter(action="update", object_type="crossings.crossing")
    assert sorted(event.changes["card_number"] for event in rewrites) == [
        ["IM-0000002", "IM0000002"],
        ["im0000001", "IM0000001"],
    ]


@pytest.mark.django_db
def test_the_migration_refuses_two_cards_that_become_one_number_and_changes_nothing():
    with card_number_check_off():
        first, second, dashes = stored_as(["im0000001", "IM0000001", "---"])
        with pytest.raises(RuntimeError) as refused:
            migration.normalise_card_numbers(apps, None)
        numbers = dict(Crossing.objects.values_list("pk", "card_number"))
    message = str(refused.value)
    assert f"records #{first} and #{second}" in message and "IM0000001" in message
    assert f"record #{dashes}" in message and "no letter or digit" in message
    assert numbers == {first: "im0000001", second: "IM0000001", dashes: "---"}
