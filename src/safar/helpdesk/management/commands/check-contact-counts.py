"""`safar check-contact-counts [--rebuild]`: do the kept contact counts (the dashboard's) equal a
recount of the contacts?"""

import sys

from django.core.management.base import BaseCommand

from safar.helpdesk.contact_counts import compare_with_recount, rebuild

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Compare the kept contact counts with a recount of the contacts; exit status 1 and the "
        "differences when they differ. --rebuild rewrites them from the contacts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rewrite the counts")

    def handle(self, *args, **options):
        if options["rebuild"]:
            kept = rebuild()
            self.stdout.write(f"{kept:,} contact counts rewritten from the contacts")
            return
        differences = compare_with_recount()
        if not differences:
            self.stdout.write("all contact counts equal a recount")
            return
        self.stdout.write(
            f"{len(differences):,} contact counts differ from a recount "
            "(msc month data group: kept → recounted):"
        )
        for msc, month, data, group, kept, fresh in differences[:SHOWN]:
            self.stdout.write(
                f"  {msc} {month:%Y-%m} {'data' if data else 'non-data'} {group or '*'}: "
                f"{kept} → {fresh}"
            )
        if len(differences) > SHOWN:
            self.stdout.write(f"  … and {len(differences) - SHOWN:,} more")
        self.stdout.write("run `safar check-contact-counts --rebuild` to repair them")
        sys.exit(1)
