"""`safar card-template --out cards.pdf --first AA0000001 --count 100`: numbered blanks to print."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from safar.reading.render import next_serials, render_pdf
from safar.reading.template import TemplateError, load_template


def overleaf_lines(template) -> list[str]:
    """The reverse of the card: the template's numbered lookup lists (districts by region),
    with the names from the reference data, so the printed numbers are the ones the reader uses."""
    from safar.core.models import District, Region

    lines = []
    for rule in template.rules:
        if rule["kind"] != "lookup":
            continue
        try:
            regions = Region.objects.in_bulk(list(rule["table"]))
            districts = District.objects.in_bulk(
                [code for numbers in rule["table"].values() for code in numbers.values()]
            )
        except DatabaseError as exc:
            raise CommandError(
                _(
                    "The database has no reference data: run `safar migrate` "
                    "first, or use --no-overleaf."
                )
            ) from exc
        for region_code, numbers in rule["table"].items():
            region = regions.get(region_code)
            lines.append(
                f"{region_code}  {region.name_tg} / {region.name_ru}" if region else region_code
            )
            for number, code in numbers.items():
                d = districts.get(code)
                lines.append(f" {number}  {d.name_tg}" if d else f" {number}  {code}")
    return lines


class Command(BaseCommand):
    help = "Render numbered blank migration cards (PDF, one card and its reverse per serial)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="PDF file to write")
        parser.add_argument("--first", default="AA0000001", help="first serial, e.g. AA0000001")
        parser.add_argument("--count", type=int, default=1, help="number of cards")
        parser.add_argument("--template", default="safar-card", help="template name or JSON path")
        parser.add_argument("--no-overleaf", action="store_true", help="front pages only")

    def handle(self, *args, **opts):
        if not 1 <= opts["count"] <= 100_000:
            raise CommandError(_("--count must be between 1 and 100000"))
        try:
            template = load_template(opts["template"])
            serials = next_serials(opts["first"].upper(), opts["count"])
        except (TemplateError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        serial_field = next((f for f in template.fields if f.kind == "serial"), None)
        if serial_field is not None and serial_field.pattern:
            import re

            if not re.fullmatch(serial_field.pattern, serials[0]):
                raise CommandError(
                    _("serial %(s)s does not match %(p)s")
                    % {"s": serials[0], "p": serial_field.pattern}
                )
        overleaf = None if opts["no_overleaf"] else overleaf_lines(template)
        out = Path(opts["out"])
        out.write_bytes(render_pdf(template, serials, overleaf))
        self.stdout.write(f"{out}: {len(serials)} cards {serials[0]}…{serials[-1]}")
