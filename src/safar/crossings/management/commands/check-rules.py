"""`safar check-rules`: stored crossings that break a rule the database cannot check."""

import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from safar.crossings import rules
from safar.crossings.models import RULES_OUTSIDE_THE_DATABASE, Crossing

SHOWN = 20


class Command(BaseCommand):
    help = (
        "List stored crossings (by record id) that break one of the registry's rules the "
        "database cannot check; exit status 1 when there are any."
    )

    def handle(self, *args, **options):
        today, earliest = timezone.localdate(), rules.earliest_crossing()
        broken = 0
        for rule, description in RULES_OUTSIDE_THE_DATABASE.items():
            ids = list(
                Crossing.objects.breaking(rule, today=today, earliest=earliest)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not ids:
                continue
            broken += len(ids)
            # Record ids only: no names, passport numbers or dates of birth on a terminal.
            shown = ", ".join(f"#{pk}" for pk in ids[:SHOWN])
            more = f" and {len(ids) - SHOWN:,} more" if len(ids) > SHOWN else ""
            self.stdout.write(f"{description}: {len(ids):,} crossings ({shown}{more})")
        if not broken:
            self.stdout.write("every stored crossing keeps the registry's rules")
            return
        self.stdout.write("correct them on each record's page (Correct) or delete them")
        sys.exit(1)
