"""`safar report R01 --from 2024-01-01 --to 2024-12-31 --format json|csv|xlsx|pdf [--out FILE]`."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from safar.reports import exports
from safar.reports.forms import ReportForm
from safar.reports.result import FILTER_NAMES
from safar.reports.standard import REPORTS, get_report

OPTION_OF = {
    "from": "--from",
    "to": "--to",
    "border_point": "--border-point",
    "sex": "--sex",
    "country": "--country",
}


class Command(BaseCommand):
    help = (
        "Print or save one of the twelve standard reports (R01 … R12) for a period, as JSON, "
        "CSV, XLSX or PDF. Binary formats need --out."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help=f"report code: {', '.join(REPORTS)}")
        parser.add_argument(
            "--from",
            dest="from",
            metavar="YYYY-MM-DD",
            # Checked by the form: required by every report but R11, which counts as of --to.
            help="first day of the period (included); R11 needs only --to",
        )
        parser.add_argument(
            "--to",
            dest="to",
            required=True,
            metavar="YYYY-MM-DD",
            help="last day of the period (included)",
        )
        parser.add_argument("--format", default="json", choices=tuple(exports.FORMATS))
        parser.add_argument("--out", type=Path, help="write to this file instead of stdout")
        parser.add_argument(
            "--border-point", dest="border_point", help="border point code, e.g. DYU"
        )
        parser.add_argument("--sex", help="M or F")
        parser.add_argument("--country", help="ISO 3166-1 alpha-3 code, e.g. RUS")
        parser.add_argument(
            "--language",
            choices=[code for code, _ in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of titles, labels and names in XLSX and PDF",
        )

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            self.write_report(options)

    def write_report(self, options):
        report = get_report(options["code"])
        if report is None:
            raise CommandError(f"unknown report {options['code']!r}; known: {', '.join(REPORTS)}")
        given = {name: options[name] for name in FILTER_NAMES if options[name] is not None}
        form = ReportForm(report, {"from": options["from"], "to": options["to"], **given})
        errors = form.unexpected(given)
        if not form.is_valid() or errors:
            errors |= {name: [str(m) for m in messages] for name, messages in form.errors.items()}
            raise CommandError(
                "; ".join(
                    f"{OPTION_OF.get(name, name)}: {' '.join(messages)}"
                    for name, messages in errors.items()
                )
            )
        fmt, out = options["format"], options["out"]
        if out is None and fmt in {"xlsx", "pdf"}:
            raise CommandError(f"--out: a {fmt.upper()} file cannot be printed; give a file name")
        start, end = form.period
        result = report.run(start, end, **form.filters)
        body = exports.render(fmt, report, start, end, form.filters, result)
        if out is None:
            self.stdout.write(body.decode(), ending="\n" if fmt == "json" else "")
        else:
            try:
                out.write_bytes(body)
            except OSError as exc:
                raise CommandError(f"--out: cannot write {out}: {exc.strerror}") from None
            self.stderr.write(f"{report.CODE}: {len(result.rows)} rows written to {out}")
        # After the report is out, in its own short transaction (see record_export).
        exports.record_export(
            user=None,
            report=report,
            date_from=start,
            date_to=end,
            filters=form.filters,
            fmt=fmt,
            via="cli",
        )
