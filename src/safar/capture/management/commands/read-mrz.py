"""`safar read-mrz FILE… [--format jsonl|json]`: read passports' machine-readable zones.

One JSON object per file, in the order given. A file without an MRZ is a result (valid false,
format null, an "error"); only files that cannot be opened or decoded make the exit code non-zero.
Nothing personal is logged: the output goes to stdout only.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safar.reading.mrz import UnreadableImage, read_mrz


class Command(BaseCommand):
    help = "Read the MRZ of passports, ID cards and visas (ICAO 9303 TD1, TD2, TD3, MRV-A, MRV-B)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="PNG, JPEG, TIFF … images")
        parser.add_argument(
            "--format",
            choices=["jsonl", "json"],
            default="jsonl",
            help="jsonl: one object per line (default); json: one list",
        )

    def handle(self, *args, files, format, **options):
        results, unreadable = [], []
        for path in files:
            try:
                result = read_mrz(path, today=timezone.localdate()).as_dict()
            except UnreadableImage as exc:
                unreadable.append(path)
                result = {
                    "file": path,
                    "format": None,
                    "lines": [],
                    "valid": False,
                    "fields": {},
                    "checks": {},
                    "error": f"unreadable: {exc}",
                }
            else:
                result = {"file": path, **result}
            if format == "jsonl":
                self.stdout.write(json.dumps(result, ensure_ascii=False))
            results.append(result)
        if format == "json":
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} file(s) could not be read: {', '.join(unreadable)}"
            )
