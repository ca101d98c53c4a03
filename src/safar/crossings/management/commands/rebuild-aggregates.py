"""`safar rebuild-aggregates`: recompute every report cell from the crossings."""

import time

from django.core.management.base import BaseCommand

from safar.crossings.aggregates import rebuild_all


class Command(BaseCommand):
    help = (
        "Recompute the report cells (all cubes but capture) from the crossings, in one transaction."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        cells = rebuild_all()
        self.stdout.write(f"{cells:,} cells rebuilt in {time.monotonic() - started:.1f} s")
