"""`safar dhis2 export --month 2026-11 [--msc CODE …] --format json|adx --out FILE` and
`safar dhis2 push --month 2026-11 --url URL [--msc CODE …] [--dry-run]`: the accepted monthly
reports as DHIS2 aggregate data (see safar.monitoring.dhis2).

The push reads its credentials from the environment, never the command line (which the process
list and shell history show): DHIS2_TOKEN (a personal access token), or DHIS2_USERNAME and
DHIS2_PASSWORD.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safar.monitoring.dhis2 import (
    Dhis2Client,
    Dhis2Error,
    as_adx,
    as_json_payload,
    build_sets,
    push,
)
from safar.monitoring.figures import Month


class Command(BaseCommand):
    help = "Export the accepted monthly reports for DHIS2 (JSON or ADX), or send them to DHIS2."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        for name, help_text in (
            ("export", "write the accepted reports of a month as dataValueSets JSON or ADX"),
            ("push", "send the accepted reports of a month to a DHIS2 server"),
        ):
            sub = actions.add_parser(name, help=help_text)
            sub.add_argument("--month", required=True, metavar="YYYY-MM")
            sub.add_argument(
                "--msc",
                action="append",
                default=[],
                metavar="CODE",
                help="only this MSC (repeat for several)",
            )
            sub.add_argument(
                "--data-set",
                dest="data_set",
                metavar="CODE",
                help="the DHIS2 data set (needed when several are set up)",
            )
            if name == "export":
                sub.add_argument("--format", default="json", choices=("json", "adx"))
                sub.add_argument("--out", type=Path, required=True, help="the file to write")
            else:
                sub.add_argument(
                    "--url", required=True, help="the DHIS2 server, e.g. https://dhis2.example.org"
                )
                sub.add_argument(
                    "--dry-run",
                    dest="dry_run",
                    action="store_true",
                    help="only ask DHIS2 what it would import",
                )

    def handle(self, *args, **options):
        try:
            month = Month.parse(options["month"])
        except ValueError:
            raise CommandError("--month: give a month as YYYY-MM") from None
        try:
            sets = build_sets(month, msc_codes=options["msc"], data_set=options["data_set"])
            if options["action"] == "export":
                self.export(sets, options)
            else:
                self.push(sets, options)
        except Dhis2Error as exc:
            raise CommandError(str(exc)) from None

    def export(self, sets, options):
        if options["format"] == "json":
            body = json.dumps(as_json_payload(sets), ensure_ascii=False, indent=2).encode() + b"\n"
        else:
            body = as_adx(sets)
        out = options["out"]
        try:
            out.write_bytes(body)
        except OSError as exc:
            raise CommandError(f"--out: cannot write {out}: {exc.strerror}") from None
        count = sum(len(one.values) for one in sets)
        self.stderr.write(f"{len(sets)} MSC(s), {count} values written to {out}")

    def push(self, sets, options):
        client = Dhis2Client(
            options["url"],
            username=os.environ.get("DHIS2_USERNAME", ""),
            password=os.environ.get("DHIS2_PASSWORD", ""),
            token=os.environ.get("DHIS2_TOKEN", ""),
        )
        logs = push(sets, client, dry_run=options["dry_run"])
        for log in logs:
            kind = "dry run" if log.dry_run else "import"
            done = ", data set marked complete" if log.completed else ""
            self.stdout.write(
                f"{','.join(log.org_units)} {kind}: {log.status} — imported {log.imported}, "
                f"updated {log.updated}, ignored {log.ignored}, conflicts {len(log.conflicts)}{done}"
            )
