"""`safar intake stats [--json]`: what central intake has received (see safar.stations.stats)."""

import json

from django.core.management.base import BaseCommand

from safar.stations.stats import intake_stats


class Command(BaseCommand):
    help = "Intake figures: files received per station, not yet read, refused."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        stats = commands.add_parser("stats", help="files received, per station, pending, refused")
        stats.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, action, **options):
        stats = intake_stats()
        if options["json"]:
            self.stdout.write(json.dumps(stats, ensure_ascii=False, sort_keys=True))
            return
        self.stdout.write(
            f"files received {stats['scans']}, today {stats['today']}, "
            f"not yet read {stats['pending']}, could not be opened {stats['failed']}, "
            f"refused {stats['refused']}"
        )
        for name, count in stats["by_station"].items():
            self.stdout.write(f"  {name:<16} {count}")
        if stats["pages"]:
            self.stdout.write("pages: " + ", ".join(f"{k} {v}" for k, v in stats["pages"].items()))
