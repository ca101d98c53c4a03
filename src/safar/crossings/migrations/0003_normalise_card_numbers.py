"""Existing rows brought to the rules before the database enforces them (0004).

Card numbers are rewritten in their stored spelling (upper case, no spaces or dashes), each
rewrite recorded as a correction in the audit trail. What cannot be repaired without a person
deciding stops the migration, nothing changed, with a message naming the records: two cards
that become one number (`im0000001` and `IM0000001`), a number with no letter or digit, a date
of crossing or of birth before 1900-01-01.
"""

import re
from datetime import date

from django.db import migrations

SEPARATORS = re.compile(r"[\s\-]+")
FLOOR = date(1900, 1, 1)
SHOWN = 20


def _listed(items) -> str:
    items = list(items)
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(str(item) for item in items[:SHOWN]) + more


def normalise_card_numbers(apps, schema_editor):
    Crossing = apps.get_model("crossings", "Crossing")
    Traveller = apps.get_model("crossings", "Traveller")
    AuditEvent = apps.get_model("core", "AuditEvent")
    problems = []
    early = Crossing.objects.filter(crossed_on__lt=FLOOR).values_list("pk", flat=True)
    if early:
        problems.append(f"crossings dated before {FLOOR} (record ids): {_listed(early)}")
    born = Traveller.objects.filter(birth_date__lt=FLOOR).values_list("pk", flat=True)
    if born:
        problems.append(f"travellers born before {FLOOR} (traveller ids): {_listed(born)}")
    # Every number is read once (a million rows take seconds); only the changed ones are written.
    renamed: dict[int, tuple[str, str]] = {}
    taken: dict[str, int] = {}
    for pk, number in Crossing.objects.order_by("pk").values_list("pk", "card_number").iterator():
        normal = SEPARATORS.sub("", number).upper()
        if not normal:
            problems.append(f"record #{pk}: card number {number!r} has no letter or digit")
            continue
        if normal in taken:
            problems.append(
                f"records #{taken[normal]} and #{pk}: card numbers that are one number, {normal}"
            )
            continue
        taken[normal] = pk
        if normal != number:
            renamed[pk] = (number, normal)
    if problems:
        raise RuntimeError(
            "Cannot enforce the registry's rules on the stored crossings; nothing was changed. "
            "Correct or delete these records (safar shell, or the admin) and migrate again:\n  "
            + "\n  ".join(problems[:SHOWN])
            + (f"\n  … and {len(problems) - SHOWN} more" if len(problems) > SHOWN else "")
        )
    for pk, (number, normal) in renamed.items():
        Crossing.objects.filter(pk=pk).update(card_number=normal)
        AuditEvent.objects.create(
            action="update",
            object_type="crossings.crossing",
            object_id=str(pk),
            changes={"card_number": [number, normal]},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_administrator_permissions"),
        ("crossings", "0002_foreign_keys_without_own_index"),
    ]

    operations = [migrations.RunPython(normalise_card_numbers, migrations.RunPython.noop)]
