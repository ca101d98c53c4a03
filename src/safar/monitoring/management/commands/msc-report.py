"""`safar msc-report M01 --msc MSC-DU --month 2026-11 --format json|csv|xlsx|pdf [--out FILE]`:
one table of an MSC's monthly report (without --msc, every MSC summed)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from safar.core.models import AuditEvent, Office
from safar.monitoring.exports import table_file
from safar.monitoring.figures import TABLES
from safar.monitoring.queries import QueryError, parse_query

FORMATS = ("json", "csv", "xlsx", "pdf")
OPTION_OF = {"report": "report", "msc": "--msc", "month": "--month"}


class Command(BaseCommand):
    help = (
        "Print or save one table (M01 … M12) of the MSCs' monthly report for a month, as JSON, "
        "CSV, XLSX or PDF. Without --msc, every MSC summed. Binary formats need --out."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help=f"table code: {', '.join(TABLES)}")
        parser.add_argument("--month", required=True, metavar="YYYY-MM")
        parser.add_argument("--msc", metavar="CODE", help="an MSC's code, e.g. MSC-DU")
        parser.add_argument("--format", default="json", choices=FORMATS)
        parser.add_argument("--out", type=Path, help="write to this file instead of stdout")
        parser.add_argument(
            "--language",
            choices=[code for code, _ in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of titles, labels and names in XLSX and PDF",
        )

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            self.write(options)

    def write(self, options):
        mscs = Office.objects.filter(kind=Office.Kind.MSC).order_by("code")
        try:
            query = parse_query(options["code"], options["msc"], options["month"], mscs)
        except QueryError as exc:
            known = f" (known: {', '.join(TABLES)})" if "report" in exc.fields else ""
            raise CommandError(
                "; ".join(f"{OPTION_OF[k]}: {v}" for k, v in exc.fields.items()) + known
            ) from None
        fmt, out = options["format"], options["out"]
        if out is None and fmt in {"xlsx", "pdf"}:
            raise CommandError(f"--out: a {fmt.upper()} file cannot be printed; give a file name")
        data = query.as_json()
        if fmt == "json":
            body = json.dumps(data, ensure_ascii=False).encode()
        else:
            body = table_file(fmt, query.table, data["rows"], msc=query.msc_code, month=query.month)
        if out is None:
            self.stdout.write(body.decode(), ending="\n" if fmt == "json" else "")
        else:
            try:
                out.write_bytes(body)
            except OSError as exc:
                raise CommandError(f"--out: cannot write {out}: {exc.strerror}") from None
            self.stderr.write(f"{query.table.code}: {len(data['rows'])} rows written to {out}")
        AuditEvent.record(
            user=None,
            action=AuditEvent.Action.EXPORT,
            object_type="msc_report",
            object_id=query.table.code,
            query={
                "msc": options["msc"] or "",
                "month": str(query.month),
                "format": fmt,
                "via": "cli",
            },
        )
