"""`safar check-aggregates`: do the maintained report cells equal a fresh recomputation?"""

import sys

from django.core.management.base import BaseCommand

from safar.crossings.aggregates import compare_with_rebuild

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Compare the maintained report cells with a recomputation from the crossings; "
        "exit status 1 and the differences when they differ."
    )

    def handle(self, *args, **options):
        differences = compare_with_rebuild()
        if not differences:
            self.stdout.write("all cells equal a recomputation")
            return
        self.stdout.write(
            f"{len(differences):,} cells differ from a recomputation "
            "(cube grain period border_point sex country key key2: maintained → "
            "recomputed):"
        )
        for *ident, maintained, recomputed in differences[:SHOWN]:
            self.stdout.write(
                "  " + " ".join(str(v) or "-" for v in ident) + f": {maintained} → {recomputed}"
            )
        if len(differences) > SHOWN:
            self.stdout.write(f"  … and {len(differences) - SHOWN:,} more")
        self.stdout.write("run `safar rebuild-aggregates` to repair them")
        sys.exit(1)
